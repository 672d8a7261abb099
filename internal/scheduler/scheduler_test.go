package scheduler

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/harmony"
	"github.com/ewsconnector/ews_connector/internal/store"
)

func TestSyncNowQueuesAndAnswersAtOnce(t *testing.T) {
	t.Parallel()
	st := openStore(t, pgtestDSN(t))
	_, links := fixture(t, st, 1)
	nc := newFakeNC()
	nc.set(KeyInterval, "1h")
	release := make(chan struct{})
	sy := &fakeSyncer{fn: func(ctx context.Context, id int64, n int) (harmony.Result, error) {
		if n > 1 {
			<-release
		}
		return harmony.Result{LinkID: id, Local: harmony.Counts{Created: 3}}, nil
	}}
	s := start(t, fastOptions(st, sy, nc, t))
	defer close(release)
	waitFor(t, 2*time.Second, "the first (never run) sync", func() bool { return sy.count() == 1 })
	if err := s.SyncNow(context.Background(), "bob", links[0].ID, false); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SyncNow(other user) = %v, want ErrNotFound", err)
	}
	t0 := time.Now()
	if err := s.SyncNow(context.Background(), "alice", links[0].ID, true); err != nil {
		t.Fatalf("SyncNow() = %v", err)
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("SyncNow took %v; it must only queue", d)
	}
	waitFor(t, 2*time.Second, "the queued sync", func() bool { return sy.count() == 2 })
	if !sy.last().full {
		t.Errorf("queued run FullResync = false, want true")
	}
	waitFor(t, 2*time.Second, "status running", func() bool {
		stt, err := s.Status(context.Background(), "alice")
		return err == nil && len(stt.Links) == 1 && stt.Links[0].Running
	})
	stt, err := s.Status(context.Background(), "alice")
	if err != nil || len(stt.Accounts) != 1 || !stt.Accounts[0].Running {
		t.Fatalf("Status() = %+v, %v; want the account running", stt, err)
	}
	if ls := stt.Links[0]; ls.LastResult != "ok" || ls.Counts.LocalCreated != 3 || ls.LastRunAt.IsZero() {
		t.Errorf("Status link = %+v; want the first run's result ok with 3 created", ls)
	}
}

func TestSettingsApplyWithoutRestart(t *testing.T) {
	t.Parallel()
	st := openStore(t, pgtestDSN(t))
	fixture(t, st, 1)
	nc := newFakeNC()
	nc.set(KeyInterval, "100ms")
	sy := &fakeSyncer{}
	s := start(t, fastOptions(st, sy, nc, t))
	waitFor(t, 3*time.Second, "periodic runs at 100ms", func() bool { return sy.count() >= 3 })
	nc.set(KeyInterval, "1h")
	nc.set(KeyMode, "active")
	nc.set(KeyDenyHosts, "evil.example")
	waitFor(t, 2*time.Second, "the new settings", func() bool {
		cur := s.Settings()
		return cur.Interval == time.Hour && cur.Mode == Active && len(cur.DenyHosts) == 1
	})
	time.Sleep(150 * time.Millisecond) // a run in flight may finish
	n := sy.count()
	time.Sleep(400 * time.Millisecond)
	if got := sy.count(); got != n {
		t.Errorf("runs after the interval became 1h: %d, want none (were %d)", got-n, n)
	}
	stt, err := s.Status(context.Background(), "alice")
	// Active mode without calendar webhooks polls calendars at the contacts
	// interval (default 30 s).
	if next := time.Until(stt.Links[0].NextRunAt); err != nil || stt.Mode != Active || next < 20*time.Second || next > 35*time.Second {
		t.Errorf("Status() = %+v, %v; want active mode and the next run in about 30 s", stt, err)
	}
}

