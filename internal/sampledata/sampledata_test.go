package sampledata

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ewssim"
	"github.com/ewsconnector/ews_connector/internal/nextcloudsim"
)

type basicAuth struct{ user, pass string }

func (b basicAuth) Do(r *http.Request) (*http.Response, error) {
	r.SetBasicAuth(b.user, b.pass)
	return http.DefaultClient.Do(r)
}

func TestCreateDelete(t *testing.T) {
	exch := ewssim.New(ewssim.Options{Users: []ewssim.User{{Name: "alice", Password: "pw"}}})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	run := exch.Start(l)
	defer run.Close()
	mb, err := ews.NewClient(run.URL+"/EWS/Exchange.asmx", &ews.Options{Auth: ews.AuthBasic, Username: "alice", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	sim := nextcloudsim.New(nextcloudsim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	dc, err := dav.NewClient(basicAuth{"alice", "password"}, srv.URL+"/remote.php/dav", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	set, err := Create(ctx, mb, dc, "abc123", now)
	if err != nil {
		t.Fatalf("Create() = %v", err)
	}
	if set.Local != 5 || set.Remote != 5 {
		t.Errorf("Create() wrote %d local and %d remote items, want 5 and 5", set.Local, set.Remote)
	}
	folders, err := mb.DiscoverFolders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, f := range folders {
		counts[f.Id] = f.Total
	}
	if counts[set.Calendar.RemoteFolderID] != 3 || counts[set.Contacts.RemoteFolderID] != 2 {
		t.Errorf("Exchange folders hold %d events and %d contacts, want 3 and 2", counts[set.Calendar.RemoteFolderID], counts[set.Contacts.RemoteFolderID])
	}
	for href, want := range map[string]int{set.Calendar.LocalHref: 3, set.Contacts.LocalHref: 2} {
		if objs, err := sim.Objects(href); err != nil || len(objs) != want {
			t.Errorf("Objects(%s) = %d, %v; want %d", href, len(objs), err, want)
		}
	}
	count := func() int {
		cs, err := sim.Collections("alice")
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	before := count()
	if err := Delete(ctx, mb, dc, set.Calendar, set.Contacts); err != nil {
		t.Fatalf("Delete() = %v", err)
	}
	if after := count(); after != before-2 {
		t.Errorf("collections after Delete = %d, want %d", after, before-2)
	}
	folders, _ = mb.DiscoverFolders(ctx)
	for _, f := range folders {
		if f.Id == set.Calendar.RemoteFolderID || f.Id == set.Contacts.RemoteFolderID {
			t.Errorf("folder %q still exists", f.Name)
		}
	}
	// Deleting again is no error: nothing is left to remove.
	if err := Delete(ctx, mb, dc, set.Calendar, set.Contacts); err != nil {
		t.Errorf("second Delete() = %v", err)
	}
}
