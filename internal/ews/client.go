// Package ews is a client for Exchange Web Services (SOAP 1.1 over HTTPS,
// POST to https://host/EWS/Exchange.asmx), as specified in Microsoft's EWS
// reference:
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ews-reference-for-exchange
//
// It speaks Basic, NTLM and bearer-token auth, chooses RequestServerVersion
// from the server's ServerVersionInfo, retries throttled and transient
// failures with back-off, limits concurrent requests per mailbox, batches
// item operations and returns one result per item. Wire types live in
// package wire; one file here per operation.
package ews

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/go-ntlmssp"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// HTTPClient is the part of *http.Client the client needs.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Auth modes.
const (
	// AuthAuto tries anonymous, then NTLM or Basic as the server asks.
	AuthAuto = "auto"
	// AuthBasic sends Basic credentials with every request.
	AuthBasic = "basic"
	// AuthNTLM does the NTLM handshake (connection-bound, HTTP/1.1 keep-alive).
	AuthNTLM = "ntlm"
	// AuthBearer sends "Authorization: Bearer" from Options.Token.
	AuthBearer = "bearer"
)

// Request server versions the client chooses from ServerVersionInfo.
// https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/ews-schema-versions-in-exchange
const (
	Version2007SP1 = string(wire.ExchangeVersionTypeExchange2007_SP1)
	Version2010SP2 = string(wire.ExchangeVersionTypeExchange2010_SP2)
	Version2013SP1 = string(wire.ExchangeVersionTypeExchange2013_SP1)
)

// Defaults and limits of Options.
const (
	DefaultBatchSize        = 50
	MaxBatchSize            = 100
	DefaultConcurrency      = 2
	DefaultMaxResponseBytes = 64 << 20
	DefaultMaxRetries       = 5
	DefaultMaxWait          = 10 * time.Minute
)

// Options configures a Client. The zero value is usable with a nil
// HTTPClient (one is built from the TLS and auth fields).
type Options struct {
	// Auth is AuthAuto (default), AuthBasic, AuthNTLM or AuthBearer.
	Auth string
	// Username ("DOMAIN\user" or "user@domain") and Password for Basic and NTLM.
	Username, Password string
	// Token returns a bearer token (OAuth2) for AuthBearer; called per request.
	Token func(ctx context.Context) (string, error)
	// HTTPClient, if set, is used as is (its transport must keep HTTP/1.1
	// connections alive for NTLM). Otherwise one is built with TLS
	// verification on, RootCAs (if set) and InsecureSkipVerify never.
	HTTPClient HTTPClient
	// RootCAs replaces the system roots (a custom CA for on-premises servers).
	RootCAs *x509.CertPool
	// Version forces RequestServerVersion; empty chooses it from the server.
	Version string
	// Impersonate, an SMTP address, adds ExchangeImpersonation and
	// X-AnchorMailbox to every request.
	Impersonate string
	// BatchSize is the number of items per request (default 50, max 100).
	BatchSize int
	// Concurrency limits concurrent requests to the mailbox (default 2).
	Concurrency int
	// MaxResponseBytes limits a response body (default 64 MiB).
	MaxResponseBytes int64
	// MaxRetries bounds the retries of one request (default 5).
	MaxRetries int
	// MaxWait bounds one back-off; a server asking for longer makes the call
	// fail with IsBusy (default 10 min).
	MaxWait time.Duration
	// Trace, if set, receives every request and response with credentials
	// and cookies redacted. Off by default.
	Trace io.Writer
	// Logger receives warnings and retries; nil discards.
	Logger *slog.Logger
	// Sleep waits d or until ctx is done; nil uses a timer (tests inject one).
	Sleep func(ctx context.Context, d time.Duration) error
	// Now returns the current time; nil uses time.Now.
	Now func() time.Time
}

// Client is an EWS client for one mailbox. It is safe for concurrent use.
type Client struct {
	endpoint string
	opts     Options
	hc       HTTPClient
	log      *slog.Logger
	sem      chan struct{}
	traceMu  sync.Mutex

	mu        sync.Mutex
	version   string                  // RequestServerVersion in use
	server    *wire.ServerVersionInfo // last ServerVersionInfo seen
	notBefore time.Time               // no request before this (throttling)
}