func TestAuthFailureStopsWithOneNotification(t *testing.T) {
	t.Parallel()
	st := openStore(t, pgtestDSN(t))
	a, links := fixture(t, st, 2)
	nc := newFakeNC()
	nc.set(KeyInterval, "100ms")
	var fail atomic.Bool
	fail.Store(true)
	sy := &fakeSyncer{fn: func(ctx context.Context, id int64, n int) (harmony.Result, error) {
		if fail.Load() {
			return harmony.Result{}, &ews.Error{Op: "SyncFolderItems", HTTPStatus: 401}
		}
		return harmony.Result{LinkID: id}, nil
	}}
	s := start(t, fastOptions(st, sy, nc, t))
	waitFor(t, 2*time.Second, "a run", func() bool { return sy.count() >= 1 })
	time.Sleep(500 * time.Millisecond)
	if n := sy.count(); n != 1 {
		t.Errorf("runs after rejected credentials = %d, want 1 (the account stops)", n)
	}
	if ns := nc.notifications(); len(ns) != 1 || ns[0].user != "alice" || !strings.Contains(ns[0].n.RichSubject, "credentials") {
		t.Errorf("notifications = %+v, want one about credentials", ns)
	}
	stt, _ := s.Status(context.Background(), "alice")
	if len(stt.Accounts) != 1 || !stt.Accounts[0].AuthFailed || stt.Accounts[0].State != "error" || !stt.Links[0].NextRunAt.IsZero() {
		t.Errorf("Status() = %+v; want the account auth-failed in state error, no next run", stt)
	}
	_ = s.SyncNow(context.Background(), "alice", links[1].ID, false)
	time.Sleep(200 * time.Millisecond)
	if n := sy.count(); n != 1 {
		t.Errorf("runs after sync now with rejected credentials = %d, want 1", n)
	}
	// Reconnect: new credentials, runs resume.
	fail.Store(false)
	if err := st.SetAccountSecret(context.Background(), "alice", a.ID, []byte("new sealed")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "runs after reconnect", func() bool { return sy.count() >= 3 })
	waitFor(t, 2*time.Second, "account connected", func() bool {
		acct, err := st.Account(context.Background(), "alice", a.ID)
		return err == nil && acct.State == store.AccountConnected
	})
}

func TestBackoffUnderThrottling(t *testing.T) {
	t.Parallel()
	st := openStore(t, pgtestDSN(t))
	_, links := fixture(t, st, 3)
	nc := newFakeNC()
	nc.set(KeyInterval, "50ms")
	sy := &fakeSyncer{fn: func(ctx context.Context, id int64, n int) (harmony.Result, error) {
		return harmony.Result{}, &ews.Error{Op: "SyncFolderItems", ResponseCode: "ErrorServerBusy", BackOff: 400 * time.Millisecond}
	}}
	s := start(t, fastOptions(st, sy, nc, t))
	// Without back-off, 3 links at 50 ms with 20 ms ticks would run ~100
	// times in 1.5 s; with it, the server's 400 ms hint then 100 ms·2^n.
	time.Sleep(1500 * time.Millisecond)
	n := sy.count()
	if n < 2 || n > 5 {
		t.Errorf("runs against a throttling server in 1.5 s = %d, want 2..5", n)
	}
	stt, _ := s.Status(context.Background(), "alice")
	if stt.Accounts[0].BackoffUntil.IsZero() && n < 5 {
		t.Errorf("Status() account = %+v, want a back-off", stt.Accounts[0])
	}
	if len(nc.notifications()) != 0 {
		t.Errorf("throttling notified the user: %+v", nc.notifications())
	}
	_ = links
}

