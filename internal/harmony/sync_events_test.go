package harmony

import (
	"strings"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/event"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/store"
)

const icsHead = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//harmony//EN\r\n"

func singleICS(uid, summary, start, end string) []byte {
	return []byte(icsHead + "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:" + summary +
		"\r\nDTSTART:" + start + "\r\nDTEND:" + end + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
}

// weeklyICS is a weekly series of 10 with cancelled and moved occurrences.
func weeklyICS(uid, summary string, exdates []string, overrides map[string]string) []byte {
	s := icsHead + "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:" + summary +
		"\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\n"
	for _, x := range exdates {
		s += "EXDATE:" + x + "\r\n"
	}
	s += "END:VEVENT\r\n"
	for rid, sum := range overrides {
		start := strings.Replace(rid, "T090000Z", "T110000Z", 1)
		end := strings.Replace(rid, "T090000Z", "T120000Z", 1)
		s += "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:" + rid + "\r\nSUMMARY:" + sum +
			"\r\nDTSTART:" + start + "\r\nDTEND:" + end + "\r\nEND:VEVENT\r\n"
	}
	return []byte(s + "END:VCALENDAR\r\n")
}

// createRemoteEvent creates an ics in Exchange as another client would,
// without the app's UID property.
func (e *env) createRemoteEvent(l store.Link, ics []byte) wire.ItemId {
	e.t.Helper()
	cal, err := event.Parse(ics)
	if err != nil {
		e.t.Fatal(err)
	}
	s, _, err := event.FromICal(cal, event.Options{})
	if err != nil {
		e.t.Fatalf("FromICal() = %v", err)
	}
	s.Master.ExtendedProperty = nil
	f := ews.FolderID(l.RemoteFolderID)
	res, err := e.ews.CreateItems(e.ctx, &f, wire.Items{{CalendarItem: s.Master}})
	if err != nil || res[0].Err != nil {
		e.t.Fatalf("CreateItems() = %v, %v", err, res)
	}
	id := *res[0].Item().Fields().ItemId
	if len(s.Overrides) > 0 || len(s.Deleted) > 0 {
		full, err := e.ews.GetItems(e.ctx, wire.ItemRefs{ews.ItemRef(id)}, eventShape())
		if err != nil || full[0].Err != nil {
			e.t.Fatalf("GetItems() = %v", err)
		}
		writes, _, err := s.Plan(full[0].Item().CalendarItem, nil)
		if err != nil {
			e.t.Fatalf("Plan() = %v", err)
		}
		for _, w := range writes {
			if w.Delete {
				if r, err := e.ews.DeleteItems(e.ctx, wire.ItemRefs{ews.OccurrenceRef(id.Id, w.InstanceIndex)}, "HardDelete"); err != nil || r[0].Err != nil {
					e.t.Fatalf("DeleteItems(occurrence) = %v %v", err, r)
				}
				continue
			}
			r, err := e.ews.UpdateItems(e.ctx, []wire.ItemChange{{OccurrenceItemId: &wire.OccurrenceItemId{RecurringMasterId: id.Id, InstanceIndex: w.InstanceIndex}, Updates: w.Updates}}, ews.AutoResolve)
			if err != nil || r[0].Err != nil {
				e.t.Fatalf("UpdateItems(occurrence) = %v %v", err, r)
			}
		}
	}
	return id
}

func TestSyncEventsWithRecurrences(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	l := e.newLink(store.KindCalendar, "Work", nil)
	e.putLocal(l, "standup", weeklyICS("standup-uid", "Standup", []string{"20260119T090000Z"}, map[string]string{"20260126T090000Z": "Standup (moved)"}))
	e.putLocal(l, "lunch", singleICS("lunch-uid", "Lunch", "20260110T120000Z", "20260110T130000Z"))
	e.createRemoteEvent(l, singleICS("remote-single", "Review", "20260112T140000Z", "20260112T150000Z"))
	e.createRemoteEvent(l, weeklyICS("remote-series", "Gym", []string{"20260112T090000Z"}, map[string]string{"20260202T090000Z": "Gym (late)"}))

	res := e.sync(l)
	if res.Local.Created != 2 || res.Remote.Created != 2 || len(res.Errors) != 0 {
		t.Fatalf("first sync = %+v; want 2 created per side", res)
	}
	local, remote := e.assertHarmony(l)
	if len(local) != 4 {
		t.Fatalf("items = %d, want 4", len(local))
	}
	if got := remote["standup-uid"].Exceptions; len(got) != 1 || got[0].Subject != "Standup (moved)" {
		t.Errorf("Exchange standup exceptions = %d, want the moved occurrence", len(got))
	}
	if m := remote["standup-uid"].Master; m.DeletedOccurrences == nil || len(m.DeletedOccurrences.DeletedOccurrence) != 1 {
		t.Errorf("Exchange standup DeletedOccurrences = %+v, want one", m.DeletedOccurrences)
	}
	var gymUID string
	for u, data := range local {
		if strings.Contains(string(data), "Gym (late)") {
			gymUID = u
			if !strings.Contains(string(data), "RECURRENCE-ID") || !strings.Contains(string(data), "EXDATE") {
				t.Errorf("local gym lacks its exception or EXDATE:\n%s", data)
			}
		}
	}
	if gymUID == "" {
		t.Fatal("the remote series did not reach Nextcloud with its exception")
	}

	// Move an occurrence in Exchange: it comes to Nextcloud as an override.
	g := remote[gymUID]
	up := &wire.CalendarItem{ItemFields: wire.ItemFields{Subject: "Gym (changed in Outlook)"}}
	ur, err := e.ews.UpdateItems(e.ctx, []wire.ItemChange{{OccurrenceItemId: &wire.OccurrenceItemId{RecurringMasterId: g.ID, InstanceIndex: 5},
		Updates: wire.Updates{{Kind: wire.SetField, Path: wire.Field("item:Subject"), Item: wire.Item{CalendarItem: up}}}}}, ews.AutoResolve)
	if err != nil || ur[0].Err != nil {
		t.Fatalf("UpdateItems(occurrence 5) = %v %v", err, ur)
	}
	// Cancel an occurrence in Nextcloud: it goes to Exchange.
	e.putLocal(l, "standup", weeklyICS("standup-uid", "Standup", []string{"20260119T090000Z", "20260209T090000Z"}, map[string]string{"20260126T090000Z": "Standup (moved)"}))
	res = e.sync(l)
	if res.Local.Updated != 1 || res.Remote.Updated != 1 || len(res.Errors) != 0 {
		t.Fatalf("occurrence sync = %+v; want one update per side", res)
	}
	local, remote = e.assertHarmony(l)
	if !strings.Contains(string(local[gymUID]), "Gym (changed in Outlook)") {
		t.Errorf("local gym lacks the Outlook change:\n%s", local[gymUID])
	}
	if m := remote["standup-uid"].Master; m.DeletedOccurrences == nil || len(m.DeletedOccurrences.DeletedOccurrence) != 2 {
		t.Errorf("Exchange standup DeletedOccurrences = %+v, want two", m.DeletedOccurrences)
	}
	if res := e.sync(l); res.Changed() {
		t.Errorf("quiet sync = %+v, want no change", res)
	}
}

// Inline attachments travel as Exchange file attachments and back.
func TestEventAttachments(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	l := e.newLink(store.KindCalendar, "Attach", nil)
	ics := strings.Replace(string(singleICS("att-uid", "With file", "20260110T120000Z", "20260110T130000Z")), "END:VEVENT",
		"ATTACH;VALUE=BINARY;ENCODING=BASE64;FMTTYPE=text/plain;FILENAME=notes.txt:aGVsbG8gd29ybGQ=\r\nEND:VEVENT", 1)
	e.putLocal(l, "att", []byte(ics))
	if res := e.sync(l); res.Remote.Created != 1 || len(res.Errors) != 0 {
		t.Fatalf("sync = %+v", res)
	}
	_, remote := e.assertHarmony(l)
	m := remote["att-uid"].Master
	if m.Attachments == nil || len(m.Attachments.Attachment) != 1 || string(m.Attachments.Attachment[0].Content) != "hello world" {
		t.Fatalf("Exchange attachments = %+v, want notes.txt", m.Attachments)
	}
	// Replaced in Nextcloud: the attachment is swapped in Exchange.
	e.putLocal(l, "att", []byte(strings.Replace(ics, "aGVsbG8gd29ybGQ=", "Ynll", 1)))
	if res := e.sync(l); res.Remote.Updated != 1 || len(res.Errors) != 0 {
		t.Fatalf("sync = %+v", res)
	}
	_, remote = e.assertHarmony(l)
	if m := remote["att-uid"].Master; m.Attachments == nil || len(m.Attachments.Attachment) != 1 || string(m.Attachments.Attachment[0].Content) != "bye" {
		t.Errorf("Exchange attachments after the change = %+v, want only the new one", m.Attachments)
	}
	if res := e.sync(l); res.Changed() {
		t.Errorf("quiet sync = %+v", res)
	}
}