// NewClient returns a client for the EWS endpoint URL
// (https://host/EWS/Exchange.asmx).
func NewClient(endpoint string, opts *Options) (*Client, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if !strings.HasPrefix(endpoint, "https://") && !strings.HasPrefix(endpoint, "http://") {
		return nil, fmt.Errorf("%w: endpoint %q is not an http(s) URL", ErrBadOptions, endpoint)
	}
	switch o.Auth {
	case "":
		o.Auth = AuthAuto
	case AuthAuto, AuthBasic, AuthNTLM:
	case AuthBearer:
		if o.Token == nil {
			return nil, fmt.Errorf("%w: bearer auth without a Token func", ErrBadOptions)
		}
	default:
		return nil, fmt.Errorf("%w: unknown auth %q", ErrBadOptions, o.Auth)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.BatchSize > MaxBatchSize {
		o.BatchSize = MaxBatchSize
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultMaxWait
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{endpoint: endpoint, opts: o, log: log, sem: make(chan struct{}, o.Concurrency), version: o.Version}
	c.hc = o.HTTPClient
	if c.hc == nil {
		c.hc = newHTTPClient(o)
	}
	return c, nil
}

// newHTTPClient builds an HTTP/1.1 keep-alive client (NTLM authenticates a
// connection, so HTTP/2 is off) that never follows redirects with
// credentials.
func newHTTPClient(o Options) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ForceAttemptHTTP2 = false
	tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs}
	tr.MaxIdleConnsPerHost = o.Concurrency
	// A server that accepts the connection but never answers must not hang
	// a sync; the body itself (a 30-minute notification stream) is bounded
	// by the caller's context.
	tr.ResponseHeaderTimeout = 5 * time.Minute
	var rt http.RoundTripper = tr
	if o.Auth == AuthAuto || o.Auth == AuthNTLM {
		rt = ntlmssp.Negotiator{RoundTripper: tr, AllowBasicAuth: o.Auth == AuthAuto}
	}
	return &http.Client{
		Transport: rt,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// BatchSize returns the number of items the client puts in one request.
func (c *Client) BatchSize() int { return c.opts.BatchSize }

// ServerVersion returns the last ServerVersionInfo the server sent, or nil.
func (c *Client) ServerVersion() *wire.ServerVersionInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.server == nil {
		return nil
	}
	v := *c.server
	return &v
}

// RequestVersion returns the RequestServerVersion the client sends.
func (c *Client) RequestVersion() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version == "" {
		return Version2007SP1
	}
	return c.version
}

// VersionFor maps a ServerVersionInfo to the RequestServerVersion to use:
// Exchange2007_SP1 for Exchange 2007 (major 8), Exchange2010_SP2 for 2010
// (major 14), Exchange2013_SP1 for 2013 and later (major 15+).
func VersionFor(v wire.ServerVersionInfo) string {
	switch {
	case v.MajorVersion >= 15:
		return Version2013SP1
	case v.MajorVersion == 14:
		return Version2010SP2
	}
	return Version2007SP1
}

func (c *Client) noteServer(v *wire.ServerVersionInfo) {
	if v == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.server = v
	if c.opts.Version == "" {
		c.version = VersionFor(*v)
	}
}

// ensureVersion makes sure the server version is known, asking the server
// with a cheap GetFolder when no response has been seen yet.
func (c *Client) ensureVersion(ctx context.Context) error {
	c.mu.Lock()
	known := c.version != ""
	c.mu.Unlock()
	if known {
		return nil
	}
	_, err := c.GetFolders(ctx, wire.FolderIds{Distinguished("msgfolderroot")}, "IdOnly")
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version == "" {
		c.version = Version2007SP1
	}
	return nil
}

// Distinguished returns a folder id naming a well-known folder ("calendar",
// "contacts", "msgfolderroot"), in the impersonated mailbox if any.
func Distinguished(name string) wire.TargetFolder {
	return wire.TargetFolder{Distinguished: &wire.DistinguishedFolderId{Id: name}}
}

// FolderID returns a folder id for a folder's Id.
func FolderID(id string) wire.TargetFolder {
	return wire.TargetFolder{Id: &wire.FolderId{Id: id}}
}

