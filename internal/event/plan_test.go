package event

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// weekly returns a weekly Tuesday 10:00 Berlin series from 2024-03-12 with
// the given extra master lines and override VEVENTs.
func weekly(t *testing.T, extra string, overrides ...[2]string) *Series {
	t.Helper()
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:plan@example.com\r\nDTSTAMP:20240101T000000Z\r\n")
	b.WriteString("DTSTART;TZID=Europe/Berlin:20240312T100000\r\nDTEND;TZID=Europe/Berlin:20240312T110000\r\nSUMMARY:Sync\r\nRRULE:FREQ=WEEKLY\r\n")
	b.WriteString(extra)
	b.WriteString("END:VEVENT\r\n")
	for _, o := range overrides {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:plan@example.com\r\nDTSTAMP:20240101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:%s\r\n"+
			"DTSTART;TZID=Europe/Berlin:%s\r\nDURATION:PT1H\r\nSUMMARY:Sync\r\nEND:VEVENT\r\n", o[0], o[1])
	}
	b.WriteString("END:VCALENDAR\r\n")
	cal, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := FromICal(cal, testOptions)
	if err != nil {
		t.Fatalf("FromICal() error %v", err)
	}
	return s
}

// created is the master as the server holds it right after CreateItem.
func created(s *Series) *wire.CalendarItem {
	m := *s.Master
	m.ItemId = &wire.ItemId{Id: "AAMk-master"}
	m.CalendarItemType = wire.CalendarItemRecurringMaster
	return &m
}

func paths(us wire.Updates) string {
	var out []string
	for _, u := range us {
		k := "set "
		if u.Kind == wire.DeleteField {
			k = "delete "
		}
		out = append(out, k+u.Path.String())
	}
	return strings.Join(out, ",")
}

