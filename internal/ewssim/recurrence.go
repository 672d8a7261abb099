package ewssim

import (
	"errors"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // occurrences are expanded in the series time zone, also where the OS has no zoneinfo
)

// recurrence is a parsed EWS Recurrence: one pattern and one range
// (https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/recurrence-patterns-and-ews).
type recurrence struct {
	pattern    string
	interval   int
	days       []time.Weekday
	dayKind    string // Sunday..Saturday, Day, Weekday, WeekendDay (relative patterns)
	index      string // First, Second, Third, Fourth, Last
	dayOfMonth int
	month      time.Month
	firstDay   time.Weekday
	start      time.Time // range start date (UTC midnight)
	end        time.Time // EndDateRecurrence end date, inclusive; zero = none
	count      int       // NumberedRecurrence; 0 = none
}

var errBadRecurrence = errors.New("ewssim: invalid recurrence")

var weekdays = map[string]time.Weekday{"Sunday": time.Sunday, "Monday": time.Monday, "Tuesday": time.Tuesday,
	"Wednesday": time.Wednesday, "Thursday": time.Thursday, "Friday": time.Friday, "Saturday": time.Saturday}

var months = map[string]time.Month{"January": 1, "February": 2, "March": 3, "April": 4, "May": 5, "June": 6,
	"July": 7, "August": 8, "September": 9, "October": 10, "November": 11, "December": 12}

// parseRecurrenceDate accepts xs:date with zone and the dateTime form some servers send.
func parseRecurrenceDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseRecurrence(n *node) (*recurrence, error) {
	if n == nil || len(n.Kids) != 2 {
		return nil, errBadRecurrence
	}
	p, rg := n.Kids[0], n.Kids[1]
	r := &recurrence{pattern: p.Local, interval: 1}
	if v := p.childText("Interval"); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil || i < 1 || i > 999 {
			return nil, errBadRecurrence
		}
		r.interval = i
	}
	for _, d := range strings.Fields(p.childText("DaysOfWeek")) {
		if wd, ok := weekdays[d]; ok {
			r.days = append(r.days, wd)
		}
		r.dayKind = d
	}
	r.index = p.childText("DayOfWeekIndex")
	if v := p.childText("DayOfMonth"); v != "" {
		r.dayOfMonth, _ = strconv.Atoi(v)
		if r.dayOfMonth < 1 || r.dayOfMonth > 31 {
			return nil, errBadRecurrence
		}
	}
	if v := p.childText("Month"); v != "" {
		r.month = months[v]
	}
	if v := p.childText("FirstDayOfWeek"); v != "" {
		r.firstDay = weekdays[v]
	}
	switch r.pattern {
	case "DailyRecurrence":
	case "WeeklyRecurrence":
		if len(r.days) == 0 {
			return nil, errBadRecurrence
		}
	case "AbsoluteMonthlyRecurrence":
		if r.dayOfMonth == 0 {
			return nil, errBadRecurrence
		}
	case "RelativeMonthlyRecurrence":
		if r.index == "" || r.dayKind == "" {
			return nil, errBadRecurrence
		}
	case "AbsoluteYearlyRecurrence":
		if r.dayOfMonth == 0 || r.month == 0 {
			return nil, errBadRecurrence
		}
	case "RelativeYearlyRecurrence":
		if r.index == "" || r.dayKind == "" || r.month == 0 {
			return nil, errBadRecurrence
		}
	default:
		return nil, errBadRecurrence
	}
	var ok bool
	if r.start, ok = parseRecurrenceDate(rg.childText("StartDate")); !ok {
		return nil, errBadRecurrence
	}
	switch rg.Local {
	case "NoEndRecurrence":
	case "EndDateRecurrence":
		if r.end, ok = parseRecurrenceDate(rg.childText("EndDate")); !ok || r.end.Before(r.start) {
			return nil, errBadRecurrence
		}
	case "NumberedRecurrence":
		c, err := strconv.Atoi(rg.childText("NumberOfOccurrences"))
		if err != nil || c < 1 {
			return nil, errBadRecurrence
		}
		r.count = c
	default:
		return nil, errBadRecurrence
	}
	return r, nil
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func daysIn(y int, m time.Month) int { return date(y, m+1, 0).Day() }

// relativeDay returns the day of month of the index-th dayKind in y/m.
func relativeDay(y int, m time.Month, kind, index string) int {
	match := func(d int) bool {
		wd := date(y, m, d).Weekday()
		switch kind {
		case "Day":
			return true
		case "Weekday":
			return wd != time.Saturday && wd != time.Sunday
		case "WeekendDay":
			return wd == time.Saturday || wd == time.Sunday
		}
		return weekdays[kind] == wd
	}
	var hits []int
	for d := 1; d <= daysIn(y, m); d++ {
		if match(d) {
			hits = append(hits, d)
		}
	}
	n := map[string]int{"First": 0, "Second": 1, "Third": 2, "Fourth": 3}
	if index == "Last" {
		return hits[len(hits)-1]
	}
	if i, ok := n[index]; ok && i < len(hits) {
		return hits[i]
	}
	return 0
}

// maxPeriods bounds the expansion of a series without end.
const maxPeriods = 20000

