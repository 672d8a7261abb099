package ewssim

import (
	"fmt"
	"testing"
)

func TestFolderLifecycleAndMove(t *testing.T) {
	_, ts := testServer(t)
	_, resp := call(t, ts, `<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderId><m:Folders><t:CalendarFolder><t:DisplayName>Shifts</t:DisplayName></t:CalendarFolder><t:Folder><t:FolderClass>IPF.Contact</t:FolderClass><t:DisplayName>Club</t:DisplayName></t:Folder><t:CalendarFolder><t:DisplayName>Shifts</t:DisplayName></t:CalendarFolder></m:Folders></m:CreateFolder>`)
	wantCodes(t, resp, "NoError", "NoError", "ErrorFolderExists")
	shifts := findAll(resp, "FolderId")[0].attr("Id")

	_, resp = call(t, ts, `<m:FindFolder Traversal="Deep"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="folder:FolderClass"/><t:FieldURI FieldURI="folder:DisplayName"/><t:FieldURI FieldURI="folder:TotalCount"/></t:AdditionalProperties></m:FolderShape><m:ParentFolderIds><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderIds></m:FindFolder>`)
	classes := map[string]string{}
	for _, f := range find(resp, "Folders").Kids {
		classes[find(f, "DisplayName").Text] = f.Local + " " + find(f, "FolderClass").Text
	}
	if classes["Shifts"] != "CalendarFolder IPF.Appointment" || classes["Club"] != "ContactsFolder IPF.Contact" || classes["Calendar"] != "CalendarFolder IPF.Appointment" {
		t.Fatalf("FindFolder Deep classes = %v", classes)
	}
	_, resp = call(t, ts, `<m:FindFolder Traversal="Shallow"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:IndexedPageFolderView MaxEntriesReturned="2" Offset="0" BasePoint="Beginning"/><m:ParentFolderIds><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderIds></m:FindFolder>`)
	if root := find(resp, "RootFolder"); root.attr("IncludesLastItemInRange") != "false" || len(find(resp, "Folders").Kids) != 2 {
		t.Fatalf("paged FindFolder: %d folders, IncludesLastItemInRange %s", len(find(resp, "Folders").Kids), root.attr("IncludesLastItemInRange"))
	}

	// Moving an item changes its id; the old id is gone.
	id, _ := createCal(t, ts, fmt.Sprintf(calItem, "move me"))
	_, resp = call(t, ts, `<m:MoveItem><m:ToFolderId><t:FolderId Id="`+shifts+`"/></m:ToFolderId><m:ItemIds><t:ItemId Id="`+id+`"/></m:ItemIds></m:MoveItem>`)
	wantCodes(t, resp, "NoError")
	newID := find(resp, "ItemId").attr("Id")
	if newID == id {
		t.Fatalf("MoveItem kept the id %s", id)
	}
	_, resp = call(t, ts, `<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="`+id+`"/><t:ItemId Id="`+newID+`"/><t:ItemId Id="not base64!"/></m:ItemIds></m:GetItem>`)
	wantCodes(t, resp, "ErrorItemNotFound", "NoError", "ErrorInvalidIdMalformed")

	_, resp = call(t, ts, `<m:DeleteFolder DeleteType="HardDelete"><m:FolderIds><t:FolderId Id="`+shifts+`"/><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:DeleteFolder>`)
	wantCodes(t, resp, "NoError", "ErrorDeleteDistinguishedFolder")
	_, resp = call(t, ts, `<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:FolderId Id="`+shifts+`"/></m:FolderIds></m:GetFolder>`)
	wantCodes(t, resp, "ErrorFolderNotFound")
}

func TestImpersonation(t *testing.T) {
	s := New(Options{Users: []User{{Name: "svc", Password: "svc-pw", CanImpersonate: true}, {Name: "alice", Password: "secret"}, {Name: "bob", Password: "hunter2"}}})
	r := s.Start(listen(t))
	defer r.Close()
	if _, err := s.exec("bob", `<m:CreateItem SendMeetingInvitations="SendToNone"><m:Items>`+fmt.Sprintf(calItem, "bob's")+`</m:Items></m:CreateItem>`); err != nil {
		t.Fatal(err)
	}
	imp := func(user, pass, target string) (int, *node) {
		return rawCall(t, r.URL, user, pass, `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>`+target+`</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`,
			`<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder>`)
	}
	if st, resp := imp("svc", "svc-pw", "bob@example.com"); st != 200 || find(resp, "TotalCount").Text != "1" {
		t.Fatalf("svc impersonating bob: status %d, want 200 with bob's calendar (1 item)", st)
	}
	if st, resp := imp("alice", "secret", "bob@example.com"); st != 500 || find(resp, "faultcode").Text != "a:ErrorImpersonateUserDenied" {
		t.Fatalf("alice impersonating bob: status %d, want 500 ErrorImpersonateUserDenied", st)
	}
	if st, resp := imp("svc", "svc-pw", "nobody@example.com"); st != 500 || find(resp, "faultcode").Text != "a:ErrorNonExistentMailbox" {
		t.Fatalf("impersonating an unknown address: status %d, want ErrorNonExistentMailbox", st)
	}
}
