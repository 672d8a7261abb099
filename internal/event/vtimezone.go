package event

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// zoneSet resolves the TZIDs of one calendar object: an IANA or Windows name
// first, then the rules of the object's VTIMEZONE (RFC 5545 §3.6.5).
type zoneSet struct {
	vtz   map[string]*ical.Component
	cache map[string]*time.Location
}

func newZoneSet(cal *ical.Calendar) *zoneSet {
	zs := &zoneSet{vtz: map[string]*ical.Component{}, cache: map[string]*time.Location{}}
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			if p := c.Props.Get(ical.PropTimezoneID); p != nil {
				zs.vtz[p.Value] = c
			}
		}
	}
	return zs
}

func (zs *zoneSet) resolve(tzid string) (*time.Location, error) {
	if loc, ok := zs.cache[tzid]; ok {
		return loc, nil
	}
	loc, ok := zoneByName(tzid)
	if !ok {
		c := zs.vtz[tzid]
		if c == nil {
			return nil, errf(ErrUnknownTimeZone, "TZID", "%q: no such zone and no VTIMEZONE", tzid)
		}
		var err error
		if loc, err = zoneFromVTimezone(tzid, c); err != nil {
			return nil, err
		}
	}
	zs.cache[tzid] = loc
	return loc, nil
}

// zoneFromVTimezone builds a zone from a VTIMEZONE: its X-LIC-LOCATION when
// that is an IANA name, else the latest STANDARD and DAYLIGHT observances
// with a yearly RRULE (BYMONTH and BYDAY), else a fixed offset.
func zoneFromVTimezone(tzid string, c *ical.Component) (*time.Location, error) {
	if p := c.Props.Get("X-LIC-LOCATION"); p != nil {
		if loc, ok := loadIANA(p.Value); ok {
			return loc, nil
		}
	}
	var std, dst *ical.Component
	var stdStart, dstStart string
	for _, o := range c.Children {
		start := ""
		if p := o.Props.Get(ical.PropDateTimeStart); p != nil {
			start = p.Value
		}
		switch o.Name {
		case ical.CompTimezoneStandard:
			if std == nil || start > stdStart {
				std, stdStart = o, start
			}
		case ical.CompTimezoneDaylight:
			if dst == nil || start > dstStart {
				dst, dstStart = o, start
			}
		}
	}
	if std == nil && dst == nil {
		return nil, errf(ErrUnknownTimeZone, "VTIMEZONE", "%q has no STANDARD or DAYLIGHT rules", tzid)
	}
	if std == nil { // a zone that is only ever "daylight": a fixed offset
		std, dst = dst, nil
	}
	stdOff, err := utcOffset(std.Props.Get(ical.PropTimezoneOffsetTo))
	if err != nil {
		return nil, errf(ErrUnknownTimeZone, "VTIMEZONE", "%q: STANDARD: %v", tzid, err)
	}
	z := posixZone{std: stdOff}
	if dst != nil && std.Props.Get(ical.PropRecurrenceRule) != nil && dst.Props.Get(ical.PropRecurrenceRule) != nil {
		dstOff, err := utcOffset(dst.Props.Get(ical.PropTimezoneOffsetTo))
		if err != nil {
			return nil, errf(ErrUnknownTimeZone, "VTIMEZONE", "%q: DAYLIGHT: %v", tzid, err)
		}
		toDST, err1 := observanceRule(dst)
		toStd, err2 := observanceRule(std)
		if err1 != nil || err2 != nil {
			return nil, errf(ErrUnknownTimeZone, "VTIMEZONE", "%q: unsupported observance rule", tzid)
		}
		z.dst, z.hasDST, z.toDST, z.toStd = dstOff, true, toDST, toStd
	}
	return z.location(tzid)
}

// utcOffset parses a UTC-OFFSET value (RFC 5545 §3.3.14): ±hhmm[ss].
func utcOffset(p *ical.Prop) (int, error) {
	if p == nil {
		return 0, fmt.Errorf("missing TZOFFSETTO")
	}
	v := strings.TrimSpace(p.Value)
	if len(v) != 5 && len(v) != 7 || (v[0] != '+' && v[0] != '-') {
		return 0, fmt.Errorf("bad UTC offset %q", v)
	}
	hh, e1 := strconv.Atoi(v[1:3])
	mm, e2 := strconv.Atoi(v[3:5])
	ss := 0
	var e3 error
	if len(v) == 7 {
		ss, e3 = strconv.Atoi(v[5:7])
	}
	if e1 != nil || e2 != nil || e3 != nil || mm > 59 || ss > 59 {
		return 0, fmt.Errorf("bad UTC offset %q", v)
	}
	n := hh*3600 + mm*60 + ss
	if v[0] == '-' {
		n = -n
	}
	return n, nil
}