// each calls fn with the 1-based index and date of every occurrence, in order, until fn
// returns false, the range ends or maxPeriods periods were scanned.
func (r *recurrence) each(fn func(i int, d time.Time) bool) {
	idx := 0
	emit := func(d time.Time) bool {
		if d.Before(r.start) {
			return true
		}
		if !r.end.IsZero() && d.After(r.end) {
			return false
		}
		idx++
		if r.count > 0 && idx > r.count {
			return false
		}
		return fn(idx, d)
	}
	s := r.start
	switch r.pattern {
	case "DailyRecurrence":
		for p := 0; p < maxPeriods*7; p++ {
			if !emit(s.AddDate(0, 0, p*r.interval)) {
				return
			}
		}
	case "WeeklyRecurrence":
		off := (int(s.Weekday()) - int(r.firstDay) + 7) % 7
		weekStart := s.AddDate(0, 0, -off)
		for p := 0; p < maxPeriods; p++ {
			ws := weekStart.AddDate(0, 0, 7*p*r.interval)
			for k := 0; k < 7; k++ {
				d := ws.AddDate(0, 0, k)
				for _, wd := range r.days {
					if d.Weekday() == wd {
						if !emit(d) {
							return
						}
					}
				}
			}
		}
	case "AbsoluteMonthlyRecurrence", "RelativeMonthlyRecurrence", "AbsoluteYearlyRecurrence", "RelativeYearlyRecurrence":
		step := r.interval
		y, m := s.Year(), s.Month()
		if strings.HasSuffix(r.pattern, "YearlyRecurrence") {
			step = 12
			m = r.month
		}
		for p := 0; p < maxPeriods; p++ {
			t := date(y, m, 1).AddDate(0, p*step, 0)
			var day int
			if strings.HasPrefix(r.pattern, "Absolute") {
				day = min(r.dayOfMonth, daysIn(t.Year(), t.Month()))
			} else {
				day = relativeDay(t.Year(), t.Month(), r.dayKind, r.index)
			}
			if day == 0 {
				continue
			}
			if !emit(date(t.Year(), t.Month(), day)) {
				return
			}
		}
	}
}

// nth returns the date of the index-th occurrence (1-based).
func (r *recurrence) nth(index int) (time.Time, bool) {
	var out time.Time
	found := false
	if index < 1 {
		return out, false
	}
	r.each(func(i int, d time.Time) bool {
		if i == index {
			out, found = d, true
			return false
		}
		return true
	})
	return out, found
}

// last returns the last occurrence of a bounded series.
func (r *recurrence) last() (int, time.Time, bool) {
	if r.end.IsZero() && r.count == 0 {
		return 0, time.Time{}, false
	}
	var li int
	var ld time.Time
	r.each(func(i int, d time.Time) bool { li, ld = i, d; return true })
	return li, ld, li > 0
}

// windowsZones maps common Windows time zone ids to IANA names
// (CLDR windowsZones.xml, territory 001).
var windowsZones = map[string]string{
	"UTC": "UTC", "GMT Standard Time": "Europe/London", "Greenwich Standard Time": "Atlantic/Reykjavik",
	"W. Europe Standard Time": "Europe/Berlin", "Central Europe Standard Time": "Europe/Budapest",
	"Romance Standard Time": "Europe/Paris", "Central European Standard Time": "Europe/Warsaw",
	"E. Europe Standard Time": "Europe/Chisinau", "FLE Standard Time": "Europe/Kiev", "GTB Standard Time": "Europe/Bucharest",
	"Russian Standard Time": "Europe/Moscow", "Eastern Standard Time": "America/New_York",
	"Central Standard Time": "America/Chicago", "Mountain Standard Time": "America/Denver",
	"Pacific Standard Time": "America/Los_Angeles", "US Mountain Standard Time": "America/Phoenix",
	"Alaskan Standard Time": "America/Anchorage", "Hawaiian Standard Time": "Pacific/Honolulu",
	"Atlantic Standard Time": "America/Halifax", "E. South America Standard Time": "America/Sao_Paulo",
	"Tokyo Standard Time": "Asia/Tokyo", "China Standard Time": "Asia/Shanghai", "India Standard Time": "Asia/Calcutta",
	"Singapore Standard Time": "Asia/Singapore", "AUS Eastern Standard Time": "Australia/Sydney",
	"New Zealand Standard Time": "Pacific/Auckland", "Arabian Standard Time": "Asia/Dubai",
	"South Africa Standard Time": "Africa/Johannesburg", "Israel Standard Time": "Asia/Jerusalem",
}

// zoneOf returns the location of a calendar item's start time zone, UTC when unknown.
func zoneOf(props *node) *time.Location {
	for _, name := range []string{"StartTimeZone", "MeetingTimeZone"} {
		if tz := props.child(name); tz != nil {
			id := tz.attr("Id")
			if id == "" {
				id = tz.attr("TimeZoneName")
			}
			if iana, ok := windowsZones[id]; ok {
				if loc, err := time.LoadLocation(iana); err == nil {
					return loc
				}
			}
		}
	}
	return time.UTC
}

// occurrenceStart returns the start of the occurrence on date d for a master starting at start.
func occurrenceStart(start time.Time, loc *time.Location, d time.Time) time.Time {
	ls := start.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day(), ls.Hour(), ls.Minute(), ls.Second(), 0, loc).UTC()
}

// series is the expansion context of a recurring master.
type series struct {
	rec      *recurrence
	loc      *time.Location
	start    time.Time
	duration time.Duration
}

func seriesOf(it *item) (*series, bool) {
	if it.kind != kindCalendar {
		return nil, false
	}
	rec, err := parseRecurrence(it.props.child("Recurrence"))
	if err != nil {
		return nil, false
	}
	st, ok1 := parseDateTime(it.props.childText("Start"))
	en, ok2 := parseDateTime(it.props.childText("End"))
	if !ok1 || !ok2 {
		return nil, false
	}
	return &series{rec: rec, loc: zoneOf(it.props), start: st, duration: en.Sub(st)}, true
}

// occurrence returns the original start of the index-th occurrence.
func (s *series) occurrence(index int) (time.Time, bool) {
	d, ok := s.rec.nth(index)
	if !ok {
		return time.Time{}, false
	}
	return occurrenceStart(s.start, s.loc, d), true
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
