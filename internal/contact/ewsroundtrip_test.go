package contact

import (
	"bytes"
	"testing"

	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// fullContact sets every field the mapping covers.
func fullContact() *wire.Contact {
	c := &wire.Contact{
		DisplayName: "Prof. Ada Byron King", GivenName: "Ada", MiddleName: "Augusta", Surname: "King",
		Generation: "Jr.", Nickname: "Ada", CompanyName: "Analytical Engines Ltd", Department: "Research",
		JobTitle: "Mathematician", Profession: "Programmer", SpouseName: "William King", Manager: "Charles Babbage",
		AssistantName: "Mary Somerville", OfficeLocation: "Room 12", BusinessHomePage: "https://engines.example",
		Birthday: "1815-12-10T11:59:00Z", WeddingAnniversary: "1604-07-08T11:59:00Z",
		Children: &wire.Strings{String: []string{"Byron", "Anne", "Ralph"}},
		EmailAddresses: &wire.EmailAddresses{Entry: []wire.EmailAddressEntry{
			{Key: "EmailAddress1", Value: "ada@engines.example"},
			{Key: "EmailAddress2", Value: "ada@home.example"},
			{Key: "EmailAddress3", Value: "countess@lovelace.example"},
		}},
		ImAddresses: &wire.ImAddresses{Entry: []wire.ImAddressEntry{
			{Key: "ImAddress1", Value: "xmpp:ada@engines.example"},
			{Key: "ImAddress2", Value: "sip:ada@engines.example"},
			{Key: "ImAddress3", Value: "ada.lovelace"},
		}},
		PhysicalAddresses: &wire.PhysicalAddresses{Entry: []wire.PhysicalAddressEntry{
			{Key: "Business", Street: "1 Engine Row\nBuilding 2", City: "London", State: "Greater London", PostalCode: "W1 1AA", CountryOrRegion: "United Kingdom"},
			{Key: "Home", Street: "12 St James's Square", City: "London", CountryOrRegion: "United Kingdom"},
			{Key: "Other", Street: "Newstead Abbey", City: "Ravenshead", PostalCode: "NG15 8NA"},
		}},
	}
	c.Body = &wire.Body{BodyType: wire.BodyTypeText, Value: "Notes, with; punctuation\\ and\nlines."}
	c.Categories = &wire.Strings{String: []string{"VIP", "Science, History"}}
	c.SetExtended(PrefixProperty, "Prof.")
	c.SetExtended(wire.GenderProperty, "1")
	c.SetExtended(wire.UIDProperty, "ada-uid-1815")
	c.PhoneNumbers = &wire.PhoneNumbers{}
	for i, k := range wire.PhoneKeys {
		c.PhoneNumbers.Entry = append(c.PhoneNumbers.Entry, wire.PhoneNumberEntry{Key: k, Value: "+44 20 7946 " + string(rune('A'+i))})
	}
	return c
}

// TestRoundTripEWS: EWS → vCard (3.0 and 4.0) → EWS keeps every mapped
// field, and Updates between the two finds nothing to do.
func TestRoundTripEWS(t *testing.T) {
	photo := &Photo{Data: []byte("\x89PNG\r\n\x1a\nimage"), ContentType: "image/png"}
	for _, version := range []string{"3.0", "4.0"} {
		t.Run(version, func(t *testing.T) {
			c := fullContact()
			want, is := CanonicalEWS(c, photo)
			if len(is) != 0 {
				t.Errorf("CanonicalEWS issues = %v", is)
			}
			if len(want) != 59 {
				t.Fatalf("CanonicalEWS has %d keys, want 59 (every mapped field that is set)", len(want))
			}
			empty := vcard.Card{vcard.FieldVersion: {{Value: version, Params: vcard.Params{}}}}
			card, _, err := MergeIntoVCard(empty, Canonical{}, c, photo)
			if err != nil {
				t.Fatal(err)
			}
			card = mustParse(t, Encode(card))
			if got := card.Value(vcard.FieldVersion); got != version {
				t.Errorf("VERSION = %q, want %q", got, version)
			}
			if got, _ := CanonicalVCard(card); got.Hash() != want.Hash() {
				t.Errorf("CanonicalVCard(card) differs in %v\n%s", got.Diff(want), Encode(card))
			}
			back, p, is, err := FromVCard(card)
			if err != nil || len(is) != 0 {
				t.Fatalf("FromVCard = %v, %v", is, err)
			}
			back = wireRoundTrip(t, back)
			if got, _ := CanonicalEWS(back, p); got.Hash() != want.Hash() {
				t.Errorf("CanonicalEWS(FromVCard(card)) differs in %v", got.Diff(want))
			}
			if us := Updates(c, back); len(us) != 0 {
				t.Errorf("Updates(c, FromVCard(ToVCard(c))) = %d updates, want none: first %v", len(us), us[0].Path)
			}
			if !bytes.Equal(p.Data, photo.Data) || p.ContentType != photo.ContentType {
				t.Errorf("photo = %q %q, want %q %q", p.Data, p.ContentType, photo.Data, photo.ContentType)
			}
		})
	}
}

// TestSamples maps the EWS samples of real servers.
func TestSamples(t *testing.T) {
	tests := []struct {
		file, fn, email, phoneKey, phone string
	}{
		{"30-getitem-contact-response.xml", "Tanja Plate", "tplate@example.com", "BusinessPhone", "5625550199"},
		{"32-getitem-contact-exo.xml", "John Smith", "john.smith@gmail.com", "HomePhone", "000"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c := sampleContact(t, tt.file)
			card, _, err := ToVCard(c, nil)
			if err != nil {
				t.Fatal(err)
			}
			card = mustParse(t, Encode(card))
			canon, _ := CanonicalVCard(card)
			if canon[keyFN] != tt.fn || canon["email.EmailAddress1"] != tt.email || canon["tel."+tt.phoneKey] != tt.phone {
				t.Errorf("CanonicalVCard(ToVCard(%s)) = %v", tt.file, canon)
			}
			if HashVCard(card) != HashEWS(c, nil) {
				t.Errorf("HashVCard(ToVCard(c)) != HashEWS(c): %v", canon.Diff(canonicalEWS(c, nil, nil)))
			}
			back, _, _, _ := FromVCard(card)
			if us := Updates(c, back); len(us) != 0 {
				t.Errorf("Updates(sample, FromVCard(ToVCard(sample))) = %d updates (%v), want none", len(us), us[0].Path)
			}
		})
	}
}
