package dav

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeXML(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int64
		want  error // nil means success
	}{
		{"plain", `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:sync-token>x</d:sync-token></d:multistatus>`, 1 << 10, nil},
		{"dtd", `<?xml version="1.0"?><!DOCTYPE d:multistatus [<!ENTITY a "aaaaaaaa">]><d:multistatus xmlns:d="DAV:"><d:sync-token>&a;</d:sync-token></d:multistatus>`, 1 << 10, ErrDTD},
		{"lowercase doctype", `<!doctype x SYSTEM "file:///etc/passwd"><d:multistatus xmlns:d="DAV:"/>`, 1 << 10, ErrDTD},
		{"too large", `<d:multistatus xmlns:d="DAV:"><d:sync-token>` + strings.Repeat("x", 200) + `</d:sync-token></d:multistatus>`, 100, ErrResponseTooLarge},
		{"exactly the limit", `<d:multistatus xmlns:d="DAV:"/>`, int64(len(`<d:multistatus xmlns:d="DAV:"/>`)), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ms multistatus
			err := decodeXML(strings.NewReader(tc.in), tc.limit, &ms)
			if tc.want == nil && err != nil {
				t.Fatalf("decodeXML() = %v, want success", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("decodeXML() = %v, want %v", err, tc.want)
			}
		})
	}
	var ms multistatus
	if err := decodeXML(strings.NewReader(`<?xml version="1.0" encoding="ISO-8859-1"?><d:multistatus xmlns:d="DAV:"/>`), 1<<10, &ms); err == nil {
		t.Errorf("decodeXML(ISO-8859-1) = nil, want an error")
	}
	if err := decodeXML(strings.NewReader(`<d:multistatus xmlns:d="DAV:"><d:response>`), 1<<10, &ms); err == nil {
		t.Errorf("decodeXML(truncated) = nil, want an error")
	}
}

func TestErrorDetail(t *testing.T) {
	tests := []struct {
		name, ct, body string
		want           string // substring of the detail; "" means nil
	}{
		{"sabre", "application/xml; charset=utf-8", `<?xml version="1.0"?><d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns"><s:exception>Sabre\DAV\Exception\NotFound</s:exception><s:message>Node with name 'admin' could not be found</s:message></d:error>`, "Node with name 'admin' could not be found"},
		{"condition", "text/xml", `<D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>`, "valid-sync-token"},
		{"text", "text/plain", "Access\n  denied", "Access denied"},
		{"html ignored", "application/octet-stream", "\x00\x01", ""},
		{"long text cut", "text/html", strings.Repeat("a", 500), "[…]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := errorDetail(tc.ct, []byte(tc.body))
			if tc.want == "" {
				if err != nil {
					t.Errorf("errorDetail() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("errorDetail() = %v, want it to contain %q", err, tc.want)
			}
			if len(err.Error()) > 220 {
				t.Errorf("errorDetail() is %d bytes long, want a short excerpt", len(err.Error()))
			}
		})
	}
}
