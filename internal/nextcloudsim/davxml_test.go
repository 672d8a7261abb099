package nextcloudsim

import (
	"strings"
	"testing"
)

func TestParseXMLAndElem(t *testing.T) {
	n, err := parseXML(strings.NewReader(`<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`))
	if err != nil || n.child(nsDAV, "prop").children[0].name != pnGetETag {
		t.Fatalf("parseXML() = %+v, %v", n, err)
	}
	for _, bad := range []string{"", "<a>", "not xml <"} {
		if _, err := parseXML(strings.NewReader(bad)); err == nil {
			t.Errorf("parseXML(%q) = nil error", bad)
		}
	}
	tests := []struct {
		in    string
		space string
		want  string
	}{
		{"x", nsDAV, "<d:displayname>x</d:displayname>"},
		{"", nsDAV, "<d:displayname/>"},
		{`a"<&`, nsAppleICal, `<x1:displayname xmlns:x1="http://apple.com/ns/ical/">a&quot;&lt;&amp;</x1:displayname>`},
	}
	for _, tc := range tests {
		if got := elem(xn(tc.space, "displayname"), davEscape(tc.in)); got != tc.want {
			t.Errorf("elem(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
