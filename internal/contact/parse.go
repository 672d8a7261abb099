package contact

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
)

// Size limits. A card above MaxCardBytes is refused as a whole (the original
// stays untouched where it is); a photo above MaxPhotoBytes (decoded) is kept
// in the vCard but never sent to EWS, and reported as an Issue.
const (
	MaxCardBytes  = 4 << 20
	MaxPhotoBytes = 2 << 20
)

// Parse errors. Each is wrapped with the detail of the failing card.
var (
	ErrTooLarge  = errors.New("contact: vcard too large")
	ErrNotVCard  = errors.New("contact: not a vcard")
	ErrMalformed = errors.New("contact: malformed vcard")
)

// Parse decodes one vCard (2.1, 3.0 or 4.0; RFC 2426 section 5, RFC 6350
// section 3) leniently and never panics. Unlike vcard.Decoder it loses no
// line: a continuation line whose leading space was lost (broken folding) is
// joined back, vCard 2.1 bare parameters ("TEL;WORK;VOICE") become TYPE
// values, quoted-printable values are decoded, and text that is not valid
// UTF-8 is read as Windows-1252. Each repair is reported as an Issue.
//
// Values stay in their escaped wire form (use Encode, not vcard.Encoder, to
// write the card back). Property and parameter names are upper-cased.
// A missing VERSION is set to 3.0. Input above MaxCardBytes, input without
// BEGIN:VCARD, and input holding more than one card are errors.
func Parse(data []byte) (vcard.Card, []Issue, error) {
	var is issues
	if len(data) > MaxCardBytes {
		return nil, nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), MaxCardBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text := string(data)
	if !utf8.ValidString(text) {
		text = decodeWindows1252(data)
		is.add("", "text is not valid UTF-8; decoded as Windows-1252")
	}
	lines := logicalLines(text, &is)

	card := make(vcard.Card)
	state := 0 // 0 before BEGIN, 1 inside, 2 after END
	for _, l := range lines {
		switch state {
		case 0:
			if !isBeginEnd(l, "BEGIN") {
				return nil, nil, fmt.Errorf("%w: first line is %q, want BEGIN:VCARD", ErrNotVCard, truncate(l, 40))
			}
			state = 1
			continue
		case 2:
			if isBeginEnd(l, "BEGIN") {
				return nil, nil, fmt.Errorf("%w: more than one card", ErrMalformed)
			}
			is.add("", fmt.Sprintf("ignored text after END:VCARD: %q", truncate(l, 40)))
			continue
		}
		if isBeginEnd(l, "END") {
			state = 2
			continue
		}
		if isBeginEnd(l, "BEGIN") {
			return nil, nil, fmt.Errorf("%w: nested BEGIN:VCARD", ErrMalformed)
		}
		name, f, ok := parseLine(l)
		if !ok {
			is.add("", fmt.Sprintf("dropped a line that is no property: %q", truncate(l, 40)))
			continue
		}
		card[name] = append(card[name], f)
	}
	switch state {
	case 0:
		return nil, nil, fmt.Errorf("%w: no BEGIN:VCARD", ErrNotVCard)
	case 1:
		is.add("", "no END:VCARD; the card may be truncated")
	}
	if card.Value(vcard.FieldVersion) == "" {
		is.add("VERSION", "missing; assumed 3.0")
		card[vcard.FieldVersion] = []*vcard.Field{{Value: "3.0", Params: vcard.Params{}}}
	}
	fixQuotedPrintable(card, &is)
	return card, is, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

func isBeginEnd(l, word string) bool {
	name, value, ok := strings.Cut(l, ":")
	return ok && strings.EqualFold(strings.TrimSpace(name), word) && strings.EqualFold(strings.TrimSpace(value), "VCARD")
}

// logicalLines unfolds the text (RFC 6350 section 3.2), joins
// quoted-printable soft line breaks, and repairs broken folding: a line that
// does not start with a property name is a continuation that lost its space.
func logicalLines(text string, is *issues) []string {
	var out []string
	var cur []byte
	has, qp, repaired := false, false, false
	flush := func() {
		if has {
			out = append(out, string(cur))
			cur = cur[:0]
			has = false
		}
	}
	next := func() (string, bool) {
		if text == "" {
			return "", false
		}
		var line string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			line, text = text, ""
		}
		return strings.TrimSuffix(line, "\r"), true
	}
	for {
		line, ok := next()
		if !ok {
			break
		}
		if has && line != "" && (line[0] == ' ' || line[0] == '\t') {
			cur = append(cur, line[1:]...)
			continue
		}
		// Unfold the line's own continuations before judging it.
		if len(text) > 0 && (text[0] == ' ' || text[0] == '\t') {
			unit := []byte(line)
			for len(text) > 0 && (text[0] == ' ' || text[0] == '\t') {
				cont, _ := next()
				unit = append(unit, cont[1:]...)
			}
			line = string(unit)
		}
		switch {
		case has && qp && len(cur) > 0 && cur[len(cur)-1] == '=':
			// Quoted-printable soft line break (RFC 2045 section 6.7).
			cur = append(cur[:len(cur)-1], line...)
		case strings.TrimSpace(line) == "":
			flush()
		case has && !looksLikeProperty(line):
			cur = append(cur, line...)
			repaired = true
		default:
			flush()
			cur = append(cur, line...)
			has = true
			qp = isQuotedPrintable(line)
		}
	}
	flush()
	if repaired {
		is.add("", "repaired broken line folding (continuation line without leading space)")
	}
	return out
}

