package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func corr(linkID int64, n int) Correlation {
	return Correlation{
		LinkID: linkID, UID: fmt.Sprintf("uid-%d@example.com", n),
		LocalHref: fmt.Sprintf("/remote.php/dav/calendars/alice/personal/%d.ics", n), LocalETag: `"e1"`, LocalHash: "lh",
		RemoteID: fmt.Sprintf("AAMkItem%d", n), RemoteChangeKey: "CQAAAB", RemoteHash: "rh",
		SyncedAt: time.Now().Truncate(time.Microsecond),
	}
}

func linkFixture(t *testing.T) (*Store, Account, Link) {
	t.Helper()
	s := newStore(t)
	a := mkAccount(t, s, "alice")
	return s, a, mkLink(t, s, a, "/remote.php/dav/calendars/alice/personal/")
}

func TestCorrelationUpsertAndLookups(t *testing.T) {
	t.Parallel()
	s, _, l := linkFixture(t)
	ctx := context.Background()
	c := corr(l.ID, 1)
	if err := s.UpsertCorrelation(ctx, &c); err != nil || c.ID == 0 {
		t.Fatalf("UpsertCorrelation(new) = %v, id %d", err, c.ID)
	}
	for name, get := range map[string]func() (Correlation, error){
		"ByUID":      func() (Correlation, error) { return s.CorrelationByUID(ctx, l.ID, c.UID) },
		"ByHref":     func() (Correlation, error) { return s.CorrelationByHref(ctx, l.ID, c.LocalHref) },
		"ByRemoteID": func() (Correlation, error) { return s.CorrelationByRemoteID(ctx, l.ID, c.RemoteID) },
	} {
		got, err := get()
		if err != nil || got.ID != c.ID || got.RemoteChangeKey != "CQAAAB" || !got.SyncedAt.Equal(c.SyncedAt) || !got.NextRetryAt.IsZero() {
			t.Errorf("Correlation%s() = %+v, %v; want id %d", name, got, err, c.ID)
		}
	}
	if _, err := s.CorrelationByUID(ctx, l.ID, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("CorrelationByUID(absent) = %v, want ErrNotFound", err)
	}

	// Same UID without an id: overwrites the row (new versions after a sync).
	again := corr(l.ID, 1)
	again.LocalETag, again.RemoteChangeKey = `"e2"`, "CQAAAC"
	if err := s.UpsertCorrelation(ctx, &again); err != nil || again.ID != c.ID {
		t.Fatalf("UpsertCorrelation(same uid) = %v, id %d want %d", err, again.ID, c.ID)
	}
	// With the id: may clear a side and change the UID.
	again.RemoteID, again.RemoteChangeKey, again.UID = "", "", "restamped"
	if err := s.UpsertCorrelation(ctx, &again); err != nil {
		t.Fatalf("UpsertCorrelation(by id) = %v", err)
	}
	got, err := s.CorrelationByUID(ctx, l.ID, "restamped")
	if err != nil || got.ID != c.ID || got.RemoteID != "" || got.LocalETag != `"e2"` {
		t.Fatalf("after update by id = %+v, %v", got, err)
	}
	if n, _ := s.CorrelationCount(ctx, l.ID); n != 1 {
		t.Fatalf("CorrelationCount() = %d, want 1", n)
	}
	ghost := corr(l.ID, 9)
	ghost.ID = 999999
	if err := s.UpsertCorrelation(ctx, &ghost); !errors.Is(err, ErrNotFound) {
		t.Fatalf("UpsertCorrelation(unknown id) = %v, want ErrNotFound", err)
	}
	neither := Correlation{LinkID: l.ID, UID: "nowhere"}
	if err := s.UpsertCorrelation(ctx, &neither); !errors.Is(err, ErrInvalid) {
		t.Fatalf("UpsertCorrelation(no side) = %v, want ErrInvalid", err)
	}
}

