// Package scheduler runs the harmonization engine by itself for every
// connected user: periodic runs with jitter (passive mode), EWS streaming
// or pull notifications and Nextcloud calendar webhooks with a
// reconciliation pass (active mode), "sync now" requests, one run per
// account at a time within admin limits, and work shared by any number of
// app instances through leases in PostgreSQL (SELECT … FOR UPDATE SKIP
// LOCKED, https://www.postgresql.org/docs/current/sql-select.html#SQL-FOR-UPDATE-SHARE)
// renewed by heartbeats. It backs off from throttling servers
// (BackOffMilliseconds, https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/ews-throttling-in-exchange),
// stops accounts whose credentials are rejected, pauses links whose
// collection was deleted, notifies users through AppAPI
// (https://docs.nextcloud.com/server/latest/developer_manual/exapp_development/tech_details/api/notifications.html)
// and keeps per-link status for the UI. No run ever happens inside an HTTP
// request: SyncNow only queues.
package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/harmony"
	"github.com/ewsconnector/ews_connector/internal/metrics"
	"github.com/ewsconnector/ews_connector/internal/netguard"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// Syncer runs one harmonization of a link (*harmony.Engine satisfies it).
type Syncer interface {
	SyncLink(ctx context.Context, userID string, linkID int64, opts harmony.RunOptions) (harmony.Result, error)
}

// Nextcloud is what the scheduler asks Nextcloud through AppAPI
// (*appapi.Client satisfies it): the admin settings (app config), the
// users' preferences, notifications and the list of users.
type Nextcloud interface {
	ConfigReader
	Preferences(ctx context.Context, user string, keys ...string) (map[string]string, error)
	Notify(ctx context.Context, user string, n appapi.Notification) error
	Users(ctx context.Context) ([]string, error)
}

// Watcher keeps a change subscription on an account's folders (EWS
// streaming, or pull where streaming is missing) until ctx ends or it
// fails. onEvent receives the folder ids that changed; onResync says
// events may have been lost.
type Watcher interface {
	Watch(ctx context.Context, folders []string, onEvent func(folderIDs []string), onResync func()) error
}

// WatcherFactory builds the Watcher of an account (active mode).
type WatcherFactory func(ctx context.Context, account store.Account) (Watcher, error)

// Options configure a Scheduler. Store and Syncer are required.
type Options struct {
	Store  *store.Store
	Syncer Syncer
	// Nextcloud reads settings and sends notifications; nil means default
	// settings and no notifications.
	Nextcloud Nextcloud
	// Watchers builds EWS subscriptions in active mode; nil: no streaming.
	Watchers WatcherFactory
	// WebhooksAvailable reports whether Nextcloud delivers calendar webhooks
	// to the app (NC 32+ with webhook_listeners, registered); when false or
	// nil, calendars are polled at the contacts interval in active mode.
	WebhooksAvailable func(ctx context.Context) (bool, error)
	// Guard gets the admin's host allow/deny lists (plus ExtraAllow) on
	// every settings change; may be nil.
	Guard *netguard.Guard
	// ExtraAllow are hosts the guard always admits, even internal ones,
	// without restricting others (netguard.Policy.Trusted; development: the
	// simulated Exchange on 127.0.0.1).
	ExtraAllow []string
	// Metrics receives the scheduler's metrics; nil: none.
	Metrics *metrics.Registry
	Logger  *slog.Logger
	// Instance names this instance in leases; default host name + random.
	Instance string
	// PageURL is the link of notifications (the app's page).
	PageURL string

	LeaseTTL     time.Duration // run and stream lease; default 60 s
	Tick         time.Duration // how often to look for due work; default 1 s
	SettingsPoll time.Duration // how often to re-read the settings; default 30 s
	Debounce     time.Duration // delay of an event-triggered run; default 2 s
	MinInterval  time.Duration // lowest accepted interval setting; default 1 min
	BackoffBase  time.Duration // first back-off of a failing account or link; default 30 s
	BackoffMax   time.Duration // longest back-off; default 1 h
	FailNotify   int           // consecutive link failures before a notification; default 3
	UsersCheck   time.Duration // how often deleted Nextcloud users are looked for; default 10 min
	DigestEvery  time.Duration // conflict digest period; default 24 h
	Now          func() time.Time
}

// Scheduler runs links. Start and Stop make it a web.Workers.
type Scheduler struct {
	opts Options
	st   *store.Store
	log  *slog.Logger
	m    *meters

	mu       sync.Mutex
	settings Settings
	webhooks bool // calendar webhooks are delivered
	running  bool
	cancel   context.CancelFunc // stops claiming and watching
	runStop  context.CancelFunc // aborts in-flight runs
	runCtx   context.Context
	loops    sync.WaitGroup
	runs     sync.WaitGroup
	active   int // accounts running on this instance
	streams  map[int64]*stream

	ready   chan struct{} // closed after the first settings read of a Start
	events  chan CalendarEvent
	pending map[int64]pendingEvent

	userMu    sync.Mutex
	users     map[string]bool
	usersAt   time.Time
	prefMu    sync.Mutex
	prefCache map[string]prefEntry
}

