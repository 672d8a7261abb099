package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/harmony"
	"github.com/ewsconnector/ews_connector/internal/netguard"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// maxRunsPerClaim bounds the link runs made under one account lease, so
// that a link triggered over and over cannot hold the account forever.
const maxRunsPerClaim = 50

// claimLoop claims due accounts every Tick while there is capacity.
func (s *Scheduler) claimLoop(ctx context.Context) {
	if !s.waitReady(ctx) {
		return
	}
	t := time.NewTicker(s.opts.Tick)
	defer t.Stop()
	var lastLog time.Time
	for {
		// A database outage fails every tick: log it at most every 30 s.
		if err := s.claimOnce(ctx); err != nil && ctx.Err() == nil && time.Since(lastLog) > 30*time.Second {
			lastLog = time.Now()
			s.log.Warn("claim failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// hostOf returns the host of an EWS endpoint (the unit of the per-server
// limit).
func hostOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return endpoint
	}
	return strings.ToLower(u.Hostname())
}

// claimOnce leases as many due accounts as the limits allow and starts a
// run for each.
func (s *Scheduler) claimOnce(ctx context.Context) error {
	st := s.Settings()
	s.mu.Lock()
	free := st.MaxTotal - s.active
	s.mu.Unlock()
	if free <= 0 {
		return nil
	}
	if err := s.st.EnsureRunRows(ctx); err != nil {
		return err
	}
	now := s.opts.Now()
	iv := s.intervals()
	var claimed []store.ClaimedAccount
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		claimed = claimed[:0]
		// Claims are serialised across instances so that the per-server
		// limit counts every instance's live leases.
		if err := tx.LockClaims(ctx); err != nil {
			return err
		}
		live, err := tx.LiveLeaseEndpoints(ctx, now)
		if err != nil {
			return err
		}
		perHost := map[string]int{}
		for _, e := range live {
			perHost[hostOf(e)]++
		}
		cands, err := tx.CandidateAccounts(ctx, now, iv, free*4)
		if err != nil {
			return err
		}
		var ids []int64
		var picked []store.ClaimedAccount
		for _, c := range cands {
			h := hostOf(c.Endpoint)
			if len(ids) >= free || perHost[h] >= st.MaxPerServer {
				continue
			}
			perHost[h]++
			ids = append(ids, c.ID)
			picked = append(picked, c)
		}
		if len(ids) == 0 {
			return nil
		}
		got, err := tx.LeaseAccounts(ctx, ids, s.opts.Instance, now, now.Add(s.opts.LeaseTTL))
		if err != nil {
			return err
		}
		for _, c := range picked {
			for _, id := range got {
				if id == c.ID {
					claimed = append(claimed, c)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range claimed {
		s.mu.Lock()
		if !s.running {
			s.mu.Unlock()
			_ = s.st.ReleaseAccountLease(context.WithoutCancel(ctx), c.ID, s.opts.Instance)
			continue
		}
		s.active++
		rctx := s.runCtx
		s.runs.Add(1)
		s.mu.Unlock()
		s.m.running.Add(1)
		go func() {
			defer s.runs.Done()
			s.runAccount(ctx, rctx, c)
		}()
	}
	return nil
}

// runAccount runs the due links of a leased account one after another,
// renewing the lease, until none is due, the lease is lost or the
// scheduler stops (claimCtx done: finish the current link, start no other).
func (s *Scheduler) runAccount(claimCtx, runCtx context.Context, c store.ClaimedAccount) {
	log := s.log.With(slog.Int64("account_id", c.ID), slog.String("user_id", c.UserID))
	ctx, cancel := context.WithCancel(runCtx)
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		t := time.NewTicker(s.opts.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				ok, err := s.st.RenewAccountLease(ctx, c.ID, s.opts.Instance, s.opts.Now().Add(s.opts.LeaseTTL))
				if err == nil && !ok {
					log.Warn("account lease lost; stopping its runs")
					cancel()
					return
				}
			}
		}
	}()
	defer func() {
		cancel()
		<-hbDone
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(runCtx), 5*time.Second)
		if err := s.st.ReleaseAccountLease(rctx, c.ID, s.opts.Instance); err != nil {
			log.Warn("release account lease", slog.Any("error", err))
		}
		rcancel()
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
		s.m.running.Add(-1)
	}()
	enabled := s.syncEnabled(ctx, c.UserID)
	for i := 0; i < maxRunsPerClaim && claimCtx.Err() == nil && ctx.Err() == nil; i++ {
		due, err := s.st.DueLinks(ctx, c.ID, s.opts.Now(), s.intervals())
		if err != nil {
			log.Warn("due links", slog.Any("error", err))
			return
		}
		if len(due) == 0 {
			return
		}
		if !enabled {
			// The user turned synchronisation off: record a skipped run so
			// that the link is due again only after the interval.
			for _, l := range due {
				if _, err := s.st.StartLinkRun(ctx, l.ID, s.opts.Now()); err == nil {
					_ = s.st.FinishLinkRun(ctx, l.ID, store.RunRecord{Finished: s.opts.Now(), Result: "off",
						Error: "synchronisation is turned off in the personal settings", Failures: l.Failures})
				}
			}
			return
		}
		if stop := s.runLink(ctx, c, due[0]); stop {
			return
		}
	}
}

// runLink runs one link and records its outcome; stop means the account's
// other links must not run now (credentials rejected, server backing off,
// user deleted, shutting down).
func (s *Scheduler) runLink(ctx context.Context, c store.ClaimedAccount, l store.DueLink) (stop bool) {
	log := s.log.With(slog.Int64("account_id", c.ID), slog.Int64("link_id", l.ID), slog.String("user_id", l.UserID))
	started := s.opts.Now()
	full, err := s.st.StartLinkRun(ctx, l.ID, started)
	if err != nil {
		log.Warn("start run", slog.Any("error", err))
		return true
	}
	t0 := time.Now()
	res, runErr := s.syncLink(ctx, l, full)
	s.m.duration.Observe(time.Since(t0).Seconds(), string(l.Kind))
	rec := store.RunRecord{Finished: s.opts.Now(), Result: "ok",
		LocalCreated: res.Local.Created, LocalUpdated: res.Local.Updated, LocalDeleted: res.Local.Deleted,
		RemoteCreated: res.Remote.Created, RemoteUpdated: res.Remote.Updated, RemoteDeleted: res.Remote.Deleted,
		Conflicts: res.Conflicts, ItemErrors: len(res.Errors)}
	// The record and notifications must be written even when ctx was
	// cancelled by a shutdown.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer wcancel()
	reason := ""
	switch {
	case runErr == nil:
		if res.Paused {
			rec.Result = "paused"
			s.notifyPaused(wctx, l, res.PauseReason)
		} else {
			s.noteSuccess(wctx, c, l, res)
		}
	case ctx.Err() != nil && errors.Is(runErr, context.Canceled):
		rec.Result, rec.Error, reason = "interrupted", "interrupted by shutdown", "interrupted"
		rec.Failures = l.Failures
		rec.RetryAt = s.opts.Now() // run again as soon as an instance is free
		stop = true
	case netguard.IsBlocked(runErr):
		rec.Result, rec.Error, reason = "blocked", runErr.Error(), "blocked"
		s.accountBackoff(wctx, c, s.opts.BackoffMax, 0, runErr)
		s.notifyOnce(wctx, l.UserID, fmt.Sprintf("blocked:%d", c.ID), "EWS server not allowed",
			"The administrator does not allow connections to this Exchange server: "+runErr.Error())
		stop = true
	case ews.IsAuth(runErr):
		rec.Result, rec.Error, reason = "auth", "Exchange rejected the credentials", "auth"
		s.authFailed(wctx, c, runErr)
		stop = true
	case ews.IsBusy(runErr) || isUnreachable(runErr):
		rec.Result, rec.Error, reason = "busy", runErr.Error(), "busy"
		if !ews.IsBusy(runErr) {
			rec.Result, reason = "unreachable", "unreachable"
		}
		var ee *ews.Error
		var hint time.Duration
		if errors.As(runErr, &ee) {
			hint = ee.BackOff
		}
		s.accountBackoff(wctx, c, 0, hint, runErr)
		stop = true
	case ews.IsNotFound(runErr):
		rec.Result, rec.Error, reason = "paused", "the Exchange folder no longer exists", "remote_gone"
		s.pauseLink(wctx, l, "The Exchange folder was deleted.")
	case isDAVStatus(runErr, 404) || isDAVStatus(runErr, 401) || isDAVStatus(runErr, 403):
		if gone, gerr := s.userGone(wctx, l.UserID); gerr == nil && gone {
			rec.Result, reason = "user_deleted", "user_deleted"
			s.deleteUser(wctx, l.UserID)
			s.count(rec, reason, l.Kind)
			return true
		}
		if isDAVStatus(runErr, 404) {
			rec.Result, rec.Error, reason = "paused", "the Nextcloud collection no longer exists", "local_gone"
			s.pauseLink(wctx, l, "The Nextcloud "+collectionNoun(l.Kind)+" was deleted.")
			break
		}
		fallthrough
	default:
		rec.Result, rec.Error, reason = "error", runErr.Error(), "error"
		rec.Failures = l.Failures + 1
		rec.RetryAt = s.opts.Now().Add(s.backoff(rec.Failures, 0))
		if rec.Failures == s.opts.FailNotify {
			s.notifyOnce(wctx, l.UserID, fmt.Sprintf("fail:%d", l.ID), "Synchronisation keeps failing",
				"The last "+fmt.Sprint(rec.Failures)+" runs of a synchronised "+collectionNoun(l.Kind)+" failed: "+runErr.Error())
		}
	}
	if err := s.st.FinishLinkRun(wctx, l.ID, rec); err != nil && !errors.Is(err, store.ErrNotFound) {
		log.Warn("record run", slog.Any("error", err))
	}
	s.count(rec, reason, l.Kind)
	s.observeLatency(l.ID, started)
	level := slog.LevelInfo
	if rec.Result != "ok" {
		level = slog.LevelWarn
	}
	log.Log(wctx, level, "link run", slog.String("kind", string(l.Kind)), slog.String("result", rec.Result),
		slog.Bool("full", full), slog.Int("local_created", rec.LocalCreated), slog.Int("local_updated", rec.LocalUpdated),
		slog.Int("local_deleted", rec.LocalDeleted), slog.Int("remote_created", rec.RemoteCreated),
		slog.Int("remote_updated", rec.RemoteUpdated), slog.Int("remote_deleted", rec.RemoteDeleted),
		slog.Int("conflicts", rec.Conflicts), slog.Int("item_errors", rec.ItemErrors), slog.String("error", rec.Error),
		slog.Int64("duration_ms", time.Since(t0).Milliseconds()))
	return stop
}

// syncLink runs the engine, turning a panic into an error so that one bad
// item never takes the service down.
func (s *Scheduler) syncLink(ctx context.Context, l store.DueLink, full bool) (res harmony.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("engine panic", slog.Int64("link_id", l.ID), slog.String("user_id", l.UserID), slog.String("panic", fmt.Sprint(p)))
			err = fmt.Errorf("scheduler: engine panic: %v", p)
		}
	}()
	return s.opts.Syncer.SyncLink(ctx, l.UserID, l.ID, harmony.RunOptions{FullResync: full})
}

