package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// PageDeps is what the EWS Connector page's API needs besides Options.Accounts and Options.Sealer.
// A nil *PageDeps answers the page's API with 503.
type PageDeps struct {
	// Store holds links, item counts and test-data records (*store.Store satisfies it).
	Store PageStore
	// Opener unseals account secrets (*seal.Sealer satisfies it).
	Opener Opener
	// Mailbox builds an EWS client (production: ews.NewClient).
	Mailbox func(ctx context.Context, cfg MailboxConfig) (Mailbox, error)
	// Collections returns a CalDAV/CardDAV client acting as Nextcloud user userID.
	Collections func(ctx context.Context, userID string) (Collections, error)
	// Sync runs or queues one link's sync; nil answers "sync now" with 503.
	Sync SyncQueue
	// Status reports the scheduler's view of a link (next run, last result); nil shows only what
	// the store knows.
	Status StatusReader
	// Autodiscover finds the EWS URL of an email address; nil refuses the email-only form.
	Autodiscover func(ctx context.Context, email, username, password string) (string, error)
	// StateChanged receives a user's connection state (one line) after connect, disconnect, link
	// changes and syncs; production writes it into the personal form (ConnectionStateFieldID).
	StateChanged func(ctx context.Context, userID, state string) error
	// DefaultServer returns the administrator's default EWS URL (admin form field
	// ews_default_endpoint), offered in the connect form; nil or "" offers none.
	DefaultServer func(ctx context.Context) string
	// CheckHost refuses endpoints the administrator does not allow (an SSRF guard); nil allows all.
	CheckHost func(ctx context.Context, endpoint string) error
}

// PageStore is the part of *store.Store the page uses; every method is scoped to the user.
type PageStore interface {
	Account(ctx context.Context, userID string, id int64) (store.Account, error)
	Links(ctx context.Context, userID string) ([]store.Link, error)
	AccountLinks(ctx context.Context, userID string, accountID int64) ([]store.Link, error)
	Link(ctx context.Context, userID string, id int64) (store.Link, error)
	CreateLink(ctx context.Context, l *store.Link) error
	UpdateLink(ctx context.Context, l *store.Link) error
	DeleteLink(ctx context.Context, userID string, id int64) error
	CorrelationCount(ctx context.Context, linkID int64) (int, error)
	AddTestCollection(ctx context.Context, c *store.TestCollection) error
	TestCollections(ctx context.Context, userID string, accountID int64) ([]store.TestCollection, error)
	DeleteTestCollection(ctx context.Context, userID string, id int64) error
}

// Opener decrypts sealed secrets (*seal.Sealer).
type Opener interface {
	Open(sealed []byte, binding string) ([]byte, error)
}

// MailboxConfig is how to reach one mailbox.
type MailboxConfig struct {
	Endpoint, Username, Password string
	Auth                         string // ews.AuthAuto, AuthBasic or AuthNTLM
}

// Mailbox is the part of *ews.Client the page uses: folder discovery (with item counts) and what test
// data needs.
type Mailbox interface {
	DiscoverFolders(ctx context.Context) ([]ews.FolderInfo, error)
	CreateFolder(ctx context.Context, parent wire.TargetFolder, kind, name string) (*wire.FolderId, error)
	DeleteFolder(ctx context.Context, id wire.TargetFolder, deleteType string) error
	CreateItems(ctx context.Context, folder *wire.TargetFolder, items wire.Items) ([]ews.ItemResult, error)
	CreateAttachments(ctx context.Context, parent wire.ItemId, atts []wire.Attachment) ([]ews.AttachmentResult, error)
}

// Collections is the part of *dav.Client the page uses.
type Collections interface {
	Discover(ctx context.Context) (dav.HomeSets, error)
	Calendars(ctx context.Context, home string) ([]dav.Calendar, error)
	AddressBooks(ctx context.Context, home string) ([]dav.AddressBook, error)
	MakeCalendar(ctx context.Context, cal dav.Calendar) error
	MakeAddressBook(ctx context.Context, ab dav.AddressBook) error
	DeleteCollection(ctx context.Context, href string) error
	Put(ctx context.Context, pr dav.PutRequest) (string, error)
}

// SyncQueue runs a link's sync now (full: from scratch, ignoring the stored sync states).
type SyncQueue interface {
	SyncNow(ctx context.Context, userID string, linkID int64, full bool) error
}

// StatusReader tells what the scheduler knows about a link.
type StatusReader interface {
	LinkStatus(ctx context.Context, linkID int64) (LinkRunStatus, bool)
}

// LinkRunStatus is the outcome of a link's last run and its next planned run.
type LinkRunStatus struct {
	NextRun                      time.Time       `json:"next_run,omitzero"`
	Running                      bool            `json:"running"`
	Queued                       bool            `json:"queued"` // requested, not started yet
	LocalCreated, LocalUpdated   int             `json:"-"`
	LocalDeleted, RemoteCreated  int             `json:"-"`
	RemoteUpdated, RemoteDeleted int             `json:"-"`
	Conflicts                    int             `json:"conflicts"`
	Errors                       []LinkItemError `json:"errors,omitempty"`
}

// LinkItemError is one item that failed in a link's last run.
type LinkItemError struct {
	UID    string `json:"uid"`
	Href   string `json:"href,omitempty"`
	ItemID string `json:"item_id,omitempty"`
	Op     string `json:"op"`
	Error  string `json:"error"`
}

// pageRoutes registers the page's API under g (/api/v1).
func (s *Server) pageRoutes(g *echo.Group) {
	g.POST("/connect", s.connect)
	g.GET("/accounts/:id/folders", s.accountFolders)
	g.POST("/accounts/:id/links", s.createLink)
	g.PUT("/links/:link", s.updateLink)
	g.DELETE("/links/:link", s.deleteLink)
	g.POST("/links/:link/sync", s.syncLink)
	g.GET("/status", s.status)
	g.POST("/accounts/:id/testdata", s.createTestData)
	g.DELETE("/accounts/:id/testdata", s.deleteTestData)
}

func (s *Server) page() (*PageDeps, error) {
	p := s.opts.Page
	if p == nil || p.Store == nil || p.Opener == nil || p.Mailbox == nil || p.Collections == nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "the page's backend is not configured")
	}
	return p, nil
}

// userAccount returns the page's backend and the calling user's account :id
// (404 for another user's).
func (s *Server) userAccount(c echo.Context) (*PageDeps, store.Account, error) {
	p, err := s.page()
	if err != nil {
		return nil, store.Account{}, err
	}
	id, err := accountID(c)
	if err != nil {
		return nil, store.Account{}, err
	}
	a, err := p.Store.Account(c.Request().Context(), userOf(c), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, a, echo.NewHTTPError(http.StatusNotFound, "account not found")
	}
	return p, a, err
}

// mailboxOf opens the account's secret and builds its EWS client.
func (s *Server) mailboxOf(ctx context.Context, p *PageDeps, a *store.Account) (Mailbox, error) {
	secret, err := p.Opener.Open(a.Secret, store.SecretBinding(a.UserID, a.ID))
	if err != nil {
		return nil, err
	}
	return p.Mailbox(ctx, MailboxConfig{Endpoint: a.Endpoint, Username: a.Username, Password: string(secret), Auth: string(a.AuthMethod)})
}
