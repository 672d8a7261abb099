package ewssim

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkSyncFolderItemsFull measures a full IdOnly+UID sync of 1,000 items (2 pages).
func BenchmarkSyncFolderItemsFull(b *testing.B) {
	s := New(Options{Users: []User{{Name: "alice", Password: "secret"}}})
	for n := 0; n < 10; n++ {
		var items strings.Builder
		for i := 0; i < 100; i++ {
			fmt.Fprintf(&items, `<t:CalendarItem><t:Subject>E%d</t:Subject><t:ExtendedProperty><t:ExtendedFieldURI %s/><t:Value>uid-%d</t:Value></t:ExtendedProperty><t:Start>2026-03-02T09:00:00Z</t:Start><t:End>2026-03-02T10:00:00Z</t:End></t:CalendarItem>`, i, uidSet, n*100+i)
		}
		if _, err := s.exec("alice", `<m:CreateItem SendMeetingInvitations="SendToNone"><m:Items>`+items.String()+`</m:Items></m:CreateItem>`); err != nil {
			b.Fatal(err)
		}
	}
	req := `<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:ExtendedFieldURI ` + uidSet + `/></t:AdditionalProperties></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="calendar"/></m:SyncFolderId>%s<m:MaxChangesReturned>512</m:MaxChangesReturned></m:SyncFolderItems>`
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		state := ""
		for {
			st := ""
			if state != "" {
				st = "<m:SyncState>" + state + "</m:SyncState>"
			}
			resp, err := s.exec("alice", fmt.Sprintf(req, st))
			if err != nil {
				b.Fatal(err)
			}
			writeResponse(resp)
			msg := resp.Kids[0].Kids[0]
			state = msg.childText("SyncState")
			if msg.childText("IncludesLastItemInRange") == "true" {
				break
			}
		}
	}
}

// BenchmarkParseEnvelope measures strict parsing and schema validation of a 50-item CreateItem.
func BenchmarkParseEnvelope(b *testing.B) {
	var items strings.Builder
	for i := 0; i < 50; i++ {
		items.WriteString(contactItem)
	}
	doc := []byte(soapHead + `<m:CreateItem><m:SavedItemFolderId><t:DistinguishedFolderId Id="contacts"/></m:SavedItemFolderId><m:Items>` + items.String() + `</m:Items></m:CreateItem>` + soapTail)
	b.SetBytes(int64(len(doc)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, f := parseEnvelope(doc); f != nil {
			b.Fatal(f.Message)
		}
	}
}
