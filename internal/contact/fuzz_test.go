package contact

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// editRemote applies one of a few remote edits, chosen by op, to c.
func editRemote(c *wire.Contact, op uint8) {
	switch op % 8 {
	case 0:
		c.DisplayName += " II"
	case 1:
		c.EmailAddresses = nil
	case 2:
		if c.PhoneNumbers != nil && len(c.PhoneNumbers.Entry) > 0 {
			c.PhoneNumbers.Entry = c.PhoneNumbers.Entry[1:]
		}
		c.PhoneNumbers = &wire.PhoneNumbers{Entry: append(phoneList(c), wire.PhoneNumberEntry{Key: "BusinessPhone2", Value: "+1 555 0102"})}
	case 3:
		c.PhysicalAddresses = &wire.PhysicalAddresses{Entry: []wire.PhysicalAddressEntry{{Key: "Home", Street: "1 New Rd", City: "Town"}}}
	case 4:
		c.Birthday, c.WeddingAnniversary = "1604-02-29T11:59:00Z", ""
	case 5:
		c.Categories = &wire.Strings{String: []string{"Fuzz", "A,B"}}
		c.Children = nil
	case 6:
		c.EmailAddresses = &wire.EmailAddresses{Entry: []wire.EmailAddressEntry{{Key: "EmailAddress3", Value: "third@example.org"}}}
		c.Body = &wire.Body{BodyType: "HTML", Value: "<p>Hello<br>world &amp; more</p>"}
	case 7:
		c.SetExtended(wire.GenderProperty, "2")
		c.SpouseName, c.Manager, c.CompanyName = "", "Boss", ""
	}
}

func phoneList(c *wire.Contact) []wire.PhoneNumberEntry {
	if c.PhoneNumbers == nil {
		return nil
	}
	return c.PhoneNumbers.Entry
}

// FuzzParseMerge: any input parses or fails cleanly, never panics; what
// parses encodes stably; and merging a remote change into it is idempotent.
func FuzzParseMerge(f *testing.F) {
	for _, dir := range []string{"cards", "bad"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.vcf"))
		for i, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b, uint8(i))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, op uint8) {
		card, _, err := Parse(data)
		if err != nil {
			return
		}
		enc := Encode(card)
		again, _, err := Parse(enc)
		if err != nil {
			t.Fatalf("Parse(Encode(card)) = %v\n%q", err, enc)
		}
		if enc2 := Encode(again); !bytes.Equal(enc, enc2) {
			t.Fatalf("Encode is not stable:\n%q\n%q", enc, enc2)
		}
		if HashVCard(again) != HashVCard(card) {
			t.Fatalf("HashVCard changed through Encode/Parse: %v", canonicalVCard(card, nil, nil).Diff(canonicalVCard(again, nil, nil)))
		}
		c, photo, _, err := FromVCard(card)
		if err != nil {
			t.Fatalf("FromVCard = %v", err)
		}
		orig := wireRoundTrip(t, c)
		base, _ := CanonicalVCard(card)
		editRemote(c, op)
		_ = Updates(orig, c)
		m1, _, err := MergeIntoVCard(card, base, c, photo)
		if err != nil {
			t.Fatalf("MergeIntoVCard = %v", err)
		}
		m2, _, err := MergeIntoVCard(m1, base, c, photo)
		if err != nil {
			t.Fatalf("MergeIntoVCard again = %v", err)
		}
		if a, b := Encode(m1), Encode(m2); !bytes.Equal(a, b) {
			t.Fatalf("merge is not idempotent (op %d):\n%s\n---\n%s", op%8, a, b)
		}
		if _, _, err := Parse(Encode(m1)); err != nil {
			t.Fatalf("Parse(Encode(merged)) = %v", err)
		}
	})
}

// FuzzMergeValues: whatever text EWS holds in a mapped field, merging it
// into a card makes the card hash like the contact (no churn), the merge is
// idempotent, and the card still parses.
func FuzzMergeValues(f *testing.F) {
	for _, s := range []string{"plain", " spaced ", "semi;colon, comma\\ back", "line\r\nbreak", "--0415", "\x00\x1f", "tel:+1", "ü€😀"} {
		for op := uint8(0); op < 3; op++ {
			f.Add(s, op)
		}
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "cards", "thunderbird.vcf"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string, op uint8) {
		if !utf8.ValidString(text) || strings.ContainsFunc(text, func(r rune) bool {
			return r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0xFFFE || r == 0xFFFF
		}) {
			t.Skip("not XML text")
		}
		card := mustParse(t, raw)
		c, _, _, _ := FromVCard(card)
		base, _ := CanonicalVCard(card)
		switch op % 4 {
		case 0:
			c.DisplayName, c.JobTitle, c.Nickname = text, text, text
		case 1:
			c.Body = &wire.Body{BodyType: "Text", Value: text}
			c.Categories = &wire.Strings{String: []string{text, "x"}}
		case 2:
			c.EmailAddresses = &wire.EmailAddresses{Entry: []wire.EmailAddressEntry{{Key: "EmailAddress2", Value: text}}}
			c.PhoneNumbers = &wire.PhoneNumbers{Entry: []wire.PhoneNumberEntry{{Key: "HomePhone", Value: text}}}
		case 3:
			c.PhysicalAddresses = &wire.PhysicalAddresses{Entry: []wire.PhysicalAddressEntry{{Key: "Business", Street: text, City: text}}}
			c.CompanyName, c.Department, c.Surname = text, text, text
		}
		c = wireRoundTrip(t, c)
		m1, _, err := MergeIntoVCard(card, base, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		m1 = mustParse(t, Encode(m1))
		m2, _, _ := MergeIntoVCard(m1, base, c, nil)
		if !bytes.Equal(Encode(m1), Encode(m2)) {
			t.Fatalf("merge not idempotent:\n%s\n---\n%s", Encode(m1), Encode(m2))
		}
		if HashVCard(m1) != HashEWS(c, nil) {
			t.Fatalf("HashVCard(merged) != HashEWS(remote): %v\n%s", canonicalVCard(m1, nil, nil).Diff(canonicalEWS(c, nil, nil)), Encode(m1))
		}
	})
}
