package contact

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
)

// Encode writes card as vCard text (RFC 6350 section 3): BEGIN, VERSION,
// then the properties sorted by name, each name's fields in their order,
// parameters sorted by name, lines folded at 75 octets on character
// boundaries, CRLF line ends. Values are written as they are held (the
// escaped wire text Parse keeps). The output depends only on the card, so
// encoding the same card twice gives the same bytes.
func Encode(card vcard.Card) []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCARD\r\n")
	version := card.Value(vcard.FieldVersion)
	if version == "" {
		version = "3.0"
	}
	writeFolded(&b, "VERSION:"+version)
	names := make([]string, 0, len(card))
	for k := range card {
		if strings.EqualFold(k, vcard.FieldVersion) || strings.EqualFold(k, "BEGIN") || strings.EqualFold(k, "END") {
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	var line strings.Builder
	for _, name := range names {
		for _, f := range card[name] {
			if f == nil {
				continue
			}
			line.Reset()
			if f.Group != "" {
				line.WriteString(f.Group)
				line.WriteByte('.')
			}
			line.WriteString(name)
			writeParams(&line, f.Params)
			line.WriteByte(':')
			line.WriteString(f.Value)
			writeFolded(&b, line.String())
		}
	}
	b.WriteString("END:VCARD\r\n")
	return []byte(b.String())
}

// paramCleaner removes what a parameter value cannot hold (RFC 6350
// section 3.3 allows no control characters and no DQUOTE).
var paramCleaner = strings.NewReplacer("\r", "", "\n", " ", `"`, "'")

func writeParams(b *strings.Builder, p vcard.Params) {
	if len(p) == 0 {
		return
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vals := p[k]
		if len(vals) == 0 {
			continue
		}
		b.WriteByte(';')
		b.WriteString(k)
		b.WriteByte('=')
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			v = paramCleaner.Replace(v)
			if strings.ContainsAny(v, ",;:") {
				b.WriteByte('"')
				b.WriteString(v)
				b.WriteByte('"')
			} else {
				b.WriteString(v)
			}
		}
	}
}

// writeFolded writes one content line folded at 75 octets (RFC 6350
// section 3.2) without splitting a UTF-8 sequence.
func writeFolded(b *strings.Builder, l string) {
	const limit = 75
	first := true
	for len(l) > 0 {
		n := limit
		if !first {
			n = limit - 1
		}
		if len(l) <= n {
			if !first {
				b.WriteByte(' ')
			}
			b.WriteString(l)
			break
		}
		for n > 1 && !utf8.RuneStart(l[n]) {
			n--
		}
		if !first {
			b.WriteByte(' ')
		}
		b.WriteString(l[:n])
		b.WriteString("\r\n")
		l = l[n:]
		first = false
	}
	b.WriteString("\r\n")
}