func TestPlanAfterCreate(t *testing.T) {
	s := weekly(t, "EXDATE;TZID=Europe/Berlin:20240402T100000\r\n",
		[2]string{"20240326T100000", "20240327T140000"}, // moved to Wednesday
		[2]string{"20241029T100000", "20241029T103000"}) // after the DST change
	ws, issues, err := s.Plan(created(s), nil)
	if err != nil {
		t.Fatalf("Plan() error %v", err)
	}
	if len(issues) != 0 {
		t.Errorf("Plan() issues %v", issues)
	}
	var got []string
	for _, w := range ws {
		got = append(got, fmt.Sprintf("%d:%v:%s", w.InstanceIndex, w.Delete, paths(w.Updates)))
	}
	want := []string{
		"4:true:",
		"3:false:set calendar:Start,set calendar:End,set calendar:IsAllDayEvent,set calendar:StartTimeZone,set calendar:EndTimeZone",
		"34:false:set calendar:Start,set calendar:End,set calendar:IsAllDayEvent,set calendar:StartTimeZone,set calendar:EndTimeZone",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Plan() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if st := ws[1].Updates[0].Item.CalendarItem.Start; st != "2024-03-27T13:00:00Z" {
		t.Errorf("moved occurrence Start = %s, want 2024-03-27T13:00:00Z", st)
	}
	if st := ws[2].Updates[0].Item.CalendarItem.Start; st != "2024-10-29T09:30:00Z" {
		t.Errorf("DST occurrence Start = %s, want 2024-10-29T09:30:00Z (10:30 CET)", st)
	}
}

func TestPlanOrdersMovesAndRefusesCrossing(t *testing.T) {
	// 19 Mar → 27 Mar is only legal after 26 Mar → 29 Mar.
	s := weekly(t, "", [2]string{"20240319T100000", "20240327T100000"}, [2]string{"20240326T100000", "20240329T100000"})
	ws, issues, err := s.Plan(created(s), nil)
	if err != nil {
		t.Fatalf("Plan() error %v", err)
	}
	if len(issues) != 0 || len(ws) != 2 || ws[0].InstanceIndex != 3 || ws[1].InstanceIndex != 2 {
		t.Fatalf("Plan() = %+v, %v, want index 3 then 2", ws, issues)
	}
	// 26 Mar → 10 Apr crosses 2 and 9 Apr: refused.
	s = weekly(t, "", [2]string{"20240326T100000", "20240410T100000"})
	ws, issues, err = s.Plan(created(s), nil)
	if err != nil {
		t.Fatalf("Plan() error %v", err)
	}
	if len(ws) != 0 || len(issues) != 1 || !strings.Contains(issues[0].Msg, ErrOccurrenceCrossing.Error()) {
		t.Errorf("Plan(crossing) = %+v, %v, want one crossing issue", ws, issues)
	}
}

func TestPlanAgainstExistingExceptions(t *testing.T) {
	// Exchange already holds an exception (grommunio: OriginalStart at
	// midnight) that the local object no longer has: it is reset.
	s := weekly(t, "")
	m := created(s)
	exc := *s.Master
	exc.Recurrence = nil
	exc.Subject = "Changed in Outlook"
	exc.Start, exc.End = "2024-03-19T09:00:00Z", "2024-03-19T10:00:00Z"
	exc.OriginalStart = "2024-03-18T23:00:00Z" // 19 Mar 00:00 Berlin
	m.ModifiedOccurrences = &wire.ModifiedOccurrences{Occurrence: []wire.OccurrenceInfo{{ItemId: wire.ItemId{Id: "e1"}, Start: exc.Start, End: exc.End, OriginalStart: exc.OriginalStart}}}
	m.DeletedOccurrences = &wire.DeletedOccurrences{DeletedOccurrence: []wire.DeletedOccurrence{{Start: "2024-04-09T08:00:00Z"}}}
	ws, issues, err := s.Plan(m, []*wire.CalendarItem{&exc})
	if err != nil {
		t.Fatalf("Plan() error %v", err)
	}
	if len(ws) != 1 || ws[0].InstanceIndex != 2 || paths(ws[0].Updates) != "set item:Subject" {
		t.Errorf("Plan() = %+v, want a subject reset of instance 2", ws)
	}
	if len(issues) != 1 || !strings.Contains(issues[0].Msg, "cannot be restored") {
		t.Errorf("Plan() issues = %v, want one about the deleted occurrence", issues)
	}
}

func TestUpdates(t *testing.T) {
	s := weekly(t, "LOCATION:Room 1\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\n")
	old := created(s)
	if us, err := Updates(old, s.Master); err != nil || len(us) != 0 {
		t.Errorf("Updates(same) = %v, %v, want none", us, err)
	}
	s2 := weekly(t, "CATEGORIES:Work\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT30M\r\nEND:VALARM\r\n")
	s2.Master.Subject = "Sync (new)"
	us, err := Updates(old, s2.Master)
	if err != nil {
		t.Fatal(err)
	}
	want := "set item:Subject,delete calendar:Location,set item:Categories,set item:ReminderIsSet,set item:ReminderMinutesBeforeStart"
	if got := paths(us); got != want {
		t.Errorf("Updates() = %s, want %s", got, want)
	}
	for _, u := range us {
		if u.Kind == wire.SetField && u.Item.CalendarItem == nil {
			t.Errorf("update %s carries no item", u.Path)
		}
	}
	// The UID property is added to an item that lacks it.
	bare := *old
	bare.ExtendedProperty = nil
	us, _ = Updates(&bare, s.Master)
	if paths(us) != "set extended:"+wire.UIDPropertySetID+"/ews_connector.uid" {
		t.Errorf("Updates(no UID property) = %s", paths(us))
	}
	// A new recurrence pattern is one SetItemField of calendar:Recurrence.
	s3 := weekly(t, "")
	s3.Master.Recurrence = &wire.Recurrence{Daily: &wire.DailyRecurrence{Interval: 2}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-03-12"}}
	if us, _ := Updates(created(s), s3.Master); !strings.Contains(paths(us), "set calendar:Recurrence") {
		t.Errorf("Updates(new pattern) = %s", paths(us))
	}
	if _, err := Updates(&wire.CalendarItem{Start: "x"}, s.Master); !errors.Is(err, ErrInvalid) {
		t.Errorf("Updates(bad) error = %v", err)
	}
}

func TestAttachmentChanges(t *testing.T) {
	a := wire.NewFileAttachment("a.txt", "text/plain", []byte("A"))
	b := wire.NewFileAttachment("b.txt", "text/plain", []byte("B"))
	b2 := wire.NewFileAttachment("b.txt", "text/plain", []byte("B2"))
	oldA := a
	oldA.AttachmentId = &wire.AttachmentId{Id: "att-a"}
	oldB := b
	oldB.AttachmentId = &wire.AttachmentId{Id: "att-b"}
	old := &wire.CalendarItem{ItemFields: wire.ItemFields{Attachments: &wire.Attachments{Attachment: []wire.Attachment{oldA, oldB}}}}
	new := &wire.CalendarItem{ItemFields: wire.ItemFields{Attachments: &wire.Attachments{Attachment: []wire.Attachment{a, b2}}}}
	add, remove := AttachmentChanges(old, new)
	if len(add) != 1 || string(add[0].Content) != "B2" || len(remove) != 1 || remove[0].Id != "att-b" {
		t.Errorf("AttachmentChanges() = %+v, %+v, want add b2, remove att-b", add, remove)
	}
}

func TestPlanNothingToDo(t *testing.T) {
	s := weekly(t, "")
	ws, issues, err := s.Plan(created(s), nil)
	if err != nil || len(ws) != 0 || len(issues) != 0 {
		t.Errorf("Plan() = %v, %v, %v, want nothing", ws, issues, err)
	}
}

func TestPlanAllDay(t *testing.T) {
	cal := parseFile(t, "testdata/corpus/nextcloud-allday-weekly.ics")
	s, _, err := FromICal(cal, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	ws, issues, err := s.Plan(created(s), nil)
	if err != nil || len(issues) != 0 {
		t.Fatalf("Plan() error %v, issues %v", err, issues)
	}
	// 8 Apr is 1: 20 May is 7 (deleted), 3 Jun is 9 (moved to Tuesday).
	if len(ws) != 2 || !ws[0].Delete || ws[0].InstanceIndex != 7 || ws[1].InstanceIndex != 9 {
		t.Fatalf("Plan() = %+v, want delete 7, update 9", ws)
	}
	if st := ws[1].Updates[0].Item.CalendarItem.Start; st != "2024-06-03T22:00:00Z" {
		t.Errorf("moved all-day Start = %s, want 4 June 00:00 Berlin", st)
	}
	// Moving 3 June onto 10 June crosses the next occurrence.
	src := strings.Replace(string(readFile(t, "testdata/corpus/nextcloud-allday-weekly.ics")), "DTSTART;VALUE=DATE:20240604\nDTEND;VALUE=DATE:20240606", "DTSTART;VALUE=DATE:20240610\nDTEND;VALUE=DATE:20240612", 1)
	cal, err = Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s, _, err = FromICal(cal, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	ws, issues, _ = s.Plan(created(s), nil)
	if len(ws) != 1 || len(issues) != 1 || !strings.Contains(issues[0].Msg, "neighbouring") {
		t.Errorf("Plan(crossing all-day) = %+v, %v, want only the delete and a crossing issue", ws, issues)
	}
}
