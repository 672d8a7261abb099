package ewssim

import (
	"fmt"
	"net/http"
	"testing"
)

func TestCreateGetUpdateChangeKeys(t *testing.T) {
	_, ts := testServer(t)
	id, ck1 := createCal(t, ts, fmt.Sprintf(calItem, "Standup"))
	_, resp := call(t, ts, `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="`+id+`"/></m:ItemIds></m:GetItem>`)
	wantCodes(t, resp, "NoError")
	if got := find(resp, "Subject").Text; got != "Standup" {
		t.Fatalf("Subject = %q, want Standup", got)
	}
	if got := find(resp, "CalendarItemType").Text; got != "Single" {
		t.Fatalf("CalendarItemType = %q, want Single", got)
	}
	upd := func(ck, mode, subject string) *node {
		_, r := call(t, ts, `<m:UpdateItem ConflictResolution="`+mode+`" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:ItemId Id="`+id+`" ChangeKey="`+ck+`"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>`+subject+`</t:Subject></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)
		return r
	}
	r := upd(ck1, "NeverOverwrite", "Standup 2")
	wantCodes(t, r, "NoError")
	ck2 := find(r, "ItemId").attr("ChangeKey")
	if ck2 == ck1 || ck2 == "" {
		t.Fatalf("ChangeKey after update = %q, want new (old %q)", ck2, ck1)
	}
	// The stale ChangeKey is refused with NeverOverwrite and, for the same property, with AutoResolve.
	wantCodes(t, upd(ck1, "NeverOverwrite", "lost"), "ErrorIrresolvableConflict")
	wantCodes(t, upd(ck1, "AutoResolve", "lost"), "ErrorIrresolvableConflict")
	wantCodes(t, upd(ck1, "AlwaysOverwrite", "forced"), "NoError")
	_, resp = call(t, ts, `<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/></t:AdditionalProperties></m:ItemShape><m:ItemIds><t:ItemId Id="`+id+`"/></m:ItemIds></m:GetItem>`)
	if got := find(resp, "Subject").Text; got != "forced" {
		t.Fatalf("Subject = %q, want forced", got)
	}
}

func TestCalendarAttributesRequired(t *testing.T) {
	_, ts := testServer(t)
	_, resp := call(t, ts, `<m:CreateItem><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId><m:Items>`+fmt.Sprintf(calItem, "x")+`</m:Items></m:CreateItem>`)
	wantCodes(t, resp, "ErrorSendMeetingInvitationsRequired")
	id, ck := createCal(t, ts, fmt.Sprintf(calItem, "y"))
	_, resp = call(t, ts, `<m:UpdateItem ConflictResolution="AlwaysOverwrite"><m:ItemChanges><t:ItemChange><t:ItemId Id="`+id+`" ChangeKey="`+ck+`"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>z</t:Subject></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)
	wantCodes(t, resp, "ErrorSendMeetingInvitationsOrCancellationsRequired")
	_, resp = call(t, ts, `<m:DeleteItem DeleteType="HardDelete"><m:ItemIds><t:ItemId Id="`+id+`"/></m:ItemIds></m:DeleteItem>`)
	wantCodes(t, resp, "ErrorSendMeetingCancellationsRequired")
	_, resp = call(t, ts, `<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToNone"><m:ItemIds><t:ItemId Id="`+id+`"/><t:ItemId Id="`+id+`"/></m:ItemIds></m:DeleteItem>`)
	wantCodes(t, resp, "NoError", "ErrorItemNotFound")
}

func TestSchemaFaultOverHTTP(t *testing.T) {
	_, ts := testServer(t)
	st, resp := call(t, ts, `<m:GetItem><m:ItemIds><t:ItemId Id="x"/></m:ItemIds><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape></m:GetItem>`)
	if st != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", st)
	}
	if got := find(resp, "faultcode").Text; got != "a:ErrorSchemaValidation" {
		t.Fatalf("faultcode = %q, want a:ErrorSchemaValidation", got)
	}
	if find(resp, "Violation") == nil || find(resp, "LineNumber") == nil {
		t.Fatalf("fault lacks MessageXml Violation/LineNumber")
	}
}

func TestDatesNormalizedToUTC(t *testing.T) {
	_, ts := testServer(t)
	id, _ := createCal(t, ts, `<t:CalendarItem><t:Subject>tz</t:Subject><t:Start>2026-03-02T10:00:00+01:00</t:Start><t:End>2026-03-02T11:30:00.000+01:00</t:End></t:CalendarItem>`)
	_, resp := call(t, ts, `<m:GetItem><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="`+id+`"/></m:ItemIds></m:GetItem>`)
	if s, e := find(resp, "Start").Text, find(resp, "End").Text; s != "2026-03-02T09:00:00Z" || e != "2026-03-02T10:30:00Z" {
		t.Fatalf("Start/End = %s/%s, want 09:00Z/10:30Z", s, e)
	}
}

func TestReadOnlyPropertiesAndInlineAttachments(t *testing.T) {
	_, ts := testServer(t)
	_, resp := call(t, ts, `<m:CreateItem SendMeetingInvitations="SendToNone"><m:Items><t:CalendarItem><t:Subject>x</t:Subject><t:Start>2026-03-02T09:00:00Z</t:Start><t:End>2026-03-02T10:00:00Z</t:End><t:CalendarItemType>Single</t:CalendarItemType></t:CalendarItem></m:Items></m:CreateItem>`)
	wantCodes(t, resp, "ErrorInvalidPropertySet")
	if got := find(find(resp, "MessageXml"), "FieldURI").attr("FieldURI"); got != "calendar:CalendarItemType" {
		t.Fatalf("MessageXml FieldURI = %q, want calendar:CalendarItemType", got)
	}
	id, _ := createCal(t, ts, `<t:CalendarItem><t:Subject>with file</t:Subject><t:Attachments><t:FileAttachment><t:Name>agenda.txt</t:Name><t:ContentType>text/plain</t:ContentType><t:Content>aGVsbG8=</t:Content></t:FileAttachment></t:Attachments><t:Start>2026-03-02T09:00:00Z</t:Start><t:End>2026-03-02T10:00:00Z</t:End></t:CalendarItem>`)
	_, resp = call(t, ts, `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="`+id+`"/></m:ItemIds></m:GetItem>`)
	if find(resp, "HasAttachments").Text != "true" || find(find(resp, "FileAttachment"), "Name").Text != "agenda.txt" {
		t.Fatalf("item created with an attachment does not list it")
	}
	_, resp = call(t, ts, `<m:UpdateItem ConflictResolution="AlwaysOverwrite" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:ItemId Id="`+id+`"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:DateTimeCreated"/><t:CalendarItem><t:DateTimeCreated>2020-01-01T00:00:00Z</t:DateTimeCreated></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)
	wantCodes(t, resp, "ErrorInvalidPropertySet")
}