func TestDeletedCollectionPausesLink(t *testing.T) {
	t.Parallel()
	st := openStore(t, pgtestDSN(t))
	_, links := fixture(t, st, 2)
	nc := newFakeNC()
	nc.set(KeyInterval, "1h")
	sy := &fakeSyncer{fn: func(ctx context.Context, id int64, n int) (harmony.Result, error) {
		if id == links[0].ID {
			return harmony.Result{}, &dav.HTTPError{Method: "REPORT", Href: links[0].LocalHref, Code: 404}
		}
		return harmony.Result{}, &ews.Error{Op: "SyncFolderItems", ResponseCode: "ErrorFolderNotFound"}
	}}
	s := start(t, fastOptions(st, sy, nc, t))
	waitFor(t, 2*time.Second, "both links paused", func() bool {
		ls, _ := st.Links(context.Background(), "alice")
		return len(ls) == 2 && ls[0].Paused && ls[1].Paused
	})
	ls, _ := st.Links(context.Background(), "alice")
	if !strings.Contains(ls[0].PauseReason, "Nextcloud calendar") || !strings.Contains(ls[1].PauseReason, "Exchange folder") {
		t.Errorf("pause reasons = %q, %q", ls[0].PauseReason, ls[1].PauseReason)
	}
	waitFor(t, time.Second, "two notifications", func() bool { return len(nc.notifications()) == 2 })
	_ = s.SyncNow(context.Background(), "alice", links[0].ID, false)
	time.Sleep(200 * time.Millisecond)
	if n := sy.count(); n != 2 {
		t.Errorf("runs = %d, want 2 (paused links do not run)", n)
	}
}

func TestDeletedUserLosesData(t *testing.T) {
	t.Parallel()
	st := openStore(t, pgtestDSN(t))
	fixture(t, st, 1)
	nc := newFakeNC()
	nc.users = []string{"admin"}
	sy := &fakeSyncer{fn: func(ctx context.Context, id int64, n int) (harmony.Result, error) {
		return harmony.Result{}, &dav.HTTPError{Method: "REPORT", Code: 401}
	}}
	start(t, fastOptions(st, sy, nc, t))
	waitFor(t, 2*time.Second, "alice's accounts removed", func() bool {
		as, err := st.Accounts(context.Background(), "alice")
		return err == nil && len(as) == 0
	})
}

func TestLinkFailureBacksOffAndNotifiesOnce(t *testing.T) {
	t.Parallel()
	st := openStore(t, pgtestDSN(t))
	fixture(t, st, 1)
	nc := newFakeNC()
	nc.set(KeyInterval, "50ms")
	sy := &fakeSyncer{fn: func(ctx context.Context, id int64, n int) (harmony.Result, error) {
		return harmony.Result{}, errors.New("harmony: something odd")
	}}
	o := fastOptions(st, sy, nc, t)
	o.BackoffBase = 20 * time.Millisecond
	o.FailNotify = 2
	s := start(t, o)
	waitFor(t, 3*time.Second, "four failed runs", func() bool { return sy.count() >= 4 })
	if ns := nc.notifications(); len(ns) != 1 {
		t.Errorf("notifications = %d, want 1", len(ns))
	}
	stt, _ := s.Status(context.Background(), "alice")
	if l := stt.Links[0]; l.LastResult != "error" || l.Failures < 3 || !strings.Contains(l.LastError, "odd") {
		t.Errorf("Status link = %+v", l)
	}
}

