package event

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/teambition/rrule-go"
)

// mappedProps are the VEVENT properties this package owns; every other line
// of a corpus object must survive a merge verbatim.
var mappedProps = map[string]bool{
	"DTSTART": true, "DTEND": true, "DURATION": true, "SUMMARY": true, "DESCRIPTION": true, "X-ALT-DESC": true,
	"LOCATION": true, "TRANSP": true, "X-MICROSOFT-CDO-BUSYSTATUS": true, "PRIORITY": true, "CLASS": true,
	"CATEGORIES": true, "ATTENDEE": true, "ORGANIZER": true, "RRULE": true, "EXDATE": true, "STATUS": true,
	"ATTACH": true, "LAST-MODIFIED": true, "TRIGGER": true,
}

func TestCorpusRoundTrip(t *testing.T) {
	for _, path := range corpusFiles(t) {
		for _, quirk := range []bool{false, true} {
			name := filepath.Base(path)
			if quirk {
				name += "/grommunio"
			}
			t.Run(name, func(t *testing.T) {
				cal := parseFile(t, path)
				s, _, err := FromICal(cal, testOptions)
				if err != nil {
					t.Fatalf("FromICal() error %v", err)
				}
				if s.Master.UID != s.UID {
					t.Errorf("Master.UID = %q, want %q", s.Master.UID, s.UID)
				}
				if v, _ := s.Master.Extended(wire.UIDProperty); v != s.UID {
					t.Errorf("UID extended property = %q, want %q", v, s.UID)
				}
				master, excs := fakeServer(t, s, quirk)
				hi, err := HashICal(cal, testOptions)
				if err != nil {
					t.Fatalf("HashICal() error %v", err)
				}
				he, err := HashEWS(master, excs)
				if err != nil {
					t.Fatalf("HashEWS() error %v", err)
				}
				if hi != he {
					t.Errorf("HashICal() = %s, HashEWS() = %s, want equal", hi, he)
				}
				fi, _ := FingerprintICal(cal, testOptions)
				fe, _ := FingerprintEWS(master)
				if fi != fe {
					t.Errorf("FingerprintICal() = %q, FingerprintEWS() = %q, want equal", fi, fe)
				}

				// Merge into the original: every unmapped line survives and
				// nothing else changes.
				merged, _, err := MergeIntoICal(cal, master, excs, testOptions)
				if err != nil {
					t.Fatalf("MergeIntoICal(existing) error %v", err)
				}
				got := strings.Join(rawLines(t, merged), "\n")
				for _, line := range rawLines(t, cal) {
					name := line
					if i := strings.IndexAny(line, ";:"); i > 0 {
						name = line[:i]
					}
					if mappedProps[name] || name == "BEGIN" || name == "END" {
						continue
					}
					if !strings.Contains(got, line) {
						t.Errorf("merged object lost %q", line)
					}
				}
				if n, m := strings.Count(got, "BEGIN:VALARM"), strings.Count(strings.Join(rawLines(t, cal), "\n"), "BEGIN:VALARM"); n != m {
					t.Errorf("merged object has %d VALARMs, want %d", n, m)
				}
				if h, _ := HashICal(merged, testOptions); h != he {
					t.Errorf("HashICal(merged) = %s, want %s", h, he)
				}
				// Idempotent.
				again, _, err := MergeIntoICal(merged, master, excs, testOptions)
				if err != nil {
					t.Fatalf("MergeIntoICal(merged) error %v", err)
				}
				b1, err1 := Encode(merged)
				b2, err2 := Encode(again)
				if err1 != nil || err2 != nil {
					t.Fatalf("Encode() errors %v, %v", err1, err2)
				}
				if !bytes.Equal(b1, b2) {
					t.Errorf("second merge changed the object:\n%s\nvs\n%s", b1, b2)
				}

				// A new object from Exchange maps back to the same item.
				fresh, _, err := MergeIntoICal(nil, master, excs, testOptions)
				if err != nil {
					t.Fatalf("MergeIntoICal(nil) error %v", err)
				}
				data, err := Encode(fresh)
				if err != nil {
					t.Fatalf("Encode(fresh) error %v", err)
				}
				reparsed, err := Parse(data)
				if err != nil {
					t.Fatalf("Parse(Encode(fresh)) error %v\n%s", err, data)
				}
				if h, err := HashICal(reparsed, testOptions); err != nil || h != he {
					t.Errorf("HashICal(fresh) = %s, %v, want %s\n%s", h, err, he, data)
				}
				s2, _, err := FromICal(reparsed, testOptions)
				if err != nil {
					t.Fatalf("FromICal(fresh) error %v", err)
				}
				if us, err := Updates(master, s2.Master); err != nil || len(us) != 0 {
					t.Errorf("Updates(server, FromICal(fresh)) = %d updates, %v, want none: %+v", len(us), err, us)
				}
				if ws, _, err := s2.Plan(master, excs); err != nil || len(ws) != 0 {
					t.Errorf("Plan() after round trip = %+v, %v, want no writes", ws, err)
				}
			})
		}
	}
}

