// Package harmony is the harmonization engine: it keeps one link (an EWS
// folder and a Nextcloud calendar or address book) in two-way sync. Per run it
// reads both sides' change feeds (RFC 6578 sync-collection on Nextcloud, EWS
// SyncFolderItems,
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitems-operation),
// joins the changes by UID with the correlations of the last run, decides per
// UID with the pure planner of package plan, applies the actions in batches
// with conditional writes, and records both sides' versions and hashes page by
// page in one transaction each. docs/harmonization.md describes the decision
// table, the policies and the guarantees.
package harmony

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ewsconnector/ews_connector/internal/harmony/plan"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// Deps builds the per-account EWS client and the per-user DAV client of a
// run. Production wires *ews.Client (after unsealing the account secret) and
// *dav.Client over the AppAPI DAV transport; tests inject clients talking to
// internal/ewssim and internal/nextcloudsim.
type Deps struct {
	// EWS returns the client of the account a link belongs to.
	EWS func(ctx context.Context, account store.Account) (EWS, error)
	// DAV returns the DAV client acting as Nextcloud user userID.
	DAV func(ctx context.Context, userID string) (DAV, error)
}

// Options tune an Engine. The zero value is usable.
type Options struct {
	// Logger receives one line per run and per failed item; nil discards.
	Logger *slog.Logger
	// Now returns the current time; nil uses time.Now.
	Now func() time.Time
	// PageSize is the number of items planned, written and committed
	// together (one transaction per page); default 100.
	PageSize int
	// PutParallel is the number of DAV PUTs and DELETEs in flight; default 3
	// (2-4 is right for Nextcloud).
	PutParallel int
	// DeleteShare pauses a link when a run would delete more than this share
	// of its items (0 < share <= 1; default 0.5), if at least DeleteMin items
	// (default 10) would be deleted. A negative DeleteShare turns this guard
	// off.
	DeleteShare float64
	DeleteMin   int
	// NoEmptyGuard turns off the guard that pauses a link when one side,
	// which held items at the last run, is now empty (vdirsyncer's
	// StorageEmpty).
	NoEmptyGuard bool
	// Floating is the zone floating iCalendar times are placed in for
	// Exchange (the user's time zone); nil means UTC.
	Floating *time.Location
	// RetryBase is the first back-off of a failed item (doubled per failure,
	// capped at RetryMax); defaults 1 minute and 6 hours.
	RetryBase, RetryMax time.Duration
}

// RunOptions tune one SyncLink run.
type RunOptions struct {
	// DryRun reads both sides and plans, but writes nothing anywhere (no
	// item, no state); Result.Planned lists what would be done.
	DryRun bool
	// FullResync ignores the stored sync token and SyncState and lists both
	// collections from scratch; correlations are kept and rebuilt by UID.
	FullResync bool
}

// Counts are the writes of a run to one side.
type Counts struct {
	Created, Updated, Deleted int
}

// ItemError is one item that failed in a run; it is retried with back-off
// in later runs and never blocks the others.
type ItemError struct {
	UID    string
	Href   string // Nextcloud object href, if known
	ItemID string // EWS ItemId, if known
	Op     string // the planned action, e.g. "update-remote"
	Err    string
}

// Planned is one decision of a run, listed for dry runs.
type Planned struct {
	UID      string
	Action   string // plan.Action names: create-local, update-remote, ...
	Conflict bool
	Reason   string
}

// Result is the outcome of one SyncLink run.
type Result struct {
	LinkID int64
	Kind   store.LinkKind
	DryRun bool
	// Local counts writes to Nextcloud, Remote writes to Exchange. In a dry
	// run they count what would be written.
	Local, Remote Counts
	// Conflicts is the number of items both sides changed differently (or
	// one deleted what the other modified) that the policy resolved.
	Conflicts int
	// Matched is the number of items paired without a write (same content
	// on both sides, e.g. on the first link of two non-empty collections).
	Matched int
	// Tagged is the number of Exchange items that got the app's UID property.
	Tagged int
	Errors []ItemError
	// Paused is true when the link is paused: by a guard in this run
	// (PauseReason says why; nothing was written) or already before.
	Paused      bool
	PauseReason string
	// Planned lists every decision other than "nothing" (dry runs only).
	Planned []Planned
}

// Changed reports whether the run wrote anything to either side.
func (r *Result) Changed() bool {
	return r.Local != (Counts{}) || r.Remote != (Counts{}) || r.Tagged > 0
}

// Errors of the engine.
var (
	// ErrNoClient is returned when Deps lacks a client factory.
	ErrNoClient = errors.New("harmony: no client factory")
	// ErrUnknownKind is returned for a link of an unknown kind.
	ErrUnknownKind = errors.New("harmony: unknown link kind")
)