func (s *Scheduler) count(rec store.RunRecord, reason string, kind store.LinkKind) {
	s.m.syncs.Inc(string(kind), rec.Result)
	if reason != "" {
		s.m.errors.Inc(reason)
	}
	s.m.items.Add(float64(rec.LocalCreated), "nextcloud", "create")
	s.m.items.Add(float64(rec.LocalUpdated), "nextcloud", "update")
	s.m.items.Add(float64(rec.LocalDeleted), "nextcloud", "delete")
	s.m.items.Add(float64(rec.RemoteCreated), "exchange", "create")
	s.m.items.Add(float64(rec.RemoteUpdated), "exchange", "update")
	s.m.items.Add(float64(rec.RemoteDeleted), "exchange", "delete")
	s.m.conflicts.Add(float64(rec.Conflicts))
}

func collectionNoun(k store.LinkKind) string {
	if k == store.KindContacts {
		return "address book"
	}
	return "calendar"
}

// isUnreachable reports a network failure (refused, reset, timeout, DNS).
func isUnreachable(err error) bool {
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &oe) || errors.As(err, &de) || (errors.As(err, &ne) && !errors.Is(err, context.Canceled))
}

func isDAVStatus(err error, code int) bool {
	var he *dav.HTTPError
	return errors.As(err, &he) && he.Code == code
}

