package contact

import (
	"encoding/json"
	"testing"

	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

func TestReadEWSDate(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"1985-04-15T11:59:00Z", "1985-04-15", false},
		{"1985-04-15T00:00:00Z", "1985-04-15", false},                      // midnight UTC
		{"1985-04-14T22:00:00Z", "1985-04-15", false},                      // local midnight in UTC+2
		{"1985-04-15T07:00:00Z", "1985-04-15", false},                      // local midnight in UTC-7
		{"1985-04-14T13:00:00Z", "1985-04-15", false},                      // local midnight in UTC+11
		{"1985-04-15T11:00:00Z", "1985-04-15", false},                      // local midnight in UTC-11
		{"1985-04-15T00:00:00", "1985-04-15", false},                       // floating: the date part
		{"1985-04-15T23:30:00", "1985-04-15", false},                       // floating late
		{"1985-04-15", "1985-04-15", false},                                // xs:date
		{"1604-04-15T11:59:00Z", "--04-15", false},                         // no year
		{"1955-06-06T00:00:00.18446744073709551600Z", "1955-06-06", false}, // grommunio
		{"4501-01-01T00:00:00Z", "", false},                                // Outlook's "none"
		{"", "", false},
		{"yesterday", "", true},
	}
	for _, tt := range tests {
		d, ok, err := readEWSDate(tt.in)
		got := ""
		if ok {
			got = d.String()
		}
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("readEWSDate(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestVCardDates(t *testing.T) {
	tests := []struct {
		value  string
		params vcard.Params
		want   string
	}{
		{"1985-04-15", nil, "1985-04-15"},
		{"19850415", nil, "1985-04-15"},
		{"1985-04-15T00:00:00Z", nil, "1985-04-15"},
		{"--0415", nil, "--04-15"},
		{"--04-15", nil, "--04-15"},
		{"1604-04-15", vcard.Params{"X-APPLE-OMIT-YEAR": {"1604"}}, "--04-15"},
		{"--0229", nil, "--02-29"},
		{"1985-02-30", nil, ""},
		{"1985-04", nil, ""},
		{"circa 1800", vcard.Params{"VALUE": {"text"}}, ""},
		{"", nil, ""},
	}
	for _, tt := range tests {
		d, ok := parseVCardDate(&vcard.Field{Value: tt.value, Params: tt.params})
		got := ""
		if ok {
			got = d.String()
		}
		if got != tt.want {
			t.Errorf("parseVCardDate(%q, %v) = %q, want %q", tt.value, tt.params, got, tt.want)
		}
	}
}

// TestBirthdayNoShift: a date written to EWS reads back as the same date
// whatever offset a server or client applies to it, with and without a
// year, in both vCard versions.
func TestBirthdayNoShift(t *testing.T) {
	for _, version := range []string{"3.0", "4.0"} {
		for _, bday := range []string{"--0415", "1985-04-15", "19001231", "--0101"} {
			card := mustParseString(t, "BEGIN:VCARD", "VERSION:"+version, "FN:B", "BDAY:"+bday, "ANNIVERSARY:"+bday, "END:VCARD")
			want, _ := CanonicalVCard(card)
			c, _, _, _ := FromVCard(card)
			if c.Birthday[10:] != birthdayTime {
				t.Errorf("Birthday = %q, want the time %s", c.Birthday, birthdayTime)
			}
			back, _, _ := MergeIntoVCard(vcard.Card{"VERSION": {{Value: version}}}, Canonical{}, wireRoundTrip(t, c), nil)
			got, _ := CanonicalVCard(mustParse(t, Encode(back)))
			if got[keyBday] != want[keyBday] || got[keyBday] == "" || got[keyAnniversary] != want[keyBday] {
				t.Errorf("%s BDAY %s: round trip = %q/%q, want %q", version, bday, got[keyBday], got[keyAnniversary], want[keyBday])
			}
		}
	}
}

func TestGender(t *testing.T) {
	tests := []struct {
		name   string
		gender string
		ext    string
		want   string
	}{
		{"element wins", "Male", "1", "M"},
		{"element female", "Female", "", "F"},
		{"extended when no element", "", "1", "F"},
		{"extended male", "", "2", "M"},
		{"unspecified", "Unspecified", "2", ""},
		{"nothing", "", "", ""},
		{"extended unknown", "", "7", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &wire.Contact{Gender: tt.gender}
			if tt.ext != "" {
				c.SetExtended(wire.GenderProperty, tt.ext)
			}
			if got, _ := CanonicalEWS(c, nil); got[keyGender] != tt.want {
				t.Errorf("CanonicalEWS gender = %q, want %q", got[keyGender], tt.want)
			}
		})
	}
	card := mustParseString(t, "BEGIN:VCARD", "VERSION:3.0", "FN:G", "GENDER:M", "END:VCARD")
	c, _, _, _ := FromVCard(card)
	if v, _ := c.Extended(wire.GenderProperty); v != "2" || c.Gender != "" {
		t.Errorf("FromVCard gender: extended %q, element %q; want 2 and no element", v, c.Gender)
	}
}

