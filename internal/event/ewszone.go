package event

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

var ewsDays = map[string]time.Weekday{"Sunday": time.Sunday, "Monday": time.Monday, "Tuesday": time.Tuesday, "Wednesday": time.Wednesday, "Thursday": time.Thursday, "Friday": time.Friday, "Saturday": time.Saturday}

var ewsMonths = map[string]time.Month{}

func init() {
	for m := time.January; m <= time.December; m++ {
		ewsMonths[m.String()] = m
	}
}

var ewsIndex = map[string]int{"First": 1, "Second": 2, "Third": 3, "Fourth": 4, "Last": -1}

// parseXSDuration reads the xs:duration values EWS uses for biases and
// offsets ("-PT1H", "PT2H30M", "-P0DT8H0M0.0S").
func parseXSDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	s = s[1:]
	var d time.Duration
	inTime := false
	num := ""
	for _, c := range s {
		switch {
		case c == 'T':
			inTime = true
		case c >= '0' && c <= '9' || c == '.':
			num += string(c)
		default:
			f, err := strconv.ParseFloat(num, 64)
			if err != nil || f > 1e6 {
				return 0, fmt.Errorf("bad duration %q", s)
			}
			num = ""
			var unit time.Duration
			switch {
			case c == 'D' && !inTime:
				unit = 24 * time.Hour
			case c == 'H' && inTime:
				unit = time.Hour
			case c == 'M' && inTime:
				unit = time.Minute
			case c == 'S' && inTime:
				unit = time.Second
			default:
				return 0, fmt.Errorf("bad duration %q", s)
			}
			d += time.Duration(f * float64(unit))
		}
	}
	if num != "" {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	if neg {
		d = -d
	}
	return d, nil
}

// zoneFromDefinition resolves an EWS TimeZoneDefinition: by Id when the Id
// is a known Windows or IANA zone, else by its Periods and the transitions
// group in force last.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/timezonedefinition
func zoneFromDefinition(def *wire.TimeZoneDefinition) (*time.Location, error) {
	if loc, ok := zoneByName(def.Id); ok {
		return loc, nil
	}
	if def.Periods == nil || len(def.Periods.Period) == 0 {
		return nil, errf(ErrUnknownTimeZone, "StartTimeZone", "Id %q is no known zone and has no periods", def.Id)
	}
	type period struct {
		off int
		dst bool
	}
	periods := map[string]period{}
	for _, p := range def.Periods.Period {
		b, err := parseXSDuration(p.Bias)
		if err != nil {
			return nil, errf(ErrUnknownTimeZone, "StartTimeZone", "Id %q: period %q: %v", def.Id, p.Id, err)
		}
		dst := strings.EqualFold(p.Name, "Daylight") || strings.Contains(p.Id, "Dlt") || strings.Contains(p.Id, "Daylight")
		periods[p.Id] = period{off: -int(b / time.Second), dst: dst}
	}
	groups := map[string][]wire.Transition{}
	if def.TransitionsGroups != nil {
		for _, g := range def.TransitionsGroups.TransitionsGroup {
			groups[g.Id] = g.Transition
		}
	}
	var group []wire.Transition
	if def.Transitions != nil {
		for _, tr := range def.Transitions.Transition {
			switch tr.To.Kind {
			case "Group":
				group = groups[strings.TrimSpace(tr.To.Value)]
			case "Period":
				group = []wire.Transition{tr}
			}
		}
	}
	if group == nil && len(groups) == 1 {
		for _, g := range groups {
			group = g
		}
	}
	if len(group) == 0 {
		return nil, errf(ErrUnknownTimeZone, "StartTimeZone", "Id %q: no transitions", def.Id)
	}
	var z posixZone
	var haveStd bool
	for _, tr := range group {
		p, ok := periods[strings.TrimSpace(tr.To.Value)]
		if !ok {
			return nil, errf(ErrUnknownTimeZone, "StartTimeZone", "Id %q: transition to unknown period %q", def.Id, tr.To.Value)
		}
		if len(group) == 1 {
			return posixZone{std: p.off}.location(def.Id)
		}
		r, err := transitionRule(tr)
		if err != nil {
			return nil, errf(ErrUnknownTimeZone, "StartTimeZone", "Id %q: %v", def.Id, err)
		}
		if p.dst {
			z.dst, z.toDST, z.hasDST = p.off, r, true
		} else {
			z.std, z.toStd, haveStd = p.off, r, true
		}
	}
	if !haveStd || !z.hasDST {
		return nil, errf(ErrUnknownTimeZone, "StartTimeZone", "Id %q: group needs one standard and one daylight transition", def.Id)
	}
	return z.location(def.Id)
}

