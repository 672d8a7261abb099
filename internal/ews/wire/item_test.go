package wire

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/reference"
)

// sharedDir finds ../shared beside the repository root, or EWS_SHARED_DIR.
func sharedDir(t *testing.T) string {
	t.Helper()
	return reference.Require(t, "ews-samples", "..")
}

// itemsOf decodes the first Items element of a sample envelope.
func itemsOf(t *testing.T, name string) Items {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(sharedDir(t), "ews-samples", name))
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("%s: no Items element: %v", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Items" {
			var items Items
			if err := d.DecodeElement(&items, &se); err != nil {
				t.Fatalf("%s: decode Items: %v", name, err)
			}
			return items
		}
	}
}

func TestDecodeRecurringMaster(t *testing.T) {
	items := itemsOf(t, "29-getitem-recurring-master-onprem.xml")
	if len(items) != 1 || items[0].CalendarItem == nil {
		t.Fatalf("items = %+v, want one CalendarItem", items)
	}
	ci := items[0].CalendarItem
	if ci.Subject != "Weekly Team Meeting" || ci.CalendarItemType != CalendarItemRecurringMaster {
		t.Errorf("Subject, CalendarItemType = %q, %q", ci.Subject, ci.CalendarItemType)
	}
	if ci.ItemId == nil || !strings.HasPrefix(ci.ItemId.ChangeKey, "DwAAAB") {
		t.Errorf("ItemId = %+v", ci.ItemId)
	}
	r := ci.Recurrence
	if r == nil || r.Weekly == nil || r.Weekly.DaysOfWeek != "Wednesday" || r.Numbered == nil || r.Numbered.NumberOfOccurrences != 4 {
		t.Fatalf("Recurrence = %+v", r)
	}
	if start, _, err := ParseDateTime(r.Numbered.StartDate); err != nil || start.Format("2006-01-02") != "2025-07-02" {
		t.Errorf("ParseDateTime(%q) = %v, %v", r.Numbered.StartDate, start, err)
	}
	if ci.LastOccurrence == nil || ci.LastOccurrence.Start != "2025-07-23T10:00:00Z" {
		t.Errorf("LastOccurrence = %+v", ci.LastOccurrence)
	}
	if ci.Organizer == nil || ci.Organizer.Mailbox.EmailAddress != "user@test.user.com" {
		t.Errorf("Organizer = %+v", ci.Organizer)
	}
	if ci.ReminderMinutesBeforeStart != "15" || ci.ReminderIsSet == nil || !*ci.ReminderIsSet {
		t.Errorf("reminder = %q, %v", ci.ReminderMinutesBeforeStart, ci.ReminderIsSet)
	}
}

func TestDecodeContact(t *testing.T) {
	for _, name := range []string{"30-getitem-contact-response.xml", "32-getitem-contact-exo.xml"} {
		t.Run(name, func(t *testing.T) {
			items := itemsOf(t, name)
			if len(items) == 0 || items[0].Contact == nil {
				t.Fatalf("items = %+v, want a Contact", items)
			}
			c := items[0].Contact
			if c.ItemId == nil || c.ItemId.Id == "" {
				t.Errorf("ItemId = %+v", c.ItemId)
			}
			if c.DisplayName == "" && c.GivenName == "" && c.Surname == "" {
				t.Errorf("no name decoded: %+v", c)
			}
		})
	}
}

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		in       string
		want     string
		floating bool
	}{
		{"2025-07-02T10:00:00Z", "2025-07-02T10:00:00Z", false},
		{"1955-06-06T00:00:00.18446744073709551600Z", "1955-06-06T00:00:00Z", false},
		{"2026-09-07T00:00:00.000000Z", "2026-09-07T00:00:00Z", false},
		{"2025-07-02Z", "2025-07-02T00:00:00Z", false},
		{"2025-07-02", "2025-07-02T00:00:00Z", true},
		{"2025-07-02T10:00:00", "2025-07-02T10:00:00Z", true},
		{"2025-07-02T10:00:00+02:00", "2025-07-02T08:00:00Z", false},
	}
	for _, tc := range tests {
		got, floating, err := ParseDateTime(tc.in)
		if err != nil || got.UTC().Format(time.RFC3339) != tc.want || floating != tc.floating {
			t.Errorf("ParseDateTime(%q) = %v, %v, %v; want %s, %v", tc.in, got.UTC().Format(time.RFC3339), floating, err, tc.want, tc.floating)
		}
	}
	for _, bad := range []string{"", "garbage", "2025-13-45"} {
		if _, _, err := ParseDateTime(bad); err == nil {
			t.Errorf("ParseDateTime(%q) = nil error, want one", bad)
		}
	}
}

