package contact

import "strings"

// Values in a parsed card are kept as their escaped wire text (RFC 6350
// section 3.4, RFC 2426 section 4): the helpers below read and write them.

// unescape decodes a TEXT value: \\ \n \N \, \; and \: (lenient).
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case '\\', ',', ';', ':':
			b.WriteByte(s[i])
		default:
			// Unknown escape: keep both characters, nothing is lost.
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// escape encodes a TEXT value (or one component of a structured value).
func escape(s string) string {
	if !strings.ContainsAny(s, "\\\n\r,;") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue
			}
			b.WriteString(`\n`)
		case ',':
			b.WriteString(`\,`)
		case ';':
			b.WriteString(`\;`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// splitRaw splits an escaped value on the unescaped separator sep, keeping
// each part escaped.
func splitRaw(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// components returns the unescaped components of a structured value (N, ADR,
// ORG, GENDER).
func components(raw string) []string {
	parts := splitRaw(raw, ';')
	for i, p := range parts {
		parts[i] = unescape(p)
	}
	return parts
}

// listValues returns the unescaped, trimmed, non-empty items of a
// comma-separated list value (CATEGORIES).
func listValues(raw string) []string {
	var out []string
	for _, p := range splitRaw(raw, ',') {
		if v := strings.TrimSpace(unescape(p)); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// setComponent returns raw with component i replaced by the escaped v,
// padding with empty components as needed.
func setComponent(raw string, i int, v string) string {
	parts := splitRaw(raw, ';')
	for len(parts) <= i {
		parts = append(parts, "")
	}
	parts[i] = escape(v)
	return strings.Join(parts, ";")
}
