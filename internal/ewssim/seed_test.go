package ewssim

import (
	"bytes"
	"errors"
	"testing"
)

func TestSeedDemo(t *testing.T) {
	s, ts := testServer(t)
	if err := s.Seed("nope"); !errors.Is(err, ErrUnknownSeed) {
		t.Fatalf("Seed(nope) = %v, want ErrUnknownSeed", err)
	}
	if err := s.Seed("demo"); err != nil {
		t.Fatalf("Seed(demo) = %v", err)
	}
	_, resp := call(t, ts, `<m:FindFolder Traversal="Deep"><m:FolderShape><t:BaseShape>AllProperties</t:BaseShape></m:FolderShape><m:ParentFolderIds><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderIds></m:FindFolder>`)
	wantCodes(t, resp, "NoError")
	counts := map[string]string{}
	for _, f := range find(resp, "Folders").Kids {
		counts[f.Local+"/"+find(f, "DisplayName").Text] = find(f, "TotalCount").Text
	}
	want := map[string]string{"ContactsFolder/Contacts": "6", "ContactsFolder/Team": "3", "ContactsFolder/Suppliers": "2",
		"CalendarFolder/Calendar": "6", "CalendarFolder/Holidays": "2", "CalendarFolder/Project X": "2"}
	for k, v := range want {
		if counts[k] != v {
			t.Fatalf("FindFolder Deep: %s TotalCount = %q, want %s (all: %v)", k, counts[k], v, counts)
		}
	}
	// The recurring master carries one modified and one deleted occurrence.
	_, resp = call(t, ts, `<m:SyncFolderItems><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="calendar"/></m:SyncFolderId><m:MaxChangesReturned>512</m:MaxChangesReturned></m:SyncFolderItems>`)
	if len(findAll(resp, "ModifiedOccurrences")) != 1 || len(findAll(resp, "DeletedOccurrences")) != 1 {
		t.Fatalf("demo calendar: want one master with ModifiedOccurrences and DeletedOccurrences")
	}
	// Deterministic: a second server seeds identical ids.
	s2, _ := testServer(t)
	if err := s2.Seed("demo"); err != nil {
		t.Fatal(err)
	}
	a, _ := s.exec("alice", `<m:FindFolder Traversal="Deep"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:ParentFolderIds><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderIds></m:FindFolder>`)
	b, _ := s2.exec("alice", `<m:FindFolder Traversal="Deep"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:ParentFolderIds><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderIds></m:FindFolder>`)
	if ia, ib := findAllFolderIDs(a), findAllFolderIDs(b); len(ia) == 0 || len(ia) != len(ib) || ia[len(ia)-1] != ib[len(ib)-1] {
		t.Fatalf("seed not deterministic: %v vs %v", ia, ib)
	}
}

func findAllFolderIDs(n *node) []string {
	var out []string
	for _, f := range findAll(n, "FolderId") {
		out = append(out, f.attr("Id"))
	}
	return out
}

func TestDoOutOfBand(t *testing.T) {
	s, _ := testServer(t)
	out, err := s.Do("alice", `<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderId><m:Folders><t:CalendarFolder><t:DisplayName>Extra</t:DisplayName></t:CalendarFolder></m:Folders></m:CreateFolder>`)
	if err != nil || !bytes.Contains(out, []byte("<t:FolderId ")) {
		t.Fatalf("Do(CreateFolder) = %s, %v", out, err)
	}
	out, err = s.Do("alice", `<m:DeleteFolder DeleteType="HardDelete"><m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:DeleteFolder>`)
	if err == nil || !bytes.Contains(out, []byte("ErrorDeleteDistinguishedFolder")) {
		t.Fatalf("Do(DeleteFolder calendar) = %v, want ErrorDeleteDistinguishedFolder", err)
	}
	if _, err := s.Do("nobody", `<m:GetFolder/>`); !errors.Is(err, ErrUnknownMailbox) {
		t.Fatalf("Do as unknown user = %v, want ErrUnknownMailbox", err)
	}
}
