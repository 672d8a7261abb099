package event

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/reference"
)

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// testOptions places floating times in Berlin, the test user's zone.
var testOptions = Options{Floating: berlin}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parseFile(t testing.TB, path string) *ical.Calendar {
	t.Helper()
	cal, err := Parse(readFile(t, path))
	if err != nil {
		t.Fatalf("Parse(%s) error %v", path, err)
	}
	return cal
}

func corpusFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.ics")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	return files
}

// fakeServer turns a Series into what an EWS server returns after creating
// it and applying its occurrence writes: the master with an id, its
// attachments, DeletedOccurrences and ModifiedOccurrences, and one
// exception item per override. quirk mimics grommunio: OriginalStart at
// local midnight and a dateTime range StartDate.
func fakeServer(t testing.TB, s *Series, quirk bool) (*wire.CalendarItem, []*wire.CalendarItem) {
	t.Helper()
	m := *s.Master
	m.ItemId = &wire.ItemId{Id: "AAMk-master", ChangeKey: "CK1"}
	m.LastModifiedTime = "2024-06-01T10:00:00Z"
	if len(s.Attachments) > 0 {
		m.Attachments = &wire.Attachments{Attachment: s.Attachments}
	}
	if m.Recurrence != nil {
		m.CalendarItemType = wire.CalendarItemRecurringMaster
		if quirk {
			r := *m.Recurrence
			switch {
			case r.NoEnd != nil:
				r.NoEnd = &wire.NoEndRecurrence{StartDate: r.NoEnd.StartDate + "T00:00:00.000000Z"}
			case r.EndDate != nil:
				r.EndDate = &wire.EndDateRecurrence{StartDate: r.EndDate.StartDate + "T00:00:00.000000Z", EndDate: r.EndDate.EndDate + "T00:00:00.000000Z"}
			case r.Numbered != nil:
				r.Numbered = &wire.NumberedRecurrence{StartDate: r.Numbered.StartDate + "T00:00:00.000000Z", NumberOfOccurrences: r.Numbered.NumberOfOccurrences}
			}
			m.Recurrence = &r
		}
	} else {
		m.CalendarItemType = wire.CalendarItemSingle
	}
	if len(s.Deleted) > 0 {
		m.DeletedOccurrences = &wire.DeletedOccurrences{}
		for _, d := range s.Deleted {
			m.DeletedOccurrences.DeletedOccurrence = append(m.DeletedOccurrences.DeletedOccurrence, wire.DeletedOccurrence{Start: wire.FormatDateTime(d)})
		}
	}
	var excs []*wire.CalendarItem
	for i, ov := range s.Overrides {
		e := *ov.Item
		e.ItemId = &wire.ItemId{Id: "AAMk-exc-" + string(rune('a'+i))}
		e.CalendarItemType = wire.CalendarItemException
		orig := ov.OriginalStart
		if quirk {
			l := orig.In(s.master.zone)
			orig = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.master.zone)
		}
		e.OriginalStart = wire.FormatDateTime(orig)
		if m.ModifiedOccurrences == nil {
			m.ModifiedOccurrences = &wire.ModifiedOccurrences{}
		}
		m.ModifiedOccurrences.Occurrence = append(m.ModifiedOccurrences.Occurrence, wire.OccurrenceInfo{ItemId: *e.ItemId, Start: e.Start, End: e.End, OriginalStart: e.OriginalStart})
		excs = append(excs, &e)
	}
	return &m, excs
}

// rawLines encodes cal without folding, one property per line.
func rawLines(t testing.TB, cal *ical.Calendar) []string {
	t.Helper()
	var b bytes.Buffer
	if err := ical.NewEncoder(&b).Encode(cal); err != nil {
		t.Fatalf("encode: %v", err)
	}
	return strings.Split(strings.TrimSpace(b.String()), "\r\n")
}

