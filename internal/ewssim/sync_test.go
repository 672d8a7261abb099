package ewssim

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

func syncReq(state string, max int) string {
	s := ""
	if state != "" {
		s = `<m:SyncState>` + state + `</m:SyncState>`
	}
	return fmt.Sprintf(`<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="calendar"/></m:SyncFolderId>%s<m:MaxChangesReturned>%d</m:MaxChangesReturned></m:SyncFolderItems>`, s, max)
}

// syncPage returns change kinds with ids, the new state and IncludesLastItemInRange.
func syncPage(t *testing.T, ts *httptest.Server, state string, max int) ([]string, string, bool) {
	t.Helper()
	_, resp := call(t, ts, syncReq(state, max))
	wantCodes(t, resp, "NoError")
	var kinds []string
	for _, ch := range find(resp, "Changes").Kids {
		kinds = append(kinds, ch.Local+":"+find(ch, "ItemId").attr("Id"))
	}
	return kinds, find(resp, "SyncState").Text, find(resp, "IncludesLastItemInRange").Text == "true"
}

func createMany(t *testing.T, ts *httptest.Server, n int) []string {
	t.Helper()
	var ids []string
	for len(ids) < n {
		var b strings.Builder
		for i := 0; i < 100 && len(ids)+i < n; i++ {
			fmt.Fprintf(&b, calItem, fmt.Sprintf("Event %d", len(ids)+i))
		}
		_, resp := call(t, ts, `<m:CreateItem SendMeetingInvitations="SendToNone"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId><m:Items>`+b.String()+`</m:Items></m:CreateItem>`)
		for _, id := range findAll(resp, "ItemId") {
			ids = append(ids, id.attr("Id"))
		}
	}
	return ids
}