// observanceRule reads an observance's yearly RRULE (BYMONTH with BYDAY
// "-1SU"/"2SU", or BYDAY "SU" with a 7-day BYMONTHDAY range, or BYMONTHDAY
// alone) and the local time of its DTSTART.
func observanceRule(o *ical.Component) (posixRule, error) {
	var r posixRule
	p := o.Props.Get(ical.PropDateTimeStart)
	if p == nil || len(p.Value) < 15 {
		return r, fmt.Errorf("observance without DTSTART")
	}
	hh, e1 := strconv.Atoi(p.Value[9:11])
	mm, e2 := strconv.Atoi(p.Value[11:13])
	ss, e3 := strconv.Atoi(p.Value[13:15])
	if e1 != nil || e2 != nil || e3 != nil {
		return r, fmt.Errorf("bad DTSTART %q", p.Value)
	}
	r.at = hh*3600 + mm*60 + ss
	parts := ruleParts(o.Props.Get(ical.PropRecurrenceRule).Value)
	if parts["FREQ"] != "YEARLY" {
		return r, fmt.Errorf("observance RRULE is not yearly")
	}
	m, err := strconv.Atoi(parts["BYMONTH"])
	if err != nil {
		return r, fmt.Errorf("observance RRULE without BYMONTH")
	}
	r.month = m
	byday := parts["BYDAY"]
	if byday == "" {
		d, err := strconv.Atoi(strings.Split(parts["BYMONTHDAY"], ",")[0])
		if err != nil {
			return r, fmt.Errorf("observance RRULE without BYDAY")
		}
		r.monthDay = d
		return r, nil
	}
	n, wd, ok := parseByDay(byday)
	if !ok {
		return r, fmt.Errorf("bad BYDAY %q", byday)
	}
	r.weekday = int(wd)
	switch {
	case n == -1:
		r.week = 5
	case n >= 1 && n <= 4:
		r.week = n
	case n == 0:
		d, err := strconv.Atoi(strings.Split(parts["BYMONTHDAY"], ",")[0])
		if err != nil || d < 1 {
			return r, fmt.Errorf("BYDAY without an ordinal or BYMONTHDAY")
		}
		if d >= 25 || d+6 > 28 && d >= 22 {
			r.week = 5
		} else {
			r.week = (d-1)/7 + 1
		}
	default:
		return r, fmt.Errorf("bad BYDAY ordinal %d", n)
	}
	return r, nil
}

// ruleParts splits an RRULE value into upper-case NAME=value pairs.
func ruleParts(v string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(kv, "=")
		if ok {
			m[strings.ToUpper(strings.TrimSpace(k))] = strings.ToUpper(strings.TrimSpace(val))
		}
	}
	return m
}

var icalDays = map[string]time.Weekday{"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday, "TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday}

// parseByDay reads one BYDAY entry: an optional signed ordinal and a day.
func parseByDay(s string) (n int, wd time.Weekday, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return 0, 0, false
	}
	wd, ok = icalDays[s[len(s)-2:]]
	if !ok {
		return 0, 0, false
	}
	if num := s[:len(s)-2]; num != "" {
		x, err := strconv.Atoi(num)
		if err != nil || x == 0 || x > 53 || x < -53 {
			return 0, 0, false
		}
		n = x
	}
	return n, wd, true
}

// transition is one change of a zone's offset.
type transition struct {
	at       time.Time // the instant
	from, to int       // offsets east of UTC, in seconds
	name     string    // abbreviation after the change
}

