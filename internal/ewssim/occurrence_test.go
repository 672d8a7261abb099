package ewssim

import (
	"strings"
	"testing"
)

const recurringItem = `<t:CalendarItem><t:Subject>Team sync</t:Subject><t:Start>2026-03-02T08:00:00Z</t:Start><t:End>2026-03-02T08:30:00Z</t:End><t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Monday Wednesday</t:DaysOfWeek></t:WeeklyRecurrence><t:NumberedRecurrence><t:StartDate>2026-03-02</t:StartDate><t:NumberOfOccurrences>10</t:NumberOfOccurrences></t:NumberedRecurrence></t:Recurrence><t:StartTimeZone Id="W. Europe Standard Time"/></t:CalendarItem>`

func TestRecurringMasterOccurrences(t *testing.T) {
	_, ts := testServer(t)
	master, _ := createCal(t, ts, recurringItem)
	occ := func(i string) string {
		return `<t:OccurrenceItemId RecurringMasterId="` + master + `" InstanceIndex="` + i + `"/>`
	}
	// Modify occurrence 3 (Monday 2026-03-09), delete occurrence 5 (Monday 2026-03-16).
	_, resp := call(t, ts, `<m:UpdateItem ConflictResolution="AlwaysOverwrite" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange>`+occ("3")+`<t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>Moved sync</t:Subject></t:CalendarItem></t:SetItemField><t:SetItemField><t:FieldURI FieldURI="calendar:Start"/><t:CalendarItem><t:Start>2026-03-09T12:00:00Z</t:Start></t:CalendarItem></t:SetItemField><t:SetItemField><t:FieldURI FieldURI="calendar:End"/><t:CalendarItem><t:End>2026-03-09T12:30:00Z</t:End></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)
	wantCodes(t, resp, "NoError")
	_, resp = call(t, ts, `<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToNone"><m:ItemIds>`+occ("5")+`</m:ItemIds></m:DeleteItem>`)
	wantCodes(t, resp, "NoError")

	_, resp = call(t, ts, `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="`+master+`"/></m:ItemIds></m:GetItem>`)
	wantCodes(t, resp, "NoError")
	if got := find(resp, "CalendarItemType").Text; got != "RecurringMaster" {
		t.Fatalf("CalendarItemType = %q, want RecurringMaster", got)
	}
	mo := find(resp, "ModifiedOccurrences")
	if mo == nil || len(mo.Kids) != 1 || find(mo, "OriginalStart").Text != "2026-03-09T08:00:00Z" || find(mo, "Start").Text != "2026-03-09T12:00:00Z" {
		t.Fatalf("ModifiedOccurrences = %+v, want one with OriginalStart 2026-03-09T08:00:00Z, Start 12:00", mo)
	}
	do := find(resp, "DeletedOccurrences")
	if do == nil || len(do.Kids) != 1 || find(do, "Start").Text != "2026-03-16T08:00:00Z" {
		t.Fatalf("DeletedOccurrences = %+v, want one at 2026-03-16T08:00:00Z", do)
	}
	// The 10th occurrence (Wednesday 2026-04-01) is after the DST change: 09:00 CEST = 07:00Z.
	if got := find(find(resp, "LastOccurrence"), "Start").Text; got != "2026-04-01T07:00:00Z" {
		t.Fatalf("LastOccurrence Start = %s, want 2026-04-01T07:00:00Z", got)
	}

	tests := []struct {
		id, code, typ, subject string
	}{
		{occ("3"), "NoError", "Exception", "Moved sync"},
		{occ("4"), "NoError", "Occurrence", "Team sync"},
		{occ("5"), "ErrorCalendarOccurrenceIsDeletedFromRecurrence", "", ""},
		{occ("11"), "ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange", "", ""},
	}
	for _, tt := range tests {
		_, resp := call(t, ts, `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds>`+tt.id+`</m:ItemIds></m:GetItem>`)
		wantCodes(t, resp, tt.code)
		if tt.typ == "" {
			continue
		}
		if got := find(resp, "CalendarItemType").Text; got != tt.typ {
			t.Fatalf("%s CalendarItemType = %s, want %s", tt.id, got, tt.typ)
		}
		if got := find(resp, "Subject").Text; got != tt.subject {
			t.Fatalf("%s Subject = %s, want %s", tt.id, got, tt.subject)
		}
		// The occurrence's own id resolves back to the master.
		occID := find(resp, "ItemId").attr("Id")
		_, m := call(t, ts, `<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds><t:RecurringMasterItemId OccurrenceId="`+occID+`"/></m:ItemIds></m:GetItem>`)
		if got := find(m, "ItemId").attr("Id"); got != master {
			t.Fatalf("RecurringMasterItemId(%s) = %s, want master %s", occID, got, master)
		}
	}
	// Changing the pattern drops the exceptions, as Exchange does.
	_, resp = call(t, ts, `<m:UpdateItem ConflictResolution="AlwaysOverwrite" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:ItemId Id="`+master+`"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="calendar:Recurrence"/><t:CalendarItem><t:Recurrence><t:DailyRecurrence><t:Interval>1</t:Interval></t:DailyRecurrence><t:NoEndRecurrence><t:StartDate>2026-03-02</t:StartDate></t:NoEndRecurrence></t:Recurrence></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)
	wantCodes(t, resp, "NoError")
	_, resp = call(t, ts, `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="`+master+`"/></m:ItemIds></m:GetItem>`)
	if find(resp, "ModifiedOccurrences") != nil || find(resp, "DeletedOccurrences") != nil || find(resp, "LastOccurrence") != nil {
		t.Fatalf("after pattern change the master still lists exceptions or a last occurrence")
	}
	if !strings.Contains(find(resp, "Recurrence").Kids[0].Local, "Daily") {
		t.Fatalf("Recurrence = %s, want DailyRecurrence", find(resp, "Recurrence").Kids[0].Local)
	}
}

func TestOccurrenceUpdateRules(t *testing.T) {
	_, ts := testServer(t)
	master, _ := createCal(t, ts, recurringItem) // Mon+Wed from 2026-03-02 08:00Z, 30 min
	field := func(name, value string) string {
		if value == "" {
			return ""
		}
		return `<t:SetItemField><t:FieldURI FieldURI="calendar:` + name + `"/><t:CalendarItem><t:` + name + `>` + value + `</t:` + name + `></t:CalendarItem></t:SetItemField>`
	}
	set := func(index, start, end string) *node {
		_, r := call(t, ts, `<m:UpdateItem ConflictResolution="AlwaysOverwrite" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:OccurrenceItemId RecurringMasterId="`+master+`" InstanceIndex="`+index+`"/><t:Updates>`+field("Start", start)+field("End", end)+`</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)
		return r
	}
	tests := []struct {
		name, index, start, end, code string
	}{
		{"end only, later the same day", "2", "", "2026-03-04T09:00:00Z", "NoError"},
		{"start only, after its end", "4", "2026-03-11T10:00:00Z", "", "ErrorCalendarEndDateIsEarlierThanStartDate"},
		{"onto the next occurrence's day", "3", "2026-03-11T07:00:00Z", "2026-03-11T07:30:00Z", "ErrorOccurrenceCrossingBoundary"},
		{"onto the previous occurrence's day", "3", "2026-03-04T07:00:00Z", "2026-03-04T07:30:00Z", "ErrorOccurrenceCrossingBoundary"},
		{"one day earlier, between neighbours", "3", "2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z", "NoError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCodes(t, set(tt.index, tt.start, tt.end), tt.code)
		})
	}
}
