package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// AdminChecker tells whether a Nextcloud user is an administrator. AppAPI's route access levels are not
// enough: the first matching route wins, so a USER route lets any user reach an "admin" path
// (observed on Nextcloud 32); the app checks itself.
type AdminChecker interface {
	IsAdmin(ctx context.Context, user string) (bool, error)
}

// adminCacheTTL is how long an admin answer is reused.
const adminCacheTTL = 30 * time.Second

// NextcloudAdmins answers AdminChecker from Nextcloud (the user's groups, asked as that user), caching
// each answer briefly.
type NextcloudAdmins struct {
	nc  *appapi.Client
	now func() time.Time
	mu  sync.Mutex
	c   map[string]adminEntry
}

type adminEntry struct {
	admin bool
	at    time.Time
}

// NewNextcloudAdmins returns an AdminChecker backed by nc.
func NewNextcloudAdmins(nc *appapi.Client) *NextcloudAdmins {
	return &NextcloudAdmins{nc: nc, now: time.Now, c: map[string]adminEntry{}}
}

// IsAdmin reports whether user is in Nextcloud's "admin" group.
func (a *NextcloudAdmins) IsAdmin(ctx context.Context, user string) (bool, error) {
	a.mu.Lock()
	e, ok := a.c[user]
	a.mu.Unlock()
	if ok && a.now().Sub(e.at) < adminCacheTTL {
		return e.admin, nil
	}
	info, err := a.nc.User(ctx, user)
	if err != nil {
		return false, err
	}
	a.mu.Lock()
	a.c[user] = adminEntry{admin: info.IsAdmin(), at: a.now()}
	a.mu.Unlock()
	return info.IsAdmin(), nil
}

// requireAdmin refuses non-administrators with 403.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.opts.Admins == nil {
			return echo.NewHTTPError(http.StatusForbidden, "administrator required")
		}
		ok, err := s.opts.Admins.IsAdmin(c.Request().Context(), userOf(c))
		if err != nil {
			return err
		}
		if !ok {
			return echo.NewHTTPError(http.StatusForbidden, "administrator required")
		}
		return next(c)
	}
}

// AdminAccountLister lists every user's accounts without secrets (*store.Store satisfies it).
type AdminAccountLister interface {
	AllAccounts(ctx context.Context) ([]store.AccountSummary, error)
}

// adminAccountView is an account in the admin list: never a secret, only whether one is stored.
type adminAccountView struct {
	ID         int64     `json:"id"`
	UserID     string    `json:"user_id"`
	Endpoint   string    `json:"endpoint"`
	Email      string    `json:"email"`
	Username   string    `json:"username"`
	AuthMethod string    `json:"auth_method"`
	HasSecret  bool      `json:"has_secret"`
	State      string    `json:"state"`
	LastError  string    `json:"last_error,omitempty"`
	Links      int       `json:"links"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// adminAccounts answers GET /api/v1/admin/accounts: every user's accounts, for administrators.
func (s *Server) adminAccounts(c echo.Context) error {
	lister, ok := s.opts.Accounts.(AdminAccountLister)
	if !ok {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "storage is not configured")
	}
	list, err := lister.AllAccounts(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]adminAccountView, 0, len(list))
	for _, a := range list {
		out = append(out, adminAccountView{ID: a.ID, UserID: a.UserID, Endpoint: a.Endpoint, Email: a.Email,
			Username: a.Username, AuthMethod: string(a.AuthMethod), HasSecret: a.HasSecret, State: string(a.State),
			LastError: a.LastError, Links: a.Links, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt})
	}
	return c.JSON(http.StatusOK, out)
}

var _ AdminChecker = (*NextcloudAdmins)(nil)
