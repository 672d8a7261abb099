package app

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/autodiscover"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/harmony"
	"github.com/ewsconnector/ews_connector/internal/seal"
	"github.com/ewsconnector/ews_connector/internal/store"
	"github.com/ewsconnector/ews_connector/internal/web"
)

// pageDeps wires the page's API: EWS clients from the account's unsealed secret, DAV clients acting
// as the user through AppAPI, and "sync now" running the engine directly (until the scheduler
// takes over queueing).
func pageDeps(st *store.Store, sealer *seal.Sealer, nc *appapi.Client, log *slog.Logger) *web.PageDeps {
	mailbox := func(ctx context.Context, cfg web.MailboxConfig) (web.Mailbox, error) {
		return ews.NewClient(cfg.Endpoint, &ews.Options{Auth: cfg.Auth, Username: cfg.Username, Password: cfg.Password,
			Logger: log.With(slog.String("component", "ews")), MaxRetries: 2, MaxWait: 30 * time.Second})
	}
	collections := func(ctx context.Context, user string) (*dav.Client, error) {
		hc, err := nc.DAV(user)
		if err != nil {
			return nil, err
		}
		return dav.NewClient(hc, nc.DAVURL(), &dav.Options{Logger: log.With(slog.String("component", "dav"))})
	}
	engine := harmony.New(st, harmony.Deps{
		EWS: func(ctx context.Context, a store.Account) (harmony.EWS, error) {
			secret, err := sealer.Open(a.Secret, store.SecretBinding(a.UserID, a.ID))
			if err != nil {
				return nil, err
			}
			return ews.NewClient(a.Endpoint, &ews.Options{Auth: string(a.AuthMethod), Username: a.Username,
				Password: string(secret), Logger: log.With(slog.String("component", "ews"))})
		},
		DAV: func(ctx context.Context, user string) (harmony.DAV, error) { return collections(ctx, user) },
	}, harmony.Options{Logger: log.With(slog.String("component", "harmony"))})
	es := &engineSync{engine: engine, last: map[int64]web.LinkRunStatus{}}
	p := &web.PageDeps{
		Store:   st,
		Opener:  sealer,
		Mailbox: mailbox,
		Collections: func(ctx context.Context, user string) (web.Collections, error) {
			return collections(ctx, user)
		},
		Sync:   es,
		Status: es,
		StateChanged: func(ctx context.Context, user, state string) error {
			return nc.SetPreference(ctx, user, web.ConnectionStateFieldID, state, false)
		},
	}
	// Autodiscover asks p.CheckHost (the SSRF guard, set when the scheduler is wired) before every URL.
	ad := &autodiscover.Finder{HTTP: &http.Client{Timeout: 20 * time.Second}, Check: func(ctx context.Context, u string) error {
		if p.CheckHost != nil {
			return p.CheckHost(ctx, u)
		}
		return nil
	}}
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

// engineSync runs a link's sync in the request and remembers each link's last result for the status.
type engineSync struct {
	engine *harmony.Engine
	mu     sync.Mutex
	last   map[int64]web.LinkRunStatus
}

// SyncNow runs one harmonization of the link (web.SyncQueue).
func (e *engineSync) SyncNow(ctx context.Context, userID string, linkID int64, full bool) error {
	res, err := e.engine.SyncLink(ctx, userID, linkID, harmony.RunOptions{FullResync: full})
	st := web.LinkRunStatus{
		LocalCreated: res.Local.Created, LocalUpdated: res.Local.Updated, LocalDeleted: res.Local.Deleted,
		RemoteCreated: res.Remote.Created, RemoteUpdated: res.Remote.Updated, RemoteDeleted: res.Remote.Deleted,
		Conflicts: res.Conflicts,
	}
	for _, ie := range res.Errors {
		st.Errors = append(st.Errors, web.LinkItemError{UID: ie.UID, Href: ie.Href, ItemID: ie.ItemID, Op: ie.Op, Error: ie.Err})
	}
	e.mu.Lock()
	e.last[linkID] = st
	e.mu.Unlock()
	return err
}

// LinkStatus returns the link's last result in this process (web.StatusReader).
func (e *engineSync) LinkStatus(_ context.Context, linkID int64) (web.LinkRunStatus, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, ok := e.last[linkID]
	return st, ok
}