// backoff returns the wait after the n-th consecutive failure: the
// server's hint if longer, else BackoffBase doubled per failure, capped at
// BackoffMax, with up to 10 % jitter.
func (s *Scheduler) backoff(n int, hint time.Duration) time.Duration {
	d := s.opts.BackoffBase
	for i := 1; i < n && d < s.opts.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, s.opts.BackoffMax)
	d += time.Duration(rand.Int64N(int64(d)/10 + 1))
	return max(d, hint)
}

// accountBackoff stops the account's runs for a while: for fixed if
// positive, else per its failure count (honouring the server's hint).
func (s *Scheduler) accountBackoff(ctx context.Context, c store.ClaimedAccount, fixed, hint time.Duration, cause error) {
	failures := 1
	if runs, err := s.st.AccountRuns(ctx, c.UserID); err == nil {
		for _, r := range runs {
			if r.AccountID == c.ID {
				failures = r.Failures + 1
			}
		}
	}
	wait := fixed
	if wait <= 0 {
		wait = s.backoff(failures, hint)
	}
	until := s.opts.Now().Add(wait)
	if err := s.st.SetAccountBackoff(ctx, c.ID, failures, until, cause.Error()); err != nil {
		s.log.Warn("set account backoff", slog.Int64("account_id", c.ID), slog.Any("error", err))
	}
	s.log.Warn("account backing off", slog.Int64("account_id", c.ID), slog.String("user_id", c.UserID),
		slog.Int("failures", failures), slog.Duration("wait", wait), slog.Any("error", cause))
}

