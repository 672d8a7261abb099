package event

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

// MaxObjectSize bounds a calendar object (RFC 5545 §3.4) Parse accepts.
const MaxObjectSize = 32 << 20

// maxDepth bounds component nesting (VCALENDAR > VEVENT > VALARM is 3).
const maxDepth = 8

// Parse decodes one iCalendar object (RFC 5545 §3.4). It refuses objects
// over MaxObjectSize, nesting deeper than a few levels and anything that is
// not a VCALENDAR, with an error wrapping ErrInvalid or ErrTooLarge; it
// never panics.
func Parse(data []byte) (cal *ical.Calendar, err error) {
	if len(data) > MaxObjectSize {
		return nil, errf(ErrTooLarge, "VCALENDAR", "%d bytes, over %d", len(data), MaxObjectSize)
	}
	if !utf8.Valid(data) {
		return nil, errf(ErrInvalid, "VCALENDAR", "not UTF-8")
	}
	depth := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxObjectSize+1)
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case hasPrefixFold(line, "BEGIN:"):
			depth++
			if depth > maxDepth {
				return nil, errf(ErrInvalid, "BEGIN", "components nested deeper than %d", maxDepth)
			}
		case hasPrefixFold(line, "END:"):
			depth--
		}
	}
	defer func() {
		if r := recover(); r != nil {
			cal, err = nil, errf(ErrInvalid, "VCALENDAR", "decoder failure: %v", r)
		}
	}()
	cal, err = ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return nil, errf(ErrInvalid, "VCALENDAR", "%v", err)
	}
	return cal, nil
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

// Encode writes cal as iCalendar text: properties in name order (the
// encoder's), lines folded at 75 octets (RFC 5545 §3.1), CRLF line ends.
// The same calendar always gives the same bytes.
func Encode(cal *ical.Calendar) ([]byte, error) {
	if cal == nil || cal.Component == nil {
		return nil, errf(ErrInvalid, "VCALENDAR", "nil calendar")
	}
	var raw bytes.Buffer
	if err := ical.NewEncoder(&raw).Encode(cal); err != nil {
		return nil, fmt.Errorf("event: encode: %w", err)
	}
	var out bytes.Buffer
	out.Grow(raw.Len() + raw.Len()/70*3)
	for _, line := range bytes.SplitAfter(raw.Bytes(), []byte("\r\n")) {
		if len(line) == 0 {
			continue
		}
		body := bytes.TrimSuffix(line, []byte("\r\n"))
		width := 75
		for len(body) > width {
			cut := width
			for cut > 0 && !utf8.RuneStart(body[cut]) {
				cut--
			}
			out.Write(body[:cut])
			out.WriteString("\r\n ")
			body = body[cut:]
			width = 74
		}
		out.Write(body)
		out.WriteString("\r\n")
	}
	return out.Bytes(), nil
}
