package event

import (
	"errors"
	"testing"
)

func TestHTMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<html><head><style>p{color:red}</style></head><body><p>Hello&nbsp;<b>world</b></p><p>Line&amp;2</p></body></html>", "Hello world\n\nLine&2"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"<div>x</div>\r\n<div>y</div>", "x\n\ny"},
		{"plain", "plain"},
		{"unclosed <b", "unclosed"},
	}
	for _, tt := range tests {
		if got := htmlText(tt.in); got != tt.want {
			t.Errorf("htmlText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTextEscapes(t *testing.T) {
	for _, s := range []string{"a, b; c\\d", "line1\nline2", ""} {
		if got := unescapeText(escapeText(s)); got != s {
			t.Errorf("unescapeText(escapeText(%q)) = %q", s, got)
		}
	}
	if got := splitText(`a,b\,c,d`); len(got) != 3 || got[1] != "b,c" {
		t.Errorf("splitText() = %q, want [a b,c d]", got)
	}
	if got := unescapeText("Lunch, with notes"); got != "Lunch, with notes" {
		t.Errorf("unescapeText(unescaped comma) = %q", got)
	}
}

func TestErrorWrapsSentinel(t *testing.T) {
	err := errf(ErrNotRepresentable, "RRULE", "FREQ=%s", "HOURLY")
	if !errors.Is(err, ErrNotRepresentable) || !IsNotRepresentable(err) {
		t.Errorf("errors.Is(%v, ErrNotRepresentable) = false", err)
	}
	if got, want := err.Error(), "event: cannot be represented in Exchange: RRULE: FREQ=HOURLY"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestPropertiesCoverMapping(t *testing.T) {
	have := map[string]bool{}
	for _, p := range Properties() {
		have[p.String()] = true
	}
	for _, f := range fields {
		for _, pc := range f.paths {
			if !have[pc.path.String()] {
				t.Errorf("Properties() lacks %s, which field %s writes", pc.path, f.name)
			}
		}
	}
	for _, want := range []string{"calendar:ModifiedOccurrences", "calendar:DeletedOccurrences", "calendar:Organizer", "item:Attachments"} {
		if !have[want] {
			t.Errorf("Properties() lacks %s", want)
		}
	}
}