// call sends one request and decodes its response element (want, e.g.
// "GetItemResponse") into resp. It waits for a concurrency slot and for any
// back-off, and retries throttling (ErrorServerBusy as a fault or as the
// code of every response message), HTTP 503 and, when idempotent, transport
// failures.
func (c *Client) call(ctx context.Context, op string, req any, resp *wire.Response, idempotent bool) error {
	want := op + "Response"
	var lastErr error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			wait := c.backoffFor(lastErr, attempt)
			if attempt > c.opts.MaxRetries || wait > c.opts.MaxWait {
				return lastErr
			}
			c.log.Warn("ews: retrying", slog.String("op", op), slog.Int("attempt", attempt), slog.Duration("wait", wait), slog.Any("error", lastErr))
			c.holdOff(wait)
		}
		*resp = wire.Response{}
		err := c.roundTrip(ctx, op, req, want, resp)
		if err == nil && allBusy(resp) {
			m := &resp.ResponseMessages.Messages[0]
			err = messageError(op, m)
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		lastErr = err
		if !c.retryable(err, idempotent) {
			return err
		}
	}
}

// allBusy reports whether every response message says ErrorServerBusy (the
// server did none of the work, so the request can be repeated).
func allBusy(r *wire.Response) bool {
	ms := r.ResponseMessages.Messages
	if len(ms) == 0 {
		return false
	}
	for i := range ms {
		if ms[i].Code() != string(wire.ResponseCodeTypeErrorServerBusy) {
			return false
		}
	}
	return true
}

// transportError marks a failure to talk to the server at all.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

func (c *Client) retryable(err error, idempotent bool) bool {
	var te *transportError
	if errors.As(err, &te) {
		return idempotent
	}
	if e, ok := code(err); ok {
		if e.HTTPStatus == http.StatusServiceUnavailable {
			return true
		}
		return busyCodes[e.ResponseCode]
	}
	return false
}

// backoffFor returns the wait before retry attempt (1-based): the server's
// BackOffMilliseconds or Retry-After if given, else exponential from 1 s,
// doubling, capped at 2 min, with ±25 % jitter.
func (c *Client) backoffFor(err error, attempt int) time.Duration {
	if e, ok := code(err); ok && e.BackOff > 0 {
		return e.BackOff
	}
	d := time.Second << min(attempt-1, 7)
	d = min(d, 2*time.Minute)
	jitter := 0.75 + rand.Float64()/2
	return time.Duration(float64(d) * jitter)
}

// holdOff delays every request of the client until now+d.
func (c *Client) holdOff(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.opts.Now().Add(d); t.After(c.notBefore) {
		c.notBefore = t
	}
}

// waitTurn takes a concurrency slot and waits out any back-off.
func (c *Client) waitTurn(ctx context.Context) (release func(), err error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release = func() { <-c.sem }
	for {
		c.mu.Lock()
		wait := c.notBefore.Sub(c.opts.Now())
		c.mu.Unlock()
		if wait <= 0 {
			return release, nil
		}
		if err := c.opts.Sleep(ctx, wait); err != nil {
			release()
			return nil, err
		}
	}
}

// newRequest builds the HTTP request for a SOAP body.
func (c *Client) newRequest(ctx context.Context, op string, body []byte) (*http.Request, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("ews: %s: %w", lower(op), err)
	}
	hr.Header.Set("Content-Type", "text/xml; charset=utf-8")
	hr.Header.Set("Accept", "text/xml")
	hr.Header.Set("SOAPAction", `"`+wire.NSMessages+"/"+op+`"`)
	hr.Header.Set("User-Agent", "ews-connector")
	if c.opts.Impersonate != "" {
		hr.Header.Set("X-AnchorMailbox", c.opts.Impersonate)
	}
	switch c.opts.Auth {
	case AuthBearer:
		tok, err := c.opts.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("ews: %s: token: %w", lower(op), err)
		}
		hr.Header.Set("Authorization", "Bearer "+tok)
	default:
		if c.opts.Username != "" {
			hr.Header.Set("Authorization", "Basic "+basic(c.opts.Username, c.opts.Password))
		}
	}
	return hr, nil
}