func TestExtendedPropertyFirstWins(t *testing.T) {
	a, b := "first", "second"
	f := ItemFields{ExtendedProperty: []ExtendedProperty{
		{ExtendedFieldURI: ExtendedFieldURI{PropertySetId: strings.ToUpper(UIDPropertySetID), PropertyName: "ews_connector.uid", PropertyType: "String"}, Value: &a},
		{ExtendedFieldURI: UIDProperty, Value: &b},
	}}
	if got, ok := f.Extended(UIDProperty); !ok || got != "first" {
		t.Errorf("Extended(UIDProperty) = %q, %v; want first, true", got, ok)
	}
	f.SetExtended(UIDProperty, "new")
	if got, _ := f.Extended(UIDProperty); got != "new" {
		t.Errorf("after SetExtended: %q", got)
	}
	if _, ok := f.Extended(GenderProperty); ok {
		t.Error("Extended(GenderProperty) found a property that is not there")
	}
}

func boolPtr(b bool) *bool { return &b }

// sampleItems returns a contact and a recurring meeting with most of the
// mapped properties set.
func sampleItems() Items {
	uid := "uid-1@example.com"
	c := &Contact{
		ItemFields: ItemFields{
			Subject:    "Ada Lovelace",
			Body:       &Body{BodyType: BodyTypeText, Value: "Met at the conference."},
			Categories: &Strings{String: []string{"Friends", "Work"}},
		},
		FileAs: "Lovelace, Ada", DisplayName: "Ada Lovelace", GivenName: "Ada", MiddleName: "King", Nickname: "Ada",
		CompanyName:       "Analytical Engines Ltd",
		EmailAddresses:    &EmailAddresses{Entry: []EmailAddressEntry{{Key: EmailAddress1, Value: "ada@example.com"}, {Key: EmailAddress2, Value: "ada@home.example"}}},
		PhysicalAddresses: &PhysicalAddresses{Entry: []PhysicalAddressEntry{{Key: AddressHome, Street: "12 St James's Square", City: "London", PostalCode: "SW1Y 4JH", CountryOrRegion: "United Kingdom"}}},
		PhoneNumbers:      &PhoneNumbers{Entry: []PhoneNumberEntry{{Key: "MobilePhone", Value: "+44 20 7946 0000"}, {Key: "BusinessPhone", Value: "+44 20 7946 0001"}}},
		Birthday:          "1815-12-10T11:59:00Z", BusinessHomePage: "https://example.com/ada",
		Children:   &Strings{String: []string{"Byron", "Annabella"}},
		Department: "Research", Generation: "Jr.",
		ImAddresses: &ImAddresses{Entry: []ImAddressEntry{{Key: "ImAddress1", Value: "xmpp:ada@example.com"}}},
		JobTitle:    "Mathematician", Manager: "Charles Babbage", OfficeLocation: "Room 3",
		SpouseName: "William King", Surname: "Lovelace", WeddingAnniversary: "1835-07-08T11:59:00Z",
	}
	c.SetExtended(UIDProperty, uid)
	ci := &CalendarItem{
		ItemFields: ItemFields{
			Subject:                    "Weekly sync",
			Sensitivity:                "Private",
			Body:                       &Body{BodyType: BodyTypeHTML, Value: "<p>Agenda</p>"},
			Categories:                 &Strings{String: []string{"Work"}},
			Importance:                 "High",
			ReminderIsSet:              boolPtr(true),
			ReminderMinutesBeforeStart: "15",
		},
		UID:   uid,
		Start: "2026-03-02T09:00:00Z", End: "2026-03-02T10:00:00Z",
		IsAllDayEvent: boolPtr(false), LegacyFreeBusyStatus: "Busy", Location: "Room A",
		RequiredAttendees: &Attendees{Attendee: []Attendee{{Mailbox: Mailbox{Name: "Bob", EmailAddress: "bob@example.com"}}}},
		OptionalAttendees: &Attendees{Attendee: []Attendee{{Mailbox: Mailbox{EmailAddress: "carol@example.com"}}}},
		Recurrence: &Recurrence{
			Weekly:  &WeeklyRecurrence{Interval: 1, DaysOfWeek: "Monday Thursday", FirstDayOfWeek: "Monday"},
			EndDate: &EndDateRecurrence{StartDate: "2026-03-02", EndDate: "2026-06-30"},
		},
		StartTimeZone: &TimeZoneDefinition{Id: "W. Europe Standard Time"},
		EndTimeZone:   &TimeZoneDefinition{Id: "W. Europe Standard Time"},
	}
	ci.SetExtended(UIDProperty, uid)
	return Items{{Contact: c}, {CalendarItem: ci}}
}

