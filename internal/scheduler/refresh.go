package scheduler

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/ewsconnector/ews_connector/internal/netguard"
)

// settingsLoop re-reads the admin settings every SettingsPoll: Nextcloud
// does not tell the app when a declarative form value changes.
// The first read happens here, not in Start: Start runs inside Nextcloud's
// /enabled call and must not call Nextcloud back (a single-threaded PHP
// server would deadlock).
func (s *Scheduler) settingsLoop(ctx context.Context) {
	t := time.NewTicker(s.opts.SettingsPoll)
	defer t.Stop()
	s.mu.Lock()
	ready := s.ready
	s.mu.Unlock()
	s.refreshSettings(ctx)
	close(ready)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.refreshSettings(ctx)
		}
	}
}

// waitReady waits for the first settings read of this Start, so that no
// work is claimed under default limits.
func (s *Scheduler) waitReady(ctx context.Context) bool {
	s.mu.Lock()
	ready := s.ready
	s.mu.Unlock()
	select {
	case <-ready:
		return true
	case <-ctx.Done():
		return false
	}
}

// refreshSettings reads the settings and the webhook availability; on a
// read failure the previous settings stay.
func (s *Scheduler) refreshSettings(ctx context.Context) {
	if s.opts.Nextcloud != nil {
		m, err := s.opts.Nextcloud.Config(ctx, SettingKeys...)
		if err != nil {
			s.log.Warn("read settings failed; keeping the current ones", slog.Any("error", err))
		} else {
			next, bad := ParseSettings(m, s.opts.MinInterval)
			if len(bad) > 0 {
				s.log.Warn("ignoring invalid settings", slog.Any("keys", bad))
			}
			s.setSettings(next)
		}
	}
	if s.opts.WebhooksAvailable != nil {
		ok, err := s.opts.WebhooksAvailable(ctx)
		if err != nil {
			s.log.Debug("webhook availability unknown", slog.Any("error", err))
			ok = false
		}
		s.mu.Lock()
		changed := s.webhooks != ok
		s.webhooks = ok
		s.mu.Unlock()
		if changed {
			s.log.Info("calendar webhooks", slog.Bool("available", ok))
		}
	}
}

// setSettings installs next and applies the host policy.
func (s *Scheduler) setSettings(next Settings) {
	s.mu.Lock()
	prev := s.settings
	s.settings = next
	s.mu.Unlock()
	if !settingsEqual(prev, next) {
		s.log.Info("settings changed", slog.String("mode", string(next.Mode)), slog.Duration("interval", next.Interval),
			slog.Duration("contacts_interval", next.ContactsInterval), slog.Bool("tls_verify", next.TLSVerify),
			slog.Int("max_per_server", next.MaxPerServer), slog.Int("max_total", next.MaxTotal),
			slog.Int("allow_hosts", len(next.AllowHosts)), slog.Int("deny_hosts", len(next.DenyHosts)),
			slog.Bool("change_summaries", next.ChangeSummaries))
		s.applyGuard(next)
	}
}

func (s *Scheduler) applyGuard(st Settings) {
	if s.opts.Guard == nil {
		return
	}
	s.opts.Guard.SetPolicy(netguard.Policy{Allow: st.AllowHosts, Deny: st.DenyHosts, Trusted: s.opts.ExtraAllow})
}

func settingsEqual(a, b Settings) bool {
	return a.Mode == b.Mode && a.Interval == b.Interval && a.ContactsInterval == b.ContactsInterval &&
		slices.Equal(a.AllowHosts, b.AllowHosts) && slices.Equal(a.DenyHosts, b.DenyHosts) &&
		a.TLSVerify == b.TLSVerify && a.MaxPerServer == b.MaxPerServer && a.MaxTotal == b.MaxTotal &&
		a.ChangeSummaries == b.ChangeSummaries
}