// transitions lists loc's offset changes during year y (UTC days), found by
// a daily scan and a bisection to the second.
func transitions(loc *time.Location, y int) []transition {
	var out []transition
	t := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)
	_, off := t.In(loc).Zone()
	for t.Before(end) {
		next := t.Add(24 * time.Hour)
		_, o := next.In(loc).Zone()
		if o != off {
			lo, hi := t, next
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2)
				if _, om := mid.In(loc).Zone(); om == off {
					lo = mid
				} else {
					hi = mid
				}
			}
			name, _ := hi.In(loc).Zone()
			out = append(out, transition{at: hi, from: off, to: o, name: name})
			off = o
		}
		t = next
	}
	return out
}

// ruleOf describes a transition as a yearly rule (month, nth or last weekday).
func ruleOf(tr transition) (month time.Month, n int, wd time.Weekday, local time.Time) {
	local = tr.at.In(time.FixedZone("", tr.from))
	d := local.Day()
	days := time.Date(local.Year(), local.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	n = (d-1)/7 + 1
	if d+7 > days {
		n = -1
	}
	return local.Month(), n, local.Weekday(), local
}

// VTimezone returns a VTIMEZONE for loc (RFC 5545 §3.6.5) whose rules hold
// from the year before `from` on: yearly BYMONTH/BYDAY rules when loc's
// transitions follow one for three years, else the explicit transitions of
// the years around `from`. A zone without transitions gets one STANDARD
// observance. It returns nil for UTC, which needs no VTIMEZONE.
func VTimezone(loc *time.Location, from time.Time) *ical.Component {
	if loc == time.UTC || loc == nil {
		return nil
	}
	c := ical.NewComponent(ical.CompTimezone)
	c.Props.SetText(ical.PropTimezoneID, loc.String())
	base := from.In(loc).Year() - 1
	trs := transitions(loc, base)
	if len(trs) == 0 {
		name, off := from.In(loc).Zone()
		c.Children = append(c.Children, observance(ical.CompTimezoneStandard, name, off, off, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), ""))
		return c
	}
	regular := len(trs) == 2
	for y := base + 1; regular && y <= base+2; y++ {
		next := transitions(loc, y)
		if len(next) != 2 {
			regular = false
			break
		}
		for i := range next {
			m1, n1, w1, l1 := ruleOf(trs[i])
			m2, n2, w2, l2 := ruleOf(next[i])
			if m1 != m2 || n1 != n2 || w1 != w2 || l1.Hour() != l2.Hour() || l1.Minute() != l2.Minute() || trs[i].to != next[i].to {
				regular = false
			}
		}
	}
	if regular {
		for _, tr := range trs {
			m, n, wd, local := ruleOf(tr)
			rule := fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", int(m), n, weekdayCode(wd))
			c.Children = append(c.Children, observance(obsKind(tr, trs), tr.name, tr.from, tr.to, local, rule))
		}
		return c
	}
	for y := base; y <= base+6; y++ {
		all := transitions(loc, y)
		for _, tr := range all {
			local := tr.at.In(time.FixedZone("", tr.from))
			c.Children = append(c.Children, observance(obsKind(tr, all), tr.name, tr.from, tr.to, local, ""))
		}
	}
	if len(c.Children) == 0 {
		name, off := from.In(loc).Zone()
		c.Children = append(c.Children, observance(ical.CompTimezoneStandard, name, off, off, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), ""))
	}
	return c
}

// obsKind calls the change to the larger offset of a year DAYLIGHT.
func obsKind(tr transition, year []transition) string {
	if tr.to > tr.from {
		return ical.CompTimezoneDaylight
	}
	return ical.CompTimezoneStandard
}

func observance(kind, name string, from, to int, local time.Time, rule string) *ical.Component {
	o := ical.NewComponent(kind)
	o.Props.Set(&ical.Prop{Name: ical.PropDateTimeStart, Params: ical.Params{}, Value: local.Format("20060102T150405")})
	o.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetFrom, Params: ical.Params{}, Value: formatOffset(from)})
	o.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetTo, Params: ical.Params{}, Value: formatOffset(to)})
	if name != "" && !strings.ContainsAny(name, "\r\n") {
		o.Props.SetText(ical.PropTimezoneName, name)
	}
	if rule != "" {
		o.Props.Set(&ical.Prop{Name: ical.PropRecurrenceRule, Params: ical.Params{}, Value: rule})
	}
	return o
}

func formatOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	if sec%60 != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec/60%60)
}

func weekdayCode(wd time.Weekday) string {
	return [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}[wd]
}
