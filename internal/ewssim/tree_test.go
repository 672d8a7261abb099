package ewssim

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestParseTree(t *testing.T) {
	tests := []struct {
		name, doc string
		wantErr   error
	}{
		{"ok", `<a xmlns="urn:x"><b k="v">text</b></a>`, nil},
		{"dtd", `<!DOCTYPE a><a/>`, errDTD},
		{"entity bomb", `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`, errDTD},
		{"truncated", `<a><b>`, errBadXML},
		{"two roots", `<a/><b/>`, errBadXML},
		{"empty", ``, errBadXML},
		{"undefined entity", `<a>&nope;</a>`, errBadXML},
		{"too deep", strings.Repeat("<a>", 200) + strings.Repeat("</a>", 200), errBadXML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTree([]byte(tt.doc))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("parseTree(%q) = %v, want %v", tt.doc, err, tt.wantErr)
			}
		})
	}
}

func TestWriteEscapesAndDropsForeignAttributes(t *testing.T) {
	n, err := parseTree([]byte(`<t:Body xmlns:t="` + nsTypes + `" xmlns:x="urn:x" xmlns:xsi="` + nsXSI + `" BodyType="Text" x:foo="1" xsi:nil="false">a &lt;b&gt; &amp; "c"` + "\r\n" + `</t:Body>`))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	n.write(&b)
	got := b.String()
	if strings.Contains(got, "urn:x") || strings.Contains(got, "foo") || !strings.Contains(got, `xsi:nil="false"`) {
		t.Fatalf("write = %s, want foreign attribute dropped, xsi kept", got)
	}
	back, err := parseTree([]byte(`<r xmlns:t="` + nsTypes + `" xmlns:xsi="` + nsXSI + `">` + got + `</r>`))
	if err != nil {
		t.Fatalf("written XML does not parse: %v", err)
	}
	if back.Kids[0].Text != n.Text {
		t.Fatalf("text round trip = %q, want %q", back.Kids[0].Text, n.Text)
	}
}
