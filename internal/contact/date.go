package contact

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// noYear is the year that stands for "no year" on EWS, as Outlook and Apple
// write it (Apple's vCards carry it as X-APPLE-OMIT-YEAR=1604).
const noYear = 1604

// birthdayTime is the time of day written to EWS date-only fields. No UTC
// offset (-12 to +14) moves 11:59 UTC across midnight the wrong way when
// read back with readEWSDate; exchangelib writes the same.
const birthdayTime = "T11:59:00Z"

// date is a calendar date; y is 0 when the year is unknown.
type date struct{ y, m, d int }

// String is the canonical form: "YYYY-MM-DD", or "--MM-DD" without a year.
func (d date) String() string {
	if d.y == 0 {
		return fmt.Sprintf("--%02d-%02d", d.m, d.d)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d)
}

func (d date) valid() bool {
	if d.m < 1 || d.m > 12 || d.d < 1 || d.y < 0 || d.y > 9999 {
		return false
	}
	y := d.y
	if y == 0 {
		y = 2000 // leap year: --0229 is a valid birthday
	}
	t := time.Date(y, time.Month(d.m), d.d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d.d
}

// parseCanonicalDate reads String's output back.
func parseCanonicalDate(s string) (date, bool) {
	if rest, ok := strings.CutPrefix(s, "--"); ok {
		m, d, ok := strings.Cut(rest, "-")
		if !ok {
			return date{}, false
		}
		dt := date{0, atoi(m), atoi(d)}
		return dt, dt.valid()
	}
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return date{}, false
	}
	dt := date{atoi(parts[0]), atoi(parts[1]), atoi(parts[2])}
	return dt, dt.valid() && dt.y > 0
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// parseVCardDate reads a BDAY/ANNIVERSARY value: RFC 6350 section 4.3.1
// date forms ("19850415", "1985-04-15", "--0415", "--04-15"), optionally
// followed by a time (ignored: only the date part counts), and Apple's
// X-APPLE-OMIT-YEAR. VALUE=text and reduced forms without a day are not
// dates.
func parseVCardDate(f *vcard.Field) (date, bool) {
	if strings.EqualFold(f.Params.Get(vcard.ParamValue), "text") {
		return date{}, false
	}
	s := strings.TrimSpace(unescape(f.Value))
	if i := strings.IndexAny(s, "Tt"); i >= 0 {
		s = s[:i]
	}
	var d date
	if rest, ok := strings.CutPrefix(s, "--"); ok {
		rest = strings.ReplaceAll(rest, "-", "")
		if len(rest) != 4 {
			return date{}, false
		}
		d = date{0, atoi(rest[:2]), atoi(rest[2:])}
	} else {
		digits := strings.ReplaceAll(s, "-", "")
		if len(digits) != 8 {
			return date{}, false
		}
		d = date{atoi(digits[:4]), atoi(digits[4:6]), atoi(digits[6:])}
		if d.y == 0 {
			return date{}, false
		}
		if omit := f.Params.Get("X-APPLE-OMIT-YEAR"); omit != "" && atoi(omit) == d.y {
			d.y = 0
		}
	}
	return d, d.valid()
}

// formatVCardDate writes d for a card of the given version, and the
// parameters it needs: 4.0 writes "--MMDD" for no year; 3.0 has no
// truncated dates, so it writes 1604 with X-APPLE-OMIT-YEAR as sabre/vobject
// and Apple do.
func formatVCardDate(d date, v4 bool) (value string, omitYear bool) {
	switch {
	case d.y == 0 && v4:
		return fmt.Sprintf("--%02d%02d", d.m, d.d), false
	case d.y == 0:
		return fmt.Sprintf("%04d-%02d-%02d", noYear, d.m, d.d), true
	case v4:
		return fmt.Sprintf("%04d%02d%02d", d.y, d.m, d.d), false
	}
	return d.String(), false
}

// readEWSDate reads an EWS Birthday or WeddingAnniversary. The server's
// text is parsed leniently (garbage fractional seconds, no zone). A UTC
// value is rounded to the nearest midnight, so that 11:59Z (this package,
// exchangelib) and local midnight of any zone from UTC-11 to UTC+11 give the
// intended date; a floating value keeps its date part. Year 1604 means no
// year; a year from 4500 on is Outlook's "none".
func readEWSDate(s string) (d date, present bool, err error) {
	if strings.TrimSpace(s) == "" {
		return date{}, false, nil
	}
	t, floating, err := wire.ParseDateTime(s)
	if err != nil {
		return date{}, false, err
	}
	if !floating {
		t = t.UTC().Add(12 * time.Hour)
	}
	d = date{t.Year(), int(t.Month()), t.Day()}
	if d.y >= 4500 {
		return date{}, false, nil
	}
	if d.y == noYear {
		d.y = 0
	}
	return d, true, nil
}

// formatEWSDate writes d as an xs:dateTime at 11:59 UTC.
func formatEWSDate(d date) string {
	y := d.y
	if y == 0 {
		y = noYear
	}
	return fmt.Sprintf("%04d-%02d-%02d%s", y, d.m, d.d, birthdayTime)
}