// TestCorrelationNoDuplicates: the unique indexes reject a second row for
// the same UID (by id), the same local href or the same remote item.
func TestCorrelationNoDuplicates(t *testing.T) {
	t.Parallel()
	s, a, l := linkFixture(t)
	ctx := context.Background()
	first := corr(l.ID, 1)
	if err := s.UpsertCorrelation(ctx, &first); err != nil {
		t.Fatal(err)
	}
	second := corr(l.ID, 2)
	if err := s.UpsertCorrelation(ctx, &second); err != nil {
		t.Fatal(err)
	}
	sameHref := corr(l.ID, 3)
	sameHref.LocalHref = first.LocalHref
	sameRemote := corr(l.ID, 4)
	sameRemote.RemoteID = first.RemoteID
	uidOfFirst := second
	uidOfFirst.UID = first.UID // by id: would make two rows share a UID
	tests := []struct {
		name  string
		c     Correlation
		index string
	}{
		{"same local href", sameHref, IndexCorrelationLocalHref},
		{"same remote id", sameRemote, IndexCorrelationRemoteID},
		{"same uid by id", uidOfFirst, IndexCorrelationUID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.UpsertCorrelation(ctx, &tc.c); !IsDuplicate(err, tc.index) || !errors.Is(err, ErrDuplicate) {
				t.Fatalf("UpsertCorrelation() = %v, want duplicate on %s", err, tc.index)
			}
		})
	}
	// A raw INSERT bypassing the upsert is rejected too.
	if _, err := s.pool.Exec(ctx, `INSERT INTO correlations (link_id, uid, local_href) VALUES ($1, $2, 'x')`, l.ID, first.UID); !IsDuplicate(mapErr(err), IndexCorrelationUID) {
		t.Fatalf("raw INSERT of a duplicate UID = %v, want duplicate", err)
	}
	if n, _ := s.CorrelationCount(ctx, l.ID); n != 2 {
		t.Fatalf("CorrelationCount() = %d, want 2", n)
	}
	// The same item in another link is fine.
	l2 := mkLink(t, s, a, "/remote.php/dav/calendars/alice/other/")
	other := corr(l2.ID, 1)
	if err := s.UpsertCorrelation(ctx, &other); err != nil {
		t.Fatalf("UpsertCorrelation(same item, other link) = %v", err)
	}
	// Ids far beyond a btree entry's limit still index (md5).
	long := corr(l.ID, 5)
	long.RemoteID, long.UID = longID(8000), longID(6000)
	if err := s.UpsertCorrelation(ctx, &long); err != nil {
		t.Fatalf("UpsertCorrelation(8000-byte id) = %v", err)
	}
	if got, err := s.CorrelationByRemoteID(ctx, l.ID, long.RemoteID); err != nil || got.ID != long.ID {
		t.Fatalf("CorrelationByRemoteID(long) = %v", err)
	}
}

func TestCorrelationBatchAndTx(t *testing.T) {
	t.Parallel()
	s, _, l := linkFixture(t)
	ctx := context.Background()
	var cs []Correlation
	for i := 0; i < 50; i++ {
		cs = append(cs, corr(l.ID, i))
	}
	// A page of changes and its sync state commit together.
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.UpsertCorrelations(ctx, cs); err != nil {
			return err
		}
		return tx.SetRemoteSyncState(ctx, l.ID, "page1")
	})
	if err != nil {
		t.Fatalf("InTx(upsert page) = %v", err)
	}
	for i, c := range cs {
		if c.ID == 0 {
			t.Fatalf("UpsertCorrelations left item %d without an id", i)
		}
	}
	all, err := s.Correlations(ctx, l.ID)
	if err != nil || len(all) != 50 || all[0].UID != cs[0].UID {
		t.Fatalf("Correlations() = %d, %v; want 50", len(all), err)
	}

	// A failing item fails the page: neither the rows nor the state commit.
	page2 := []Correlation{corr(l.ID, 100), corr(l.ID, 101)}
	page2[1].LocalHref = cs[0].LocalHref
	err = s.InTx(ctx, func(tx *Tx) error {
		if err := tx.SetRemoteSyncState(ctx, l.ID, "page2"); err != nil {
			return err
		}
		return tx.UpsertCorrelations(ctx, page2)
	})
	if !IsDuplicate(err, IndexCorrelationLocalHref) {
		t.Fatalf("InTx(page with duplicate) = %v, want duplicate href", err)
	}
	if got, _ := s.LinkByID(ctx, l.ID); got.RemoteSyncState != "page1" {
		t.Fatalf("RemoteSyncState after failed page = %q, want page1", got.RemoteSyncState)
	}
	if n, _ := s.CorrelationCount(ctx, l.ID); n != 50 {
		t.Fatalf("CorrelationCount after failed page = %d, want 50", n)
	}

	byRemote, err := s.CorrelationsByRemoteIDs(ctx, l.ID, []string{cs[3].RemoteID, cs[7].RemoteID, "absent"})
	if err != nil || len(byRemote) != 2 {
		t.Fatalf("CorrelationsByRemoteIDs() = %d, %v; want 2", len(byRemote), err)
	}
	byHref, err := s.CorrelationsByHrefs(ctx, l.ID, []string{cs[1].LocalHref})
	if err != nil || len(byHref) != 1 || byHref[0].ID != cs[1].ID {
		t.Fatalf("CorrelationsByHrefs() = %v, %v", byHref, err)
	}
	byUID, err := s.CorrelationsByUIDs(ctx, l.ID, []string{cs[2].UID, cs[4].UID})
	if err != nil || len(byUID) != 2 {
		t.Fatalf("CorrelationsByUIDs() = %d, %v; want 2", len(byUID), err)
	}

	n, err := s.DeleteCorrelations(ctx, l.ID, []int64{cs[0].ID, cs[1].ID, 999999})
	if err != nil || n != 2 {
		t.Fatalf("DeleteCorrelations() = %d, %v; want 2", n, err)
	}
	if err := s.DeleteCorrelation(ctx, l.ID, cs[2].ID); err != nil {
		t.Fatalf("DeleteCorrelation() = %v", err)
	}
	if err := s.DeleteCorrelation(ctx, l.ID, cs[2].ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("DeleteCorrelation(again) = %v, want ErrNotFound", err)
	}
}

