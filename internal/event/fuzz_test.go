package event

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseMerge feeds arbitrary bytes to Parse and, when they parse and
// map, round-trips the object through Exchange's form: nothing may panic,
// and merging the same remote state twice gives the same bytes.
func FuzzParseMerge(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*.ics")
	bad, _ := filepath.Glob("testdata/bad/*.ics")
	for _, p := range append(files, bad...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cal, err := Parse(data)
		if err != nil {
			return
		}
		_, _ = HashICal(cal, testOptions)
		_, _ = FingerprintICal(cal, testOptions)
		s, _, err := FromICal(cal, testOptions)
		if err != nil {
			return
		}
		master, excs := fakeServer(t, s, len(data)%2 == 0)
		_, _, _ = s.Plan(master, excs)
		_, _ = Updates(master, s.Master)
		m1, _, err := MergeIntoICal(cal, master, excs, testOptions)
		if err != nil {
			return
		}
		b1, err := Encode(m1)
		if err != nil {
			return
		}
		m2, _, err := MergeIntoICal(m1, master, excs, testOptions)
		if err != nil {
			t.Fatalf("second merge failed: %v", err)
		}
		b2, err := Encode(m2)
		if err != nil {
			t.Fatalf("Encode(second merge) failed: %v", err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("merge not idempotent:\n%s\nvs\n%s", b1, b2)
		}
	})
}
