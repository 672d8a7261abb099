package contact

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseBadInput: every malformed card gives a clear error or a repaired
// card with an issue, never a panic, and keeps its data.
func TestParseBadInput(t *testing.T) {
	tests := []struct {
		file    string
		err     error    // wanted error, or nil
		issue   string   // substring of an issue (Parse, then FromVCard)
		keep    []string // substrings Encode must still hold
		mapped  string   // canonical key that must be set
		display string   // wanted canonical fn
	}{
		{file: "no-fn.vcf", issue: "FN: missing; display name derived", keep: []string{"N:Nofn;Nora;;;"}, display: "Nora Nofn"},
		{file: "no-type.vcf", keep: []string{"TEL:+1 555 0000"}, mapped: "tel.OtherTelephone"},
		{file: "broken-folding.vcf", issue: "broken line folding",
			keep: []string{"forgot the leading space on the continuation line, so"}, mapped: keyNote},
		{file: "latin1.vcf", issue: "not valid UTF-8", keep: []string{"FN:Jürgen Müller", "Straße € 99"}, display: "Jürgen Müller"},
		{file: "bad-photo.vcf", issue: "base64 does not decode", keep: []string{"@@@not*base64!!!"}},
		{file: "photo-link.vcf", issue: "photo is a link", keep: []string{"PHOTO:https://example.org/me.jpg"}},
		{file: "vcard21-quirks.vcf", issue: "decoded quoted-printable",
			keep: []string{"TEL;TYPE=WORK,VOICE:111", "Café au lait\\nsecond line"}, mapped: "tel.MobilePhone"},
		{file: "no-end.vcf", issue: "no END:VCARD", keep: []string{"EMAIL:cut@example.org"}, mapped: "email.EmailAddress1"},
		{file: "bday-text.vcf", issue: "no full or year-less date", keep: []string{"BDAY;VALUE=text:circa 1800", "ANNIVERSARY:2020-13-45"}},
		{file: "no-version.vcf", issue: "VERSION: missing", keep: []string{"VERSION:3.0", "FN:No Version"}},
		{file: "two-cards.vcf", err: ErrMalformed},
		{file: "not-vcard.vcf", err: ErrNotVCard},
		{file: "empty.vcf", err: ErrNotVCard},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "bad", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			card, is, err := Parse(data)
			if tt.err != nil {
				if !errors.Is(err, tt.err) || card != nil {
					t.Fatalf("Parse = %v, %v; want error %v", card != nil, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			_, _, more, err := FromVCard(card)
			if err != nil {
				t.Fatalf("FromVCard = %v", err)
			}
			is = append(is, more...)
			if tt.issue != "" && !hasIssue(is, tt.issue) {
				t.Errorf("issues = %v, want one with %q", is, tt.issue)
			}
			out := unfold(Encode(card))
			for _, k := range tt.keep {
				if !strings.Contains(out, k) {
					t.Errorf("Encode lost %q:\n%s", k, out)
				}
			}
			canon, _ := CanonicalVCard(card)
			if tt.mapped != "" && canon[tt.mapped] == "" {
				t.Errorf("canonical[%q] empty: %v", tt.mapped, canon)
			}
			if tt.display != "" && canon[keyFN] != tt.display {
				t.Errorf("canonical fn = %q, want %q", canon[keyFN], tt.display)
			}
		})
	}
}

func hasIssue(is []Issue, sub string) bool {
	for _, i := range is {
		if strings.Contains(i.String(), sub) {
			return true
		}
	}
	return false
}

func TestParseTooLarge(t *testing.T) {
	data := bytes.Repeat([]byte("NOTE:"+strings.Repeat("x", 70)+"\r\n"), 10<<20/77)
	data = append(append([]byte("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Big\r\n"), data...), "END:VCARD\r\n"...)
	if len(data) < 10<<20-100 {
		t.Fatalf("test card is %d bytes, want 10 MB", len(data))
	}
	card, _, err := Parse(data)
	if !errors.Is(err, ErrTooLarge) || card != nil {
		t.Errorf("Parse(10 MB) = %v, %v; want ErrTooLarge", card != nil, err)
	}
}

func TestParseOversizedPhoto(t *testing.T) {
	img := append([]byte{0xFF, 0xD8, 0xFF}, bytes.Repeat([]byte{7}, MaxPhotoBytes)...)
	card := mustParseString(t, "BEGIN:VCARD", "VERSION:4.0", "FN:Big Photo",
		"PHOTO:data:image/jpeg;base64,"+b64(img), "END:VCARD")
	c, photo, is, err := FromVCard(card)
	if err != nil || c == nil {
		t.Fatalf("FromVCard = %v", err)
	}
	if photo != nil || !hasIssue(is, "kept locally, not sent") {
		t.Errorf("FromVCard photo = %v, issues %v; want no photo and an issue", photo != nil, is)
	}
	if !strings.Contains(unfold(Encode(card)), b64(img)) {
		t.Errorf("the oversized photo is not kept in the card")
	}
	// The photo that is not sent does not count: both sides hash alike.
	if HashVCard(card) != HashEWS(c, nil) {
		t.Errorf("HashVCard != HashEWS with an unsent photo")
	}
}

func TestParseParams(t *testing.T) {
	card := mustParseString(t, "BEGIN:VCARD", "VERSION:3.0", "FN:P",
		`item1.TEL;TYPE="HOME,VOICE";X-LABEL="a;b:c":+1 555`, `ADR;LABEL="1 Main St\nTown";TYPE=work,pref:;;1 Main St;Town;;;`,
		"END:VCARD")
	tel := card["TEL"][0]
	if tel.Group != "item1" || tel.Params.Get("TYPE") != "HOME,VOICE" || tel.Params.Get("X-LABEL") != "a;b:c" || tel.Value != "+1 555" {
		t.Errorf("TEL = %+v", tel)
	}
	if got := phoneKeyOf(tel); got != "HomePhone" {
		t.Errorf("phoneKeyOf(TEL) = %q, want HomePhone", got)
	}
	adr := card["ADR"][0]
	if got := adr.Params["TYPE"]; len(got) != 2 || got[0] != "work" || got[1] != "pref" {
		t.Errorf("ADR TYPE = %v", got)
	}
	out := string(Encode(card))
	for _, want := range []string{`item1.TEL;TYPE="HOME,VOICE";X-LABEL="a;b:c":+1 555`, `ADR;LABEL=1 Main St\nTown;TYPE=work,pref:;;1 Main St;Town;;;`} {
		if !strings.Contains(out, want) {
			t.Errorf("Encode = %s, want line %s", out, want)
		}
	}
}

func TestEncodeFolds(t *testing.T) {
	card := mustParseString(t, "BEGIN:VCARD", "VERSION:3.0", "FN:F", "NOTE:"+strings.Repeat("ü", 100), "END:VCARD")
	out := Encode(card)
	for _, l := range strings.Split(string(out), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
	}
	if got := unescape(mustParse(t, out)["NOTE"][0].Value); got != strings.Repeat("ü", 100) {
		t.Errorf("NOTE after folding = %q", got)
	}
}

// unfold undoes line folding, to look for a value in Encode's output.
func unfold(b []byte) string { return strings.ReplaceAll(string(b), "\r\n ", "") }