func TestCorrelationFailures(t *testing.T) {
	t.Parallel()
	s, _, l := linkFixture(t)
	ctx := context.Background()
	c := corr(l.ID, 1)
	c.RemoteID = "" // failed to create on Exchange
	if err := s.UpsertCorrelation(ctx, &c); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := s.RecordCorrelationFailure(ctx, l.ID, c.ID, "ews: ErrorServerBusy", now.Add(-time.Second)); err != nil {
		t.Fatalf("RecordCorrelationFailure() = %v", err)
	}
	if err := s.RecordCorrelationFailure(ctx, l.ID, c.ID, "ews: ErrorServerBusy again", now.Add(time.Hour)); err != nil {
		t.Fatalf("RecordCorrelationFailure() = %v", err)
	}
	got, _ := s.CorrelationByUID(ctx, l.ID, c.UID)
	if got.Failures != 2 || got.LastError != "ews: ErrorServerBusy again" {
		t.Fatalf("after two failures = %+v", got)
	}
	if due, err := s.DueCorrelations(ctx, l.ID, now); err != nil || len(due) != 0 {
		t.Fatalf("DueCorrelations(now) = %d, %v; want 0", len(due), err)
	}
	if due, err := s.DueCorrelations(ctx, l.ID, now.Add(2*time.Hour)); err != nil || len(due) != 1 {
		t.Fatalf("DueCorrelations(later) = %d, %v; want 1", len(due), err)
	}
	if err := s.RecordCorrelationFailure(ctx, l.ID+1, c.ID, "x", now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("RecordCorrelationFailure(other link) = %v, want ErrNotFound", err)
	}
}

// TestCascadeDelete: deleting a link drops its correlations; deleting an
// account drops its links and their correlations.
func TestCascadeDelete(t *testing.T) {
	t.Parallel()
	s, a, l := linkFixture(t)
	ctx := context.Background()
	l2 := mkLink(t, s, a, "/remote.php/dav/calendars/alice/second/")
	for _, c := range []Correlation{corr(l.ID, 1), corr(l.ID, 2), corr(l2.ID, 1)} {
		if err := s.UpsertCorrelation(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM correlations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := s.DeleteLink(ctx, "alice", l.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("correlations after DeleteLink = %d, want 1", n)
	}
	if err := s.DeleteAccount(ctx, "alice", a.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Fatalf("correlations after DeleteAccount = %d, want 0", n)
	}
	if _, err := s.LinkByID(ctx, l2.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LinkByID after DeleteAccount = %v, want ErrNotFound", err)
	}
}
