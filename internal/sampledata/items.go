package sampledata

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// crlf joins content lines with CRLF (RFC 5545 section 3.1, RFC 2426 section 4) and folds lines
// longer than 75 octets.
func crlf(lines ...string) []byte {
	var b strings.Builder
	for _, l := range lines {
		for len(l) > 75 {
			b.WriteString(l[:75] + "\r\n ")
			l = l[75:]
		}
		b.WriteString(l + "\r\n")
	}
	return []byte(b.String())
}

type person struct {
	given, family, org, title string
	emails                    [][2]string // type, address
	phones                    [][2]string // type, number
	birthday                  string      // YYYY-MM-DD
	street, city, zip, nation string
	note                      string
	hue                       uint8
}

func (p person) card(uid string) object {
	lines := []string{"BEGIN:VCARD", "VERSION:3.0", "PRODID:-//EWS Connector//test data//EN", "UID:" + uid,
		"FN:" + p.given + " " + p.family, "N:" + p.family + ";" + p.given + ";;;"}
	if p.org != "" {
		lines = append(lines, "ORG:"+p.org, "TITLE:"+p.title)
	}
	for i, e := range p.emails {
		pref := ""
		if i == 0 {
			pref = ",PREF"
		}
		lines = append(lines, "EMAIL;TYPE=INTERNET,"+e[0]+pref+":"+e[1])
	}
	for _, t := range p.phones {
		lines = append(lines, "TEL;TYPE="+t[0]+":"+t[1])
	}
	if p.birthday != "" {
		lines = append(lines, "BDAY:"+p.birthday)
	}
	if p.street != "" {
		lines = append(lines, "ADR;TYPE=WORK:;;"+p.street+";"+p.city+";;"+p.zip+";"+p.nation)
	}
	if p.note != "" {
		lines = append(lines, "NOTE:"+p.note)
	}
	lines = append(lines, "CATEGORIES:Test data",
		"PHOTO;ENCODING=b;TYPE=PNG:"+base64.StdEncoding.EncodeToString(photo(p.hue)), "END:VCARD")
	return object{uid: uid, data: crlf(lines...)}
}

// localCards are written to the Nextcloud address book.
func localCards(suffix string, _ time.Time) []object {
	people := []person{
		{given: "Amelia", family: "Schneider", org: "Northwind Traders", title: "Head of Purchasing",
			emails:   [][2]string{{"WORK", "amelia.schneider@northwind.example"}, {"HOME", "amelia@schneider.example"}, {"OTHER", "a.schneider@mail.example"}},
			phones:   [][2]string{{"WORK,VOICE", "+49 30 1234567"}, {"CELL", "+49 171 2345678"}, {"HOME,VOICE", "+49 30 7654321"}},
			birthday: "1984-03-17", street: "Friedrichstraße 123", city: "Berlin", zip: "10117", nation: "Germany",
			note: "Prefers calls in the morning.", hue: 40},
		{given: "Rahul", family: "Mehta", org: "Contoso Ltd", title: "Account Manager",
			emails:   [][2]string{{"WORK", "rahul.mehta@contoso.example"}, {"HOME", "rahul.m@home.example"}},
			phones:   [][2]string{{"WORK,VOICE", "+44 20 7946 0018"}, {"CELL", "+44 7700 900123"}},
			birthday: "1990-11-02", street: "1 Canada Square", city: "London", zip: "E14 5AB", nation: "United Kingdom", hue: 200},
	}
	var out []object
	for i, p := range people {
		out = append(out, p.card(fmt.Sprintf("ews-test-local-contact-%d-%s", i+1, suffix)))
	}
	return out
}

// remoteCards are converted and created in the Exchange contacts folder.
func remoteCards(suffix string, _ time.Time) []object {
	people := []person{
		{given: "Sofia", family: "García", org: "Fabrikam Inc", title: "Chief Engineer",
			emails:   [][2]string{{"WORK", "sofia.garcia@fabrikam.example"}, {"HOME", "sofia@garcia.example"}, {"OTHER", "sgarcia@mail.example"}},
			phones:   [][2]string{{"WORK,VOICE", "+34 91 123 45 67"}, {"CELL", "+34 612 345 678"}, {"HOME,VOICE", "+34 91 765 43 21"}},
			birthday: "1979-07-05", street: "Calle de Alcalá 45", city: "Madrid", zip: "28014", nation: "Spain", hue: 120},
		{given: "Kenji", family: "Watanabe", org: "Adventure Works", title: "Designer",
			emails:   [][2]string{{"WORK", "kenji.watanabe@adventure-works.example"}, {"HOME", "kenji@watanabe.example"}},
			phones:   [][2]string{{"WORK,VOICE", "+81 3 1234 5678"}, {"CELL", "+81 90 1234 5678"}},
			birthday: "1993-01-28", hue: 250},
	}
	var out []object
	for i, p := range people {
		out = append(out, p.card(fmt.Sprintf("ews-test-remote-contact-%d-%s", i+1, suffix)))
	}
	return out
}

const (
	utc     = "20060102T150405Z"
	dateFmt = "20060102"
)

