package event

import (
	"strings"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// TestMergeRemoteChange applies changes made in Outlook to the Nextcloud
// meeting and checks what changed and what stayed.
func TestMergeRemoteChange(t *testing.T) {
	cal := parseFile(t, "testdata/corpus/nextcloud-weekly-berlin.ics")
	s, _, err := FromICal(cal, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	master, excs := fakeServer(t, s, true)
	master.Subject = "Team sync (new name)"
	master.LegacyFreeBusyStatus = "OOF"
	master.Importance = "High"
	master.ReminderMinutesBeforeStart = "30"
	master.Categories = &wire.Strings{String: []string{"Work", "Team", "Q3"}}
	master.Body = &wire.Body{BodyType: wire.BodyTypeHTML, Value: "<html><body><p>New <b>agenda</b></p></body></html>"}
	master.IsMeeting = boolPtr(true)
	master.Organizer = &wire.SingleRecipient{Mailbox: wire.Mailbox{Name: "Anna Schmidt", EmailAddress: "anna@example.com"}}
	master.RequiredAttendees.Attendee[0].ResponseType = "Decline"
	master.DeletedOccurrences.DeletedOccurrence = append(master.DeletedOccurrences.DeletedOccurrence, wire.DeletedOccurrence{Start: "2024-04-16T08:00:00Z"})
	excs[0].Subject = "Moved, renamed in Outlook"
	merged, _, err := MergeIntoICal(cal, master, excs, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rawLines(t, merged), "\n")
	for _, want := range []string{
		"SUMMARY:Team sync (new name)",
		"X-MICROSOFT-CDO-BUSYSTATUS:OOF",
		"TRANSP:OPAQUE",
		"PRIORITY:1",
		"CATEGORIES:Work,Team,Q3",
		"DESCRIPTION:New agenda",
		"X-ALT-DESC;FMTTYPE=text/html:<html><body><p>New <b>agenda</b></p></body></html>",
		"TRIGGER:-PT30M",
		"EXDATE;TZID=Europe/Berlin:20240402T100000,20240416T100000",
		"ATTENDEE;CN=Ben Meyer;PARTSTAT=DECLINED;ROLE=REQ-PARTICIPANT:mailto:ben@example.com",
		`SUMMARY:Moved\, renamed in Outlook`,
		"ORGANIZER;CN=Anna Schmidt:mailto:anna@example.com",
		// Kept: what EWS cannot hold.
		"COLOR:darkorange", "GEO:52.520008;13.404954", "URL:https://wiki.example.com/team-sync", "X-NC-GROUP-ID:42",
		"ACTION:EMAIL", "TRIGGER;RELATED=START:-P1D", "CREATED:20240301T090000Z", "SEQUENCE:3",
		"ATTENDEE;CN=Anna Schmidt;CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:anna@example.com",
		"UID:6f0e3a2c-1b5d-4c8e-9f7a-2d4b6c8e0a1f",
		"LAST-MODIFIED:20240601T100000Z",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("merged object lacks %q", want)
		}
	}
	if strings.Contains(got, "Team sync (moved to Wednesday)") {
		t.Errorf("override summary not updated")
	}
	// Same remote state again: same bytes.
	again, _, _ := MergeIntoICal(merged, master, excs, testOptions)
	b1, _ := Encode(merged)
	b2, _ := Encode(again)
	if string(b1) != string(b2) {
		t.Errorf("merge not idempotent")
	}
	// And the hashes agree.
	hi, _ := HashICal(merged, testOptions)
	he, _ := HashEWS(master, excs)
	if hi != he {
		t.Errorf("HashICal(merged) = %s, HashEWS() = %s", hi, he)
	}
	// Removing an exception in Exchange drops the local override.
	master.ModifiedOccurrences.Occurrence = master.ModifiedOccurrences.Occurrence[1:]
	merged, _, _ = MergeIntoICal(merged, master, excs[1:], testOptions)
	if n := strings.Count(strings.Join(rawLines(t, merged), "\n"), "RECURRENCE-ID"); n != 1 {
		t.Errorf("merged object has %d overrides, want 1", n)
	}
}

func TestMergeAppointmentHasNoOrganizer(t *testing.T) {
	ci := &wire.CalendarItem{Start: "2024-06-15T12:00:00Z", End: "2024-06-15T13:00:00Z", UID: "appt@example.com",
		Organizer: &wire.SingleRecipient{Mailbox: wire.Mailbox{Name: "Me", EmailAddress: "me@example.com"}}}
	ci.Subject = "Dentist"
	cal, _, err := MergeIntoICal(nil, ci, nil, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rawLines(t, cal), "\n"); strings.Contains(got, "ORGANIZER") || !strings.Contains(got, "DTSTART:20240615T120000Z") {
		t.Errorf("appointment object =\n%s\nwant no ORGANIZER and a UTC DTSTART", got)
	}
}

func TestMergeSkipsNonSMTPAttendees(t *testing.T) {
	ci := &wire.CalendarItem{Start: "2024-06-15T12:00:00Z", End: "2024-06-15T13:00:00Z", UID: "ex@example.com",
		RequiredAttendees: &wire.Attendees{Attendee: []wire.Attendee{
			{Mailbox: wire.Mailbox{Name: "Internal", EmailAddress: "/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=abc", RoutingType: "EX"}, ResponseType: "Accept"},
			{Mailbox: wire.Mailbox{Name: "Bad\nName", EmailAddress: "x@example.com\r\nINJECT:1"}},
			{Mailbox: wire.Mailbox{Name: "Quote \"Q\"", EmailAddress: "q@example.com"}, ResponseType: "Tentative"},
		}}}
	cal, _, err := MergeIntoICal(nil, ci, nil, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encode(cal)
	if err != nil {
		t.Fatalf("Encode() error %v", err)
	}
	got := string(data)
	if strings.Contains(got, "ExchangeLabs") || strings.Contains(got, "INJECT") || !strings.Contains(got, "CN=Quote Q;PARTSTAT=TENTATIVE") {
		t.Errorf("object =\n%s\nwant only the SMTP attendee, CN without quotes", got)
	}
	back, _ := Parse(data)
	hi, _ := HashICal(back, testOptions)
	he, _ := HashEWS(ci, nil)
	if hi != he {
		t.Errorf("HashICal() = %s, HashEWS() = %s, want equal", hi, he)
	}
}
