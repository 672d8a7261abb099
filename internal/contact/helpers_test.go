package contact

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/reference"
)

// corpus returns the realistic cards of testdata/cards by file name.
func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "cards", "*.vcf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in testdata/cards: %v", err)
	}
	out := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

func sortedNames(m map[string][]byte) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func mustParse(t testing.TB, data []byte) vcard.Card {
	t.Helper()
	card, _, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	return card
}

func mustParseString(t testing.TB, lines ...string) vcard.Card {
	t.Helper()
	return mustParse(t, []byte(strings.Join(lines, "\r\n")+"\r\n"))
}

// sampleContact decodes the first Contact of an EWS sample envelope.
func sampleContact(t *testing.T, name string) *wire.Contact {
	t.Helper()
	data, err := os.ReadFile(reference.Require(t, "ews-samples", name))
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("%s: no Contact element: %v", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Contact" {
			c := new(wire.Contact)
			if err := d.DecodeElement(c, &se); err != nil {
				t.Fatalf("%s: decode Contact: %v", name, err)
			}
			return c
		}
	}
}

// wireRoundTrip marshals a contact to XML and decodes it back, as the EWS
// client and server would.
func wireRoundTrip(t testing.TB, c *wire.Contact) *wire.Contact {
	t.Helper()
	b, err := xml.Marshal(wire.Item{Contact: c})
	if err != nil {
		t.Fatalf("xml.Marshal = %v", err)
	}
	out := new(wire.Contact)
	if err := xml.Unmarshal(b, out); err != nil {
		t.Fatalf("xml.Unmarshal(%s) = %v", b, err)
	}
	return out
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
