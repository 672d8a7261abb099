package scheduler

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/harmony"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// TestTwoInstancesTakeover runs two instances against one database. A
// claims the account and hangs in its run; B must not run the account
// while A's lease is alive. Then A dies (its database connections close,
// so no more heartbeats): B takes the work over within the lease time.
func TestTwoInstancesTakeover(t *testing.T) {
	t.Parallel()
	dsn := pgtestDSN(t)
	stA := openStore(t, dsn)
	stB := openStore(t, dsn)
	_, links := fixture(t, stA, 1)
	ncA, ncB := newFakeNC(), newFakeNC()
	ncA.set(KeyInterval, "1h")
	ncB.set(KeyInterval, "1h")
	hang := make(chan struct{})
	defer close(hang)
	syA := &fakeSyncer{fn: func(ctx context.Context, id int64, n int) (harmony.Result, error) {
		select {
		case <-hang:
		case <-ctx.Done():
		}
		return harmony.Result{}, ctx.Err()
	}}
	syB := &fakeSyncer{}
	oA := fastOptions(stA, syA, ncA, t)
	oA.Instance = "A"
	a, err := New(oA)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "A running the link", func() bool { return syA.count() == 1 })
	oB := fastOptions(stB, syB, ncB, t)
	oB.Instance = "B"
	b := start(t, oB)
	// While A is alive (heartbeats renew its 600 ms lease), B stays off the account.
	_ = b.SyncNow(context.Background(), "alice", links[0].ID, false)
	time.Sleep(900 * time.Millisecond)
	if n := syB.count(); n != 0 {
		t.Fatalf("B ran %d times while A held the lease", n)
	}
	// Kill A: its pool closes under it, heartbeats fail, the lease expires.
	killed := time.Now()
	a.mu.Lock()
	cancel := a.cancel
	a.mu.Unlock()
	cancel() // A stops claiming; its hung run keeps the lease until heartbeats stop
	stA.Close()
	waitFor(t, 3*time.Second, "B taking over", func() bool { return syB.count() >= 1 })
	if d := time.Since(killed); d > oB.LeaseTTL+500*time.Millisecond {
		t.Errorf("takeover took %v, want within the lease time %v (+ticks)", d, oB.LeaseTTL)
	}
	runs, err := stB.AccountRuns(context.Background(), "alice")
	if err != nil || len(runs) != 1 {
		t.Fatalf("AccountRuns() = %v, %v", runs, err)
	}
	if h := runs[0].LeaseHolder; h != "B" && h != "" {
		t.Errorf("lease holder after takeover = %q, want B or released", h)
	}
}

// TestStopReleasesLeases shows a graceful stop: the in-flight run is
// cancelled at the deadline, and the lease is released at once, so the
// other instance does not wait for it to expire.
func TestStopReleasesLeases(t *testing.T) {
	t.Parallel()
	dsn := pgtestDSN(t)
	stA := openStore(t, dsn)
	stB := openStore(t, dsn)
	fixture(t, stA, 1)
	nc := newFakeNC()
	nc.set(KeyInterval, "1h")
	syA := &fakeSyncer{fn: func(ctx context.Context, id int64, n int) (harmony.Result, error) {
		<-ctx.Done()
		return harmony.Result{}, ctx.Err()
	}}
	oA := fastOptions(stA, syA, nc, t)
	oA.Instance = "A"
	oA.LeaseTTL = time.Minute
	a, _ := New(oA)
	_ = a.Start(context.Background())
	waitFor(t, 2*time.Second, "A running", func() bool { return syA.count() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := a.Stop(ctx); err == nil {
		t.Errorf("Stop() with a run past the deadline = nil, want the interruption reported")
	}
	syB := &fakeSyncer{}
	oB := fastOptions(stB, syB, nc, t)
	oB.Instance = "B"
	start(t, oB)
	// The interrupted run is queued again (retry now) and B picks it up at
	// once, long before A's one-minute lease would have expired.
	waitFor(t, 2*time.Second, "B running the interrupted link", func() bool { return syB.count() == 1 })
}

// TestPerServerLimitAcrossInstances: with at most one sync per Exchange
// server, two instances never run two accounts of the same server at once.
func TestPerServerLimitAcrossInstances(t *testing.T) {
	t.Parallel()
	dsn := pgtestDSN(t)
	stA, stB := openStore(t, dsn), openStore(t, dsn)
	for _, u := range []string{"u1", "u2", "u3"} {
		fixtureFor(t, stA, u, 1)
	}
	nc := newFakeNC()
	nc.set(KeyInterval, "1h")
	nc.set(KeyMaxPerServer, "1")
	var running, peak, done atomic.Int32
	fn := func(ctx context.Context, id int64, n int) (harmony.Result, error) {
		cur := running.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		time.Sleep(150 * time.Millisecond)
		running.Add(-1)
		done.Add(1)
		return harmony.Result{LinkID: id}, nil
	}
	for i, st := range []*store.Store{stA, stB} {
		o := fastOptions(st, &fakeSyncer{fn: fn}, nc, t)
		o.Instance = string(rune('A' + i))
		start(t, o)
	}
	waitFor(t, 5*time.Second, "all three accounts synced", func() bool { return done.Load() == 3 })
	if p := peak.Load(); p != 1 {
		t.Errorf("peak concurrent syncs against one server = %d, want 1", p)
	}
}
