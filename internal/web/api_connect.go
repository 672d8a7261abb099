package web

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ewsconnector/ews_connector/internal/autodiscover"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/netguard"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// connectRequest is the body of POST /api/v1/connect: server (a host name or a URL) or, without it,
// email for autodiscover; the password is sent once and never returned.
type connectRequest struct {
	Server     string `json:"server"`
	Email      string `json:"email"`
	Username   string `json:"username"`
	Password   string `json:"password"`
	AuthMethod string `json:"auth_method"`
}

// connectError is the body of a failed connect: code is one of auth, unreachable, certificate,
// not_ews, host_not_allowed, autodiscover, invalid; error is for people.
type connectError struct {
	Code  string `json:"code"`
	Error string `json:"error"`
}

// folderView is a remote folder in the page's lists.
type folderView struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Kind          string `json:"kind"` // calendar or contacts
	Distinguished string `json:"distinguished,omitempty"`
	Total         int    `json:"total"`
}

// ewsPath is where Exchange serves EWS.
const ewsPath = "/EWS/Exchange.asmx"

// endpointOf turns what the user typed into an EWS URL: "mail.example.com" and
// "https://mail.example.com" become https://mail.example.com/EWS/Exchange.asmx; a URL with a path is
// kept.
func endpointOf(server string) string {
	server = strings.TrimSpace(server)
	if server == "" {
		return ""
	}
	if !strings.Contains(server, "://") {
		server = "https://" + server
	}
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = ewsPath
	}
	return u.String()
}

func (s *Server) connect(c echo.Context) error {
	p, err := s.page()
	if err != nil {
		return err
	}
	st, err := s.accountStore()
	if err != nil {
		return err
	}
	var req connectRequest
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return c.JSON(http.StatusBadRequest, connectError{"invalid", "body must be a JSON object with server, email, username, password, auth_method"})
	}
	ctx, user := c.Request().Context(), userOf(c)
	endpoint := endpointOf(req.Server)
	if endpoint == "" {
		email := strings.TrimSpace(req.Email)
		if email == "" {
			return c.JSON(http.StatusBadRequest, connectError{"invalid", "Enter the Exchange server or your email address."})
		}
		if p.Autodiscover == nil {
			return c.JSON(http.StatusUnprocessableEntity, connectError{"autodiscover", "Finding the server from the email address is not available; enter the server."})
		}
		endpoint, err = p.Autodiscover(ctx, email, strings.TrimSpace(req.Username), req.Password)
		if err != nil {
			code, msg := classifyConnect(err)
			if code == "not_ews" {
				code, msg = "autodiscover", "No Exchange server was found for this email address; enter the server."
			}
			return c.JSON(http.StatusUnprocessableEntity, connectError{code, msg})
		}
	}
	create := accountCreate{Endpoint: endpoint, Email: req.Email, Username: req.Username, AuthMethod: req.AuthMethod, Password: req.Password}
	if err := s.validateCreate(&create); err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			msg, _ := he.Message.(string)
			return c.JSON(http.StatusBadRequest, connectError{"invalid", msg})
		}
		return err
	}
	if p.CheckHost != nil {
		// Only a refusal by the guard's policy stops here; a name that does not resolve is left to
		// the connection attempt, which reports it as unreachable.
		if err := p.CheckHost(ctx, create.Endpoint); netguard.IsBlocked(err) {
			return c.JSON(http.StatusUnprocessableEntity, connectError{"host_not_allowed", "The administrator does not allow connections to this server."})
		}
	}
	mb, err := p.Mailbox(ctx, MailboxConfig{Endpoint: create.Endpoint, Username: create.Username, Password: create.Password, Auth: create.AuthMethod})
	if err != nil {
		return c.JSON(http.StatusBadRequest, connectError{"invalid", "The server address is not valid."})
	}
	folders, err := mb.DiscoverFolders(ctx)
	if err != nil {
		code, msg := classifyConnect(err)
		s.log.Info("connect failed", "user", user, "endpoint", create.Endpoint, "code", code, "error", err.Error())
		return c.JSON(http.StatusUnprocessableEntity, connectError{code, msg})
	}
	id, err := st.NewAccountID(ctx)
	if err != nil {
		return err
	}
	a := &store.Account{ID: id, UserID: user, Endpoint: create.Endpoint, Email: create.Email, Username: create.Username,
		AuthMethod: store.AuthMethod(create.AuthMethod), State: store.AccountConnected,
		Secret: s.opts.Sealer.Seal([]byte(create.Password), store.SecretBinding(user, id))}
	if err := st.CreateAccount(ctx, a); err != nil {
		return err
	}
	s.accountsChanged(ctx, user)
	return c.JSON(http.StatusCreated, map[string]any{"account": viewOf(a), "folders": foldersView(folders)})
}

func foldersView(list []ews.FolderInfo) []folderView {
	out := make([]folderView, 0, len(list))
	for _, f := range list {
		out = append(out, folderView{ID: f.Id, Name: f.Name, Kind: kindOf(f.Kind), Distinguished: f.Distinguished, Total: f.Total})
	}
	return out
}

// kindOf maps ews.FolderInfo.Kind to the store's link kinds.
func kindOf(k string) string {
	if strings.Contains(strings.ToLower(k), "contact") {
		return string(store.KindContacts)
	}
	return string(store.KindCalendar)
}

// classifyConnect says in user words why a connection failed.
func classifyConnect(err error) (code, msg string) {
	var (
		unknownCA *x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		hostErrP  *x509.HostnameError
		invalid   x509.CertificateInvalidError
		invalidP  *x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		recordErr tls.RecordHeaderError
		dnsErr    *net.DNSError
		opErr     *net.OpError
	)
	switch {
	case netguard.IsBlocked(err):
		return "host_not_allowed", "The administrator does not allow connections to this server."
	case ews.IsAuth(err), errors.Is(err, autodiscover.ErrAuth):
		return "auth", "The server refused the user name or password. Check them (user@domain or DOMAIN\\user) and the authentication method."
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &hostErrP), errors.As(err, &invalid),
		errors.As(err, &invalidP), errors.As(err, &verify):
		return "certificate", "The server's certificate is not trusted (self-signed, expired or for another name). Ask your administrator."
	case errors.As(err, &recordErr):
		return "not_ews", "The server does not speak HTTPS on this address; it is not an Exchange Web Services server."
	case errors.As(err, &dnsErr), errors.As(err, &opErr), errors.Is(err, context.DeadlineExceeded):
		return "unreachable", "The server cannot be reached. Check the address and that the server is online."
	}
	return "not_ews", "The server answered, but not as an Exchange Web Services server. Check the address (for example mail.example.com or https://mail.example.com/EWS/Exchange.asmx)."
}
