package event

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"
)

// A rule-based zone (an EWS TimeZoneDefinition with an unknown Id, an
// Exchange 2007 MeetingTimeZone, a VTIMEZONE with a non-IANA TZID) becomes a
// *time.Location through a POSIX TZ string (IEEE 1003.1, 8.3 "TZ") wrapped in
// a minimal TZif file (RFC 8536 §3.3: no transitions, one type, a footer).
// Go's time package applies the footer rule to every instant, so every other
// part of this package handles all zones the same way.

// posixRule is a yearly transition: month 1..12, week 1..5 (5 = last),
// weekday 0..6 (Sunday = 0), at seconds after local midnight; or, when
// monthDay > 0, a fixed day of the month.
type posixRule struct {
	month, week, weekday int
	monthDay             int
	at                   int // seconds
}

// posixZone is a standard offset and an optional daylight offset with the
// rules that start and end daylight time (offsets in seconds east of UTC).
type posixZone struct {
	std, dst     int
	hasDST       bool
	toDST, toStd posixRule
}

func posixOffset(east int) string {
	west := -east
	sign := ""
	if west < 0 {
		sign = "-"
		west = -west
	}
	return fmt.Sprintf("%s%d:%02d:%02d", sign, west/3600, west/60%60, west%60)
}

func posixTime(sec int) string {
	sign := ""
	if sec < 0 {
		sign = "-"
		sec = -sec
	}
	return fmt.Sprintf("%s%d:%02d:%02d", sign, sec/3600, sec/60%60, sec%60)
}

func (r posixRule) String() string {
	if r.monthDay > 0 {
		// Jn: day of a non-leap year, February 29 never counted.
		days := [...]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}
		return fmt.Sprintf("J%d/%s", days[r.month-1]+r.monthDay, posixTime(r.at))
	}
	return fmt.Sprintf("M%d.%d.%d/%s", r.month, r.week, r.weekday, posixTime(r.at))
}

func offsetName(east int) string {
	sign := '+'
	if east < 0 {
		sign = '-'
		east = -east
	}
	return fmt.Sprintf("<%c%02d%02d>", sign, east/3600, east/60%60)
}

// tz renders the POSIX TZ string.
func (z posixZone) tz() string {
	s := offsetName(z.std) + posixOffset(z.std)
	if !z.hasDST || z.dst == z.std {
		return s
	}
	return s + offsetName(z.dst) + posixOffset(z.dst) + "," + z.toDST.String() + "," + z.toStd.String()
}

func (z posixZone) valid() bool {
	ok := func(o int) bool { return o > -26*3600 && o < 26*3600 }
	rok := func(r posixRule) bool {
		if r.month < 1 || r.month > 12 || r.at < -167*3600 || r.at > 167*3600 {
			return false
		}
		if r.monthDay > 0 {
			return r.monthDay <= 31
		}
		return r.week >= 1 && r.week <= 5 && r.weekday >= 0 && r.weekday <= 6
	}
	if !ok(z.std) {
		return false
	}
	return !z.hasDST || (ok(z.dst) && rok(z.toDST) && rok(z.toStd))
}

// location returns the zone as a *time.Location named name.
func (z posixZone) location(name string) (*time.Location, error) {
	if !z.valid() {
		return nil, errf(ErrUnknownTimeZone, "TZID", "%q: rules out of range", name)
	}
	if !z.hasDST || z.dst == z.std {
		return time.FixedZone(name, z.std), nil
	}
	abbr := []byte("STD\x00")
	var b bytes.Buffer
	header := func() {
		b.WriteString("TZif2")
		b.Write(make([]byte, 15))
		// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
		for _, n := range []uint32{0, 0, 0, 0, 1, uint32(len(abbr))} {
			_ = binary.Write(&b, binary.BigEndian, n)
		}
	}
	data := func() {
		_ = binary.Write(&b, binary.BigEndian, int32(z.std))
		b.WriteByte(0) // isdst
		b.WriteByte(0) // abbreviation index
		b.Write(abbr)
	}
	header()
	data()
	header()
	data()
	b.WriteString("\n" + z.tz() + "\n")
	loc, err := time.LoadLocationFromTZData(name, b.Bytes())
	if err != nil {
		return nil, errf(ErrUnknownTimeZone, "TZID", "%q: %v", name, err)
	}
	return loc, nil
}
