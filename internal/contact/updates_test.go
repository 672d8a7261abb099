package contact

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

func TestUpdatesMinimal(t *testing.T) {
	type upd struct {
		kind wire.UpdateKind
		path string
		xml  string // substring of the update's XML, for a SetField
	}
	tests := []struct {
		name string
		edit func(c *wire.Contact)
		want []upd
	}{
		{"no change", func(c *wire.Contact) {}, nil},
		{"given name", func(c *wire.Contact) { c.GivenName = "Augusta" },
			[]upd{{wire.SetField, "contacts:GivenName", "<GivenName>Augusta</GivenName>"}}},
		{"email deleted", func(c *wire.Contact) { c.EmailAddresses.Entry = c.EmailAddresses.Entry[:1] },
			[]upd{{wire.DeleteField, "contacts:EmailAddress[EmailAddress2]", ""}, {wire.DeleteField, "contacts:EmailAddress[EmailAddress3]", ""}}},
		{"email changed", func(c *wire.Contact) { c.EmailAddresses.Entry[1].Value = "new@home.example" },
			[]upd{{wire.SetField, "contacts:EmailAddress[EmailAddress2]", `<Entry Key="EmailAddress2">new@home.example</Entry>`}}},
		{"one address part", func(c *wire.Contact) { c.PhysicalAddresses.Entry[1].City = "Bath" },
			[]upd{{wire.SetField, "contacts:PhysicalAddress:City[Home]", `<Entry Key="Home"><City>Bath</City></Entry>`}}},
		{"address part removed", func(c *wire.Contact) { c.PhysicalAddresses.Entry[0].State = "" },
			[]upd{{wire.DeleteField, "contacts:PhysicalAddress:State[Business]", ""}}},
		{"phone", func(c *wire.Contact) { c.PhoneNumbers.Entry[11].Value = "+44 7700 900000" },
			[]upd{{wire.SetField, "contacts:PhoneNumber[MobilePhone]", `<Entry Key="MobilePhone">+44 7700 900000</Entry>`}}},
		{"unmapped fields never count", func(c *wire.Contact) { c.Mileage = "12"; c.Initials = "A.K."; c.PostalAddressIndex = "Home" }, nil},
		{"gender", func(c *wire.Contact) { c.SetExtended(wire.GenderProperty, "2") },
			[]upd{{wire.SetField, "extended:0x3a4d", "<Value>2</Value>"}}},
		{"birthday", func(c *wire.Contact) { c.Birthday = "1815-12-11T00:00:00Z" },
			[]upd{{wire.SetField, "contacts:Birthday", "<Birthday>1815-12-11T11:59:00Z</Birthday>"}}},
		{"birthday same date other time", func(c *wire.Contact) { c.Birthday = "1815-12-10T00:00:00.18446744073709551600Z" }, nil},
		{"categories", func(c *wire.Contact) { c.Categories.String = append(c.Categories.String, "New") },
			[]upd{{wire.SetField, "item:Categories", "<String>New</String>"}}},
		{"note", func(c *wire.Contact) { c.Body = &wire.Body{BodyType: "Text", Value: "changed"} },
			[]upd{{wire.SetField, "item:Body", `<Body BodyType="Text">changed</Body>`}}},
		{"display name and FileAs", func(c *wire.Contact) { c.DisplayName = "Ada Lovelace" },
			[]upd{{wire.SetField, "contacts:DisplayName", ""}, {wire.SetField, "contacts:FileAs", "<FileAs>Ada Lovelace</FileAs>"}}},
		{"prefix", func(c *wire.Contact) { c.ExtendedProperty = nil; c.SetExtended(wire.GenderProperty, "1") },
			[]upd{{wire.DeleteField, "extended:0x3a45", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := fullContact()
			old.FileAs = old.DisplayName
			nw := fullContact()
			tt.edit(nw)
			nw.ExtendedProperty = append([]wire.ExtendedProperty(nil), nw.ExtendedProperty...)
			if uid, ok := old.Extended(wire.UIDProperty); ok {
				nw.SetExtended(wire.UIDProperty, uid)
			}
			us := Updates(old, nw)
			if len(us) != len(tt.want) {
				t.Fatalf("Updates = %d updates %v, want %d", len(us), paths(us), len(tt.want))
			}
			for i, w := range tt.want {
				u := us[i]
				if u.Kind != w.kind || u.Path.String() != w.path {
					t.Errorf("Updates[%d] = %v %s, want %v %s", i, u.Kind, u.Path, w.kind, w.path)
				}
				b, err := xml.Marshal(u)
				if err != nil {
					t.Fatalf("xml.Marshal(update) = %v", err)
				}
				if w.xml != "" && !strings.Contains(string(b), w.xml) {
					t.Errorf("Updates[%d] XML = %s, want %s", i, b, w.xml)
				}
				if u.Kind == wire.SetField && bytes.Count(b, []byte("<Entry ")) > 1 {
					t.Errorf("Updates[%d] sets more than one dictionary entry: %s", i, b)
				}
			}
		})
	}
}

func TestUpdatesUID(t *testing.T) {
	old := &wire.Contact{DisplayName: "A"}
	nw := &wire.Contact{DisplayName: "A"}
	nw.SetExtended(wire.UIDProperty, "u-1")
	us := Updates(old, nw)
	if len(us) != 1 || us[0].Path.Extended == nil || !us[0].Path.Extended.Same(wire.UIDProperty) {
		t.Fatalf("Updates = %v, want the UID property", paths(us))
	}
	if v, _ := us[0].Item.Contact.Extended(wire.UIDProperty); v != "u-1" {
		t.Errorf("UID value = %q", v)
	}
}

func TestUpdatesUnreadableBirthdayKept(t *testing.T) {
	old := &wire.Contact{DisplayName: "A", Birthday: "garbage"}
	if us := Updates(old, &wire.Contact{DisplayName: "A"}); len(us) != 0 {
		t.Errorf("Updates = %v, want the unreadable birthday left alone", paths(us))
	}
	if us := Updates(old, &wire.Contact{DisplayName: "A", Birthday: "2000-01-01T11:59:00Z"}); len(us) != 1 {
		t.Errorf("Updates = %v, want the birthday set", paths(us))
	}
}

func paths(us wire.Updates) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Path.String())
	}
	return out
}

