package contact

import (
	"bytes"
	"strings"
	"testing"

	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// remoteOf returns the EWS contact FromVCard builds for card, and the
// canonical form of that state (the base of the next merge).
func remoteOf(t *testing.T, card vcard.Card) (*wire.Contact, Canonical) {
	t.Helper()
	c, _, _, err := FromVCard(card)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := CanonicalVCard(card)
	return c, base
}

func setPhone(c *wire.Contact, key, v string) {
	var out []wire.PhoneNumberEntry
	for _, e := range c.PhoneNumbers.Entry {
		if e.Key != key {
			out = append(out, e)
		}
	}
	if v != "" {
		out = append(out, wire.PhoneNumberEntry{Key: key, Value: v})
	}
	c.PhoneNumbers.Entry = out
}

func setEmail(c *wire.Contact, key, v string) {
	var out []wire.EmailAddressEntry
	for _, e := range c.EmailAddresses.Entry {
		if e.Key != key {
			out = append(out, e)
		}
	}
	if v != "" {
		out = append(out, wire.EmailAddressEntry{Key: key, Value: v})
	}
	c.EmailAddresses.Entry = out
}

// mergeTwice merges and checks that applying the same change again gives
// the same bytes.
func mergeTwice(t *testing.T, card vcard.Card, base Canonical, c *wire.Contact) vcard.Card {
	t.Helper()
	before := Encode(card)
	m1, _, err := MergeIntoVCard(card, base, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(Encode(card), before) {
		t.Fatalf("MergeIntoVCard modified its input")
	}
	m2, _, err := MergeIntoVCard(m1, base, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := Encode(m1), Encode(m2); !bytes.Equal(a, b) {
		t.Fatalf("merge is not idempotent:\n%s\n---\n%s", a, b)
	}
	return mustParse(t, Encode(m1))
}

func TestMergeKeepsUnmapped(t *testing.T) {
	card := mustParse(t, corpus(t)["ios.vcf"])
	c, base := remoteOf(t, card)
	c.DisplayName = "Johnny Appleseed"
	setPhone(c, "MobilePhone", "(408) 555-9999")
	setPhone(c, "HomePhone", "")
	setEmail(c, "EmailAddress1", "johnny@icloud.example")
	c.PhysicalAddresses.Entry = append(c.PhysicalAddresses.Entry, wire.PhysicalAddressEntry{Key: "Business", Street: "1 Apple Park Way", City: "Cupertino"})
	got := mergeTwice(t, card, base, c)

	out := unfold(Encode(got))
	for _, want := range []string{
		"FN:Johnny Appleseed",
		"item1.EMAIL;TYPE=INTERNET,pref:johnny@icloud.example", // value changed in place: group and params kept
		"item1.X-ABLABEL:_$!<Other>!$_",
		"TEL;TYPE=CELL,VOICE,pref:(408) 555-9999",
		"TEL;TYPE=IPHONE,CELL,VOICE:(408) 555-0001", // second mobile: overflow, untouched
		"item2.X-ABADR:us",
		"item4.X-ABRELATEDNAMES;TYPE=pref:Jane Appleseed",
		"X-SOCIALPROFILE;TYPE=twitter:https://twitter.example/jappleseed",
		"PRODID:-//Apple Inc.//iPhone OS 17.4//EN",
		"BDAY;X-APPLE-OMIT-YEAR=1604:1604-08-21",
		"ADR;TYPE=work:;;1 Apple Park Way;Cupertino;;;",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("merged card lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "555-1212") {
		t.Errorf("deleted home phone is still there:\n%s", out)
	}
	if HashVCard(got) != HashEWS(c, nil) {
		t.Errorf("HashVCard(merged) != HashEWS(remote): %v", canonicalVCard(got, nil, nil).Diff(canonicalEWS(c, nil, nil)))
	}
}

// TestMergeOverflow: deletions on EWS never cost the values EWS could not
// hold, even when the same change is applied again later.
func TestMergeOverflow(t *testing.T) {
	card := mustParse(t, corpus(t)["davx5.vcf"])
	c, base := remoteOf(t, card)
	setEmail(c, "EmailAddress2", "")
	setPhone(c, "BusinessPhone2", "")
	c.PhysicalAddresses = nil
	got := mergeTwice(t, card, base, c)
	out := unfold(Encode(got))
	for _, gone := range []string{"carlos@casa.example", "+34 91 222 2222", "Calle Mayor 1"} {
		if strings.Contains(out, gone) {
			t.Errorf("deleted %q still in the card", gone)
		}
	}
	for _, kept := range []string{"carlos@cuarto.example", "+34 91 333 3333", "Calle Menor 2", "X-ANDROID-CUSTOM", "X-PHONETIC-FIRST-NAME:Karlos", "ORG:Empresa SL;IT;Infraestructura"} {
		if !strings.Contains(out, kept) {
			t.Errorf("overflow %q lost:\n%s", kept, out)
		}
	}
	// A later remote change (the name) with the new base keeps the overflow
	// that moved into the freed slots.
	base2, _ := CanonicalEWS(c, nil)
	c.GivenName = "Carl"
	got2 := mergeTwice(t, got, base2, c)
	out2 := unfold(Encode(got2))
	for _, kept := range []string{"carlos@cuarto.example", "+34 91 333 3333", "Calle Menor 2", "N:Pérez;Carl;;;"} {
		if !strings.Contains(out2, kept) {
			t.Errorf("second merge lost %q:\n%s", kept, out2)
		}
	}
}

func TestMergeTable(t *testing.T) {
	head := []string{"BEGIN:VCARD", "VERSION:3.0", "UID:u1", "FN:Pat Doe", "N:Doe;Pat;;;"}
	tests := []struct {
		name    string
		local   []string // extra local lines
		edit    func(c *wire.Contact)
		localEd []string // lines the local side changed after the base (replace local)
		want    []string
		notWant []string
	}{
		{name: "remote deletes, local unchanged",
			local: []string{"EMAIL;TYPE=work:pat@work.example"}, edit: func(c *wire.Contact) { c.EmailAddresses = nil },
			notWant: []string{"pat@work.example"}},
		{name: "remote deletes, local edited: local wins",
			local: []string{"EMAIL;TYPE=work:pat@work.example"}, edit: func(c *wire.Contact) { c.EmailAddresses = nil },
			localEd: []string{"EMAIL;TYPE=work:pat@new.example"}, want: []string{"EMAIL;TYPE=work:pat@new.example"}},
		{name: "remote changes city, local changed street: both kept",
			local:   []string{"ADR;TYPE=home:PO 5;;1 Old St;Oldtown;;111;"},
			edit:    func(c *wire.Contact) { c.PhysicalAddresses.Entry[0].City = "Newtown" },
			localEd: []string{"ADR;TYPE=home:PO 5;;2 New St;Oldtown;;111;"},
			want:    []string{"ADR;TYPE=home:PO 5;;2 New St;Newtown;;111;"}},
		{name: "gender other is left alone when remote has none",
			local: []string{"GENDER:O;nonbinary"}, edit: func(c *wire.Contact) { c.Nickname = "P" },
			want: []string{"GENDER:O;nonbinary", "NICKNAME:P"}},
		{name: "remote sets gender over other, identity kept",
			local: []string{"GENDER:O;nonbinary"}, edit: func(c *wire.Contact) { c.SetExtended(wire.GenderProperty, "1") },
			want: []string{"GENDER:F;nonbinary"}},
		{name: "birthday text is left alone",
			local: []string{"BDAY;VALUE=text:circa 1800"}, edit: func(c *wire.Contact) { c.JobTitle = "Chief" },
			want: []string{"BDAY;VALUE=text:circa 1800", "TITLE:Chief"}},
		{name: "remote birthday replaces text",
			local: []string{"BDAY;VALUE=text:circa 1800"}, edit: func(c *wire.Contact) { c.Birthday = "1800-01-02T11:59:00Z" },
			want: []string{"BDAY:1800-01-02"}, notWant: []string{"VALUE=text"}},
		{name: "remote birthday without year in 3.0",
			edit: func(c *wire.Contact) { c.Birthday = "1604-04-15T11:59:00Z" },
			want: []string{"BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-15"}},
		{name: "unparseable remote birthday leaves local",
			local: []string{"BDAY:1970-01-01"}, edit: func(c *wire.Contact) { c.Birthday = "not a date" },
			want: []string{"BDAY:1970-01-01"}},
		{name: "categories: remote adds and removes, local extra kept",
			local: []string{"CATEGORIES:A,B", "CATEGORIES:C"}, edit: func(c *wire.Contact) { c.Categories = &wire.Strings{String: []string{"A", "C", "D"}} },
			want: []string{"CATEGORIES:A,D", "CATEGORIES:C"}, notWant: []string{"B"}},
		{name: "spouse in 3.0 via X-SPOUSE",
			edit: func(c *wire.Contact) { c.SpouseName = "Sam Doe" }, want: []string{"X-SPOUSE:Sam Doe"}},
		{name: "spouse alias keeps its name",
			local: []string{"X-EVOLUTION-SPOUSE:Sam"}, edit: func(c *wire.Contact) { c.SpouseName = "Sam Doe" },
			want: []string{"X-EVOLUTION-SPOUSE:Sam Doe"}, notWant: []string{"X-SPOUSE"}},
		{name: "children as set",
			local: []string{"X-CHILD;X-AGE=3:Kim"}, edit: func(c *wire.Contact) { c.Children = &wire.Strings{String: []string{"Kim", "Lee"}} },
			want: []string{"X-CHILD;X-AGE=3:Kim", "X-CHILD:Lee"}},
		{name: "tel uri form kept",
			local: []string{"TEL;TYPE=cell;VALUE=uri:tel:+1-555"}, edit: func(c *wire.Contact) { setPhone(c, "MobilePhone", "+1-556") },
			want: []string{"TEL;TYPE=cell;VALUE=uri:tel:+1-556"}},
		{name: "duplicate values on EWS",
			edit: func(c *wire.Contact) {
				c.EmailAddresses = &wire.EmailAddresses{Entry: []wire.EmailAddressEntry{{Key: "EmailAddress1", Value: "a@x"}, {Key: "EmailAddress2", Value: "a@x"}}}
			},
			want: []string{"EMAIL:a@x\r\nEMAIL:a@x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := append(append(append([]string{}, head...), tt.local...), "END:VCARD")
			card := mustParseString(t, lines...)
			c, base := remoteOf(t, card)
			if c.PhysicalAddresses == nil {
				c.PhysicalAddresses = &wire.PhysicalAddresses{}
			}
			if c.PhoneNumbers == nil {
				c.PhoneNumbers = &wire.PhoneNumbers{}
			}
			if c.EmailAddresses == nil {
				c.EmailAddresses = &wire.EmailAddresses{}
			}
			tt.edit(c)
			if tt.localEd != nil {
				lines = append(append(append([]string{}, head...), tt.localEd...), "END:VCARD")
				card = mustParseString(t, lines...)
			}
			got := mergeTwice(t, card, base, c)
			out := unfold(Encode(got))
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("merged card lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(strings.TrimPrefix(out, "BEGIN:VCARD"), w) {
					t.Errorf("merged card still has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestMergeV4(t *testing.T) {
	card := mustParse(t, corpus(t)["nextcloud-40.vcf"])
	c, base := remoteOf(t, card)
	c.SpouseName = "Marc D."
	c.Birthday = "1604-05-01T11:59:00Z"
	c.WeddingAnniversary = ""
	c.Children = &wire.Strings{String: []string{"Hugo", "Zoé"}}
	got := mergeTwice(t, card, base, c)
	out := unfold(Encode(got))
	for _, want := range []string{"RELATED;TYPE=spouse;VALUE=text:Marc D.", "BDAY:--0501", "RELATED;TYPE=child;VALUE=text:Hugo",
		"RELATED;TYPE=child;VALUE=text:Zoé", "RELATED;TYPE=friend;VALUE=uri:urn:uuid:1111", "GENDER:F;woman"} {
		if !strings.Contains(out, want) {
			t.Errorf("merged card lacks %q:\n%s", want, out)
		}
	}
	for _, gone := range []string{"ANNIVERSARY", "Chloé"} {
		if strings.Contains(out, gone) {
			t.Errorf("merged card still has %q", gone)
		}
	}
}

func TestMergeNewCardUID(t *testing.T) {
	c := &wire.Contact{GivenName: "Only", Surname: "Name"}
	c.SetExtended(wire.UIDProperty, "remote-uid")
	card, _, err := ToVCard(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if CardUID(card) != "remote-uid" || card.Value("FN") != "Only Name" || card.Value("VERSION") != "3.0" {
		t.Errorf("ToVCard = %s", Encode(card))
	}
	// The card's own UID is never replaced.
	card2, _, _ := MergeIntoVCard(mustParseString(t, "BEGIN:VCARD", "VERSION:3.0", "UID:local", "FN:X", "END:VCARD"), nil, c, nil)
	if CardUID(card2) != "local" {
		t.Errorf("CardUID after merge = %q, want local", CardUID(card2))
	}
	if _, _, err := MergeIntoVCard(card, nil, nil, nil); err == nil {
		t.Errorf("MergeIntoVCard(nil contact) = nil error")
	}
}

func TestMergePhoto(t *testing.T) {
	card := mustParse(t, corpus(t)["nextcloud-30.vcf"])
	c, base := remoteOf(t, card)
	_, oldPhoto, _, _ := FromVCard(card)
	newPhoto := &Photo{Data: []byte("\xff\xd8\xffnew"), ContentType: "image/jpeg"}
	got, _, err := MergeIntoVCard(card, base, c, newPhoto)
	if err != nil {
		t.Fatal(err)
	}
	if _, p, _, _ := FromVCard(got); p == nil || !bytes.Equal(p.Data, newPhoto.Data) {
		t.Errorf("photo after merge = %v, want the new one", p)
	}
	// Same photo, different encoding: nothing changes.
	same, _, _ := MergeIntoVCard(card, nil, c, oldPhoto)
	if !bytes.Equal(Encode(same), Encode(card)) {
		t.Errorf("merging the same photo changed the card")
	}
	// Remote removes the photo.
	gone, _, _ := MergeIntoVCard(card, base, c, nil)
	if len(gone["PHOTO"]) != 0 {
		t.Errorf("photo kept after the remote removed it")
	}
}