// TestEWSBadInput: empty and unknown dictionary keys and an unparseable
// birthday give issues, no panic, and lose nothing locally.
func TestEWSBadInput(t *testing.T) {
	c := &wire.Contact{DisplayName: "Bad Keys", Birthday: "31/12/1999",
		EmailAddresses:    &wire.EmailAddresses{Entry: []wire.EmailAddressEntry{{Key: "", Value: "x@y"}, {Key: "EmailAddress4", Value: "z@y"}, {Key: "EmailAddress1", Value: "a@y"}, {Key: "EmailAddress1", Value: "b@y"}}},
		PhoneNumbers:      &wire.PhoneNumbers{Entry: []wire.PhoneNumberEntry{{Key: "SatellitePhone", Value: "1"}}},
		PhysicalAddresses: &wire.PhysicalAddresses{Entry: []wire.PhysicalAddressEntry{{Key: "Vacation", City: "Nice"}}},
	}
	canon, is := CanonicalEWS(c, nil)
	for _, want := range []string{"entry without a key", `unknown key "EmailAddress4"`, `unknown key "SatellitePhone"`, `unknown key "Vacation"`, "repeated", "does not parse"} {
		if !hasIssue(is, want) {
			t.Errorf("issues = %v, want %q", is, want)
		}
	}
	if canon["email.EmailAddress1"] != "a@y" {
		t.Errorf("email.EmailAddress1 = %q, want the first entry", canon["email.EmailAddress1"])
	}
	local := mustParseString(t, "BEGIN:VCARD", "VERSION:3.0", "FN:Bad Keys", "BDAY:1999-12-31", "END:VCARD")
	got, _, err := MergeIntoVCard(local, nil, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Value("BDAY") != "1999-12-31" {
		t.Errorf("BDAY after merging an unparseable birthday = %q, want it kept", got.Value("BDAY"))
	}
}

func TestFingerprint(t *testing.T) {
	a := mustParseString(t, "BEGIN:VCARD", "VERSION:3.0", "FN:  Anna-Maria  Schmidt ", "EMAIL:Anna@Example.org", "END:VCARD")
	b := &wire.Contact{DisplayName: "anna maria schmidt", EmailAddresses: &wire.EmailAddresses{Entry: []wire.EmailAddressEntry{{Key: "EmailAddress1", Value: "anna@example.org"}}}}
	ca, _ := CanonicalVCard(a)
	cb, _ := CanonicalEWS(b, nil)
	if Fingerprint(ca) != Fingerprint(cb) || Fingerprint(ca) != "anna maria schmidt|anna@example.org" {
		t.Errorf("Fingerprint = %q, %q", Fingerprint(ca), Fingerprint(cb))
	}
	p := Canonical{keyFN: "Bob", "tel.MobilePhone": "+49 (151) 23-45"}
	if got := Fingerprint(p); got != "bob|491512345" {
		t.Errorf("Fingerprint(phone) = %q", got)
	}
	if got := Fingerprint(Canonical{}); got != "" {
		t.Errorf("Fingerprint(empty) = %q", got)
	}
}

func TestCanonicalBytes(t *testing.T) {
	c := Canonical{keyFN: "A", "tel.HomePhone": "1"}
	back, err := ParseCanonical(c.Bytes())
	if err != nil || back.Hash() != c.Hash() {
		t.Errorf("ParseCanonical(Bytes) = %v, %v", back, err)
	}
	if _, err := ParseCanonical([]byte("{")); err == nil {
		t.Errorf("ParseCanonical(bad) = nil error")
	}
	if (Canonical{}).Hash() == c.Hash() {
		t.Errorf("distinct canonicals hash alike")
	}
}

func TestCanonicalBytesJSON(t *testing.T) {
	c := Canonical{keyNote: "quote \" backslash \\ newline \n tab \t nul \x00 é €", keyFN: "A"}
	var m map[string]string
	if err := json.Unmarshal(c.Bytes(), &m); err != nil {
		t.Fatalf("json.Unmarshal(Bytes) = %v: %s", err, c.Bytes())
	}
	if m[keyNote] != c[keyNote] || m[keyFN] != "A" || len(m) != 2 {
		t.Errorf("Bytes round trip = %q", m)
	}
	if want, _ := json.Marshal(map[string]string(c)); string(want) != string(c.Bytes()) && !json.Valid(c.Bytes()) {
		t.Errorf("Bytes = %s, not JSON", c.Bytes())
	}
}