// Errors of the scheduler.
var (
	// ErrNoStore is returned by New without a store or syncer.
	ErrNoStore = errors.New("scheduler: store and syncer are required")
	// ErrQueueFull means a webhook event was dropped (the reconciliation
	// pass catches the change later).
	ErrQueueFull = errors.New("scheduler: event queue full")
)

// New returns a stopped Scheduler.
func New(opts Options) (*Scheduler, error) {
	if opts.Store == nil || opts.Syncer == nil {
		return nil, ErrNoStore
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Instance == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		rand.Read(b)
		opts.Instance = host + "-" + hex.EncodeToString(b)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.LeaseTTL, 60*time.Second)
	def(&opts.Tick, time.Second)
	def(&opts.SettingsPoll, 30*time.Second)
	def(&opts.Debounce, 2*time.Second)
	def(&opts.MinInterval, time.Minute)
	def(&opts.BackoffBase, 30*time.Second)
	def(&opts.BackoffMax, time.Hour)
	def(&opts.UsersCheck, 10*time.Minute)
	def(&opts.DigestEvery, 24*time.Hour)
	if opts.FailNotify <= 0 {
		opts.FailNotify = 3
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Scheduler{opts: opts, st: opts.Store, log: opts.Logger.With(slog.String("instance", opts.Instance)),
		m: newMeters(opts.Metrics), settings: DefaultSettings(), streams: map[int64]*stream{},
		events: make(chan CalendarEvent, 1024), prefCache: map[string]prefEntry{}}
	s.applyGuard(s.settings)
	return s, nil
}

// Instance returns the name this instance uses in leases.
func (s *Scheduler) Instance() string { return s.opts.Instance }

// Settings returns the admin settings in effect.
func (s *Scheduler) Settings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// Start begins claiming work and, in active mode, watching; it returns at
// once. Starting a running scheduler does nothing.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return nil
	}
	s.running = true
	base := context.WithoutCancel(ctx)
	lctx, cancel := context.WithCancel(base)
	rctx, runStop := context.WithCancel(base)
	s.cancel, s.runStop, s.runCtx = cancel, runStop, rctx
	s.ready = make(chan struct{})
	s.mu.Unlock()
	s.log.Info("scheduler started")
	for _, loop := range []func(context.Context){s.claimLoop, s.settingsLoop, s.eventLoop, s.streamLoop, s.housekeepingLoop} {
		s.loops.Add(1)
		go func() { defer s.loops.Done(); loop(lctx) }()
	}
	return nil
}

// Stop shuts down gracefully: no new work is claimed, subscriptions are
// closed, in-flight runs may finish until ctx ends (then they are cancelled
// at their next checkpoint: the engine commits page by page), and every
// lease of this instance is released so that other instances take over at
// once.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return nil
	}
	s.running = false
	cancel, runStop := s.cancel, s.runStop
	s.mu.Unlock()
	cancel()
	s.loops.Wait()
	done := make(chan struct{})
	go func() { s.runs.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		runStop()
		<-done
		err = fmt.Errorf("scheduler: stop: runs interrupted: %w", ctx.Err())
	}
	runStop()
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer rcancel()
	n, rerr := s.st.ReleaseLeases(rctx, s.opts.Instance)
	s.log.Info("scheduler stopped", slog.Int64("leases_released", n))
	return errors.Join(err, rerr)
}

// SyncNow queues a run of link linkID of user userID (full: a full resync
// that lists both collections from scratch) and returns at once; any
// instance picks it up within a second or so. A link of another user, or
// none, is store.ErrNotFound. It never runs the sync itself.
func (s *Scheduler) SyncNow(ctx context.Context, userID string, linkID int64, full bool) error {
	if err := s.st.TriggerLink(ctx, userID, linkID, s.opts.Now(), full); err != nil {
		return fmt.Errorf("scheduler: sync now: %w", err)
	}
	s.log.Info("sync queued", slog.String("user_id", userID), slog.Int64("link_id", linkID), slog.Bool("full", full))
	return nil
}

// SyncAccountNow queues a run of every link of account accountID of user
// userID and returns how many were queued; another user's account is
// store.ErrNotFound.
func (s *Scheduler) SyncAccountNow(ctx context.Context, userID string, accountID int64, full bool) (int, error) {
	if _, err := s.st.Account(ctx, userID, accountID); err != nil {
		return 0, fmt.Errorf("scheduler: sync now: %w", err)
	}
	n, err := s.st.TriggerAccountLinks(ctx, accountID, s.opts.Now(), full)
	if err != nil {
		return 0, fmt.Errorf("scheduler: sync now: %w", err)
	}
	return int(n), nil
}

// intervals returns the periodic intervals for the current settings: the
// passive interval everywhere in passive mode; in active mode contacts
// (which have no webhooks) are polled at the contacts interval, and so are
// calendars when Nextcloud delivers no calendar webhooks.
func (s *Scheduler) intervals() store.Intervals {
	s.mu.Lock()
	defer s.mu.Unlock()
	return intervalsFor(s.settings, s.webhooks)
}

func intervalsFor(st Settings, webhooks bool) store.Intervals {
	iv := store.Intervals{Calendar: st.Interval, Contacts: st.Interval}
	if st.Mode == Active {
		iv.Contacts = min(st.ContactsInterval, st.Interval)
		if !webhooks {
			iv.Calendar = iv.Contacts
		}
	}
	return iv
}