func transitionRule(tr wire.Transition) (posixRule, error) {
	off, err := parseXSDuration(tr.TimeOffset)
	if err != nil {
		return posixRule{}, err
	}
	r := posixRule{month: tr.Month, at: int(off / time.Second)}
	switch tr.XMLName.Local {
	case "RecurringDayTransition":
		wd, ok := ewsDays[tr.DayOfWeek]
		if !ok {
			return r, fmt.Errorf("bad DayOfWeek %q", tr.DayOfWeek)
		}
		r.weekday = int(wd)
		r.week = tr.Occurrence
		if r.week == -1 {
			r.week = 5
		}
	case "RecurringDateTransition":
		r.monthDay = tr.Day
	default:
		return r, fmt.Errorf("unsupported transition %q", tr.XMLName.Local)
	}
	return r, nil
}

// zoneFromMeetingTimeZone resolves an Exchange 2007 MeetingTimeZone.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/meetingtimezone
func zoneFromMeetingTimeZone(m *wire.MeetingTimeZone) (*time.Location, error) {
	if loc, ok := zoneByName(m.TimeZoneName); ok {
		return loc, nil
	}
	base, err := parseXSDuration(m.BaseOffset)
	if err != nil {
		return nil, errf(ErrUnknownTimeZone, "MeetingTimeZone", "%q: %v", m.TimeZoneName, err)
	}
	name := m.TimeZoneName
	if name == "" {
		name = "MeetingTimeZone"
	}
	z := posixZone{std: -int(base / time.Second)}
	if m.Standard != nil && m.Daylight != nil && m.Standard.RelativeYearly != nil && m.Daylight.RelativeYearly != nil {
		so, err1 := parseXSDuration(m.Standard.Offset)
		do, err2 := parseXSDuration(m.Daylight.Offset)
		rs, err3 := legacyRule(m.Standard)
		rd, err4 := legacyRule(m.Daylight)
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			return nil, errf(ErrUnknownTimeZone, "MeetingTimeZone", "%q: bad standard/daylight rule", name)
		}
		z.std = -int((base + so) / time.Second)
		z.dst = -int((base + do) / time.Second)
		z.toStd, z.toDST, z.hasDST = rs, rd, true
	}
	return z.location(name)
}

func legacyRule(tc *wire.TimeChange) (posixRule, error) {
	ry := tc.RelativeYearly
	wd, ok1 := ewsDays[ry.DaysOfWeek]
	n, ok2 := ewsIndex[ry.DayOfWeekIndex]
	m, ok3 := ewsMonths[ry.Month]
	hms := strings.Split(tc.Time, ":")
	if !ok1 || !ok2 || !ok3 || len(hms) < 2 {
		return posixRule{}, fmt.Errorf("bad rule")
	}
	h, e1 := strconv.Atoi(hms[0])
	mi, e2 := strconv.Atoi(hms[1])
	if e1 != nil || e2 != nil {
		return posixRule{}, fmt.Errorf("bad time %q", tc.Time)
	}
	if n == -1 {
		n = 5
	}
	return posixRule{month: int(m), week: n, weekday: int(wd), at: h*3600 + mi*60}, nil
}

// itemZones returns the zones of an item's start and end. The order of
// preference: StartTimeZone/EndTimeZone, StartTimeZoneId/EndTimeZoneId,
// MeetingTimeZone, the legacy TimeZone name. With none of them the item's
// times are UTC instants without a zone: UTC is returned with an issue.
func itemZones(ci *wire.CalendarItem) (start, end *time.Location, issues []Issue, err error) {
	pick := func(def *wire.TimeZoneDefinition, id string) (*time.Location, bool, error) {
		if def != nil && (def.Id != "" || def.Periods != nil) {
			loc, err := zoneFromDefinition(def)
			return loc, true, err
		}
		if id != "" {
			loc, ok := zoneByName(id)
			if !ok {
				return nil, true, errf(ErrUnknownTimeZone, "StartTimeZoneId", "%q", id)
			}
			return loc, true, nil
		}
		return nil, false, nil
	}
	start, ok, err := pick(ci.StartTimeZone, ci.StartTimeZoneId)
	if err != nil {
		return nil, nil, nil, err
	}
	if !ok && ci.MeetingTimeZone != nil {
		if start, err = zoneFromMeetingTimeZone(ci.MeetingTimeZone); err != nil {
			return nil, nil, nil, err
		}
		ok = true
	}
	if !ok && ci.TimeZone != "" {
		start, ok = zoneByName(ci.TimeZone)
	}
	if !ok {
		start = time.UTC
		if ci.TimeZone != "" {
			issues = append(issues, Issue{Prop: "TimeZone", Msg: fmt.Sprintf("zone %q not resolvable; times kept in UTC", ci.TimeZone)})
		}
	}
	end, ok, err = pick(ci.EndTimeZone, ci.EndTimeZoneId)
	if err != nil {
		return nil, nil, nil, err
	}
	if !ok {
		end = start
	}
	return start, end, issues, nil
}
