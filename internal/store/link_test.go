package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func mkLink(t *testing.T, s *Store, a Account, href string) Link {
	t.Helper()
	l := Link{AccountID: a.ID, UserID: a.UserID, Kind: KindCalendar, RemoteFolderID: "AAMkFolder:" + href,
		RemoteName: "Calendar", LocalHref: href, LocalName: "Personal"}
	if err := s.CreateLink(context.Background(), &l); err != nil {
		t.Fatalf("CreateLink(%s) = %v", href, err)
	}
	return l
}

func TestLinkCRUD(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	a := mkAccount(t, s, "alice")
	l := mkLink(t, s, a, "/remote.php/dav/calendars/alice/personal/")
	if l.Direction != TwoWay || l.ConflictPolicy != PolicyNewest {
		t.Fatalf("CreateLink defaults = %q, %q", l.Direction, l.ConflictPolicy)
	}
	got, err := s.Link(ctx, "alice", l.ID)
	if err != nil || got.LocalHref != l.LocalHref || got.RemoteFolderID != l.RemoteFolderID || !got.LastRunAt.IsZero() {
		t.Fatalf("Link() = %+v, %v", got, err)
	}

	got.Direction, got.ConflictPolicy, got.Paused, got.PauseReason = ToNextcloud, PolicyExchange, true, "by user"
	got.RemoteSyncState = "must not be written by UpdateLink"
	if err := s.UpdateLink(ctx, &got); err != nil {
		t.Fatalf("UpdateLink() = %v", err)
	}
	got2, _ := s.LinkByID(ctx, l.ID)
	if got2.Direction != ToNextcloud || got2.ConflictPolicy != PolicyExchange || !got2.Paused || got2.RemoteSyncState != "" {
		t.Fatalf("after UpdateLink LinkByID() = %+v", got2)
	}
	bad := got2
	bad.ConflictPolicy = "random"
	if err := s.UpdateLink(ctx, &bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("UpdateLink(policy random) = %v, want ErrInvalid", err)
	}

	if err := s.SetLinkSyncState(ctx, l.ID, "H4sIAAAA", "http://sabre.io/ns/sync/7"); err != nil {
		t.Fatalf("SetLinkSyncState() = %v", err)
	}
	if err := s.SetRemoteSyncState(ctx, l.ID, "H4sIBBBB"); err != nil {
		t.Fatalf("SetRemoteSyncState() = %v", err)
	}
	if err := s.SetLocalSyncToken(ctx, l.ID, "http://sabre.io/ns/sync/8"); err != nil {
		t.Fatalf("SetLocalSyncToken() = %v", err)
	}
	at := time.Now().Truncate(time.Microsecond)
	if err := s.RecordLinkRun(ctx, l.ID, at, ""); err != nil {
		t.Fatalf("RecordLinkRun(ok) = %v", err)
	}
	if err := s.RecordLinkRun(ctx, l.ID, at.Add(time.Minute), "ews: throttled"); err != nil {
		t.Fatalf("RecordLinkRun(failed) = %v", err)
	}
	if err := s.PauseLink(ctx, l.ID, "Nextcloud side emptied"); err != nil {
		t.Fatalf("PauseLink() = %v", err)
	}
	if err := s.SetGuardOverride(ctx, l.ID, true); err != nil {
		t.Fatalf("SetGuardOverride() = %v", err)
	}
	got3, _ := s.Link(ctx, "alice", l.ID)
	if got3.RemoteSyncState != "H4sIBBBB" || got3.LocalSyncToken != "http://sabre.io/ns/sync/8" ||
		!got3.LastSuccessAt.Equal(at) || !got3.LastRunAt.Equal(at.Add(time.Minute)) || got3.LastError != "ews: throttled" ||
		!got3.Paused || got3.PauseReason != "Nextcloud side emptied" || !got3.GuardOverride {
		t.Fatalf("after sync state and runs Link() = %+v", got3)
	}
	for name, err := range map[string]error{
		"SetLinkSyncState":   s.SetLinkSyncState(ctx, 999999, "", ""),
		"SetRemoteSyncState": s.SetRemoteSyncState(ctx, 999999, ""),
		"SetLocalSyncToken":  s.SetLocalSyncToken(ctx, 999999, ""),
		"PauseLink":          s.PauseLink(ctx, 999999, ""),
		"RecordLinkRun":      s.RecordLinkRun(ctx, 999999, at, ""),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s(missing link) = %v, want ErrNotFound", name, err)
		}
	}

	if all, err := s.AllLinks(ctx); err != nil || len(all) != 1 || all[0].ID != l.ID {
		t.Fatalf("AllLinks() = %v, %v; want [%d]", all, err, l.ID)
	}
	if err := s.DeleteLink(ctx, "alice", l.ID); err != nil {
		t.Fatalf("DeleteLink() = %v", err)
	}
	if _, err := s.LinkByID(ctx, l.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LinkByID(deleted) = %v, want ErrNotFound", err)
	}
}

func TestLinkUniqueness(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	a := mkAccount(t, s, "alice")
	a2 := mkAccount(t, s, "alice")
	b := mkAccount(t, s, "bob")
	l := mkLink(t, s, a, "/remote.php/dav/calendars/alice/personal/")

	tests := []struct {
		name  string
		link  Link
		index string // "" means accepted
	}{
		{"same folder same account", Link{AccountID: a.ID, UserID: "alice", Kind: KindCalendar, RemoteFolderID: l.RemoteFolderID, LocalHref: "/remote.php/dav/calendars/alice/other/"}, IndexLinkRemoteFolder},
		{"same collection other account", Link{AccountID: a2.ID, UserID: "alice", Kind: KindCalendar, RemoteFolderID: "F9", LocalHref: l.LocalHref}, IndexLinkLocalHref},
		{"same folder other account", Link{AccountID: a2.ID, UserID: "alice", Kind: KindCalendar, RemoteFolderID: l.RemoteFolderID, LocalHref: "/remote.php/dav/calendars/alice/third/"}, ""},
		{"other user same href text", Link{AccountID: b.ID, UserID: "bob", Kind: KindCalendar, RemoteFolderID: "F1", LocalHref: l.LocalHref}, ""},
		{"long folder id", Link{AccountID: a.ID, UserID: "alice", Kind: KindContacts, RemoteFolderID: longID(5000), LocalHref: "/remote.php/dav/addressbooks/users/alice/c/"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CreateLink(ctx, &tc.link)
			if tc.index == "" {
				if err != nil {
					t.Fatalf("CreateLink() = %v, want accepted", err)
				}
				return
			}
			if !errors.Is(err, ErrDuplicate) || !IsDuplicate(err, tc.index) {
				t.Fatalf("CreateLink() = %v, want duplicate on %s", err, tc.index)
			}
		})
	}
}

func longID(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(i*7+i/64)%64]
	}
	return string(b)
}