func TestItemsRoundTrip(t *testing.T) {
	in := sampleItems()
	data, err := xml.Marshal(struct {
		XMLName xml.Name
		Items   Items `xml:"http://schemas.microsoft.com/exchange/services/2006/messages Items"`
	}{XMLName: xml.Name{Local: "Wrapper"}, Items: in})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Items Items `xml:"Items"`
	}
	if err := xml.Unmarshal(data, &out); err != nil {
		t.Fatalf("Unmarshal: %v\n%s", err, data)
	}
	if len(out.Items) != 2 || out.Items[0].Contact == nil || out.Items[1].CalendarItem == nil {
		t.Fatalf("round trip lost the order or the kinds: %+v", out.Items)
	}
	c := out.Items[0].Contact
	if c.PhysicalAddresses.Entry[0].City != "London" || c.EmailAddresses.Entry[1].Value != "ada@home.example" || c.Children.String[1] != "Annabella" {
		t.Errorf("contact round trip = %+v", c)
	}
	if uid, _ := c.Extended(UIDProperty); uid != "uid-1@example.com" {
		t.Errorf("contact UID = %q", uid)
	}
	ci := out.Items[1].CalendarItem
	if ci.Recurrence.Weekly.DaysOfWeek != "Monday Thursday" || ci.Recurrence.EndDate.EndDate != "2026-06-30" || ci.StartTimeZone.Id != "W. Europe Standard Time" {
		t.Errorf("calendar round trip = %+v", ci)
	}
}

