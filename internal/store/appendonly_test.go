package store

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// TestMigrationsAppendOnly pins the checksum of every migration in
// testdata/migrations.sum. A released migration must never change: a
// schema change is a new file. Add the new file's line to the sum (sha256sum)
// in the same commit.
func TestMigrationsAppendOnly(t *testing.T) {
	b, err := os.ReadFile("testdata/migrations.sum")
	if err != nil {
		t.Fatal(err)
	}
	pinned := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		name, sum, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("migrations.sum: malformed line %q", line)
		}
		pinned[name] = sum
	}
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		h := sha256.Sum256([]byte(m.sql))
		got := hex.EncodeToString(h[:])
		want, ok := pinned[m.name]
		if !ok {
			t.Errorf("migration %s is not in testdata/migrations.sum: add %q", m.name, m.name+" "+got)
			continue
		}
		if got != want {
			t.Errorf("migration %s changed (sha256 %s, pinned %s): migrations are append-only, add a new file instead", m.name, got, want)
		}
		delete(pinned, m.name)
	}
	for name := range pinned {
		t.Errorf("migration %s is pinned but missing: migrations are never removed", name)
	}
}
