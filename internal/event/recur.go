package event

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/teambition/rrule-go"
)

// MaxCount is the largest NumberOfOccurrences Exchange accepts.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/numberofoccurrences
const MaxCount = 999

var dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

var indexNames = map[int]string{1: "First", 2: "Second", 3: "Third", 4: "Fourth", -1: "Last"}

// dayGroups are the DayOfWeekType values that stand for several days.
var dayGroups = map[string][]time.Weekday{
	"Day":        {time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
	"Weekday":    {time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
	"WeekendDay": {time.Sunday, time.Saturday},
}

// rruleToEWS maps an RRULE (RFC 5545 §3.3.10) to an EWS Recurrence. start is
// DTSTART in the series zone; allDay tells UNTIL is a DATE. A rule EWS has
// no pattern for is ErrNotRepresentable; a malformed one is ErrInvalid.
// https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/recurrence-patterns-and-ews
func rruleToEWS(value string, start time.Time, allDay bool) (*wire.Recurrence, error) {
	if len(value) > 1024 {
		return nil, errf(ErrInvalid, "RRULE", "longer than 1024 bytes")
	}
	p := ruleParts(value)
	bad := func(format string, args ...any) error { return errf(ErrInvalid, "RRULE", format, args...) }
	nr := func(format string, args ...any) error { return errf(ErrNotRepresentable, "RRULE", format, args...) }
	for k := range p {
		switch k {
		case "FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST":
		case "BYWEEKNO", "BYYEARDAY", "BYHOUR", "BYMINUTE", "BYSECOND", "BYEASTER":
			return nil, nr("%s has no EWS pattern", k)
		default:
			return nil, bad("unknown rule part %q", k)
		}
	}
	interval := 1
	if s, ok := p["INTERVAL"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 999 {
			return nil, bad("INTERVAL %q", s)
		}
		interval = n
	}
	r := &wire.Recurrence{}
	// Range.
	startDate := start.Format("2006-01-02")
	_, hasCount := p["COUNT"]
	_, hasUntil := p["UNTIL"]
	switch {
	case hasCount && hasUntil:
		return nil, bad("both COUNT and UNTIL")
	case hasCount:
		n, err := strconv.Atoi(p["COUNT"])
		if err != nil || n < 1 {
			return nil, bad("COUNT %q", p["COUNT"])
		}
		if n > MaxCount {
			return nil, nr("COUNT %d is over Exchange's %d", n, MaxCount)
		}
		r.Numbered = &wire.NumberedRecurrence{StartDate: startDate, NumberOfOccurrences: n}
	case hasUntil:
		u, err := parseUntil(p["UNTIL"], start.Location())
		if err != nil {
			return nil, bad("UNTIL %q", p["UNTIL"])
		}
		u = u.In(start.Location())
		end := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
		if !allDay {
			// UNTIL is inclusive to the second, EndDate to the day: an UNTIL
			// before the series' time of day excludes that day's occurrence.
			tod := func(t time.Time) int { return t.Hour()*3600 + t.Minute()*60 + t.Second() }
			if tod(u) < tod(start) {
				end = end.AddDate(0, 0, -1)
			}
		}
		if end.Before(time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)) {
			return nil, bad("UNTIL %q is before DTSTART", p["UNTIL"])
		}
		r.EndDate = &wire.EndDateRecurrence{StartDate: startDate, EndDate: end.Format("2006-01-02")}
	default:
		r.NoEnd = &wire.NoEndRecurrence{StartDate: startDate}
	}
	// BY* lists.
	var days []time.Weekday
	var ordinals []int
	if s := p["BYDAY"]; s != "" {
		for _, d := range strings.Split(s, ",") {
			n, wd, ok := parseByDay(d)
			if !ok {
				return nil, bad("BYDAY %q", s)
			}
			days = append(days, wd)
			ordinals = append(ordinals, n)
		}
	}
	ints := func(key string, lo, hi int) ([]int, error) {
		s := p[key]
		if s == "" {
			return nil, nil
		}
		var out []int
		for _, x := range strings.Split(s, ",") {
			n, err := strconv.Atoi(x)
			if err != nil || n == 0 || n < lo || n > hi {
				return nil, bad("%s %q", key, s)
			}
			out = append(out, n)
		}
		return out, nil
	}
	monthDays, err := ints("BYMONTHDAY", -31, 31)
	if err != nil {
		return nil, err
	}
	months, err := ints("BYMONTH", 1, 12)
	if err != nil {
		return nil, err
	}
	setpos, err := ints("BYSETPOS", -366, 366)
	if err != nil {
		return nil, err
	}
	clamped := false
	wkst := time.Monday
	if s, ok := p["WKST"]; ok {
		_, wd, ok := parseByDay(s)
		if !ok || len(s) != 2 {
			return nil, bad("WKST %q", s)
		}
		wkst = wd
	}
	// Exchange puts a DayOfMonth past the month's end on its last day; the
	// RRULE for that is BYMONTHDAY=28,...,d;BYSETPOS=-1.
	if d, ok := clampedDay(monthDays, setpos); ok {
		monthDays, setpos = []int{d}, nil
		clamped = true
	} else if len(monthDays) > 1 {
		return nil, nr("several BYMONTHDAY values")
	}
	if len(months) > 1 {
		return nil, nr("several BYMONTH values")
	}
	if len(setpos) > 1 {
		return nil, nr("several BYSETPOS values")
	}
	// relative returns DaysOfWeek and DayOfWeekIndex for BYDAY (+BYSETPOS).
	relative := func() (string, string, bool, error) {
		if len(days) == 0 {
			return "", "", false, nil
		}
		if len(monthDays) > 0 {
			return "", "", false, nr("BYDAY with BYMONTHDAY")
		}
		if len(days) == 1 && len(setpos) == 0 {
			idx, ok := indexNames[ordinals[0]]
			if !ok {
				return "", "", false, nr("BYDAY ordinal %d", ordinals[0])
			}
			return dayNames[days[0]], idx, true, nil
		}
		for _, o := range ordinals {
			if o != 0 {
				return "", "", false, nr("several BYDAY with ordinals")
			}
		}
		if len(setpos) == 0 {
			return "", "", false, nr("several BYDAY without BYSETPOS")
		}
		idx, ok := indexNames[setpos[0]]
		if !ok {
			return "", "", false, nr("BYSETPOS %d", setpos[0])
		}
		if len(days) == 1 {
			return dayNames[days[0]], idx, true, nil
		}
		for _, g := range []string{"Day", "Weekday", "WeekendDay"} {
			if sameDays(days, dayGroups[g]) {
				return g, idx, true, nil
			}
		}
		return "", "", false, nr("BYDAY set is not a day, weekday or weekend day")
	}
	freq := p["FREQ"]
	if freq != "MONTHLY" && freq != "YEARLY" && len(setpos) > 0 {
		return nil, nr("BYSETPOS with FREQ=%s", freq)
	}
	switch freq {
	case "SECONDLY", "MINUTELY", "HOURLY":
		return nil, nr("FREQ=%s", freq)
	case "DAILY":
		if len(monthDays) > 0 || len(months) > 0 {
			return nil, nr("DAILY with BYMONTH or BYMONTHDAY")
		}
		if len(days) == 0 {
			r.Daily = &wire.DailyRecurrence{Interval: interval}
			return r, nil
		}
		if interval != 1 {
			return nil, nr("DAILY with INTERVAL and BYDAY")
		}
		for _, o := range ordinals {
			if o != 0 {
				return nil, bad("BYDAY ordinal with FREQ=DAILY")
			}
		}
		r.Weekly = &wire.WeeklyRecurrence{Interval: 1, DaysOfWeek: daysString(days)}
		return r, nil
	case "WEEKLY":
		if len(monthDays) > 0 || len(months) > 0 {
			return nil, nr("WEEKLY with BYMONTH or BYMONTHDAY")
		}
		for _, o := range ordinals {
			if o != 0 {
				return nil, bad("BYDAY ordinal with FREQ=WEEKLY")
			}
		}
		if len(days) == 0 {
			days = []time.Weekday{start.Weekday()}
		}
		r.Weekly = &wire.WeeklyRecurrence{Interval: interval, DaysOfWeek: daysString(days)}
		if interval > 1 {
			r.Weekly.FirstDayOfWeek = dayNames[wkst]
		}
		return r, nil
	case "MONTHLY", "YEARLY":
		if freq == "YEARLY" {
			if len(months) == 1 && months[0] != int(start.Month()) && interval > 1 {
				return nil, nr("YEARLY with INTERVAL>1 and a BYMONTH other than DTSTART's")
			}
			if interval > 1 {
				if 12*interval > 999 {
					return nil, nr("YEARLY INTERVAL %d", interval)
				}
				freq, interval, months = "MONTHLY", 12*interval, nil
			}
		} else if len(months) > 0 {
			return nil, nr("MONTHLY with BYMONTH")
		}
		dow, idx, isRel, err := relative()
		if err != nil {
			return nil, err
		}
		if !isRel && len(monthDays) == 1 && monthDays[0] == -1 {
			dow, idx, isRel = "Day", "Last", true
		}
		if !isRel && len(setpos) > 0 {
			return nil, nr("BYSETPOS without BYDAY")
		}
		day := start.Day()
		if !isRel && len(monthDays) == 1 {
			if monthDays[0] < 0 {
				return nil, nr("BYMONTHDAY %d", monthDays[0])
			}
			day = monthDays[0]
		}
		limit := 28
		if freq == "YEARLY" {
			m := start.Month()
			if len(months) == 1 {
				m = time.Month(months[0])
			}
			limit = minDays(m)
		}
		if !isRel && day > limit && !clamped {
			// RFC 5545 skips months without that day; Exchange moves the
			// occurrence to the month's last day.
			return nil, nr("day %d of the month: Exchange would move it to the last day of shorter months", day)
		}
		month := start.Month()
		if len(months) == 1 {
			month = time.Month(months[0])
		}
		switch {
		case freq == "MONTHLY" && isRel:
			r.RelativeMonthly = &wire.RelativeMonthlyRecurrence{Interval: interval, DaysOfWeek: dow, DayOfWeekIndex: idx}
		case freq == "MONTHLY":
			r.AbsoluteMonthly = &wire.AbsoluteMonthlyRecurrence{Interval: interval, DayOfMonth: day}
		case isRel:
			r.RelativeYearly = &wire.RelativeYearlyRecurrence{DaysOfWeek: dow, DayOfWeekIndex: idx, Month: month.String()}
		default:
			r.AbsoluteYearly = &wire.AbsoluteYearlyRecurrence{DayOfMonth: day, Month: month.String()}
		}
		return r, nil
	case "":
		return nil, bad("no FREQ")
	}
	return nil, bad("FREQ %q", freq)
}

func sameDays(a, b []time.Weekday) bool {
	if len(a) != len(b) {
		return false
	}
	set := map[time.Weekday]bool{}
	for _, d := range a {
		set[d] = true
	}
	for _, d := range b {
		if !set[d] {
			return false
		}
	}
	return len(set) == len(b)
}

// daysString renders weekdays as a DaysOfWeek list, Sunday first, no repeats.
func daysString(days []time.Weekday) string {
	seen := [7]bool{}
	for _, d := range days {
		seen[d] = true
	}
	var out []string
	for d, ok := range seen {
		if ok {
			out = append(out, dayNames[d])
		}
	}
	return strings.Join(out, " ")
}

// parseDays reads a DaysOfWeek list, expanding Day, Weekday and WeekendDay.
func parseDays(s string) ([]time.Weekday, bool) {
	var out []time.Weekday
	for _, f := range strings.Fields(s) {
		if g, ok := dayGroups[f]; ok {
			out = append(out, g...)
			continue
		}
		wd, ok := ewsDays[f]
		if !ok {
			return nil, false
		}
		out = append(out, wd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, len(out) > 0
}

func parseUntil(s string, loc *time.Location) (time.Time, error) {
	switch len(s) {
	case 8:
		return time.ParseInLocation("20060102", s, loc)
	case 15:
		return time.ParseInLocation("20060102T150405", s, loc)
	case 16:
		return time.Parse("20060102T150405Z", s)
	}
	return time.Time{}, fmt.Errorf("bad UNTIL")
}

// recurrenceDate reads a range StartDate or EndDate: an xs:date, or a
// dateTime from servers that send one (grommunio); only the date counts.
func recurrenceDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errf(ErrInvalid, "Recurrence", "bad date %q", s)
}

// ewsToRRule maps an EWS Recurrence to an RRULE value. start is the master's
// start in the series zone; the RRULE's UNTIL is the EndDate at the series'
// time of day in the series zone, in UTC (a DATE for all-day series).
func ewsToRRule(r *wire.Recurrence, start time.Time, allDay, floating bool) (string, error) {
	var b strings.Builder
	bad := func(format string, args ...any) error { return errf(ErrInvalid, "Recurrence", format, args...) }
	interval := func(n int) error {
		if n < 1 || n > 999 {
			return bad("Interval %d", n)
		}
		if n > 1 {
			fmt.Fprintf(&b, ";INTERVAL=%d", n)
		}
		return nil
	}
	byDay := func(dow, idx string) error {
		n, ok := ewsIndex[idx]
		if !ok {
			return bad("DayOfWeekIndex %q", idx)
		}
		if g, ok := dayGroups[dow]; ok {
			codes := make([]string, len(g))
			for i, d := range g {
				codes[i] = weekdayCode(d)
			}
			fmt.Fprintf(&b, ";BYDAY=%s;BYSETPOS=%d", strings.Join(codes, ","), n)
			return nil
		}
		wd, ok := ewsDays[dow]
		if !ok {
			return bad("DaysOfWeek %q", dow)
		}
		fmt.Fprintf(&b, ";BYDAY=%d%s", n, weekdayCode(wd))
		return nil
	}
	month := func(m string) error {
		mm, ok := ewsMonths[m]
		if !ok {
			return bad("Month %q", m)
		}
		fmt.Fprintf(&b, ";BYMONTH=%d", int(mm))
		return nil
	}
	var err error
	switch {
	case r.Daily != nil:
		b.WriteString("FREQ=DAILY")
		err = interval(r.Daily.Interval)
	case r.Weekly != nil:
		b.WriteString("FREQ=WEEKLY")
		if err = interval(r.Weekly.Interval); err != nil {
			break
		}
		days, ok := parseDays(r.Weekly.DaysOfWeek)
		if !ok {
			return "", bad("DaysOfWeek %q", r.Weekly.DaysOfWeek)
		}
		codes := make([]string, len(days))
		for i, d := range days {
			codes[i] = weekdayCode(d)
		}
		fmt.Fprintf(&b, ";BYDAY=%s", strings.Join(uniq(codes), ","))
		if r.Weekly.Interval > 1 && r.Weekly.FirstDayOfWeek != "" {
			wd, ok := ewsDays[r.Weekly.FirstDayOfWeek]
			if !ok {
				return "", bad("FirstDayOfWeek %q", r.Weekly.FirstDayOfWeek)
			}
			fmt.Fprintf(&b, ";WKST=%s", weekdayCode(wd))
		}
	case r.AbsoluteMonthly != nil:
		b.WriteString("FREQ=MONTHLY")
		if err = interval(r.AbsoluteMonthly.Interval); err == nil {
			if d := r.AbsoluteMonthly.DayOfMonth; d < 1 || d > 31 {
				err = bad("DayOfMonth %d", d)
			} else {
				b.WriteString(monthDayRule(d, 28))
			}
		}
	case r.RelativeMonthly != nil:
		b.WriteString("FREQ=MONTHLY")
		if err = interval(r.RelativeMonthly.Interval); err == nil {
			err = byDay(r.RelativeMonthly.DaysOfWeek, r.RelativeMonthly.DayOfWeekIndex)
		}
	case r.AbsoluteYearly != nil:
		b.WriteString("FREQ=YEARLY")
		if err = month(r.AbsoluteYearly.Month); err == nil {
			if d := r.AbsoluteYearly.DayOfMonth; d < 1 || d > 31 {
				err = bad("DayOfMonth %d", d)
			} else {
				b.WriteString(monthDayRule(d, minDays(ewsMonths[r.AbsoluteYearly.Month])))
			}
		}
	case r.RelativeYearly != nil:
		b.WriteString("FREQ=YEARLY")
		if err = month(r.RelativeYearly.Month); err == nil {
			err = byDay(r.RelativeYearly.DaysOfWeek, r.RelativeYearly.DayOfWeekIndex)
		}
	default:
		return "", bad("no recurrence pattern")
	}
	if err != nil {
		return "", err
	}
	switch {
	case r.Numbered != nil:
		n := r.Numbered.NumberOfOccurrences
		if n < 1 || n > MaxCount {
			return "", bad("NumberOfOccurrences %d", n)
		}
		fmt.Fprintf(&b, ";COUNT=%d", n)
	case r.EndDate != nil:
		d, err := recurrenceDate(r.EndDate.EndDate)
		if err != nil {
			return "", err
		}
		switch {
		case allDay:
			fmt.Fprintf(&b, ";UNTIL=%s", d.Format("20060102"))
		default:
			u := time.Date(d.Year(), d.Month(), d.Day(), start.Hour(), start.Minute(), start.Second(), 0, start.Location())
			if floating {
				fmt.Fprintf(&b, ";UNTIL=%s", u.Format("20060102T150405"))
			} else {
				fmt.Fprintf(&b, ";UNTIL=%s", u.UTC().Format("20060102T150405Z"))
			}
		}
	case r.NoEnd != nil:
	default:
		return "", bad("recurrence has no range")
	}
	return b.String(), nil
}

func uniq(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// expand returns the original starts of a series' occurrences from start on
// (deleted ones included), at most max of them, by the RRULE rule, stopping
// after the first one past until (when until is not zero).
func expand(rule string, start time.Time, max int, until time.Time) ([]time.Time, error) {
	opt, err := rrule.StrToROptionInLocation(rule, start.Location())
	if err != nil {
		return nil, errf(ErrInvalid, "RRULE", "%v", err)
	}
	opt.Dtstart = start
	rr, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, errf(ErrInvalid, "RRULE", "%v", err)
	}
	var out []time.Time
	next := rr.Iterator()
	for len(out) < max {
		t, ok := next()
		if !ok {
			break
		}
		out = append(out, t)
		if !until.IsZero() && t.After(until) {
			break
		}
	}
	return out, nil
}

// clampedDay recognizes BYMONTHDAY=28,29,...,d;BYSETPOS=-1 ("day d, or the
// last day of a shorter month"), Exchange's DayOfMonth d > 28.
func clampedDay(monthDays, setpos []int) (int, bool) {
	if len(setpos) != 1 || setpos[0] != -1 || len(monthDays) < 2 {
		return 0, false
	}
	ds := append([]int(nil), monthDays...)
	sort.Ints(ds)
	if ds[0] != 28 {
		return 0, false
	}
	for i, d := range ds {
		if d != 28+i {
			return 0, false
		}
	}
	return ds[len(ds)-1], ds[len(ds)-1] <= 31
}

// monthDayRule renders DayOfMonth d for an RRULE: d itself up to 28, else
// the clamped form.
func monthDayRule(d, limit int) string {
	if d <= limit {
		return fmt.Sprintf(";BYMONTHDAY=%d", d)
	}
	days := make([]string, 0, d-27)
	for x := 28; x <= d; x++ {
		days = append(days, strconv.Itoa(x))
	}
	return ";BYMONTHDAY=" + strings.Join(days, ",") + ";BYSETPOS=-1"
}

// minDays is the fewest days month m has in any year.
func minDays(m time.Month) int {
	switch m {
	case time.February:
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