// isQuotedPrintable reports whether a content line declares the
// quoted-printable encoding (vCard 2.1: ";ENCODING=QUOTED-PRINTABLE" or the
// bare ";QUOTED-PRINTABLE" parameter), which allows soft line breaks.
func isQuotedPrintable(l string) bool {
	head, _, _ := strings.Cut(l, ":")
	params := strings.Split(head, ";")
	for _, p := range params[1:] {
		p = strings.TrimSpace(p)
		if strings.EqualFold(p, "QUOTED-PRINTABLE") || strings.EqualFold(p, "ENCODING=QUOTED-PRINTABLE") {
			return true
		}
	}
	return false
}

// looksLikeProperty reports whether l starts with "[group.]name" followed
// by ';' or ':'.
func looksLikeProperty(l string) bool {
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c == ';' || c == ':':
			return i > 0
		case c == '.' && i > 0:
		case c == '-' || c == '_' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z'):
		default:
			return false
		}
	}
	return false
}

// parseLine splits a logical line into group, name, parameters and raw value.
func parseLine(l string) (string, *vcard.Field, bool) {
	f := &vcard.Field{Params: vcard.Params{}}
	i := strings.IndexAny(l, ";:")
	if i <= 0 || !looksLikeProperty(l) {
		return "", nil, false
	}
	name := l[:i]
	if g, n, ok := strings.Cut(name, "."); ok {
		f.Group, name = g, n
	}
	if name == "" || !looksLikeProperty(name+":") {
		return "", nil, false
	}
	name = strings.ToUpper(name)
	rest := l[i:]
	for len(rest) > 0 && rest[0] == ';' {
		rest = rest[1:]
		var key string
		var vals []string
		key, vals, rest = parseParam(rest)
		if key == "" && len(vals) == 0 {
			continue
		}
		f.Params[key] = append(f.Params[key], vals...)
	}
	f.Value = strings.TrimPrefix(rest, ":")
	return name, f, true
}

// parseParam reads one parameter up to the next unquoted ';' or ':'. A bare
// value (vCard 2.1) becomes a TYPE, or an ENCODING for the encoding names.
func parseParam(s string) (key string, vals []string, rest string) {
	end := len(s)
	eq := -1
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			inQuote = !inQuote
			continue
		}
		if inQuote {
			continue
		}
		if c == '=' && eq < 0 {
			eq = i
		}
		if c == ';' || c == ':' {
			end = i
			break
		}
	}
	p, rest := s[:end], s[end:]
	if eq < 0 || eq > end {
		v := strings.TrimSpace(p)
		if v == "" {
			return "", nil, rest
		}
		v = paramCleaner.Replace(v)
		switch strings.ToUpper(v) {
		case "QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B":
			return "ENCODING", []string{v}, rest
		}
		return vcard.ParamType, []string{v}, rest
	}
	key = strings.ToUpper(strings.TrimSpace(p[:eq]))
	for _, v := range splitParamValues(p[eq+1:]) {
		vals = append(vals, paramCleaner.Replace(v))
	}
	return key, vals, rest
}

// splitParamValues splits on commas outside quotes and drops the quotes.
func splitParamValues(s string) []string {
	var vals []string
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			vals = append(vals, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(vals, b.String())
}

// fixQuotedPrintable decodes vCard 2.1 quoted-printable values into escaped
// UTF-8 text and drops their ENCODING and CHARSET parameters.
func fixQuotedPrintable(card vcard.Card, is *issues) {
	for name, fields := range card {
		for _, f := range fields {
			if !strings.EqualFold(f.Params.Get("ENCODING"), "QUOTED-PRINTABLE") {
				continue
			}
			raw := decodeQP(f.Value)
			cs := strings.ToUpper(f.Params.Get("CHARSET"))
			text := string(raw)
			if !utf8.Valid(raw) || (cs != "" && cs != "UTF-8" && cs != "US-ASCII") {
				text = decodeWindows1252(raw)
			}
			text = strings.ReplaceAll(text, "\r\n", "\n")
			text = strings.ReplaceAll(text, "\n", `\n`)
			f.Value = text
			delete(f.Params, "ENCODING")
			delete(f.Params, "CHARSET")
			is.add(name, "decoded quoted-printable (vCard 2.1)")
		}
	}
}

// decodeQP decodes quoted-printable (RFC 2045 section 6.7) leniently: an
// invalid escape is kept as is.
func decodeQP(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' && i+2 < len(s) {
			if h, ok := unhex(s[i+1], s[i+2]); ok {
				out = append(out, h)
				i += 2
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

func unhex(a, b byte) (byte, bool) {
	x, ok1 := hexVal(a)
	y, ok2 := hexVal(b)
	return x<<4 | y, ok1 && ok2
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// cp1252 maps 0x80..0x9F of Windows-1252; the rest is Latin-1.
var cp1252 = [32]rune{
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
}

// decodeWindows1252 reads b as Windows-1252, keeping valid UTF-8 sequences
// (a file mixing both is common after a bad edit).
func decodeWindows1252(b []byte) string {
	var s strings.Builder
	s.Grow(len(b) + len(b)/4)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r != utf8.RuneError || n > 1 {
			s.Write(b[:n])
			b = b[n:]
			continue
		}
		c := b[0]
		switch {
		case c < 0x80:
			s.WriteByte(c)
		case c < 0xA0:
			s.WriteRune(cp1252[c-0x80])
		default:
			s.WriteRune(rune(c))
		}
		b = b[1:]
	}
	return s.String()
}
