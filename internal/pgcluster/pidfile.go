package pgcluster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// pidFile is the content of a data directory's postmaster.pid: the pid, the
// data directory, the start time, the port, the socket directory, the listen
// address, the shared memory key and the status, one a line
// (src/include/utils/pidfile.h in the PostgreSQL sources).
type pidFile struct {
	pid    int
	port   int
	status string
}

// readPIDFile reads dataDir/postmaster.pid; the error wraps os.ErrNotExist
// when there is none.
func readPIDFile(dataDir string) (pidFile, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return pidFile{}, err
	}
	lines := strings.Split(string(b), "\n")
	var pf pidFile
	if pf.pid, err = strconv.Atoi(strings.TrimSpace(lines[0])); err != nil || pf.pid <= 0 {
		return pidFile{}, fmt.Errorf("pgcluster: malformed postmaster.pid in %s", dataDir)
	}
	if len(lines) > 3 {
		pf.port, _ = strconv.Atoi(strings.TrimSpace(lines[3]))
	}
	if len(lines) > 7 {
		pf.status = strings.TrimSpace(lines[7])
	}
	return pf, nil
}

// ready reports whether the server accepts connections.
func (pf pidFile) ready() bool { return pf.status == "ready" && pf.port > 0 }

// alive reports whether pf.pid is a running postgres process. A pid reused
// by another program after a crash or reboot does not count.
func (pf pidFile) alive() bool {
	if err := syscall.Kill(pf.pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pf.pid))
	if err != nil {
		return false
	}
	argv0, _, _ := bytes.Cut(cmdline, []byte{0})
	return filepath.Base(string(argv0)) == "postgres"
}