func TestSyncFolderItemsPagesAndReplays(t *testing.T) {
	s, ts := testServer(t)
	ids := createMany(t, ts, 1200)
	s.ResetCounts()
	state := ""
	var all []string
	pages := 0
	for {
		kinds, next, last := syncPage(t, ts, state, 512)
		pages++
		if len(kinds) > 512 {
			t.Fatalf("page %d has %d changes, want <= 512", pages, len(kinds))
		}
		all = append(all, kinds...)
		state = next
		if last {
			break
		}
	}
	if pages != 3 || len(all) != 1200 {
		t.Fatalf("sync = %d pages, %d changes; want 3 pages, 1200 changes", pages, len(all))
	}
	if got := s.Count("SyncFolderItems"); got != 3 {
		t.Fatalf("Count(SyncFolderItems) = %d, want 3", got)
	}
	for i, k := range all {
		if k != "Create:"+ids[i] {
			t.Fatalf("change %d = %s, want Create of item %d in creation order", i, k, i)
		}
	}
	// No changes since the final state.
	if kinds, _, last := syncPage(t, ts, state, 512); len(kinds) != 0 || !last {
		t.Fatalf("sync after end = %v (last %v), want none", kinds, last)
	}
	// Update one, delete one: replaying the same old state twice gives the same answer.
	_, resp := call(t, ts, `<m:UpdateItem ConflictResolution="AlwaysOverwrite" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:ItemId Id="`+ids[5]+`"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>changed</t:Subject></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)
	wantCodes(t, resp, "NoError")
	_, resp = call(t, ts, `<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToNone"><m:ItemIds><t:ItemId Id="`+ids[7]+`"/></m:ItemIds></m:DeleteItem>`)
	wantCodes(t, resp, "NoError")
	new := createMany(t, ts, 1)
	want := []string{"Update:" + ids[5], "Delete:" + ids[7], "Create:" + new[0]}
	for round := 0; round < 2; round++ {
		kinds, _, last := syncPage(t, ts, state, 10)
		if strings.Join(kinds, ",") != strings.Join(want, ",") || !last {
			t.Fatalf("replay %d = %v, want %v", round, kinds, want)
		}
	}
	// Paging one change at a time yields the same sequence.
	var one []string
	st := state
	for i := 0; i < 5; i++ {
		kinds, next, last := syncPage(t, ts, st, 1)
		one = append(one, kinds...)
		st = next
		if last {
			break
		}
	}
	if strings.Join(one, ",") != strings.Join(want, ",") {
		t.Fatalf("paged by 1 = %v, want %v", one, want)
	}
}

func TestSyncFolderItemsRejects(t *testing.T) {
	_, ts := testServer(t)
	st, resp := call(t, ts, syncReq("", 513))
	if st != 500 || find(resp, "ResponseCode") == nil || strings.TrimSpace(find(resp, "ResponseCode").Text) != "ErrorSchemaValidation" {
		t.Fatalf("MaxChangesReturned=513: status %d, want 500 ErrorSchemaValidation", st)
	}
	st, _ = call(t, ts, syncReq("", 0))
	if st != 500 {
		t.Fatalf("MaxChangesReturned=0: status %d, want 500", st)
	}
	_, resp = call(t, ts, syncReq("bogus", 10))
	wantCodes(t, resp, "ErrorInvalidSyncStateData")
}

func TestSnapStoreEvictsOldest(t *testing.T) {
	st := newSnapStore(3)
	st.maxEntries = 5
	big := map[uint64]known{1: {}, 2: {}, 3: {}}
	a := st.put(&snap{items: big})
	b := st.put(&snap{items: big})
	if st.get(a) != nil || st.get(b) == nil {
		t.Fatalf("snapStore over maxEntries kept the oldest state or lost the newest")
	}
	c := st.put(&snap{})
	d := st.put(&snap{})
	e := st.put(&snap{})
	if st.get(b) != nil || st.get(c) == nil || st.get(d) == nil || st.get(e) == nil {
		t.Fatalf("snapStore over max count: want the 3 newest states")
	}
}

func TestSyncReadFlagChange(t *testing.T) {
	_, ts := testServer(t)
	msg := `<m:Items><t:Message><t:Subject>Hello</t:Subject><t:IsRead>false</t:IsRead></t:Message></m:Items>`
	_, resp := call(t, ts, `<m:CreateItem><m:SavedItemFolderId><t:DistinguishedFolderId Id="inbox"/></m:SavedItemFolderId>`+msg+`</m:CreateItem>`)
	wantCodes(t, resp, "ErrorMessageDispositionRequired")
	_, resp = call(t, ts, `<m:CreateItem MessageDisposition="SaveOnly"><m:SavedItemFolderId><t:DistinguishedFolderId Id="inbox"/></m:SavedItemFolderId>`+msg+`</m:CreateItem>`)
	wantCodes(t, resp, "NoError")
	id := find(resp, "ItemId").attr("Id")
	inbox := func(state string) *node {
		s := ""
		if state != "" {
			s = "<m:SyncState>" + state + "</m:SyncState>"
		}
		_, r := call(t, ts, `<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="inbox"/></m:SyncFolderId>`+s+`<m:MaxChangesReturned>10</m:MaxChangesReturned></m:SyncFolderItems>`)
		return r
	}
	state := find(inbox(""), "SyncState").Text
	_, resp = call(t, ts, `<m:UpdateItem MessageDisposition="SaveOnly" ConflictResolution="AlwaysOverwrite"><m:ItemChanges><t:ItemChange><t:ItemId Id="`+id+`"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="message:IsRead"/><t:Message><t:IsRead>true</t:IsRead></t:Message></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)
	wantCodes(t, resp, "NoError")
	ch := find(inbox(state), "Changes")
	if len(ch.Kids) != 1 || ch.Kids[0].Local != "ReadFlagChange" || find(ch, "IsRead").Text != "true" {
		t.Fatalf("changes after marking read = %+v, want one ReadFlagChange IsRead=true", ch.Kids)
	}
}
