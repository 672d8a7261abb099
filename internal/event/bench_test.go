package event

import (
	"testing"

	"github.com/emersion/go-ical"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
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
	cal, master, excs := benchSeries(b, "testdata/corpus/nextcloud-weekly-berlin.ics")
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
	_, master, excs := benchSeries(b, "testdata/corpus/nextcloud-weekly-berlin.ics")
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
	_, master, excs := benchSeries(b, "testdata/corpus/ios-newyork-monthly.ics")
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

// benchSeries parses a corpus file and returns it with the master and
// exceptions the simulated server would hold for it.
func benchSeries(b *testing.B, path string) (*ical.Calendar, *wire.CalendarItem, []*wire.CalendarItem) {
	b.Helper()
	cal := parseFile(b, path)
	s, _, err := FromICal(cal, testOptions)
	if err != nil {
		b.Fatal(err)
	}
	master, excs := fakeServer(b, s, false)
	return cal, master, excs
}
