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
)

// ErrAccountNotFound is returned by an AccountStore when the account does not exist or belongs to
// another user; the API answers 404 in both cases so ids of other users' accounts reveal nothing.
var ErrAccountNotFound = errors.New("web: account not found")

// Account is an EWS account as the API layer sees it. SealedSecret is the AES-GCM-sealed password; it is
// never serialised to a client.
type Account struct {
	ID           int64
	UserID       string
	Endpoint     string
	Email        string
	Username     string
	AuthMethod   string
	SealedSecret []byte
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AccountStore persists accounts; every method is scoped to one Nextcloud user.
type AccountStore interface {
	// CreateAccount inserts a and sets its ID and timestamps.
	CreateAccount(ctx context.Context, a *Account) error
	// Account returns the user's account id, or ErrAccountNotFound.
	Account(ctx context.Context, userID string, id int64) (*Account, error)
	// Accounts lists the user's accounts.
	Accounts(ctx context.Context, userID string) ([]Account, error)
	// DeleteAccount deletes the user's account id, or returns ErrAccountNotFound.
	DeleteAccount(ctx context.Context, userID string, id int64) error
}

// Sealer encrypts secrets before they are stored (*seal.Sealer: AES-256-GCM bound to a binding string).
type Sealer interface {
	Seal(plaintext []byte, binding string) []byte
}

// SecretBinding is the binding an account's password is sealed with: it ties the sealed secret to its
// user, endpoint and username, so a sealed value copied to another row or user does not open. Whoever
// opens the secret (the EWS client wiring) must use the same function.
func SecretBinding(userID, endpoint, username string) string {
	return "account:" + userID + "\x00" + endpoint + "\x00" + username
}

// Auth methods accepted for an account.
var authMethods = map[string]bool{"basic": true, "ntlm": true}

// accountView is the JSON form of an account: never a secret, sealed or not.
type accountView struct {
	ID         int64     `json:"id"`
	Endpoint   string    `json:"endpoint"`
	Email      string    `json:"email"`
	Username   string    `json:"username"`
	AuthMethod string    `json:"auth_method"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func viewOf(a *Account) accountView {
	return accountView{ID: a.ID, Endpoint: a.Endpoint, Email: a.Email, Username: a.Username,
		AuthMethod: a.AuthMethod, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
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
	if errors.Is(err, ErrAccountNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "account not found")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewOf(a))
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
	if errors.Is(err, ErrAccountNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "account not found")
	}
	if err != nil {
		return err
	}
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
	user := userOf(c)
	sealed := s.opts.Sealer.Seal([]byte(req.Password), SecretBinding(user, req.Endpoint, req.Username))
	a := &Account{UserID: user, Endpoint: req.Endpoint, Email: req.Email, Username: req.Username,
		AuthMethod: req.AuthMethod, SealedSecret: sealed}
	if err := st.CreateAccount(c.Request().Context(), a); err != nil {
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
		r.AuthMethod = "basic"
	}
	if !authMethods[r.AuthMethod] {
		return bad("auth_method must be basic or ntlm")
	}
	if r.Password == "" || len(r.Password) > 1024 {
		return bad("password is required (at most 1024 bytes)")
	}
	return nil
}
