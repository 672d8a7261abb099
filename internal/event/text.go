package event

import (
	"html"
	"strings"
)

// htmlText renders an HTML body as plain text: tags dropped, block ends and
// <br> as newlines, entities decoded, whitespace normalized.
func htmlText(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		j := strings.IndexByte(s, '>')
		if j < 0 {
			break
		}
		closing := strings.HasPrefix(s, "</")
		tag := strings.ToLower(strings.Trim(s[1:j], "/ "))
		if k := strings.IndexAny(tag, " \t\r\n/"); k >= 0 {
			tag = tag[:k]
		}
		s = s[j+1:]
		switch tag {
		case "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6":
			b.WriteByte('\n')
		case "style", "script", "head", "title":
			// Skip the element's content.
			if !closing {
				if end := strings.Index(strings.ToLower(s), "</"+tag); end >= 0 {
					s = s[end:]
				}
			}
		}
	}
	return normText(html.UnescapeString(b.String()))
}

// normText normalizes text for comparison: CRLF and CR to LF, non-breaking
// spaces to spaces, trailing spaces of lines and blank lines at both ends
// dropped, runs of blank lines collapsed.
func normText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.TrimSpace(l) == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, strings.TrimLeft(l, " \t"))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}
