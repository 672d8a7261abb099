package scheduler

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/harmony"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// fakeSyncer records runs and answers with fn.
type fakeSyncer struct {
	mu    sync.Mutex
	calls []syncCall
	fn    func(ctx context.Context, linkID int64, n int) (harmony.Result, error)
}

type syncCall struct {
	link int64
	full bool
	at   time.Time
}

func (f *fakeSyncer) SyncLink(ctx context.Context, user string, linkID int64, o harmony.RunOptions) (harmony.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, syncCall{link: linkID, full: o.FullResync, at: time.Now()})
	n := len(f.calls)
	fn := f.fn
	f.mu.Unlock()
	if fn != nil {
		return fn(ctx, linkID, n)
	}
	return harmony.Result{LinkID: linkID}, nil
}

func (f *fakeSyncer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeSyncer) last() syncCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return syncCall{}
	}
	return f.calls[len(f.calls)-1]
}

// fakeNC is the part of Nextcloud the scheduler talks to.
type fakeNC struct {
	mu     sync.Mutex
	config map[string]string
	prefs  map[string]map[string]string
	users  []string
	notes  []note
}

type note struct {
	user string
	n    appapi.Notification
}

func newFakeNC() *fakeNC {
	return &fakeNC{config: map[string]string{}, prefs: map[string]map[string]string{}, users: []string{"alice", "admin"}}
}

func (f *fakeNC) Config(_ context.Context, keys ...string) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for _, k := range keys {
		if v, ok := f.config[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

func (f *fakeNC) set(k, v string) {
	f.mu.Lock()
	f.config[k] = v
	f.mu.Unlock()
}

func (f *fakeNC) Preferences(_ context.Context, user string, keys ...string) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for _, k := range keys {
		if v, ok := f.prefs[user][k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

func (f *fakeNC) Notify(_ context.Context, user string, n appapi.Notification) error {
	f.mu.Lock()
	f.notes = append(f.notes, note{user, n})
	f.mu.Unlock()
	return nil
}

func (f *fakeNC) Users(context.Context) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.users...), nil
}

func (f *fakeNC) notifications() []note {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]note(nil), f.notes...)
}

// testLogger logs to stderr with -v, else discards.
func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() && os.Getenv("SCHED_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func openStore(t testing.TB, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatalf("store.Open() = %v", err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate() = %v", err)
	}
	return st
}

// fixture creates an account of alice with n calendar links.
func fixture(t testing.TB, st *store.Store, n int) (store.Account, []store.Link) {
	t.Helper()
	return fixtureFor(t, st, "alice", n)
}

// fixtureFor creates an account of user with n calendar links.
func fixtureFor(t testing.TB, st *store.Store, user string, n int) (store.Account, []store.Link) {
	t.Helper()
	ctx := context.Background()
	id, err := st.NewAccountID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := store.Account{ID: id, UserID: user, Endpoint: "https://mail.example.com/EWS/Exchange.asmx", Username: user,
		AuthMethod: store.AuthBasic, Secret: []byte("sealed")}
	if err := st.CreateAccount(ctx, &a); err != nil {
		t.Fatal(err)
	}
	var links []store.Link
	for i := range n {
		l := store.Link{AccountID: a.ID, UserID: user, Kind: store.KindCalendar, RemoteFolderID: "folder-" + string(rune('a'+i)),
			LocalHref: "/remote.php/dav/calendars/" + user + "/cal" + string(rune('a'+i)) + "/"}
		if err := st.CreateLink(ctx, &l); err != nil {
			t.Fatal(err)
		}
		links = append(links, l)
	}
	return a, links
}

// fastOptions are short timings for tests.
func fastOptions(st *store.Store, sy Syncer, nc Nextcloud, t testing.TB) Options {
	return Options{Store: st, Syncer: sy, Nextcloud: nc, Logger: testLogger(t), LeaseTTL: 600 * time.Millisecond,
		Tick: 20 * time.Millisecond, SettingsPoll: 50 * time.Millisecond, Debounce: 10 * time.Millisecond,
		MinInterval: 50 * time.Millisecond, BackoffBase: 100 * time.Millisecond, BackoffMax: 2 * time.Second}
}

func start(t testing.TB, o Options) *Scheduler {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatalf("Start() = %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Stop(ctx)
	})
	return s
}

// waitFor polls cond every 10 ms until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func pgtestDSN(t testing.TB) string { return pgtest.DSN(t) }