// validate runs xmllint on an envelope with the official schema.
func validate(t *testing.T, body []byte) {
	t.Helper()
	env := []byte(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><RequestServerVersion xmlns="` + NSTypes + `" Version="Exchange2013_SP1"/></soap:Header><soap:Body>`)
	env = append(env, body...)
	env = append(env, "</soap:Body></soap:Envelope>"...)
	reference.ValidateEnvelope(t, env)
}

type createItem struct {
	XMLName                xml.Name `xml:"http://schemas.microsoft.com/exchange/services/2006/messages CreateItem"`
	SendMeetingInvitations string   `xml:"SendMeetingInvitations,attr"`
	Items                  Items    `xml:"http://schemas.microsoft.com/exchange/services/2006/messages Items"`
}

func TestCreateItemValidates(t *testing.T) {
	items := sampleItems()
	items[0].Contact.Attachments = &Attachments{Attachment: []Attachment{func() Attachment {
		a := NewFileAttachment("ContactPicture.jpg", "image/jpeg", []byte{0xff, 0xd8, 0xff})
		a.IsContactPhoto = boolPtr(true)
		return a
	}()}}
	for i, it := range items {
		data, err := xml.Marshal(createItem{SendMeetingInvitations: "SendToNone", Items: Items{it}})
		if err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
		validate(t, data)
	}
}

type updateItem struct {
	XMLName                               xml.Name    `xml:"http://schemas.microsoft.com/exchange/services/2006/messages UpdateItem"`
	ConflictResolution                    string      `xml:"ConflictResolution,attr"`
	SendMeetingInvitationsOrCancellations string      `xml:"SendMeetingInvitationsOrCancellations,attr"`
	ItemChanges                           itemChanges `xml:"http://schemas.microsoft.com/exchange/services/2006/messages ItemChanges"`
}

type itemChanges struct {
	Change []ItemChange `xml:"http://schemas.microsoft.com/exchange/services/2006/types ItemChange"`
}

func TestUpdateItemValidatesAndRoundTrips(t *testing.T) {
	changes := []ItemChange{
		{
			ItemId: &ItemId{Id: "AAMk=", ChangeKey: "CQAA"},
			Updates: Updates{
				{Kind: SetField, Path: Indexed("contacts:EmailAddress", EmailAddress2), Item: Item{Contact: &Contact{EmailAddresses: &EmailAddresses{Entry: []EmailAddressEntry{{Key: EmailAddress2, Value: "new@example.com"}}}}}},
				{Kind: SetField, Path: Indexed("contacts:PhysicalAddress:City", AddressHome), Item: Item{Contact: &Contact{PhysicalAddresses: &PhysicalAddresses{Entry: []PhysicalAddressEntry{{Key: AddressHome, City: "Paris"}}}}}},
				{Kind: DeleteField, Path: Indexed("contacts:PhoneNumber", "Pager")},
				{Kind: SetField, Path: Extended(UIDProperty), Item: Item{Contact: func() *Contact { c := &Contact{}; c.SetExtended(UIDProperty, "u1"); return c }()}},
				{Kind: SetField, Path: Field("contacts:GivenName"), Item: Item{Contact: &Contact{GivenName: "Ada"}}},
			},
		},
		{
			OccurrenceItemId: &OccurrenceItemId{RecurringMasterId: "AAMm=", ChangeKey: "DwAA", InstanceIndex: 3},
			Updates: Updates{
				{Kind: SetField, Path: Field("calendar:Start"), Item: Item{CalendarItem: &CalendarItem{Start: "2026-03-19T10:00:00Z"}}},
				{Kind: DeleteField, Path: Field("item:Body")},
			},
		},
	}
	data, err := xml.Marshal(updateItem{ConflictResolution: "NeverOverwrite", SendMeetingInvitationsOrCancellations: "SendToNone", ItemChanges: itemChanges{changes}})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, data)
	var back struct {
		ItemChanges []ItemChange `xml:"ItemChanges>ItemChange"`
	}
	if err := xml.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.ItemChanges) != 2 || len(back.ItemChanges[0].Updates) != 5 || len(back.ItemChanges[1].Updates) != 2 {
		t.Fatalf("round trip = %+v", back.ItemChanges)
	}
	u := back.ItemChanges[0].Updates
	if u[0].Path != Indexed("contacts:EmailAddress", EmailAddress2) || u[2].Kind != DeleteField || u[3].Path.Extended == nil {
		t.Errorf("updates = %+v", u)
	}
	if u[4].Item.Contact == nil || u[4].Item.Contact.GivenName != "Ada" {
		t.Errorf("set item = %+v", u[4].Item)
	}
	if back.ItemChanges[1].OccurrenceItemId.InstanceIndex != 3 {
		t.Errorf("occurrence = %+v", back.ItemChanges[1].OccurrenceItemId)
	}
}

func TestMarshalEmptyItemFails(t *testing.T) {
	if _, err := xml.Marshal(Items{{}}); err == nil {
		t.Error("Marshal(Items{{}}) = nil error, want ErrEmptyItem")
	}
}

func TestBase64Content(t *testing.T) {
	photo := []byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F'}
	a := NewFileAttachment("ContactPicture.jpg", "image/jpeg", photo)
	data, err := xml.Marshal(Attachments{Attachment: []Attachment{a}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("<Content>/9j/4AAQSkZJRg==</Content>")) {
		t.Errorf("Marshal = %s, want base64 content", data)
	}
	var back Attachments
	if err := xml.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Attachment) != 1 || !bytes.Equal(back.Attachment[0].Content, photo) {
		t.Errorf("round trip = %+v", back.Attachment)
	}
	var c Contact
	if err := xml.Unmarshal([]byte("<Contact><Photo>/9j/4AAQ\n  SkZJRg</Photo></Contact>"), &c); err != nil || !bytes.Equal(c.Photo, photo) {
		t.Errorf("Unmarshal wrapped, unpadded photo = %x, %v", c.Photo, err)
	}
	if err := xml.Unmarshal([]byte("<Contact><Photo>!!!</Photo></Contact>"), &c); err == nil {
		t.Error("Unmarshal of a bad base64 photo = nil error")
	}
}

func TestDictionaryKeys(t *testing.T) {
	var nilEmails *EmailAddresses
	if got := nilEmails.Keys(); got != nil {
		t.Errorf("nil EmailAddresses.Keys() = %v, want nil", got)
	}
	c := sampleItems()[0].Contact
	if got := c.EmailAddresses.Keys(); strings.Join(got, ",") != "EmailAddress1,EmailAddress2" {
		t.Errorf("EmailAddresses.Keys() = %v", got)
	}
	if got := c.PhoneNumbers.Keys(); strings.Join(got, ",") != "MobilePhone,BusinessPhone" {
		t.Errorf("PhoneNumbers.Keys() = %v", got)
	}
	if got := c.PhysicalAddresses.Keys(); strings.Join(got, ",") != "Home" {
		t.Errorf("PhysicalAddresses.Keys() = %v", got)
	}
	if got := c.ImAddresses.Keys(); strings.Join(got, ",") != "ImAddress1" {
		t.Errorf("ImAddresses.Keys() = %v", got)
	}
}