func vevent(uid string, now time.Time, body ...string) []string {
	return append([]string{"BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + now.UTC().Format(utc)}, append(body, "END:VEVENT")...)
}

func vcalendar(events ...[]string) []byte {
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//EWS Connector//test data//EN", "CALSCALE:GREGORIAN"}
	for _, e := range events {
		lines = append(lines, e...)
	}
	return crlf(append(lines, "END:VCALENDAR")...)
}

func alarm(minutes int) []string {
	return []string{"BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder", fmt.Sprintf("TRIGGER:-PT%dM", minutes), "END:VALARM"}
}

// day returns midnight UTC of the day n days after now's day, at hour h.
func day(now time.Time, n, h int) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d+n, h, 0, 0, 0, time.UTC)
}

// localEvents are written to the Nextcloud calendar: a meeting with attendees, a reminder and
// categories; an all-day event; a weekly series with one moved and one cancelled occurrence.
func localEvents(suffix string, now time.Time) []object {
	uid := func(n string) string { return "ews-test-local-" + n + "-" + suffix }
	meeting := vevent(uid("meeting"), now, append([]string{
		"DTSTART:" + day(now, 2, 9).Format(utc), "DTEND:" + day(now, 2, 10).Format(utc),
		"SUMMARY:Quarterly planning with Northwind", "LOCATION:Room 4.12",
		"DESCRIPTION:Agenda: budget\\, hiring\\, roadmap.", "CATEGORIES:Test data,Planning",
		"ORGANIZER;CN=Test User:mailto:organizer@example.com",
		"ATTENDEE;CN=Amelia Schneider;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:amelia.schneider@northwind.example",
		"ATTENDEE;CN=Rahul Mehta;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:rahul.mehta@contoso.example",
	}, alarm(15)...)...)
	allDay := vevent(uid("allday"), now,
		"DTSTART;VALUE=DATE:"+day(now, 5, 0).Format(dateFmt), "DTEND;VALUE=DATE:"+day(now, 6, 0).Format(dateFmt),
		"SUMMARY:Company offsite", "CATEGORIES:Test data", "TRANSP:TRANSPARENT")
	start := day(now, 1, 14)
	series := vevent(uid("weekly"), now, append([]string{
		"DTSTART:" + start.Format(utc), "DTEND:" + start.Add(30*time.Minute).Format(utc),
		"RRULE:FREQ=WEEKLY;COUNT=8", "EXDATE:" + start.AddDate(0, 0, 14).Format(utc),
		"SUMMARY:Weekly team sync", "CATEGORIES:Test data,Team",
	}, alarm(10)...)...)
	moved := vevent(uid("weekly"), now,
		"RECURRENCE-ID:"+start.AddDate(0, 0, 7).Format(utc),
		"DTSTART:"+start.AddDate(0, 0, 8).Add(time.Hour).Format(utc), "DTEND:"+start.AddDate(0, 0, 8).Add(90*time.Minute).Format(utc),
		"SUMMARY:Weekly team sync (moved)", "CATEGORIES:Test data,Team")
	return []object{
		{uid: uid("meeting"), data: vcalendar(meeting)},
		{uid: uid("allday"), data: vcalendar(allDay)},
		{uid: uid("weekly"), data: vcalendar(series, moved)},
	}
}

// remoteEvents are converted and created in the Exchange calendar folder (masters only).
func remoteEvents(suffix string, now time.Time) []object {
	uid := func(n string) string { return "ews-test-remote-" + n + "-" + suffix }
	review := vevent(uid("review"), now, append([]string{
		"DTSTART:" + day(now, 3, 13).Format(utc), "DTEND:" + day(now, 3, 14).Format(utc),
		"SUMMARY:Design review with Fabrikam", "LOCATION:Teams", "CATEGORIES:Test data,Review",
		"ORGANIZER;CN=Test User:mailto:organizer@example.com",
		"ATTENDEE;CN=Sofia García;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:sofia.garcia@fabrikam.example",
		"ATTENDEE;CN=Kenji Watanabe;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:kenji.watanabe@adventure-works.example",
	}, alarm(30)...)...)
	holiday := vevent(uid("holiday"), now,
		"DTSTART;VALUE=DATE:"+day(now, 9, 0).Format(dateFmt), "DTEND;VALUE=DATE:"+day(now, 11, 0).Format(dateFmt),
		"SUMMARY:Trade fair (two days)", "CATEGORIES:Test data", "TRANSP:TRANSPARENT")
	daily := vevent(uid("daily"), now, append([]string{
		"DTSTART:" + day(now, 1, 8).Format(utc), "DTEND:" + day(now, 1, 8).Add(15*time.Minute).Format(utc),
		"RRULE:FREQ=DAILY;COUNT=10", "SUMMARY:Stand-up", "CATEGORIES:Test data,Team",
	}, alarm(5)...)...)
	return []object{
		{uid: uid("review"), data: vcalendar(review)},
		{uid: uid("holiday"), data: vcalendar(holiday)},
		{uid: uid("daily"), data: vcalendar(daily)},
	}
}
