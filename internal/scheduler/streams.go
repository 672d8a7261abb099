package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/netguard"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// stream is one account's subscription held by this instance.
type stream struct {
	account store.ClaimedAccount
	cancel  context.CancelFunc
	done    chan struct{}
	mu      sync.Mutex
	folders []string // folders watched now
}

// streamLoop, in active mode, claims the EWS subscription leases of
// accounts, renews them, restarts a watch when its folders change and
// closes everything when the mode goes back to passive or the scheduler
// stops.
func (s *Scheduler) streamLoop(ctx context.Context) {
	if !s.waitReady(ctx) {
		return
	}
	every := min(s.opts.LeaseTTL/3, 5*s.opts.Tick)
	t := time.NewTicker(every)
	defer t.Stop()
	defer s.stopStreams(context.WithoutCancel(ctx))
	for {
		s.tendStreams(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Scheduler) tendStreams(ctx context.Context) {
	if s.Settings().Mode != Active || s.opts.Watchers == nil {
		s.stopStreams(ctx)
		return
	}
	now := s.opts.Now()
	until := now.Add(s.opts.LeaseTTL)
	s.mu.Lock()
	held := make([]*stream, 0, len(s.streams))
	for _, st := range s.streams {
		held = append(held, st)
	}
	s.mu.Unlock()
	for _, st := range held {
		select {
		case <-st.done:
			s.dropStream(ctx, st)
			continue
		default:
		}
		ok, err := s.st.RenewStreamLease(ctx, st.account.ID, s.opts.Instance, until)
		if err == nil && !ok {
			s.log.Warn("stream lease lost", slog.Int64("account_id", st.account.ID))
			st.cancel()
			<-st.done
			s.mu.Lock()
			delete(s.streams, st.account.ID)
			s.mu.Unlock()
			continue
		}
	}
	claimed, err := s.st.ClaimStreams(ctx, s.opts.Instance, now, until, 100)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("claim streams", slog.Any("error", err))
		}
		return
	}
	for _, c := range claimed {
		s.mu.Lock()
		if _, ok := s.streams[c.ID]; ok {
			s.mu.Unlock()
			continue
		}
		sctx, cancel := context.WithCancel(ctx)
		st := &stream{account: c, cancel: cancel, done: make(chan struct{})}
		s.streams[c.ID] = st
		s.mu.Unlock()
		s.m.streams.Add(1)
		go func() {
			defer close(st.done)
			s.watchAccount(sctx, st)
		}()
	}
}

// dropStream forgets an ended stream and releases its lease.
func (s *Scheduler) dropStream(ctx context.Context, st *stream) {
	s.mu.Lock()
	delete(s.streams, st.account.ID)
	s.mu.Unlock()
	_ = s.st.ReleaseStream(context.WithoutCancel(ctx), st.account.ID, s.opts.Instance)
}

// stopStreams closes every subscription of this instance.
func (s *Scheduler) stopStreams(ctx context.Context) {
	s.mu.Lock()
	all := s.streams
	s.streams = map[int64]*stream{}
	s.mu.Unlock()
	for _, st := range all {
		st.cancel()
	}
	for _, st := range all {
		<-st.done
		_ = s.st.ReleaseStream(context.WithoutCancel(ctx), st.account.ID, s.opts.Instance)
	}
}

// watchAccount keeps a subscription on the account's linked folders,
// re-subscribing when the links change and backing off after failures.
func (s *Scheduler) watchAccount(ctx context.Context, st *stream) {
	defer s.m.streams.Add(-1)
	c := st.account
	log := s.log.With(slog.Int64("account_id", c.ID), slog.String("user_id", c.UserID))
	failures := 0
	for ctx.Err() == nil {
		acct, err := s.st.Account(ctx, c.UserID, c.ID)
		if err != nil {
			return
		}
		links, err := s.st.AccountLinks(ctx, c.UserID, c.ID)
		if err != nil {
			return
		}
		byFolder := map[string]int64{}
		var folders []string
		for _, l := range links {
			if !l.Paused {
				byFolder[l.RemoteFolderID] = l.ID
				folders = append(folders, l.RemoteFolderID)
			}
		}
		slices.Sort(folders)
		if len(folders) == 0 {
			return
		}
		st.mu.Lock()
		st.folders = folders
		st.mu.Unlock()
		w, err := s.opts.Watchers(ctx, acct)
		if err != nil {
			log.Warn("watch: client", slog.Any("error", err))
			return
		}
		wctx, wcancel := context.WithCancel(ctx)
		// Restart the watch when the account's linked folders change.
		go func() {
			t := time.NewTicker(max(s.opts.LeaseTTL/3, time.Second))
			defer t.Stop()
			for {
				select {
				case <-wctx.Done():
					return
				case <-t.C:
					ls, err := s.st.AccountLinks(wctx, c.UserID, c.ID)
					if err != nil {
						continue
					}
					var now []string
					for _, l := range ls {
						if !l.Paused {
							now = append(now, l.RemoteFolderID)
						}
					}
					slices.Sort(now)
					if !slices.Equal(now, folders) {
						wcancel()
						return
					}
				}
			}
		}()
		log.Info("watching exchange folders", slog.Int("folders", len(folders)))
		err = w.Watch(wctx, folders, func(ids []string) {
			failures = 0
			hit := false
			for _, id := range ids {
				if lid, ok := byFolder[id]; ok {
					hit = true
					s.trigger(ctx, c.UserID, lid, s.opts.Now(), "exchange")
				}
			}
			if !hit {
				for _, lid := range byFolder {
					s.trigger(ctx, c.UserID, lid, s.opts.Now(), "exchange")
				}
			}
		}, func() {
			for _, lid := range byFolder {
				s.trigger(ctx, c.UserID, lid, s.opts.Now(), "exchange")
			}
		})
		wcancel()
		if ctx.Err() != nil {
			return
		}
		if err == nil || errors.Is(err, context.Canceled) {
			continue // folders changed: subscribe again
		}
		if ews.IsAuth(err) || netguard.IsBlocked(err) {
			// The run path notifies and stops the account; polling continues.
			log.Warn("watch stopped", slog.Any("error", err))
			return
		}
		failures++
		var hint time.Duration
		if e := (*ews.Error)(nil); errors.As(err, &e) {
			hint = e.BackOff
		}
		wait := s.backoff(failures, hint)
		log.Warn("watch failed; retrying", slog.Int("failures", failures), slog.Duration("wait", wait), slog.Any("error", err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