// authFailed stops the account until its credentials change, marks it in
// error and notifies the user once.
func (s *Scheduler) authFailed(ctx context.Context, c store.ClaimedAccount, cause error) {
	if err := s.st.SetAuthFailed(ctx, c.ID, "Exchange rejected the credentials"); err != nil {
		s.log.Warn("set auth failed", slog.Int64("account_id", c.ID), slog.Any("error", err))
	}
	if err := s.st.SetAccountState(ctx, c.UserID, c.ID, store.AccountError, "Exchange rejected the credentials; reconnect the account", ""); err != nil {
		s.log.Warn("set account state", slog.Int64("account_id", c.ID), slog.Any("error", err))
	}
	s.log.Warn("credentials rejected; account stopped until reconnect", slog.Int64("account_id", c.ID),
		slog.String("user_id", c.UserID), slog.Any("error", cause))
	s.notifyOnce(ctx, c.UserID, fmt.Sprintf("auth:%d", c.ID), "Exchange rejected your credentials",
		"Synchronisation of an Exchange account stopped. Reconnect the account on the EWS Connector page.")
}

// pauseLink pauses a link whose collection is gone and notifies once.
func (s *Scheduler) pauseLink(ctx context.Context, l store.DueLink, reason string) {
	if err := s.st.PauseLink(ctx, l.ID, reason); err != nil {
		s.log.Warn("pause link", slog.Int64("link_id", l.ID), slog.Any("error", err))
	}
	s.notifyPaused(ctx, l, reason)
}

// noteSuccess clears the failure state of a good run and handles its
// conflicts and change summary.
func (s *Scheduler) noteSuccess(ctx context.Context, c store.ClaimedAccount, l store.DueLink, res harmony.Result) {
	if err := s.st.ClearAccountFailure(ctx, c.ID); err != nil {
		s.log.Warn("clear account failure", slog.Int64("account_id", c.ID), slog.Any("error", err))
	}
	for _, key := range []string{fmt.Sprintf("auth:%d", c.ID), fmt.Sprintf("blocked:%d", c.ID), fmt.Sprintf("fail:%d", l.ID), fmt.Sprintf("paused:%d", l.ID)} {
		_ = s.st.ClearNotice(ctx, l.UserID, key)
	}
	if a, err := s.st.Account(ctx, c.UserID, c.ID); err == nil && a.State != store.AccountConnected {
		_ = s.st.SetAccountState(ctx, c.UserID, c.ID, store.AccountConnected, "", "")
	}
	if res.Conflicts > 0 {
		if err := s.st.AddConflicts(ctx, l.UserID, l.ID, res.Conflicts, s.opts.Now()); err != nil {
			s.log.Warn("add conflicts", slog.Int64("link_id", l.ID), slog.Any("error", err))
		}
	}
	if res.Changed() {
		s.changeSummary(ctx, l, res)
	}
}
