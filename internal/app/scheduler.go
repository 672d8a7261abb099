package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/config"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/harmony"
	"github.com/ewsconnector/ews_connector/internal/metrics"
	"github.com/ewsconnector/ews_connector/internal/netguard"
	"github.com/ewsconnector/ews_connector/internal/scheduler"
	"github.com/ewsconnector/ews_connector/internal/seal"
	"github.com/ewsconnector/ews_connector/internal/store"
	"github.com/ewsconnector/ews_connector/internal/web"
)

// syncing is the scheduler with the engine and the SSRF guard every EWS
// connection goes through.
type syncing struct {
	sched   *scheduler.Scheduler
	guard   *netguard.Guard
	metrics *metrics.Registry
}

// newSyncing wires the harmonization engine (EWS clients dialling through
// the guard, DAV through AppAPI) into a scheduler.
func newSyncing(cfg *config.Config, st *store.Store, sealer *seal.Sealer, nc *appapi.Client, reg *metrics.Registry, log *slog.Logger) (*syncing, error) {
	s := &syncing{guard: netguard.New(netguard.Policy{Trusted: cfg.AllowHosts}, nil), metrics: reg}
	ewsLog := log.With(slog.String("component", "ews"))
	newEWS := func(a store.Account) (*ews.Client, error) {
		secret, err := sealer.Open(a.Secret, store.SecretBinding(a.UserID, a.ID))
		if err != nil {
			return nil, err
		}
		return ews.NewClient(a.Endpoint, &ews.Options{Auth: string(a.AuthMethod), Username: a.Username, Password: string(secret),
			HTTPClient: s.ewsHTTP(), Logger: ewsLog})
	}
	engine := harmony.New(st, harmony.Deps{
		EWS: func(ctx context.Context, a store.Account) (harmony.EWS, error) { return newEWS(a) },
		DAV: func(ctx context.Context, user string) (harmony.DAV, error) {
			hc, err := nc.DAV(user)
			if err != nil {
				return nil, err
			}
			return dav.NewClient(hc, nc.DAVURL(), &dav.Options{Logger: log.With(slog.String("component", "dav"))})
		},
	}, harmony.Options{Logger: log.With(slog.String("component", "harmony"))})
	sched, err := scheduler.New(scheduler.Options{
		Store: st, Syncer: engine, Nextcloud: nc, Guard: s.guard, ExtraAllow: cfg.AllowHosts, Metrics: s.metrics,
		Watchers: func(ctx context.Context, a store.Account) (scheduler.Watcher, error) {
			c, err := newEWS(a)
			if err != nil {
				return nil, err
			}
			return scheduler.NewEWSWatcher(c, a.ServerVersion), nil
		},
		WebhooksAvailable: web.CalendarWebhooksAvailable(nc),
		Logger:            log.With(slog.String("component", "scheduler")),
		PageURL:           cfg.NextcloudURL + "/index.php/apps/app_api/embedded/" + url.PathEscape(cfg.AppID) + "/" + web.TopMenuName,
	})
	if err != nil {
		return nil, err
	}
	s.sched = sched
	return s, nil
}

// ewsHTTP returns a fresh client for one EWS client (NTLM authenticates
// connections, so they are never shared between accounts): dialling through
// the guard, verifying TLS unless the admin turned it off, counted in the
// metrics.
func (s *syncing) ewsHTTP() *http.Client {
	verify := s.sched == nil || s.sched.Settings().TLSVerify
	c := s.guard.HTTPClient(netguard.TransportOptions{InsecureSkipVerify: !verify})
	c.Transport = s.metrics.NewTransport(c.Transport, "ews")
	return c
}

// newMetrics returns the metrics registry, or nil when metrics are off.
func newMetrics(cfg *config.Config) *metrics.Registry {
	if cfg.MetricsAddr == "" {
		return nil
	}
	return metrics.NewRegistry()
}

// nextcloudHTTP returns the AppAPI client's HTTP client, counted in the
// metrics; nil (the appapi default) when metrics are off.
func nextcloudHTTP(reg *metrics.Registry) appapi.HTTPClient {
	if reg == nil {
		return nil
	}
	c := appapi.DefaultHTTPClient()
	c.Transport = reg.NewTransport(c.Transport, "nextcloud")
	return c
}

// schedStatus adapts the scheduler's per-user status to the page's
// per-link StatusReader, adding the link's failing items from the store.
type schedStatus struct {
	s  *scheduler.Scheduler
	st *store.Store
}

// maxItemErrors bounds the failing items shown per link.
const maxItemErrors = 20

// LinkStatus implements web.StatusReader.
func (a schedStatus) LinkStatus(ctx context.Context, linkID int64) (web.LinkRunStatus, bool) {
	l, err := a.st.LinkByID(ctx, linkID)
	if err != nil {
		return web.LinkRunStatus{}, false
	}
	st, err := a.s.Status(ctx, l.UserID)
	if err != nil {
		return web.LinkRunStatus{}, false
	}
	for _, x := range st.Links {
		if x.LinkID != linkID {
			continue
		}
		out := web.LinkRunStatus{NextRun: x.NextRunAt, Running: x.Running, Queued: x.Queued,
			LocalCreated: x.Counts.LocalCreated, LocalUpdated: x.Counts.LocalUpdated, LocalDeleted: x.Counts.LocalDeleted,
			RemoteCreated: x.Counts.RemoteCreated, RemoteUpdated: x.Counts.RemoteUpdated, RemoteDeleted: x.Counts.RemoteDeleted,
			Conflicts: x.Counts.Conflicts}
		failing, err := a.st.FailingCorrelations(ctx, linkID, maxItemErrors)
		if err != nil {
			return out, true
		}
		for _, c := range failing {
			out.Errors = append(out.Errors, web.LinkItemError{UID: c.UID, Href: c.LocalHref, ItemID: c.RemoteID,
				Op: "sync", Error: c.LastError})
		}
		return out, true
	}
	return web.LinkRunStatus{}, false
}

// serveMetrics serves the metrics on their own listener until ctx ends.
func (s *syncing) serveMetrics(ctx context.Context, addr string, log *slog.Logger) {
	if s.metrics == nil || addr == "" {
		return
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		log.Error("metrics listener", slog.String("addr", addr), slog.Any("error", err))
		return
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("serving metrics", slog.String("addr", l.Addr().String()))
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("metrics server", slog.Any("error", err))
	}
}

// hostsOf returns the host names of the URLs that parse, for
// config.Config.AllowHosts (the dev setup trusts its simulated Exchange).
func hostsOf(urls ...string) []string {
	var out []string
	for _, raw := range urls {
		if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
			out = append(out, u.Hostname())
		}
	}
	return out
}