// TestExpansionAgrees expands every recurring corpus event on both sides
// over two years: rrule-go on the iCalendar RRULE and EXDATEs, and the
// test's own EWS expander on the Recurrence and DeletedOccurrences.
func TestExpansionAgrees(t *testing.T) {
	for _, path := range corpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cal := parseFile(t, path)
			s, _, err := FromICal(cal, testOptions)
			if err != nil {
				t.Fatalf("FromICal() error %v", err)
			}
			if s.Master.Recurrence == nil {
				t.Skip("not recurring")
			}
			start := s.master.start
			windowEnd := start.AddDate(2, 0, 0)
			// iCalendar side.
			var ev *ical.Component
			for _, c := range cal.Children {
				if c.Name == ical.CompEvent && c.Props.Get(ical.PropRecurrenceID) == nil {
					ev = c
				}
			}
			opt, err := rrule.StrToROptionInLocation(ev.Props.Get(ical.PropRecurrenceRule).Value, start.Location())
			if err != nil {
				t.Fatal(err)
			}
			opt.Dtstart = start
			rr, err := rrule.NewRRule(*opt)
			if err != nil {
				t.Fatal(err)
			}
			set := rrule.Set{}
			set.RRule(rr)
			for _, d := range s.Deleted {
				set.ExDate(d)
			}
			want := set.Between(start.Add(-time.Second), windowEnd, true)
			// EWS side.
			deleted := map[int64]bool{}
			for _, d := range s.Deleted {
				deleted[d.Unix()] = true
			}
			var got []time.Time
			for _, o := range ewsExpand(t, s.Master.Recurrence, start, windowEnd) {
				if !deleted[o.Unix()] {
					got = append(got, o)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("EWS expansion has %d occurrences, iCalendar %d\nEWS  %v\niCal %v", len(got), len(want), got, want)
			}
			for i := range got {
				if !got[i].Equal(want[i]) {
					t.Errorf("occurrence %d: EWS %v, iCalendar %v", i, got[i], want[i])
				}
			}
			if len(want) < 2 {
				t.Errorf("only %d occurrences in two years", len(want))
			}
		})
	}
}

// TestFloatingStaysFloating merges the remote state of a floating series
// into the local object: DTSTART and EXDATE stay floating.
func TestFloatingStaysFloating(t *testing.T) {
	cal := parseFile(t, "testdata/corpus/floating-daily.ics")
	s, issues, err := FromICal(cal, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) == 0 || !strings.Contains(issues[0].Msg, "floating") {
		t.Errorf("FromICal() issues = %v, want a floating-time issue", issues)
	}
	if s.Master.Start != "2024-01-08T06:30:00Z" {
		t.Errorf("Master.Start = %s, want 07:30 Berlin = 06:30Z", s.Master.Start)
	}
	master, excs := fakeServer(t, s, false)
	merged, _, err := MergeIntoICal(cal, master, excs, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rawLines(t, merged), "\n")
	for _, want := range []string{"DTSTART:20240108T073000", "EXDATE:20240112T073000"} {
		if !strings.Contains(got, want) {
			t.Errorf("merged object lacks %q:\n%s", want, got)
		}
	}
	// A remote change of the exceptions rewrites EXDATE, still floating.
	master.DeletedOccurrences.DeletedOccurrence = append(master.DeletedOccurrences.DeletedOccurrence, wire.DeletedOccurrence{Start: "2024-01-14T06:30:00Z"})
	merged, _, err = MergeIntoICal(cal, master, excs, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rawLines(t, merged), "\n"); !strings.Contains(got, "EXDATE:20240112T073000,20240114T073000") {
		t.Errorf("merged object lacks the floating EXDATE list:\n%s", got)
	}
}
