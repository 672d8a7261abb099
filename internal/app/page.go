package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/autodiscover"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/netguard"
	"github.com/ewsconnector/ews_connector/internal/seal"
	"github.com/ewsconnector/ews_connector/internal/store"
	"github.com/ewsconnector/ews_connector/internal/web"
)

// pageDeps wires the page's API: EWS clients that dial through the SSRF
// guard, DAV clients acting as the user through AppAPI, "sync now" and the
// run status through the scheduler (no sync ever runs inside a request), and
// autodiscover through the guard as well.
func pageDeps(st *store.Store, sealer *seal.Sealer, nc *appapi.Client, s *syncing, log *slog.Logger) *web.PageDeps {
	ewsLog := log.With(slog.String("component", "ews"))
	p := &web.PageDeps{
		Store:  st,
		Opener: sealer,
		Mailbox: func(ctx context.Context, cfg web.MailboxConfig) (web.Mailbox, error) {
			return ews.NewClient(cfg.Endpoint, &ews.Options{Auth: cfg.Auth, Username: cfg.Username, Password: cfg.Password,
				HTTPClient: s.ewsHTTP(), Logger: ewsLog, MaxRetries: 2, MaxWait: 30 * time.Second})
		},
		Collections: func(ctx context.Context, user string) (web.Collections, error) {
			hc, err := nc.DAV(user)
			if err != nil {
				return nil, err
			}
			return dav.NewClient(hc, nc.DAVURL(), &dav.Options{Logger: log.With(slog.String("component", "dav"))})
		},
		Sync:      s.sched,
		Status:    schedStatus{s.sched, st},
		CheckHost: s.guard.CheckURL,
		StateChanged: func(ctx context.Context, user, state string) error {
			return nc.SetPreference(ctx, user, web.ConnectionStateFieldID, state, false)
		},
	}
	hc := s.guard.HTTPClient(netguard.TransportOptions{})
	hc.Timeout = 20 * time.Second
	ad := &autodiscover.Finder{HTTP: hc, Check: s.guard.CheckURL}
	p.Autodiscover = ad.Find
	p.DefaultServer = func(ctx context.Context) string {
		m, err := nc.Config(ctx, "ews_default_endpoint")
		if err != nil {
			log.Debug("default EWS URL", slog.Any("error", err))
			return ""
		}
		return m["ews_default_endpoint"]
	}
	return p
}
