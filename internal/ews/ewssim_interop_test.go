//go:build ewssim

// Interop test against the simulated Exchange (internal/ewssim). It is
// behind the "ewssim" build tag so that this package never depends on the
// simulator: go test -tags ewssim ./internal/ews/
package ews

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/ewssim"
)

func TestInteropSimulator(t *testing.T) {
	sim := ewssim.New(ewssim.Options{Users: []ewssim.User{{Name: "alice", Password: "pw"}}, StreamingMinute: 50 * time.Millisecond, KeepAliveInterval: 10 * time.Millisecond})
	if err := sim.Seed("demo"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	ctx := context.Background()
	for _, auth := range []string{AuthBasic, AuthNTLM, AuthAuto} {
		c, err := NewClient(srv.URL+"/EWS/Exchange.asmx", &Options{Auth: auth, Username: "alice", Password: "pw"})
		if err != nil {
			t.Fatal(err)
		}
		fs, err := c.DiscoverFolders(ctx)
		if err != nil || len(fs) < 2 {
			t.Fatalf("%s: DiscoverFolders() = %+v, %v", auth, fs, err)
		}
		t.Logf("%s: server %v, version %s, %d folders: %+v", auth, c.ServerVersion(), c.RequestVersion(), len(fs), fs)
	}
	c, _ := NewClient(srv.URL+"/EWS/Exchange.asmx", &Options{Auth: AuthBasic, Username: "alice", Password: "pw", BatchSize: 7})
	fs, _ := c.DiscoverFolders(ctx)
	for _, f := range fs {
		var ids wire.ItemRefs
		state, err := c.SyncFolderItems(ctx, FolderID(f.Id), "", &SyncOptions{MaxChanges: 5}, func(_ context.Context, p SyncPage) error {
			for _, ch := range p.Changes {
				if id := ch.Id(); id != nil {
					ids = append(ids, ItemRef(*id))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("SyncFolderItems(%s) = %v", f.Name, err)
		}
		if len(ids) != f.Total {
			t.Errorf("SyncFolderItems(%s) = %d items, folder says %d", f.Name, len(ids), f.Total)
		}
		paths := wire.Paths{wire.Field("item:Subject"), wire.Extended(wire.UIDProperty)}
		if f.Kind == KindContacts {
			paths = append(paths, wire.Indexed("contacts:EmailAddress", "EmailAddress1"), wire.Field("contacts:GivenName"))
		} else {
			paths = append(paths, wire.Field("calendar:Start"), wire.Field("calendar:Recurrence"), wire.Field("calendar:ModifiedOccurrences"))
		}
		rs, err := c.GetItems(ctx, ids, wire.ItemShape{BaseShape: "IdOnly", AdditionalProperties: paths})
		if err != nil {
			t.Fatalf("GetItems(%s) = %v", f.Name, err)
		}
		for i, r := range rs {
			if r.Err != nil || r.Item() == nil {
				t.Errorf("GetItems(%s)[%d] = %v", f.Name, i, r.Err)
			}
		}
		// Nothing changed since: one empty page.
		if _, err := c.SyncFolderItems(ctx, FolderID(f.Id), state, nil, func(_ context.Context, p SyncPage) error {
			if len(p.Changes) != 0 {
				t.Errorf("resync of %s = %d changes, want 0", f.Name, len(p.Changes))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Writes, stale ChangeKey, delete, attachments.
	cal := Distinguished(KindCalendar)
	ce := &wire.CalendarItem{ItemFields: wire.ItemFields{Subject: "Interop"}, Start: "2026-03-01T10:00:00Z", End: "2026-03-01T11:00:00Z"}
	ce.SetExtended(wire.UIDProperty, "interop-1")
	cr, err := c.CreateItems(ctx, &cal, wire.Items{{CalendarItem: ce}})
	if err != nil || cr[0].Err != nil {
		t.Fatalf("CreateItems() = %v, %v", err, cr)
	}
	id := *cr[0].Item().Fields().ItemId
	upd := func(ck string) ItemResult {
		rs, err := c.UpdateItems(ctx, []wire.ItemChange{{ItemId: &wire.ItemId{Id: id.Id, ChangeKey: ck}, Updates: wire.Updates{{Kind: wire.SetField, Path: wire.Field("item:Subject"), Item: wire.Item{CalendarItem: &wire.CalendarItem{ItemFields: wire.ItemFields{Subject: "Changed"}}}}}}}, NeverOverwrite)
		if err != nil {
			t.Fatal(err)
		}
		return rs[0]
	}
	r1 := upd(id.ChangeKey)
	if r1.Err != nil {
		t.Fatalf("UpdateItems() = %v", r1.Err)
	}
	if r2 := upd(id.ChangeKey); !IsConflict(r2.Err) {
		t.Errorf("UpdateItems(stale) = %v, want a conflict", r2.Err)
	}
	newID := *r1.Item().Fields().ItemId
	ar, err := c.CreateAttachments(ctx, newID, []wire.Attachment{wire.NewFileAttachment("a.txt", "text/plain", []byte("aGk="))})
	if err != nil || ar[0].Err != nil || ar[0].Attachment == nil {
		t.Fatalf("CreateAttachments() = %v, %+v", err, ar)
	}
	aid := ar[0].Attachment.AttachmentId.Id
	if gr, err := c.GetAttachments(ctx, []string{aid}); err != nil || gr[0].Err != nil {
		t.Errorf("GetAttachments() = %v, %+v", err, gr)
	}
	if dr, err := c.DeleteAttachments(ctx, []string{aid}); err != nil || dr[0].Err != nil {
		t.Errorf("DeleteAttachments() = %v, %+v", err, dr)
	}
	dr, err := c.DeleteItems(ctx, wire.ItemRefs{ItemRef(wire.ItemId{Id: newID.Id}), ItemRef(wire.ItemId{Id: newID.Id})}, "HardDelete")
	if err != nil || dr[0].Err != nil || !IsNotFound(dr[1].Err) {
		t.Errorf("DeleteItems(twice) = %v, %v / %v", err, dr[0].Err, dr[1].Err)
	}
	// Pull notifications.
	sub, err := c.SubscribePull(ctx, wire.FolderIds{cal}, 5)
	if err != nil {
		t.Fatalf("SubscribePull() = %v", err)
	}
	if _, err := c.CreateItems(ctx, &cal, wire.Items{{CalendarItem: ce}}); err != nil {
		t.Fatal(err)
	}
	evs, err := c.GetEvents(ctx, sub)
	if err != nil || len(evs) == 0 {
		t.Errorf("GetEvents() = %v, %v; want the created event", evs, err)
	}
	if err := c.Unsubscribe(ctx, sub.Id); err != nil {
		t.Errorf("Unsubscribe() = %v", err)
	}
	// Streaming.
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	got := make(chan int, 1)
	go func() {
		time.Sleep(200 * time.Millisecond)
		_, _ = c.CreateItems(ctx, &cal, wire.Items{{CalendarItem: ce}})
	}()
	err = c.Watch(wctx, WatchOptions{Folders: wire.FolderIds{cal}, ConnectionTimeout: time.Minute, OnEvents: func(_ context.Context, evs []wire.Event) error {
		got <- len(evs)
		cancel()
		return nil
	}})
	select {
	case n := <-got:
		t.Logf("streaming delivered %d events (%v)", n, err)
	default:
		t.Errorf("Watch() = %v without events", err)
	}
	t.Logf("counts: %v", sim.Counts())
}
