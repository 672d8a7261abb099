package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/netguard"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// AccountStore persists accounts; every method is scoped to one Nextcloud user and reports another
// user's account as store.ErrNotFound (*store.Store satisfies it). The API answers 404 for both cases,
// so ids of other users' accounts reveal nothing.
type AccountStore interface {
	NewAccountID(ctx context.Context) (int64, error)
	CreateAccount(ctx context.Context, a *store.Account) error
	Account(ctx context.Context, userID string, id int64) (store.Account, error)
	Accounts(ctx context.Context, userID string) ([]store.Account, error)
	DeleteAccount(ctx context.Context, userID string, id int64) error
}

// Sealer encrypts secrets before they are stored (*seal.Sealer: AES-256-GCM bound to a binding string).
type Sealer interface {
	Seal(plaintext []byte, binding string) []byte
}

// Auth methods accepted for an account (store.AuthMethod values; bearer needs an OAuth flow that does
// not exist yet).
var authMethods = map[store.AuthMethod]bool{store.AuthAuto: true, store.AuthBasic: true, store.AuthNTLM: true}

// accountView is the JSON form of an account: never a secret, sealed or not.
type accountView struct {
	ID         int64     `json:"id"`
	Endpoint   string    `json:"endpoint"`
	Email      string    `json:"email"`
	Username   string    `json:"username"`
	AuthMethod string    `json:"auth_method"`
	State      string    `json:"state"`
	LastError  string    `json:"last_error,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func viewOf(a *store.Account) accountView {
	return accountView{ID: a.ID, Endpoint: a.Endpoint, Email: a.Email, Username: a.Username,
		AuthMethod: string(a.AuthMethod), State: string(a.State), LastError: a.LastError,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// accountCreate is the body of POST /api/v1/accounts.
type accountCreate struct {
	Endpoint   string `json:"endpoint"`
	Email      string `json:"email"`
	Username   string `json:"username"`
	AuthMethod string `json:"auth_method"`
	Password   string `json:"password"`
}

// maxBody bounds API request bodies.
const maxBody = 64 << 10

func (s *Server) accountRoutes(g *echo.Group) {
	g.GET("/accounts", s.listAccounts)
	g.POST("/accounts", s.createAccount)
	g.GET("/accounts/:id", s.getAccount)
	g.DELETE("/accounts/:id", s.deleteAccount)
}

func (s *Server) accountStore() (AccountStore, error) {
	if s.opts.Accounts == nil || s.opts.Sealer == nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "storage is not configured")
	}
	return s.opts.Accounts, nil
}

func userOf(c echo.Context) string {
	u, _ := appapi.UserFrom(c.Request().Context())
	return u
}

func accountID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound, "account not found")
	}
	return id, nil
}

func (s *Server) listAccounts(c echo.Context) error {
	st, err := s.accountStore()
	if err != nil {
		return err
	}
	list, err := st.Accounts(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	out := make([]accountView, 0, len(list))
	for i := range list {
		out = append(out, viewOf(&list[i]))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getAccount(c echo.Context) error {
	st, err := s.accountStore()
	if err != nil {
		return err
	}
	id, err := accountID(c)
	if err != nil {
		return err
	}
	a, err := st.Account(c.Request().Context(), userOf(c), id)
	if errors.Is(err, store.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "account not found")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewOf(&a))
}

func (s *Server) deleteAccount(c echo.Context) error {
	st, err := s.accountStore()
	if err != nil {
		return err
	}
	id, err := accountID(c)
	if err != nil {
		return err
	}
	err = st.DeleteAccount(c.Request().Context(), userOf(c), id)
	if errors.Is(err, store.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "account not found")
	}
	if err != nil {
		return err
	}
	s.accountsChanged(c.Request().Context(), userOf(c))
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) createAccount(c echo.Context) error {
	st, err := s.accountStore()
	if err != nil {
		return err
	}
	var req accountCreate
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "body must be a JSON object with endpoint, email, username, auth_method, password")
	}
	if err := s.validateCreate(&req); err != nil {
		return err
	}
	ctx, user := c.Request().Context(), userOf(c)
	// The same SSRF guard as the page's connect: a host the administrator does not allow is never
	// stored (every connection at sync time is checked again).
	if p := s.opts.Page; p != nil && p.CheckHost != nil {
		if err := p.CheckHost(ctx, req.Endpoint); netguard.IsBlocked(err) {
			return echo.NewHTTPError(http.StatusBadRequest, "this Exchange server is not allowed by the administrator")
		}
	}
	// The secret is sealed bound to the account id and user (store.SecretBinding), so the id is
	// reserved first.
	id, err := st.NewAccountID(ctx)
	if err != nil {
		return err
	}
	a := &store.Account{ID: id, UserID: user, Endpoint: req.Endpoint, Email: req.Email, Username: req.Username,
		AuthMethod: store.AuthMethod(req.AuthMethod),
		Secret:     s.opts.Sealer.Seal([]byte(req.Password), store.SecretBinding(user, id))}
	if err := st.CreateAccount(ctx, a); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewOf(a))
}

func (s *Server) validateCreate(r *accountCreate) error {
	bad := func(msg string) error { return echo.NewHTTPError(http.StatusBadRequest, msg) }
	r.Endpoint = strings.TrimSpace(r.Endpoint)
	u, err := url.Parse(r.Endpoint)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return bad("endpoint must be an absolute URL such as https://mail.example.com/EWS/Exchange.asmx")
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && s.opts.AllowHTTPEndpoints) {
		return bad("endpoint must use https")
	}
	r.Email = strings.TrimSpace(r.Email)
	if r.Email != "" && (!strings.Contains(r.Email, "@") || len(r.Email) > 320) {
		return bad("email is not an address")
	}
	r.Username = strings.TrimSpace(r.Username)
	if r.Username == "" || len(r.Username) > 256 {
		return bad("username is required (at most 256 characters)")
	}
	if r.AuthMethod == "" {
		r.AuthMethod = string(store.AuthAuto)
	}
	if !authMethods[store.AuthMethod(r.AuthMethod)] {
		return bad("auth_method must be auto, basic or ntlm")
	}
	if r.Password == "" || len(r.Password) > 1024 {
		return bad("password is required (at most 1024 bytes)")
	}
	return nil
}
