// Package reference locates the project's read-only reference material for
// tests: Microsoft's EWS schema, the EWS sample envelopes and the Nextcloud 32
// transcripts, kept in ../shared beside the repository and never copied into
// it. Tests that need it skip with a clear message where it is absent.
package reference

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// EnvVar overrides where the reference directory is.
const EnvVar = "EWS_SHARED_DIR"

// ErrNotFound is returned by Dir when no reference directory exists.
var ErrNotFound = errors.New("reference: ../shared not found")

// Dir returns the reference directory: $EWS_SHARED_DIR, or ../shared beside
// the repository root (the nearest directory above the working directory
// that holds go.mod).
func Dir() (string, error) {
	if d := os.Getenv(EnvVar); d != "" {
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			shared := filepath.Join(dir, "..", "shared")
			if _, err := os.Stat(shared); err != nil {
				return "", fmt.Errorf("%w at %s (set %s)", ErrNotFound, shared, EnvVar)
			}
			return shared, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no go.mod above the working directory", ErrNotFound)
		}
		dir = parent
	}
}

// Require returns the path of elem inside the reference directory, or skips
// the test when the directory or that entry is absent.
func Require(t testing.TB, elem ...string) string {
	t.Helper()
	dir, err := Dir()
	if err != nil {
		t.Skip(err.Error())
	}
	p := filepath.Join(append([]string{dir}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("reference: %s not found: %v", filepath.Join(elem...), err)
	}
	return p
}

// ValidateEnvelope checks a whole SOAP envelope against Microsoft's EWS schema
// with xmllint (Debian package libxml2-utils), failing the test with
// xmllint's report. It skips when xmllint or the schema is absent.
func ValidateEnvelope(t testing.TB, envelope []byte) {
	t.Helper()
	xsd := Require(t, "ews-schema", "ews-envelope.xsd")
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not installed (Debian package libxml2-utils)")
	}
	f := filepath.Join(t.TempDir(), "envelope.xml")
	if err := os.WriteFile(f, envelope, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", xsd, f).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint: %v\n%s\n%s", err, out, envelope)
	}
}
