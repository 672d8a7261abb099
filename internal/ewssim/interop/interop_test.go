// Package interop drives the simulated Exchange (package ewssim) with the connector's own
// EWS client (package ews). The simulator shares no code with the client, so a bug on either
// side shows up here; it lives in its own package so ewssim's tests never depend on ews.
package interop

import (
	"context"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ewssim"

	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// testServer starts a simulator with alice/secret; one streaming minute lasts 200ms.
func testServer(t *testing.T) (*ewssim.Server, *httptest.Server) {
	t.Helper()
	s := ewssim.New(ewssim.Options{Users: []ewssim.User{{Name: "alice", Password: "secret"}},
		StreamingMinute: 200 * time.Millisecond, KeepAliveInterval: 50 * time.Millisecond})
	ts := httptest.NewUnstartedServer(s)
	ts.Config.ConnState = s.ConnState
	ts.Start()
	t.Cleanup(ts.Close)
	return s, ts
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func interopClient(t *testing.T, url, auth, user, pass string) *ews.Client {
	t.Helper()
	c, err := ews.NewClient(url+"/EWS/Exchange.asmx", &ews.Options{Auth: auth, Username: user, Password: pass, MaxRetries: 3, MaxWait: time.Second})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func TestInteropDiscoverSyncGet(t *testing.T) {
	s, ts := testServer(t)
	if err := s.Seed("demo"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := interopClient(t, ts.URL, ews.AuthBasic, "alice", "secret")
	folders, err := c.DiscoverFolders(ctx)
	if err != nil {
		t.Fatalf("DiscoverFolders: %v", err)
	}
	totals := map[string]int{}
	for _, f := range folders {
		totals[f.Kind+"/"+f.Name] = f.Total
	}
	for k, want := range map[string]int{"calendar/Calendar": 6, "contacts/Contacts": 6, "contacts/Team": 3, "calendar/Holidays": 2, "calendar/Project X": 2} {
		if totals[k] != want {
			t.Fatalf("DiscoverFolders %s = %d, want %d (all %v)", k, totals[k], want, totals)
		}
	}
	s.ResetCounts()
	var ids []wire.ItemId
	state, err := c.SyncFolderItems(ctx, ews.Distinguished("calendar"), "", &ews.SyncOptions{MaxChanges: 4}, func(ctx context.Context, p ews.SyncPage) error {
		for _, ch := range p.Changes {
			if ch.Kind != "Create" {
				t.Errorf("change kind %s, want Create", ch.Kind)
			}
			ids = append(ids, *ch.Id())
		}
		return nil
	})
	if err != nil || state == "" {
		t.Fatalf("SyncFolderItems = %q, %v", state, err)
	}
	if len(ids) != 6 || s.Count("SyncFolderItems") != 2 {
		t.Fatalf("sync: %d creates in %d requests, want 6 in 2 (MaxChanges 4)", len(ids), s.Count("SyncFolderItems"))
	}
	var refs wire.ItemRefs
	for _, id := range ids {
		refs = append(refs, ews.ItemRef(id))
	}
	refs = append(refs, ews.ItemRef(wire.ItemId{Id: "AANTSU1JSQABAAAAAgAAAAAAAAPn"}))
	res, err := c.GetItems(ctx, refs, wire.ItemShape{BaseShape: "AllProperties"})
	if err != nil {
		t.Fatalf("GetItems: %v", err)
	}
	masters := 0
	for i, r := range res[:6] {
		if r.Err != nil || len(r.Items) != 1 || r.Items[0].CalendarItem == nil {
			t.Fatalf("GetItems[%d] = %+v", i, r)
		}
		if ci := r.Items[0].CalendarItem; ci.CalendarItemType == "RecurringMaster" && ci.Recurrence != nil {
			masters++
		}
	}
	if masters != 3 {
		t.Fatalf("recurring masters = %d, want 3", masters)
	}
	if res[6].Err == nil {
		t.Fatalf("GetItems of a missing id: want a per-item error")
	}
}

func TestInteropNTLMAndThrottle(t *testing.T) {
	s := ewssim.New(ewssim.Options{Users: []ewssim.User{{Name: `CONTOSO\dave`, Password: "Dave!2026"}}, DisableBasic: true})
	r := s.Start(listen(t))
	defer r.Close()
	ctx := context.Background()
	c := interopClient(t, r.URL, ews.AuthNTLM, `CONTOSO\dave`, "Dave!2026")
	s.Faults().ThrottleNext(1, 150*time.Millisecond)
	f, err := c.GetFolder(ctx, ews.Distinguished("contacts"))
	if err != nil || f == nil {
		t.Fatalf("GetFolder over NTLM after a throttled request: %v", err)
	}
	if got := s.Count("GetFolder"); got < 2 {
		t.Fatalf("Count(GetFolder) = %d, want the throttled request and its retry", got)
	}
	// The client honours BackOffMilliseconds: its retry arrives no earlier.
	var busyAt, retryAt time.Time
	for _, r := range s.History() {
		if r.Op == "GetFolder" && r.Status == 500 {
			busyAt = r.At
		} else if r.Op == "GetFolder" && r.Status == 200 && !busyAt.IsZero() && retryAt.IsZero() {
			retryAt = r.At
		}
	}
	if busyAt.IsZero() || retryAt.Sub(busyAt) < 150*time.Millisecond {
		t.Fatalf("retry %v after the throttled request, want >= 150ms", retryAt.Sub(busyAt))
	}
	bad := interopClient(t, r.URL, ews.AuthNTLM, `CONTOSO\dave`, "wrong")
	if _, err := bad.GetFolder(ctx, ews.Distinguished("contacts")); err == nil {
		t.Fatalf("GetFolder with a wrong NTLM password succeeded")
	}
}

func TestInteropWatchSurvivesClosedAndLostSubscription(t *testing.T) {
	s, ts := testServer(t) // a streaming minute lasts 200ms
	c := interopClient(t, ts.URL, ews.AuthBasic, "alice", "secret")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	events := make(chan string, 10)
	resyncs := make(chan error, 10)
	done := make(chan error, 1)
	go func() {
		done <- c.Watch(ctx, ews.WatchOptions{Folders: wire.FolderIds{ews.Distinguished("calendar")}, ConnectionTimeout: time.Minute,
			OnEvents: func(ctx context.Context, evs []wire.Event) error {
				for _, e := range evs {
					events <- e.XMLName.Local
				}
				return nil
			},
			OnResync: func(ctx context.Context, cause error) { resyncs <- cause }})
	}()
	waitFor := func(what string, ch interface{}) {
		t.Helper()
		switch ch := ch.(type) {
		case chan string:
			select {
			case <-ch:
			case <-ctx.Done():
				t.Fatalf("timed out waiting for %s", what)
			}
		case chan error:
			select {
			case <-ch:
			case <-ctx.Done():
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	create := func() {
		for i := 0; i < 50 && s.Count("Subscribe") == 0; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		res, err := c.CreateItems(ctx, nil, wire.Items{{CalendarItem: &wire.CalendarItem{ItemFields: wire.ItemFields{Subject: "w"}, Start: "2026-03-02T09:00:00Z", End: "2026-03-02T10:00:00Z"}}})
		if err != nil || len(res) != 1 || res[0].Err != nil {
			t.Fatalf("CreateItems = %v, %v", res, err)
		}
	}
	create()
	waitFor("first CreatedEvent", events)
	time.Sleep(500 * time.Millisecond) // past ConnectionTimeout: Closed, then reconnect
	create()
	waitFor("CreatedEvent after Closed", events)
	if s.Count("GetStreamingEvents") < 2 {
		t.Fatalf("GetStreamingEvents = %d, want a reconnect after Closed", s.Count("GetStreamingEvents"))
	}
	s.ExpireSubscriptions()
	waitFor("resync after the subscription was lost", resyncs)
	cancel()
	<-done
}

func TestInteropRequestVersionFollowsServer(t *testing.T) {
	tests := []struct {
		version ewssim.Version
		want    string
	}{
		{ewssim.Exchange2007, "Exchange2007_SP1"},
		{ewssim.Exchange2010, "Exchange2010_SP2"},
		{ewssim.Exchange2019, "Exchange2013_SP1"},
	}
	for _, tt := range tests {
		t.Run(string(tt.version), func(t *testing.T) {
			s := ewssim.New(ewssim.Options{Users: []ewssim.User{{Name: "alice", Password: "secret"}}, Version: tt.version})
			r := s.Start(listen(t))
			defer r.Close()
			c := interopClient(t, r.URL, ews.AuthBasic, "alice", "secret")
			if _, err := c.DiscoverFolders(context.Background()); err != nil {
				t.Fatalf("DiscoverFolders against Exchange %s: %v", tt.version, err)
			}
			if got := c.RequestVersion(); got != tt.want {
				t.Fatalf("RequestVersion against Exchange %s = %s, want %s", tt.version, got, tt.want)
			}
		})
	}
}