func TestProperties(t *testing.T) {
	ps := Properties()
	have := map[string]bool{}
	for _, p := range ps {
		have[p.String()] = true
		switch p.FieldURI {
		case "contacts:EmailAddresses", "contacts:PhoneNumbers", "contacts:PhysicalAddresses", "contacts:ImAddresses":
			t.Errorf("Properties has the whole-dictionary %s, which grommunio ignores", p.FieldURI)
		}
	}
	want := []string{"contacts:EmailAddress[EmailAddress3]", "contacts:PhysicalAddress:Street[Business]",
		"contacts:PhysicalAddress:CountryOrRegion[Other]", "contacts:PhoneNumber[TtyTddPhone]", "contacts:ImAddress[ImAddress1]",
		"contacts:DisplayName", "contacts:Birthday", "item:Body", "item:Categories", "item:Attachments", "contacts:FileAs",
		"extended:0x3a4d", "extended:0x3a45", "extended:" + wire.UIDPropertySetID + "/ews_connector.uid"}
	for _, w := range want {
		if !have[w] {
			t.Errorf("Properties lacks %s", w)
		}
	}
	if len(ps) != len(have) {
		t.Errorf("Properties has %d paths, %d distinct", len(ps), len(have))
	}
	b, err := xml.Marshal(struct {
		XMLName xml.Name   `xml:"GetItem"`
		P       wire.Paths `xml:"AdditionalProperties"`
	}{P: ps})
	if err != nil || !bytes.Contains(b, []byte(`FieldURI="contacts:PhoneNumber" FieldIndex="MobilePhone"`)) {
		t.Errorf("xml.Marshal(Properties) = %s, %v", b, err)
	}
}
