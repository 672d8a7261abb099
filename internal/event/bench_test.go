package event

import (
	"testing"
)

// BenchmarkFromICal converts the recurring Nextcloud meeting with two
// overrides (events per second = 1e9 / ns/op).
func BenchmarkFromICal(b *testing.B) {
	cal := parseFile(b, "testdata/corpus/nextcloud-weekly-berlin.ics")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := FromICal(cal, testOptions); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMerge merges the remote state of the same series into the local
// object and encodes the result.
func BenchmarkMerge(b *testing.B) {
	cal := parseFile(b, "testdata/corpus/nextcloud-weekly-berlin.ics")
	s, _, err := FromICal(cal, testOptions)
	if err != nil {
		b.Fatal(err)
	}
	master, excs := fakeServer(b, s, false)
	b.ReportAllocs()
	for b.Loop() {
		out, _, err := MergeIntoICal(cal, master, excs, testOptions)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Encode(out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHashEWS hashes a remote series, the per-item cost of change
// detection.
func BenchmarkHashEWS(b *testing.B) {
	cal := parseFile(b, "testdata/corpus/nextcloud-weekly-berlin.ics")
	s, _, err := FromICal(cal, testOptions)
	if err != nil {
		b.Fatal(err)
	}
	master, excs := fakeServer(b, s, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HashEWS(master, excs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMergeNew creates a new object from a remote series, VTIMEZONE
// generation included.
func BenchmarkMergeNew(b *testing.B) {
	cal := parseFile(b, "testdata/corpus/ios-newyork-monthly.ics")
	s, _, err := FromICal(cal, testOptions)
	if err != nil {
		b.Fatal(err)
	}
	master, excs := fakeServer(b, s, false)
	b.ReportAllocs()
	for b.Loop() {
		out, _, err := MergeIntoICal(nil, master, excs, testOptions)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Encode(out); err != nil {
			b.Fatal(err)
		}
	}
}