// marshal builds the request envelope with the client's headers.
func (c *Client) marshal(req any) ([]byte, error) {
	return wire.MarshalRequest(wire.RequestHeader{Version: c.RequestVersion(), ImpersonateSMTP: c.opts.Impersonate}, req)
}

// post sends one SOAP body for op while holding one of the mailbox's
// concurrency turns; the caller calls release once it has read the response.
func (c *Client) post(ctx context.Context, op string, body []byte) (res *http.Response, release func(), err error) {
	release, err = c.waitTurn(ctx)
	if err != nil {
		return nil, nil, err
	}
	hr, err := c.newRequest(ctx, op, body)
	if err != nil {
		release()
		return nil, nil, err
	}
	c.traceRequest(hr, body)
	res, err = c.hc.Do(hr)
	if err != nil {
		release()
		return nil, nil, c.transportFailure(op, err)
	}
	return res, release, nil
}

// roundTrip sends one request and decodes one response envelope.
func (c *Client) roundTrip(ctx context.Context, op string, req any, want string, resp *wire.Response) error {
	body, err := c.marshal(req)
	if err != nil {
		return fmt.Errorf("ews: %s: %w", lower(op), err)
	}
	res, release, err := c.post(ctx, op, body)
	if err != nil {
		return err
	}
	defer release()
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, c.opts.MaxResponseBytes+1))
	c.traceResponse(res, data)
	if err != nil {
		return &transportError{fmt.Errorf("ews: %s: read response: %w", lower(op), err)}
	}
	if int64(len(data)) > c.opts.MaxResponseBytes {
		return fmt.Errorf("ews: %s: %w (over %d bytes)", lower(op), ErrResponseTooLarge, c.opts.MaxResponseBytes)
	}
	return c.decode(op, res, data, want, resp)
}

// decode interprets an HTTP response: status first for auth and
// availability, then the body (faults come with 500, or 200 from grommunio).
func (c *Client) decode(op string, res *http.Response, data []byte, want string, resp *wire.Response) error {
	switch res.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return &Error{Op: op, HTTPStatus: res.StatusCode, MessageText: "credentials refused"}
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		return &Error{Op: op, HTTPStatus: http.StatusServiceUnavailable, BackOff: retryAfter(res.Header.Get("Retry-After"), c.opts.Now())}
	}
	hdr, fault, err := wire.DecodeEnvelope(wire.NewDecoder(bytes.NewReader(data)), want, resp)
	c.noteServer(hdr)
	if fault != nil {
		e := &Error{Op: op, ResponseCode: fault.Code(), MessageText: fault.Text(), HTTPStatus: res.StatusCode, Fault: true}
		if v, ok := fault.Detail.MessageXml.Value("BackOffMilliseconds"); ok {
			if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms > 0 {
				e.BackOff = time.Duration(ms) * time.Millisecond
			}
		}
		return e
	}
	if err != nil {
		if res.StatusCode != http.StatusOK {
			return &Error{Op: op, HTTPStatus: res.StatusCode, Err: err}
		}
		if errors.Is(err, wire.ErrTruncated) {
			return &transportError{fmt.Errorf("ews: %s: %w", lower(op), err)}
		}
		return fmt.Errorf("ews: %s: %w", lower(op), err)
	}
	if res.StatusCode != http.StatusOK {
		return &Error{Op: op, HTTPStatus: res.StatusCode}
	}
	return nil
}

// retryAfter parses a Retry-After header (seconds or an HTTP date).
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// messages checks that resp has at least n response messages and returns
// them.
func messages(op string, resp *wire.Response, n int) ([]wire.ResponseMessage, error) {
	ms := resp.ResponseMessages.Messages
	if len(ms) < n {
		return nil, fmt.Errorf("ews: %s: %w: got %d, want %d", lower(op), ErrNoResponseMessage, len(ms), n)
	}
	return ms, nil
}

// transportFailure wraps an error of the HTTP client. Certificate errors
// are final (retrying cannot fix them); anything else is transient.
func (c *Client) transportFailure(op string, err error) error {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) {
		return fmt.Errorf("ews: %s: TLS verification failed: %w", lower(op), err)
	}
	return &transportError{fmt.Errorf("ews: %s: %w", lower(op), err)}
}
