package store

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// claim runs one claim transaction as the scheduler does.
func claim(t *testing.T, s *Store, holder string, now time.Time, iv Intervals) []int64 {
	t.Helper()
	var got []int64
	err := s.InTx(context.Background(), func(tx *Tx) error {
		cands, err := tx.CandidateAccounts(context.Background(), now, iv, 10)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(cands))
		for _, c := range cands {
			ids = append(ids, c.ID)
		}
		got, err = tx.LeaseAccounts(context.Background(), ids, holder, now, now.Add(time.Minute))
		return err
	})
	if err != nil {
		t.Fatalf("claim(%s) = %v", holder, err)
	}
	return got
}

func TestSchedulerLeases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	a := mkAccount(t, s, "alice")
	l := mkLink(t, s, a, "/remote.php/dav/calendars/alice/personal/")
	iv := Intervals{Calendar: 5 * time.Minute, Contacts: 30 * time.Second}
	now := time.Now()
	if err := s.EnsureRunRows(ctx); err != nil {
		t.Fatalf("EnsureRunRows() = %v", err)
	}
	// A never-run link is due; concurrent claims give it to one holder.
	var wg sync.WaitGroup
	res := make([][]int64, 4)
	for i := range res {
		wg.Add(1)
		go func() { defer wg.Done(); res[i] = claim(t, s, "h"+string(rune('a'+i)), now, iv) }()
	}
	wg.Wait()
	total := 0
	for _, r := range res {
		total += len(r)
	}
	if total != 1 {
		t.Fatalf("concurrent claims leased %d accounts in total (%v), want 1", total, res)
	}
	if got := claim(t, s, "other", now.Add(30*time.Second), iv); len(got) != 0 {
		t.Fatalf("claim during a live lease = %v, want none", got)
	}
	holder := ""
	for i, r := range res {
		if len(r) == 1 {
			holder = "h" + string(rune('a'+i))
		}
	}
	// Expired: another instance takes it over.
	if got := claim(t, s, "other", now.Add(2*time.Minute), iv); !slices.Equal(got, []int64{a.ID}) {
		t.Fatalf("claim after expiry = %v, want [%d]", got, a.ID)
	}
	if ok, err := s.RenewAccountLease(ctx, a.ID, holder, now.Add(3*time.Minute)); err != nil || ok {
		t.Fatalf("RenewAccountLease(old holder) = %v, %v; want false (lost)", ok, err)
	}
	due, err := s.DueLinks(ctx, a.ID, now, iv)
	if err != nil || len(due) != 1 || due[0].ID != l.ID {
		t.Fatalf("DueLinks() = %v, %v; want link %d", due, err, l.ID)
	}
	if _, err := s.StartLinkRun(ctx, l.ID, now); err != nil {
		t.Fatalf("StartLinkRun() = %v", err)
	}
	if err := s.FinishLinkRun(ctx, l.ID, RunRecord{Finished: now, Result: "ok", LocalCreated: 2}); err != nil {
		t.Fatalf("FinishLinkRun() = %v", err)
	}
	if due, _ := s.DueLinks(ctx, a.ID, now.Add(time.Minute), iv); len(due) != 0 {
		t.Fatalf("DueLinks right after a run = %v, want none", due)
	}
	if due, _ := s.DueLinks(ctx, a.ID, now.Add(6*time.Minute), iv); len(due) != 1 {
		t.Fatalf("DueLinks after the interval = %v, want the link", due)
	}
	// Sync now: queued, full flag consumed by the run.
	if err := s.TriggerLink(ctx, "bob", l.ID, now, true); err == nil {
		t.Fatalf("TriggerLink(other user) = nil, want ErrNotFound")
	}
	if err := s.TriggerLink(ctx, "alice", l.ID, now.Add(time.Second), true); err != nil {
		t.Fatalf("TriggerLink() = %v", err)
	}
	if due, _ := s.DueLinks(ctx, a.ID, now.Add(2*time.Second), iv); len(due) != 1 {
		t.Fatalf("DueLinks after TriggerLink = %v, want the link", due)
	}
	if full, err := s.StartLinkRun(ctx, l.ID, now.Add(2*time.Second)); err != nil || !full {
		t.Fatalf("StartLinkRun() = %v, %v; want full resync", full, err)
	}
	if full, _ := s.StartLinkRun(ctx, l.ID, now.Add(3*time.Second)); full {
		t.Fatalf("second StartLinkRun() full = true, want consumed")
	}
	// Rejected credentials: not claimable until they change.
	if err := s.ReleaseAccountLease(ctx, a.ID, "other"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAuthFailed(ctx, a.ID, "401"); err != nil {
		t.Fatalf("SetAuthFailed() = %v", err)
	}
	later := now.Add(time.Hour)
	if got := claim(t, s, "x", later, iv); len(got) != 0 {
		t.Fatalf("claim with rejected credentials = %v, want none", got)
	}
	runs, err := s.AccountRuns(ctx, "alice")
	if err != nil || len(runs) != 1 || !runs[0].AuthFailed {
		t.Fatalf("AccountRuns() = %+v, %v; want AuthFailed", runs, err)
	}
	if err := s.SetAccountSecret(ctx, "alice", a.ID, []byte("new sealed secret")); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, s, "x", later, iv); !slices.Equal(got, []int64{a.ID}) {
		t.Fatalf("claim after reconnect = %v, want [%d]", got, a.ID)
	}
	lrs, err := s.LinkRuns(ctx, "alice")
	if err != nil || len(lrs) != 1 || lrs[0].Record.Result != "ok" || lrs[0].Record.LocalCreated != 2 || lrs[0].ID != l.ID {
		t.Fatalf("LinkRuns() = %+v, %v", lrs, err)
	}
	if n, err := s.ReleaseLeases(ctx, "x"); err != nil || n != 1 {
		t.Fatalf("ReleaseLeases() = %d, %v; want 1", n, err)
	}
	// Streams: one holder at a time.
	st1, err := s.ClaimStreams(ctx, "s1", later, later.Add(time.Minute), 10)
	if err != nil || len(st1) != 1 {
		t.Fatalf("ClaimStreams(s1) = %v, %v", st1, err)
	}
	if st2, _ := s.ClaimStreams(ctx, "s2", later, later.Add(time.Minute), 10); len(st2) != 0 {
		t.Fatalf("ClaimStreams(s2) during s1's lease = %v", st2)
	}
	if st2, _ := s.ClaimStreams(ctx, "s2", later.Add(2*time.Minute), later.Add(3*time.Minute), 10); len(st2) != 1 {
		t.Fatalf("ClaimStreams(s2) after expiry = %v", st2)
	}
}

