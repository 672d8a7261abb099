package ewssim

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
)

// ErrUnknownSeed is returned by Seed for a data set it does not know.
var ErrUnknownSeed = errors.New("ewssim: unknown seed")

// Seed fills every mailbox with a named data set. "demo" is a realistic, deterministic
// mailbox: contact folders with contacts (several emails and phones, addresses,
// birthdays, a contact photo) and calendars with single, all-day and recurring events
// (with a modified and a deleted occurrence), attendees, reminders, categories and time zones.
func (s *Server) Seed(name string) error {
	if name != "demo" {
		return fmt.Errorf("%w: %q", ErrUnknownSeed, name)
	}
	s.mu.Lock()
	var users []string
	for _, b := range s.boxList {
		users = append(users, b.smtp)
	}
	s.mu.Unlock()
	for _, u := range users {
		if err := s.seedDemo(u); err != nil {
			return err
		}
	}
	return nil
}

// demoPhoto renders a small deterministic JPEG for the contact photo.
func demoPhoto() string {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			img.Set(x, y, color.RGBA{uint8(40 + 10*x), uint8(90 + 5*y), 160, 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

type demoContact struct {
	given, surname, company, title, birthday string
	emails                                   []string
	phones                                   [][2]string
	home, business                           [4]string // street, city, postal code, country
	photo                                    bool
}

var demoContacts = map[string][]demoContact{
	"contacts": {
		{given: "Ada", surname: "Lovelace", company: "Analytical Engines Ltd", title: "Chief Mathematician", birthday: "1815-12-10T00:00:00Z",
			emails: []string{"ada@analytical.example", "ada.lovelace@home.example"}, phones: [][2]string{{"MobilePhone", "+44 7700 900123"}, {"BusinessPhone", "+44 20 7946 0018"}},
			home: [4]string{"12 St James's Square", "London", "SW1Y 4LE", "United Kingdom"}, photo: true},
		{given: "Grace", surname: "Hopper", company: "Navy Computing Lab", title: "Rear Admiral", birthday: "1906-12-09T00:00:00Z",
			emails: []string{"grace@navy.example"}, phones: [][2]string{{"BusinessPhone", "+1 202 555 0143"}, {"HomePhone", "+1 202 555 0178"}},
			business: [4]string{"1000 Navy Pentagon", "Washington", "20350", "United States"}},
		{given: "Jürgen", surname: "Müller", company: "Beispiel GmbH", title: "Einkauf",
			emails: []string{"j.mueller@beispiel.example", "juergen@privat.example", "jm@verein.example"}, phones: [][2]string{{"MobilePhone", "+49 151 23456789"}},
			home: [4]string{"Hauptstraße 5", "München", "80331", "Deutschland"}, business: [4]string{"Industriestraße 12", "Garching", "85748", "Deutschland"}},
		{given: "Amélie", surname: "Durand", company: "Société Exemple", birthday: "1990-02-28T00:00:00Z",
			emails: []string{"amelie.durand@exemple.example"}, phones: [][2]string{{"BusinessPhone", "+33 1 23 45 67 89"}, {"MobilePhone", "+33 6 12 34 56 78"}}},
		{given: "Kenji", surname: "Tanaka", company: "Example KK", title: "Engineer",
			emails: []string{"kenji@example.jp"}, phones: [][2]string{{"BusinessPhone", "+81 3 1234 5678"}}, business: [4]string{"1-1 Marunouchi", "Tokyo", "100-0005", "Japan"}},
		{given: "Zoë", surname: "O'Brien", birthday: "1985-07-04T00:00:00Z", emails: []string{"zoe.obrien@mail.example"}, phones: [][2]string{{"HomePhone", "+353 1 555 0101"}}},
	},
	"Team": {
		{given: "Linus", surname: "Berg", company: "Our Company", title: "Developer", emails: []string{"linus.berg@ourcompany.example"}, phones: [][2]string{{"BusinessPhone", "+46 8 555 0100"}}},
		{given: "Maria", surname: "Garcia", company: "Our Company", title: "Project Manager", birthday: "1988-03-15T00:00:00Z", emails: []string{"maria.garcia@ourcompany.example", "maria@home.example"}, phones: [][2]string{{"MobilePhone", "+34 600 123 456"}}},
		{given: "Sam", surname: "Lee", company: "Our Company", title: "Designer", emails: []string{"sam.lee@ourcompany.example"}},
	},
	"Suppliers": {
		{company: "Paper & Co", emails: []string{"orders@paper.example"}, phones: [][2]string{{"BusinessPhone", "+49 30 555 0199"}}, business: [4]string{"Papierweg 1", "Berlin", "10115", "Deutschland"}},
		{given: "Olu", surname: "Adeyemi", company: "Cables Unlimited", emails: []string{"olu@cables.example"}, phones: [][2]string{{"BusinessPhone", "+234 1 555 0123"}, {"BusinessFax", "+234 1 555 0124"}}},
	},
}

func esc(s string) string {
	var b bytes.Buffer
	xmlEscape(&b, s, false)
	return b.String()
}

func (c demoContact) xml() string {
	var b strings.Builder
	b.WriteString("<t:Contact>")
	if c.given != "" || c.surname != "" {
		fmt.Fprintf(&b, "<t:FileAs>%s</t:FileAs>", esc(strings.TrimPrefix(c.surname+", "+c.given, ", ")))
	} else {
		fmt.Fprintf(&b, "<t:FileAs>%s</t:FileAs>", esc(c.company))
	}
	if c.given != "" {
		fmt.Fprintf(&b, "<t:GivenName>%s</t:GivenName>", esc(c.given))
	}
	if c.company != "" {
		fmt.Fprintf(&b, "<t:CompanyName>%s</t:CompanyName>", esc(c.company))
	}
	if len(c.emails) > 0 {
		b.WriteString("<t:EmailAddresses>")
		for i, e := range c.emails {
			fmt.Fprintf(&b, `<t:Entry Key="EmailAddress%d">%s</t:Entry>`, i+1, esc(e))
		}
		b.WriteString("</t:EmailAddresses>")
	}
	addr := func(key string, a [4]string) string {
		if a[0] == "" {
			return ""
		}
		return fmt.Sprintf(`<t:Entry Key="%s"><t:Street>%s</t:Street><t:City>%s</t:City><t:CountryOrRegion>%s</t:CountryOrRegion><t:PostalCode>%s</t:PostalCode></t:Entry>`, key, esc(a[0]), esc(a[1]), esc(a[3]), esc(a[2]))
	}
	if pa := addr("Home", c.home) + addr("Business", c.business); pa != "" {
		b.WriteString("<t:PhysicalAddresses>" + pa + "</t:PhysicalAddresses>")
	}
	if len(c.phones) > 0 {
		b.WriteString("<t:PhoneNumbers>")
		for _, p := range c.phones {
			fmt.Fprintf(&b, `<t:Entry Key="%s">%s</t:Entry>`, p[0], esc(p[1]))
		}
		b.WriteString("</t:PhoneNumbers>")
	}
	if c.birthday != "" {
		fmt.Fprintf(&b, "<t:Birthday>%s</t:Birthday>", c.birthday)
	}
	if c.title != "" {
		fmt.Fprintf(&b, "<t:JobTitle>%s</t:JobTitle>", esc(c.title))
	}
	if c.surname != "" {
		fmt.Fprintf(&b, "<t:Surname>%s</t:Surname>", esc(c.surname))
	}
	b.WriteString("</t:Contact>")
	return b.String()
}

func firstID(resp *node, local string) string {
	var walk func(n *node) string
	walk = func(n *node) string {
		if n.Local == local {
			return n.attr("Id")
		}
		for _, k := range n.Kids {
			if id := walk(k); id != "" {
				return id
			}
		}
		return ""
	}
	return walk(resp)
}

const attendee = `<t:Attendee><t:Mailbox><t:Name>%s</t:Name><t:EmailAddress>%s</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType></t:Mailbox></t:Attendee>`

// demoEvents are CalendarItem bodies for the distinguished calendar.
var demoEvents = []string{
	// A single meeting with attendees, reminder, categories, location and a time zone.
	`<t:CalendarItem><t:Subject>Quarterly planning</t:Subject><t:Body BodyType="Text">Agenda:
1. Review Q4
2. Plan Q1</t:Body><t:Categories><t:String>Work</t:String><t:String>Planning</t:String></t:Categories><t:ReminderIsSet>true</t:ReminderIsSet><t:ReminderMinutesBeforeStart>15</t:ReminderMinutesBeforeStart><t:Start>2026-12-03T09:00:00Z</t:Start><t:End>2026-12-03T11:00:00Z</t:End><t:Location>Room 4.12</t:Location><t:RequiredAttendees>` +
		fmt.Sprintf(attendee, "Maria Garcia", "maria.garcia@ourcompany.example") + fmt.Sprintf(attendee, "Linus Berg", "linus.berg@ourcompany.example") +
		`</t:RequiredAttendees><t:OptionalAttendees>` + fmt.Sprintf(attendee, "Sam Lee", "sam.lee@ourcompany.example") +
		`</t:OptionalAttendees><t:StartTimeZone Id="W. Europe Standard Time"/><t:EndTimeZone Id="W. Europe Standard Time"/></t:CalendarItem>`,
	// All-day event.
	`<t:CalendarItem><t:Subject>Team offsite</t:Subject><t:Categories><t:String>Team</t:String></t:Categories><t:ReminderIsSet>false</t:ReminderIsSet><t:Start>2026-12-10T00:00:00Z</t:Start><t:End>2026-12-12T00:00:00Z</t:End><t:IsAllDayEvent>true</t:IsAllDayEvent><t:LegacyFreeBusyStatus>OOF</t:LegacyFreeBusyStatus><t:Location>Lake House</t:Location></t:CalendarItem>`,
	// Private appointment in New York time.
	`<t:CalendarItem><t:Subject>Dentist</t:Subject><t:Sensitivity>Private</t:Sensitivity><t:ReminderIsSet>true</t:ReminderIsSet><t:ReminderMinutesBeforeStart>60</t:ReminderMinutesBeforeStart><t:Start>2026-12-07T14:30:00Z</t:Start><t:End>2026-12-07T15:00:00Z</t:End><t:Location>Dr. Smith, 5th Ave</t:Location><t:StartTimeZone Id="Eastern Standard Time"/><t:EndTimeZone Id="Eastern Standard Time"/></t:CalendarItem>`,
	// Monthly relative recurrence without end (first Monday).
	`<t:CalendarItem><t:Subject>Monthly review</t:Subject><t:Start>2026-12-07T15:00:00Z</t:Start><t:End>2026-12-07T16:00:00Z</t:End><t:Recurrence><t:RelativeMonthlyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Monday</t:DaysOfWeek><t:DayOfWeekIndex>First</t:DayOfWeekIndex></t:RelativeMonthlyRecurrence><t:NoEndRecurrence><t:StartDate>2026-12-01</t:StartDate></t:NoEndRecurrence></t:Recurrence><t:StartTimeZone Id="W. Europe Standard Time"/><t:EndTimeZone Id="W. Europe Standard Time"/></t:CalendarItem>`,
	// Daily recurrence with an end date.
	`<t:CalendarItem><t:Subject>Sprint daily</t:Subject><t:ReminderIsSet>true</t:ReminderIsSet><t:ReminderMinutesBeforeStart>5</t:ReminderMinutesBeforeStart><t:Start>2026-12-14T08:45:00Z</t:Start><t:End>2026-12-14T09:00:00Z</t:End><t:Recurrence><t:DailyRecurrence><t:Interval>1</t:Interval></t:DailyRecurrence><t:EndDateRecurrence><t:StartDate>2026-12-14</t:StartDate><t:EndDate>2026-12-18</t:EndDate></t:EndDateRecurrence></t:Recurrence><t:StartTimeZone Id="W. Europe Standard Time"/><t:EndTimeZone Id="W. Europe Standard Time"/></t:CalendarItem>`,
}

// demoWeekly is the recurring meeting that gets a modified and a deleted occurrence.
const demoWeekly = `<t:CalendarItem><t:Subject>Weekly team meeting</t:Subject><t:Body BodyType="HTML">&lt;p&gt;Status round&lt;/p&gt;</t:Body><t:Categories><t:String>Team</t:String></t:Categories><t:ReminderIsSet>true</t:ReminderIsSet><t:ReminderMinutesBeforeStart>10</t:ReminderMinutesBeforeStart><t:Start>2026-11-30T09:00:00Z</t:Start><t:End>2026-11-30T09:30:00Z</t:End><t:Location>Teams</t:Location><t:RequiredAttendees>` +
	`%s</t:RequiredAttendees><t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Monday</t:DaysOfWeek><t:FirstDayOfWeek>Monday</t:FirstDayOfWeek></t:WeeklyRecurrence><t:NumberedRecurrence><t:StartDate>2026-11-30</t:StartDate><t:NumberOfOccurrences>12</t:NumberOfOccurrences></t:NumberedRecurrence></t:Recurrence><t:StartTimeZone Id="W. Europe Standard Time"/><t:EndTimeZone Id="W. Europe Standard Time"/></t:CalendarItem>`

var demoHolidays = []string{
	`<t:CalendarItem><t:Subject>New Year's Day</t:Subject><t:Start>2027-01-01T00:00:00Z</t:Start><t:End>2027-01-02T00:00:00Z</t:End><t:IsAllDayEvent>true</t:IsAllDayEvent><t:LegacyFreeBusyStatus>Free</t:LegacyFreeBusyStatus></t:CalendarItem>`,
	`<t:CalendarItem><t:Subject>Christmas Day</t:Subject><t:Start>2026-12-25T00:00:00Z</t:Start><t:End>2026-12-26T00:00:00Z</t:End><t:IsAllDayEvent>true</t:IsAllDayEvent><t:LegacyFreeBusyStatus>Free</t:LegacyFreeBusyStatus><t:Recurrence><t:AbsoluteYearlyRecurrence><t:DayOfMonth>25</t:DayOfMonth><t:Month>December</t:Month></t:AbsoluteYearlyRecurrence><t:NoEndRecurrence><t:StartDate>2026-12-25</t:StartDate></t:NoEndRecurrence></t:Recurrence></t:CalendarItem>`,
}

func (s *Server) seedDemo(user string) error {
	must := func(body string) (*node, error) { return s.exec(user, body) }
	// Folders.
	folders := map[string]string{}
	for _, f := range []struct{ name, elem, parent string }{
		{"Team", "ContactsFolder", "contacts"}, {"Suppliers", "ContactsFolder", "contacts"},
		{"Holidays", "CalendarFolder", "calendar"}, {"Project X", "CalendarFolder", "msgfolderroot"},
	} {
		resp, err := must(`<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId Id="` + f.parent + `"/></m:ParentFolderId><m:Folders><t:` + f.elem + `><t:DisplayName>` + f.name + `</t:DisplayName></t:` + f.elem + `></m:Folders></m:CreateFolder>`)
		if err != nil {
			return err
		}
		folders[f.name] = firstID(resp, "FolderId")
	}
	target := func(name string) string {
		if id, ok := folders[name]; ok {
			return `<t:FolderId Id="` + id + `"/>`
		}
		return `<t:DistinguishedFolderId Id="` + name + `"/>`
	}
	// Contacts, in a fixed folder order.
	for _, folder := range []string{"contacts", "Team", "Suppliers"} {
		var items strings.Builder
		for _, c := range demoContacts[folder] {
			items.WriteString(c.xml())
		}
		resp, err := must(`<m:CreateItem><m:SavedItemFolderId>` + target(folder) + `</m:SavedItemFolderId><m:Items>` + items.String() + `</m:Items></m:CreateItem>`)
		if err != nil {
			return err
		}
		for i, c := range demoContacts[folder] {
			if !c.photo {
				continue
			}
			id := findAllIDs(resp)[i]
			if _, err := must(`<m:CreateAttachment><m:ParentItemId Id="` + id + `"/><m:Attachments><t:FileAttachment><t:Name>ContactPicture.jpg</t:Name><t:ContentType>image/jpeg</t:ContentType><t:IsContactPhoto>true</t:IsContactPhoto><t:Content>` + demoPhoto() + `</t:Content></t:FileAttachment></m:Attachments></m:CreateAttachment>`); err != nil {
				return err
			}
		}
	}
	// Events.
	create := func(folder string, items ...string) (*node, error) {
		return must(`<m:CreateItem SendMeetingInvitations="SendToNone"><m:SavedItemFolderId>` + target(folder) + `</m:SavedItemFolderId><m:Items>` + strings.Join(items, "") + `</m:Items></m:CreateItem>`)
	}
	if _, err := create("calendar", demoEvents...); err != nil {
		return err
	}
	resp, err := create("calendar", fmt.Sprintf(demoWeekly, fmt.Sprintf(attendee, "Maria Garcia", "maria.garcia@ourcompany.example")))
	if err != nil {
		return err
	}
	master := firstID(resp, "ItemId")
	// Occurrence 3 moves to the afternoon with another room; occurrence 5 is cancelled.
	if _, err := must(`<m:UpdateItem ConflictResolution="AlwaysOverwrite" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:OccurrenceItemId RecurringMasterId="` + master + `" InstanceIndex="3"/><t:Updates>` +
		`<t:SetItemField><t:FieldURI FieldURI="calendar:Start"/><t:CalendarItem><t:Start>2026-12-14T13:00:00Z</t:Start></t:CalendarItem></t:SetItemField>` +
		`<t:SetItemField><t:FieldURI FieldURI="calendar:End"/><t:CalendarItem><t:End>2026-12-14T13:30:00Z</t:End></t:CalendarItem></t:SetItemField>` +
		`<t:SetItemField><t:FieldURI FieldURI="calendar:Location"/><t:CalendarItem><t:Location>Room 2.01</t:Location></t:CalendarItem></t:SetItemField>` +
		`</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`); err != nil {
		return err
	}
	if _, err := must(`<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToNone"><m:ItemIds><t:OccurrenceItemId RecurringMasterId="` + master + `" InstanceIndex="5"/></m:ItemIds></m:DeleteItem>`); err != nil {
		return err
	}
	if _, err := create("Holidays", demoHolidays...); err != nil {
		return err
	}
	_, err = create("Project X",
		`<t:CalendarItem><t:Subject>Project X kickoff</t:Subject><t:Start>2026-12-02T13:00:00Z</t:Start><t:End>2026-12-02T14:00:00Z</t:End><t:Location>Board room</t:Location><t:StartTimeZone Id="GMT Standard Time"/><t:EndTimeZone Id="GMT Standard Time"/></t:CalendarItem>`,
		`<t:CalendarItem><t:Subject>Project X milestone</t:Subject><t:Start>2027-01-15T00:00:00Z</t:Start><t:End>2027-01-16T00:00:00Z</t:End><t:IsAllDayEvent>true</t:IsAllDayEvent></t:CalendarItem>`)
	return err
}

func findAllIDs(resp *node) []string {
	var out []string
	var walk func(n *node)
	walk = func(n *node) {
		if n.Local == "ItemId" {
			out = append(out, n.attr("Id"))
		}
		for _, k := range n.Kids {
			walk(k)
		}
	}
	walk(resp)
	return out
}
