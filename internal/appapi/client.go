package appapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxResponse caps how much of a Nextcloud response body the client reads.
const maxResponse = 16 << 20

// HTTPClient is the minimal HTTP interface the Client needs; *http.Client satisfies it.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Options configures a Client.
type Options struct {
	// NextcloudURL is the base URL (NEXTCLOUD_URL without /index.php).
	NextcloudURL string
	// AppID, AppVersion and Secret are APP_ID, APP_VERSION and APP_SECRET.
	AppID, AppVersion, Secret string
	// AAVersion is AA_VERSION; sent as AA-VERSION when non-empty (not checked by AppAPI).
	AAVersion string
	// Logger receives debug lines for each call (never with headers); nil discards.
	Logger *slog.Logger
}

// Client calls Nextcloud with AppAPI authentication, as the system (empty user) or as a given user.
// See https://docs.nextcloud.com/server/latest/developer_manual/exapp_development/tech_details/Authentication.html.
type Client struct {
	hc   HTTPClient
	base *url.URL
	opts Options
	log  *slog.Logger
}

// NewClient returns a Client. A nil hc means a default *http.Client with a 60 s timeout that never follows
// redirects, so the AppAPI secret is never sent to another host.
func NewClient(hc HTTPClient, opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(opts.NextcloudURL, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("appapi: invalid nextcloud url %q", opts.NextcloudURL)
	}
	if hc == nil {
		hc = DefaultHTTPClient()
	}
	l := opts.Logger
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return &Client{hc: hc, base: u, opts: opts, log: l}, nil
}

// DefaultHTTPClient returns the *http.Client used when NewClient gets nil: TLS verification on, a 60 s
// timeout (AppAPI's own /enabled timeout), and redirects not followed.
func DefaultHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// AppID returns the app id the client signs with.
func (c *Client) AppID() string { return c.opts.AppID }

// BaseURL returns the Nextcloud base URL.
func (c *Client) BaseURL() string { return c.base.String() }

// sign adds the AppAPI headers (AppAPI docs "Authentication", nc_py_api _session.py _add_auth).
func (c *Client) sign(ctx context.Context, h http.Header, user string) {
	h.Set(HeaderAppID, c.opts.AppID)
	h.Set(HeaderAppVersion, c.opts.AppVersion)
	h.Set(HeaderAuthorization, Sign(user, c.opts.Secret))
	if c.opts.AAVersion != "" {
		h.Set(HeaderAAVersion, c.opts.AAVersion)
	}
	if id := RequestIDFrom(ctx); id != "" {
		h.Set(HeaderRequestID, id)
	}
}

// Meta is the "meta" part of an OCS envelope.
type Meta struct {
	Status     string `json:"status"`
	StatusCode int    `json:"statuscode"`
	Message    string `json:"message"`
}

type envelope struct {
	OCS *struct {
		Meta Meta            `json:"meta"`
		Data json.RawMessage `json:"data"`
	} `json:"ocs"`
}

// OCS performs one OCS call: path is absolute under the Nextcloud base (for example
// "/ocs/v1.php/apps/app_api/ex-app/state"), user is the impersonated user ("" for the system), body is
// JSON-encoded when non-nil, and the envelope's data is decoded into out when out is non-nil.
// A failure reported by Nextcloud is an *OCSError.
func (c *Client) OCS(ctx context.Context, method, path, user string, query url.Values, body, out any) error {
	u := *c.base
	u.Path = c.base.Path + path
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("format", "json")
	u.RawQuery = q.Encode()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("appapi: %s %s: encode body: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return fmt.Errorf("appapi: %s %s: %w", method, path, err)
	}
	c.sign(ctx, req.Header, user)
	req.Header.Set(HeaderOCSAPIRequest, "true")
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("appapi: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("appapi: %s %s: read response: %w", method, path, err)
	}
	c.log.Debug("ocs call", slog.String("method", method), slog.String("path", path),
		slog.String("user", user), slog.Int("status", resp.StatusCode), slog.Duration("duration", time.Since(start)))
	return decodeOCS(method, path, resp.StatusCode, raw, out)
}

func decodeOCS(method, path string, status int, raw []byte, out any) error {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil || env.OCS == nil {
		e := &OCSError{Method: method, Path: path, HTTPStatus: status, Message: plainMessage(raw)}
		if status >= 200 && status < 300 {
			e.Message = "response is not an OCS envelope"
		}
		return e
	}
	m := env.OCS.Meta
	if status < 200 || status >= 300 || (m.StatusCode != 100 && m.StatusCode != 200) {
		return &OCSError{Method: method, Path: path, HTTPStatus: status, StatusCode: m.StatusCode, Message: m.Message}
	}
	if out != nil && len(env.OCS.Data) > 0 {
		if err := json.Unmarshal(env.OCS.Data, out); err != nil {
			return fmt.Errorf("appapi: %s %s: decode data: %w", method, path, err)
		}
	}
	return nil
}

// plainMessage extracts a short message from a non-OCS body ({"message":…} on a 412, or text).
func plainMessage(raw []byte) string {
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &m) == nil && m.Message != "" {
		return m.Message
	}
	s := strings.TrimSpace(string(raw))
	if strings.HasPrefix(s, "<") {
		return "non-JSON response"
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// OCSError is a failure reported by Nextcloud: a non-2xx HTTP status (OCS v2) or an OCS statuscode other
// than 100/200 (OCS v1 answers HTTP 200 even then). See
// https://docs.nextcloud.com/server/latest/developer_manual/client_apis/OCS/ocs-api-overview.html.
type OCSError struct {
	Method, Path string
	// HTTPStatus is the HTTP response status.
	HTTPStatus int
	// StatusCode is ocs.meta.statuscode, or 0 when the body was not an OCS envelope.
	StatusCode int
	// Message is ocs.meta.message (or the plain error message).
	Message string
}

var _ error = (*OCSError)(nil)

// Error implements error.
func (e *OCSError) Error() string {
	return fmt.Sprintf("appapi: %s %s: http %d, ocs %d: %s", e.Method, e.Path, e.HTTPStatus, e.StatusCode, e.Message)
}

// code returns the most specific status: the OCS code when it is an HTTP-like code, else the HTTP status.
func (e *OCSError) is(httpCode, ocsCode int) bool {
	return e.HTTPStatus == httpCode || e.StatusCode == httpCode || (ocsCode != 0 && e.StatusCode == ocsCode)
}

// IsNotFound reports whether err is an OCS "not found" (HTTP 404, statuscode 404 or 998).
func IsNotFound(err error) bool {
	var e *OCSError
	return errors.As(err, &e) && e.is(http.StatusNotFound, 998)
}

// IsUnauthorized reports whether err is an authentication failure (HTTP 401 or statuscode 997).
func IsUnauthorized(err error) bool {
	var e *OCSError
	return errors.As(err, &e) && e.is(http.StatusUnauthorized, 997)
}

// IsForbidden reports whether err is HTTP 403 (for example a non-admin calling an admin endpoint).
func IsForbidden(err error) bool {
	var e *OCSError
	return errors.As(err, &e) && e.is(http.StatusForbidden, 0)
}

// IsBadRequest reports whether err is HTTP 400 (for example an invalid form scheme or webhook event).
func IsBadRequest(err error) bool {
	var e *OCSError
	return errors.As(err, &e) && e.is(http.StatusBadRequest, 0)
}

// Paths of the AppAPI OCS routes (app_api appinfo/routes.php).
const (
	pathAppAPI = "/ocs/v1.php/apps/app_api"
	pathAPIv1  = pathAppAPI + "/api/v1"
)