// Engine runs harmonizations. It is safe for concurrent use: runs of one
// link in this process wait for each other (a per-link lock); across
// replicas the scheduler's lease keeps one run per link at a time.
type Engine struct {
	st   *store.Store
	deps Deps
	opts Options
	log  *slog.Logger

	mu    sync.Mutex
	locks map[int64]*linkLock
}

type linkLock struct {
	mu    sync.Mutex
	users int
}

// lockLink serializes runs of one link and returns the unlock function.
func (e *Engine) lockLink(id int64) func() {
	e.mu.Lock()
	l := e.locks[id]
	if l == nil {
		l = &linkLock{}
		e.locks[id] = l
	}
	l.users++
	e.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		e.mu.Lock()
		if l.users--; l.users == 0 {
			delete(e.locks, id)
		}
		e.mu.Unlock()
	}
}

// New returns an engine over st, building clients with deps.
func New(st *store.Store, deps Deps, opts Options) *Engine {
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.PutParallel <= 0 {
		opts.PutParallel = 3
	}
	if opts.DeleteShare == 0 {
		opts.DeleteShare = 0.5
	}
	if opts.DeleteMin <= 0 {
		opts.DeleteMin = 10
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = time.Minute
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 6 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{st: st, deps: deps, opts: opts, log: log, locks: map[int64]*linkLock{}}
}

// SyncLink runs one harmonization of link linkID of user userID and returns
// what it did (or, with DryRun, would do). A paused link is not run: the
// result has Paused set and no error. Per-item failures are in
// Result.Errors and do not fail the run; an error means the run stopped
// (a side unreachable, the store failing, ctx done): everything committed
// before stays, and the next run resumes without duplicates or loss.
func (e *Engine) SyncLink(ctx context.Context, userID string, linkID int64, opts RunOptions) (Result, error) {
	defer e.lockLink(linkID)()
	link, err := e.st.Link(ctx, userID, linkID)
	if err != nil {
		return Result{LinkID: linkID}, fmt.Errorf("harmony: link %d: %w", linkID, err)
	}
	res := Result{LinkID: link.ID, Kind: link.Kind, DryRun: opts.DryRun}
	if link.Paused {
		res.Paused, res.PauseReason = true, link.PauseReason
		return res, nil
	}
	if link.Kind != store.KindCalendar && link.Kind != store.KindContacts {
		return res, fmt.Errorf("%w: %q", ErrUnknownKind, link.Kind)
	}
	if e.deps.EWS == nil || e.deps.DAV == nil {
		return res, ErrNoClient
	}
	acct, err := e.st.Account(ctx, userID, link.AccountID)
	if err != nil {
		return res, fmt.Errorf("harmony: link %d: account: %w", linkID, err)
	}
	remote, err := e.deps.EWS(ctx, acct)
	if err != nil {
		return res, fmt.Errorf("harmony: link %d: ews client: %w", linkID, err)
	}
	local, err := e.deps.DAV(ctx, userID)
	if err != nil {
		return res, fmt.Errorf("harmony: link %d: dav client: %w", linkID, err)
	}
	r := &run{e: e, link: link, remote: remote, local: local, opts: opts, res: &res}
	r.kind = kindFor(link.Kind, e.opts)
	started := e.opts.Now()
	err = r.do(ctx)
	if !opts.DryRun && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
		// RecordLinkRun updates the link's run columns only (no item, no
		// sync state); it is skipped for a quiet run of a healthy link.
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if res.Changed() || len(res.Errors) > 0 || err != nil || link.LastError != "" || link.LastRunAt.IsZero() {
			if rerr := e.st.RecordLinkRun(ctx, link.ID, started, msg); rerr != nil && err == nil {
				err = fmt.Errorf("harmony: link %d: record run: %w", linkID, rerr)
			}
		}
	}
	level := slog.LevelDebug
	if res.Changed() || len(res.Errors) > 0 || res.Paused || err != nil {
		level = slog.LevelInfo
	}
	e.log.Log(ctx, level, "harmony run", "link_id", link.ID, "user_id", userID, "kind", string(link.Kind),
		"dry_run", opts.DryRun, "local_created", res.Local.Created, "local_updated", res.Local.Updated,
		"local_deleted", res.Local.Deleted, "remote_created", res.Remote.Created, "remote_updated", res.Remote.Updated,
		"remote_deleted", res.Remote.Deleted, "conflicts", res.Conflicts, "errors", len(res.Errors),
		"paused", res.Paused, "duration_ms", e.opts.Now().Sub(started).Milliseconds(), "error", errString(err))
	return res, err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// directionOf and policyOf translate the store's enums for the planner.
func directionOf(d store.Direction) plan.Direction { return plan.Direction(d) }
func policyOf(p store.ConflictPolicy) plan.Policy  { return plan.Policy(p) }