func TestSchedulerNotices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	now := time.Now()
	for i, want := range []bool{true, false} {
		if got, err := s.ClaimNotice(ctx, "alice", "auth:1", now); err != nil || got != want {
			t.Fatalf("ClaimNotice #%d = %v, %v; want %v", i, got, err, want)
		}
	}
	if err := s.ClearNotice(ctx, "alice", "auth:1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimNotice(ctx, "alice", "auth:1", now); !got {
		t.Fatalf("ClaimNotice after ClearNotice = false, want true")
	}
	a := mkAccount(t, s, "alice")
	l := mkLink(t, s, a, "/remote.php/dav/calendars/alice/personal/")
	for range 2 {
		if err := s.AddConflicts(ctx, "alice", l.ID, 2, now); err != nil {
			t.Fatalf("AddConflicts() = %v", err)
		}
	}
	cs, err := s.TakeConflicts(ctx, "alice")
	if err != nil || len(cs) != 1 || cs[0].Conflicts != 4 {
		t.Fatalf("TakeConflicts() = %+v, %v; want 4 conflicts", cs, err)
	}
	if cs, _ := s.TakeConflicts(ctx, "alice"); len(cs) != 0 {
		t.Fatalf("second TakeConflicts() = %+v, want none", cs)
	}
}