func TestConflictDigestAndChangeSummaries(t *testing.T) {
	t.Parallel()
	st := openStore(t, pgtestDSN(t))
	fixture(t, st, 1)
	nc := newFakeNC()
	nc.set(KeyInterval, "1h")
	sy := &fakeSyncer{fn: func(ctx context.Context, id int64, n int) (harmony.Result, error) {
		return harmony.Result{LinkID: id, Conflicts: 2, Local: harmony.Counts{Updated: 1}}, nil
	}}
	o := fastOptions(st, sy, nc, t)
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s.refreshSettings(ctx)
	// Summaries: neither allowed nor opted in, then both.
	runAll := func() {
		_ = st.EnsureRunRows(ctx)
		s.mu.Lock()
		s.running = true
		s.runCtx = ctx
		s.mu.Unlock()
		if err := s.claimOnce(ctx); err != nil {
			t.Fatal(err)
		}
		s.runs.Wait()
	}
	runAll()
	if ns := nc.notifications(); len(ns) != 0 {
		t.Fatalf("notifications without opt-in = %+v", ns)
	}
	s.sendDigests(ctx)
	if ns := nc.notifications(); len(ns) != 1 || !strings.Contains(ns[0].n.RichSubject, "2 synchronisation conflicts") {
		t.Fatalf("digest = %+v", ns)
	}
	nc.set(KeyChangeSummaries, "1")
	nc.prefs["alice"] = map[string]string{PrefChangeSummaries: "1"}
	s.prefMu.Lock()
	s.prefCache = map[string]prefEntry{} // preferences are cached for 5 minutes
	s.prefMu.Unlock()
	s.refreshSettings(ctx)
	_ = s.SyncNow(ctx, "alice", 1, false)
	links, _ := st.Links(ctx, "alice")
	_ = s.SyncNow(ctx, "alice", links[0].ID, false)
	runAll()
	ns := nc.notifications()
	if len(ns) != 2 || !strings.Contains(ns[1].n.RichMessage, "1 updated in Nextcloud") {
		t.Fatalf("notifications after opt-in = %+v", ns)
	}
	s.sendDigests(ctx) // within a day: no second digest
	if got := len(nc.notifications()); got != 2 {
		t.Errorf("second digest within a day sent: %d notifications", got)
	}
}

func TestUserTurnedSyncOff(t *testing.T) {
	t.Parallel()
	st := openStore(t, pgtestDSN(t))
	fixture(t, st, 1)
	nc := newFakeNC()
	nc.set(KeyInterval, "1h")
	nc.prefs["alice"] = map[string]string{PrefSyncEnabled: "0"}
	sy := &fakeSyncer{}
	s := start(t, fastOptions(st, sy, nc, t))
	waitFor(t, 2*time.Second, "a skipped run recorded", func() bool {
		stt, err := s.Status(context.Background(), "alice")
		return err == nil && len(stt.Links) == 1 && stt.Links[0].LastResult == "off"
	})
	time.Sleep(200 * time.Millisecond)
	if n := sy.count(); n != 0 {
		t.Errorf("runs with synchronisation turned off = %d, want 0", n)
	}
}

func TestCheckUsersRemovesDeletedUsers(t *testing.T) {
	t.Parallel()
	st := openStore(t, pgtestDSN(t))
	fixtureFor(t, st, "alice", 1)
	fixtureFor(t, st, "bob", 1)
	nc := newFakeNC()
	s, err := New(fastOptions(st, &fakeSyncer{}, nc, t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	nc.users = nil // an empty or failed answer never deletes anything
	s.checkUsers(ctx)
	if as, _ := st.Accounts(ctx, "bob"); len(as) != 1 {
		t.Fatalf("accounts of bob after an empty user list = %d, want 1", len(as))
	}
	nc.users = []string{"alice", "admin"}
	s.checkUsers(ctx)
	if as, _ := st.Accounts(ctx, "bob"); len(as) != 0 {
		t.Errorf("accounts of deleted bob = %d, want 0", len(as))
	}
	if as, _ := st.Accounts(ctx, "alice"); len(as) != 1 {
		t.Errorf("accounts of alice = %d, want 1", len(as))
	}
}

func TestEnginePanicIsAFailedRun(t *testing.T) {
	t.Parallel()
	st := openStore(t, pgtestDSN(t))
	fixture(t, st, 1)
	nc := newFakeNC()
	nc.set(KeyInterval, "1h")
	sy := &fakeSyncer{fn: func(ctx context.Context, id int64, n int) (harmony.Result, error) { panic("bad item") }}
	s := start(t, fastOptions(st, sy, nc, t))
	waitFor(t, 2*time.Second, "the failed run recorded", func() bool {
		stt, err := s.Status(context.Background(), "alice")
		return err == nil && len(stt.Links) == 1 && stt.Links[0].LastResult == "error" && strings.Contains(stt.Links[0].LastError, "panic")
	})
}
