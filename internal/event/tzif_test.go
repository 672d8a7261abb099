package event

import (
	"testing"
	"time"
)

func TestPosixZoneMatchesIANA(t *testing.T) {
	// W. Europe rules: last Sunday of March 02:00 → +2, last Sunday of October 03:00 → +1.
	z := posixZone{std: 3600, dst: 7200, hasDST: true,
		toDST: posixRule{month: 3, week: 5, weekday: 0, at: 2 * 3600},
		toStd: posixRule{month: 10, week: 5, weekday: 0, at: 3 * 3600}}
	loc, err := z.location("Custom Berlin")
	if err != nil {
		t.Fatalf("location() error %v", err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for ts := time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC); ts.Year() < 2028; ts = ts.Add(time.Hour) {
		_, o1 := ts.In(loc).Zone()
		_, o2 := ts.In(berlin).Zone()
		if o1 != o2 {
			t.Fatalf("offset at %v = %d, want %d (tz %q)", ts, o1, o2, z.tz())
		}
	}
}

func TestPosixZoneInvalid(t *testing.T) {
	z := posixZone{std: 3600, dst: 7200, hasDST: true, toDST: posixRule{month: 13, week: 1}}
	if _, err := z.location("x"); err == nil {
		t.Errorf("location() with month 13 = nil error, want error")
	}
}
