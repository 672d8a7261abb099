package dav

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// Defaults for Options.
const (
	DefaultMaxResponseBytes = 64 << 20 // a multiget of 100 contacts with photos stays well below
	DefaultMultiGetBatch    = 100
	DefaultPutParallel      = 3
	maxErrorBody            = 64 << 10
)

// HTTPClient is the minimal HTTP interface the Client needs. *http.Client, go-webdav's
// webdav.HTTPClient values and internal/appapi's DAVClient (which adds the AppAPI headers for one
// user) all satisfy it. Authentication belongs to the HTTPClient, never to the endpoint URL.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Options configures a Client. The zero value is valid.
type Options struct {
	// MaxResponseBytes caps every response body; 0 means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// MultiGetBatch is the number of hrefs per calendar-multiget or addressbook-multiget REPORT;
	// 0 means DefaultMultiGetBatch.
	MultiGetBatch int
	// Logger receives one debug line per request (method, path, status, duration; never headers
	// or bodies). nil discards.
	Logger *slog.Logger
	// UserAgent is sent when non-empty.
	UserAgent string
}

// Client speaks CalDAV and CardDAV to one server endpoint. It is safe for concurrent use.
type Client struct {
	hc   HTTPClient
	base *url.URL
	opts Options
	log  *slog.Logger
}

// NewClient returns a Client for endpoint, the root URL of the DAV service (for Nextcloud
// NEXTCLOUD_URL + "/remote.php/dav"). A nil hc means http.DefaultClient. The endpoint must not carry
// credentials or a query; opts may be nil.
func NewClient(hc HTTPClient, endpoint string, opts *Options) (*Client, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("dav: invalid endpoint %q", redactURL(endpoint))
	}
	if u.User != nil {
		return nil, errors.New("dav: endpoint must not carry credentials; authenticate in the HTTPClient")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("dav: endpoint must not carry a query or fragment")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	if hc == nil {
		hc = http.DefaultClient
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.MultiGetBatch <= 0 {
		o.MultiGetBatch = DefaultMultiGetBatch
	}
	l := o.Logger
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return &Client{hc: hc, base: u, opts: o, log: l}, nil
}

// Endpoint returns the endpoint URL the client was made for, without a trailing slash.
func (c *Client) Endpoint() string { return c.base.String() }

// redactURL drops userinfo and query from a URL string for error messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<unparsable url>"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

// cleanHref turns an href as sent by a server (absolute path or absolute URL, percent-encoded) into
// the unescaped absolute path this package uses. A trailing slash is kept.
func cleanHref(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("dav: invalid href %q: %w", raw, err)
	}
	p := u.Path
	if p == "" || p[0] != '/' {
		return "", fmt.Errorf("dav: href %q is not absolute", raw)
	}
	return p, nil
}

// url returns the request URL for href, an unescaped absolute path under the endpoint.
func (c *Client) url(href string) (*url.URL, error) {
	if href == "" || href[0] != '/' {
		return nil, fmt.Errorf("dav: href %q is not an absolute path", href)
	}
	clean := path.Clean(href)
	if strings.HasSuffix(href, "/") && clean != "/" {
		clean += "/"
	}
	if clean != href {
		return nil, fmt.Errorf("%w: %q is not a clean path", ErrOutsideEndpoint, href)
	}
	if c.base.Path != "" && href != c.base.Path && !strings.HasPrefix(href, c.base.Path+"/") {
		return nil, fmt.Errorf("%w: %s", ErrOutsideEndpoint, href)
	}
	u := *c.base
	u.Path = href
	u.RawPath = ""
	return &u, nil
}

// hrefEscaped returns href percent-encoded for use inside a DAV:href element.
func hrefEscaped(href string) string {
	return (&url.URL{Path: href}).EscapedPath()
}

// request is one HTTP exchange.
type request struct {
	method  string
	href    string
	body    []byte
	header  http.Header
	depth   string // "", "0", "1"
	xmlBody bool
}

// send performs r and returns the response on 2xx; any other status becomes an *HTTPError and the
// body is closed. The caller closes the returned body.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	u, err := c.url(r.href)
	if err != nil {
		return nil, err
	}
	var body io.Reader = http.NoBody
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("dav: %s %s: %w", r.method, r.href, err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if r.xmlBody {
		req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	}
	if r.depth != "" {
		req.Header.Set("Depth", r.depth)
	}
	if c.opts.UserAgent != "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.log.DebugContext(ctx, "dav request failed", slog.String("method", r.method), slog.String("href", r.href),
			slog.Int64("duration_ms", time.Since(start).Milliseconds()))
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("dav: %s %s: %w", r.method, r.href, ctxErr)
		}
		// The transport error may quote the URL; the endpoint carries no credentials, so it is safe.
		return nil, fmt.Errorf("dav: %s %s: %w", r.method, r.href, err)
	}
	c.log.DebugContext(ctx, "dav request", slog.String("method", r.method), slog.String("href", r.href),
		slog.Int("status", resp.StatusCode), slog.Int64("duration_ms", time.Since(start).Milliseconds()))
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	raw, _ := readAll(resp.Body, maxErrorBody)
	return nil, &HTTPError{Method: r.method, Href: r.href, Code: resp.StatusCode,
		Err: errorDetail(resp.Header.Get("Content-Type"), raw)}
}

// discard drains a little of a body and closes it, so the connection can be reused.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	_ = resp.Body.Close()
}

// multiStatus performs r and decodes a 207 Multi-Status response (RFC 4918 section 13).
func (c *Client) multiStatus(ctx context.Context, r request) (*multistatus, error) {
	r.xmlBody = true
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		discard(resp)
		return nil, &HTTPError{Method: r.method, Href: r.href, Code: resp.StatusCode,
			Err: errors.New("expected 207 multi-status")}
	}
	var ms multistatus
	if err := decodeXML(resp.Body, c.opts.MaxResponseBytes, &ms); err != nil {
		return nil, fmt.Errorf("dav: %s %s: %w", r.method, r.href, err)
	}
	return &ms, nil
}

// propfind sends PROPFIND with the given DAV:prop children (already serialised with the prefixes
// d, c, card, cs, ic) at depth "0" or "1".
func (c *Client) propfind(ctx context.Context, href, depth, props string) (*multistatus, error) {
	body := `<?xml version="1.0" encoding="utf-8"?>` +
		`<d:propfind xmlns:d="DAV:" xmlns:c="` + nsCalDAV + `" xmlns:card="` + nsCardDAV +
		`" xmlns:cs="` + nsCS + `" xmlns:ic="` + nsApple + `"><d:prop>` + props + `</d:prop></d:propfind>`
	return c.multiStatus(ctx, request{method: "PROPFIND", href: href, depth: depth, body: []byte(body)})
}

// responseFor finds the response for href (compared as cleaned paths, ignoring a trailing slash).
func responseFor(ms *multistatus, href string) (*response, string, error) {
	want := strings.TrimSuffix(href, "/")
	for i := range ms.Responses {
		r := &ms.Responses[i]
		for _, h := range r.Hrefs {
			p, err := cleanHref(h)
			if err != nil {
				continue
			}
			if strings.TrimSuffix(p, "/") == want {
				return r, p, nil
			}
		}
	}
	return nil, "", fmt.Errorf("%w: %s", ErrMissingFromResponse, href)
}
