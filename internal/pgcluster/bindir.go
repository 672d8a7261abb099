// Package pgcluster runs a private PostgreSQL cluster in a directory of its
// own, with the server binaries of Debian's postgresql package
// (/usr/lib/postgresql/<major>/bin). Tests use it through package pgtest and
// `make run` keeps one under .run/pg.
//
// The server programs are documented at
// https://www.postgresql.org/docs/current/app-initdb.html and
// https://www.postgresql.org/docs/current/app-postgres.html.
package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DebianRoot is where Debian's postgresql packages install one directory per
// major version, each with a bin/ holding initdb and postgres.
const DebianRoot = "/usr/lib/postgresql"

// ErrNoServer reports that no PostgreSQL server binaries were found.
var ErrNoServer = errors.New("pgcluster: no PostgreSQL server binaries found in " + DebianRoot + "/<version>/bin: install Debian's postgresql (apt-get install postgresql)")

// FindBinDir returns the bin directory of the newest PostgreSQL major version
// under root (DebianRoot when empty), for example /usr/lib/postgresql/15/bin.
// It returns ErrNoServer when none holds both initdb and postgres.
func FindBinDir(root string) (string, error) {
	if root == "" {
		root = DebianRoot
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", ErrNoServer
		}
		return "", fmt.Errorf("pgcluster: %w", err)
	}
	best, bestVer := "", -1.0
	for _, e := range entries {
		ver, err := strconv.ParseFloat(e.Name(), 64)
		if err != nil {
			continue
		}
		bin := filepath.Join(root, e.Name(), "bin")
		if !isExecutable(filepath.Join(bin, "initdb")) || !isExecutable(filepath.Join(bin, "postgres")) {
			continue
		}
		if ver > bestVer {
			best, bestVer = bin, ver
		}
	}
	if best == "" {
		return "", ErrNoServer
	}
	return best, nil
}

// majorOf returns the major version a bin directory belongs to, taken from
// its parent directory's name ("15" for /usr/lib/postgresql/15/bin), or ""
// when the layout is not Debian's.
func majorOf(binDir string) string {
	name := filepath.Base(filepath.Dir(filepath.Clean(binDir)))
	if _, err := strconv.ParseFloat(name, 64); err != nil {
		return ""
	}
	return name
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// readVersionFile returns the major version recorded in a data directory's
// PG_VERSION file, or "" when the directory holds no cluster.
func readVersionFile(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION"))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("pgcluster: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