// ewsExpand is an independent expander of an EWS recurrence (test only):
// the pattern's occurrences from the range's StartDate, at the master's
// wall-clock time in loc, up to windowEnd, honouring the range.
// https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/recurrence-patterns-and-ews
func ewsExpand(t testing.TB, r *wire.Recurrence, start time.Time, windowEnd time.Time) []time.Time {
	t.Helper()
	loc := start.Location()
	var sd string
	switch {
	case r.NoEnd != nil:
		sd = r.NoEnd.StartDate
	case r.EndDate != nil:
		sd = r.EndDate.StartDate
	case r.Numbered != nil:
		sd = r.Numbered.StartDate
	}
	first, err := time.Parse("2006-01-02", sd[:10])
	if err != nil {
		t.Fatalf("StartDate %q", sd)
	}
	var endDate time.Time
	if r.EndDate != nil {
		endDate, _ = time.Parse("2006-01-02", r.EndDate.EndDate[:10])
	}
	at := func(y int, m time.Month, d int) time.Time {
		return time.Date(y, m, d, start.Hour(), start.Minute(), start.Second(), 0, loc)
	}
	lastDay := func(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }
	clamp := func(y int, m time.Month, d int) time.Time { return at(y, m, min(d, lastDay(y, m))) }
	matches := func(wd time.Weekday, spec string) bool {
		switch spec {
		case "Day":
			return true
		case "Weekday":
			return wd != time.Saturday && wd != time.Sunday
		case "WeekendDay":
			return wd == time.Saturday || wd == time.Sunday
		}
		return dayNames[wd] == spec
	}
	nth := func(y int, m time.Month, spec, idx string) time.Time {
		var days []int
		for d := 1; d <= lastDay(y, m); d++ {
			if matches(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday(), spec) {
				days = append(days, d)
			}
		}
		n := map[string]int{"First": 0, "Second": 1, "Third": 2, "Fourth": 3}[idx]
		if idx == "Last" {
			n = len(days) - 1
		}
		return at(y, m, days[n])
	}
	var cands []time.Time
	y0, m0 := first.Year(), first.Month()
	limit := windowEnd.AddDate(1, 0, 0)
	switch {
	case r.Daily != nil:
		for d := 0; ; d += r.Daily.Interval {
			c := at(y0, m0, first.Day()+d)
			if c.After(limit) {
				break
			}
			cands = append(cands, c)
		}
	case r.Weekly != nil:
		fdow := time.Sunday
		if r.Weekly.FirstDayOfWeek != "" {
			fdow = ewsDays[r.Weekly.FirstDayOfWeek]
		}
		wk := first.AddDate(0, 0, -int((first.Weekday()-fdow+7)%7))
		days := strings.Fields(r.Weekly.DaysOfWeek)
		for ; ; wk = wk.AddDate(0, 0, 7*r.Weekly.Interval) {
			c0 := at(wk.Year(), wk.Month(), wk.Day())
			if c0.After(limit) {
				break
			}
			for i := 0; i < 7; i++ {
				d := wk.AddDate(0, 0, i)
				for _, s := range days {
					if matches(d.Weekday(), s) {
						cands = append(cands, at(d.Year(), d.Month(), d.Day()))
					}
				}
			}
		}
	case r.AbsoluteMonthly != nil:
		for k := 0; ; k += r.AbsoluteMonthly.Interval {
			mm := time.Date(y0, m0+time.Month(k), 1, 0, 0, 0, 0, time.UTC)
			c := clamp(mm.Year(), mm.Month(), r.AbsoluteMonthly.DayOfMonth)
			if c.After(limit) {
				break
			}
			cands = append(cands, c)
		}
	case r.RelativeMonthly != nil:
		for k := 0; ; k += r.RelativeMonthly.Interval {
			mm := time.Date(y0, m0+time.Month(k), 1, 0, 0, 0, 0, time.UTC)
			c := nth(mm.Year(), mm.Month(), r.RelativeMonthly.DaysOfWeek, r.RelativeMonthly.DayOfWeekIndex)
			if c.After(limit) {
				break
			}
			cands = append(cands, c)
		}
	case r.AbsoluteYearly != nil:
		for y := y0; at(y, 1, 1).Before(limit); y++ {
			cands = append(cands, clamp(y, ewsMonths[r.AbsoluteYearly.Month], r.AbsoluteYearly.DayOfMonth))
		}
	case r.RelativeYearly != nil:
		for y := y0; at(y, 1, 1).Before(limit); y++ {
			cands = append(cands, nth(y, ewsMonths[r.RelativeYearly.Month], r.RelativeYearly.DaysOfWeek, r.RelativeYearly.DayOfWeekIndex))
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Before(cands[j]) })
	var out []time.Time
	for _, c := range cands {
		day := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, time.UTC)
		if day.Before(first) {
			continue
		}
		if r.EndDate != nil && day.After(endDate) {
			break
		}
		if r.Numbered != nil && len(out) == r.Numbered.NumberOfOccurrences {
			break
		}
		if c.After(windowEnd) {
			break
		}
		out = append(out, c)
	}
	return out
}

// sampleItems decodes the first Items element of a shared EWS sample.
func sampleItems(t *testing.T, name string) wire.Items {
	t.Helper()
	dir := reference.Require(t, "ews-samples", "..")
	data, err := os.ReadFile(filepath.Join(dir, "ews-samples", name))
	if err != nil {
		t.Skipf("../shared not found: %v", err)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("%s: no Items element: %v", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Items" {
			var items wire.Items
			if err := d.DecodeElement(&items, &se); err != nil {
				t.Fatalf("%s: decode Items: %v", name, err)
			}
			return items
		}
	}
}

func xmlName(local string) xml.Name { return xml.Name{Local: local} }
