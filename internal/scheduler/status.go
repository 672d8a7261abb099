package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/ewsconnector/ews_connector/internal/store"
)

// RunCounts are the writes of a run: to Nextcloud (local) and to Exchange
// (remote), conflicts resolved by policy, and items that failed.
type RunCounts struct {
	LocalCreated  int `json:"local_created"`
	LocalUpdated  int `json:"local_updated"`
	LocalDeleted  int `json:"local_deleted"`
	RemoteCreated int `json:"remote_created"`
	RemoteUpdated int `json:"remote_updated"`
	RemoteDeleted int `json:"remote_deleted"`
	Conflicts     int `json:"conflicts"`
	ItemErrors    int `json:"item_errors"`
}

// LinkStatus is the state of one link for the UI.
type LinkStatus struct {
	LinkID      int64  `json:"link_id"`
	AccountID   int64  `json:"account_id"`
	Kind        string `json:"kind"`
	Paused      bool   `json:"paused"`
	PauseReason string `json:"pause_reason,omitempty"`
	// Running is true while a run is in progress (on any instance).
	Running bool `json:"running"`
	// Queued is true when a run was requested (sync now, an event) and has
	// not started yet.
	Queued bool `json:"queued"`
	// LastRunAt is when the last run started, LastFinishedAt when it ended
	// (zero: never).
	LastRunAt      time.Time `json:"last_run_at"`
	LastFinishedAt time.Time `json:"last_finished_at"`
	LastSuccessAt  time.Time `json:"last_success_at"`
	// LastResult is "" (never run), ok, paused, error, auth, busy,
	// unreachable, blocked, interrupted or off (turned off by the user).
	LastResult string    `json:"last_result"`
	LastError  string    `json:"last_error,omitempty"`
	Counts     RunCounts `json:"counts"`
	// Failures counts consecutive failed runs.
	Failures int `json:"failures"`
	// NextRunAt is when the next run is due at the latest (zero: none
	// planned, e.g. paused or credentials rejected).
	NextRunAt time.Time `json:"next_run_at"`
}

// AccountStatus is the state of one account for the UI.
type AccountStatus struct {
	AccountID int64  `json:"account_id"`
	State     string `json:"state"`
	// AuthFailed is true while Exchange's rejection of the stored
	// credentials stands: nothing runs until the user reconnects.
	AuthFailed bool `json:"auth_failed"`
	// BackoffUntil is the end of a back-off after throttling or an
	// unreachable server (zero: none).
	BackoffUntil time.Time `json:"backoff_until"`
	Error        string    `json:"error,omitempty"`
	Running      bool      `json:"running"`
	// Subscribed is true while an instance holds the account's EWS
	// subscription (active mode).
	Subscribed bool `json:"subscribed"`
}

// Status is a user's synchronisation state.
type Status struct {
	Mode Mode `json:"mode"`
	// IntervalSeconds is the periodic (passive) and reconciliation
	// interval.
	IntervalSeconds float64         `json:"interval_seconds"`
	Accounts        []AccountStatus `json:"accounts"`
	Links           []LinkStatus    `json:"links"`
}

// Status returns the state of user userID's accounts and links. It reads
// the database only, so it is the same on every instance.
func (s *Scheduler) Status(ctx context.Context, userID string) (Status, error) {
	now := s.opts.Now()
	st := s.Settings()
	out := Status{Mode: st.Mode, IntervalSeconds: st.Interval.Seconds(), Accounts: []AccountStatus{}, Links: []LinkStatus{}}
	accts, err := s.st.Accounts(ctx, userID)
	if err != nil {
		return out, fmt.Errorf("scheduler: status: %w", err)
	}
	runs, err := s.st.AccountRuns(ctx, userID)
	if err != nil {
		return out, fmt.Errorf("scheduler: status: %w", err)
	}
	byID := map[int64]store.AccountRun{}
	for _, r := range runs {
		byID[r.AccountID] = r
	}
	acctStatus := map[int64]AccountStatus{}
	for _, a := range accts {
		r := byID[a.ID]
		as := AccountStatus{AccountID: a.ID, State: string(a.State), AuthFailed: r.AuthFailed, Error: r.Error,
			Running:    r.LeaseHolder != "" && r.LeaseUntil.After(now),
			Subscribed: r.StreamHolder != "" && r.StreamUntil.After(now)}
		if r.BackoffUntil.After(now) {
			as.BackoffUntil = r.BackoffUntil
		}
		acctStatus[a.ID] = as
		out.Accounts = append(out.Accounts, as)
	}
	lrs, err := s.st.LinkRuns(ctx, userID)
	if err != nil {
		return out, fmt.Errorf("scheduler: status: %w", err)
	}
	iv := s.intervals()
	for _, lr := range lrs {
		as := acctStatus[lr.AccountID]
		ls := LinkStatus{LinkID: lr.ID, AccountID: lr.AccountID, Kind: string(lr.Kind), Paused: lr.Paused,
			PauseReason: lr.PauseReason, Queued: !lr.TriggerAt.IsZero(), LastRunAt: lr.StartedAt,
			LastFinishedAt: lr.FinishedAt, LastSuccessAt: lr.LastSuccessAt, LastResult: lr.Record.Result,
			LastError: lr.Record.Error, Failures: lr.Record.Failures,
			Counts: RunCounts{LocalCreated: lr.Record.LocalCreated, LocalUpdated: lr.Record.LocalUpdated,
				LocalDeleted: lr.Record.LocalDeleted, RemoteCreated: lr.Record.RemoteCreated,
				RemoteUpdated: lr.Record.RemoteUpdated, RemoteDeleted: lr.Record.RemoteDeleted,
				Conflicts: lr.Record.Conflicts, ItemErrors: lr.Record.ItemErrors}}
		if ls.LastError == "" && lr.LastError != "" && lr.Record.Result == "" {
			ls.LastError = lr.LastError
		}
		ls.Running = as.Running && !lr.StartedAt.IsZero() && lr.StartedAt.After(lr.FinishedAt)
		ls.NextRunAt = nextRun(lr, iv, as, now)
		out.Links = append(out.Links, ls)
	}
	return out, nil
}

// nextRun computes when a link is due at the latest.
func nextRun(lr store.LinkRun, iv store.Intervals, as AccountStatus, now time.Time) time.Time {
	if lr.Paused || as.AuthFailed || as.State == string(store.AccountDisabled) {
		return time.Time{}
	}
	every := iv.Calendar
	if lr.Kind == store.KindContacts {
		every = iv.Contacts
	}
	var next time.Time
	switch {
	case !lr.TriggerAt.IsZero():
		next = lr.TriggerAt
	case !lr.Record.RetryAt.IsZero():
		next = lr.Record.RetryAt
	case lr.StartedAt.IsZero():
		next = now
	default:
		next = lr.StartedAt.Add(time.Duration(float64(every) * (1 + lr.Jitter)))
	}
	if as.BackoffUntil.After(next) {
		next = as.BackoffUntil
	}
	if next.Before(now) {
		next = now
	}
	return next
}
