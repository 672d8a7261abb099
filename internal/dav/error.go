package dav

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

var (
	// ErrResponseTooLarge means a response body exceeded Options.MaxResponseBytes.
	ErrResponseTooLarge = errors.New("dav: response body too large")
	// ErrDTD means a server sent XML with a document type declaration, which is refused
	// (no entity expansion, no external entities).
	ErrDTD = errors.New("dav: xml with a document type declaration refused")
	// ErrOutsideEndpoint means an href resolves outside the client's endpoint path.
	ErrOutsideEndpoint = errors.New("dav: href outside the endpoint")
	// ErrNoETag means the server confirmed a write but reported no ETag, not even on a follow-up PROPFIND.
	ErrNoETag = errors.New("dav: server reported no etag")
	// ErrMissingFromResponse means a multi-status response did not mention a requested href
	// (RFC 4791 section 7.9, RFC 6352 section 8.7: the server must return one response per href).
	ErrMissingFromResponse = errors.New("dav: href missing from multistatus response")
	// ErrNotSupported means the server does not offer the requested property or home set.
	ErrNotSupported = errors.New("dav: not supported by the server")
	// ErrSyncNoProgress means a truncated sync-collection response did not advance the sync token,
	// so paging would loop forever (RFC 6578 section 3.6).
	ErrSyncNoProgress = errors.New("dav: sync-collection: truncated response without progress")
)

// HTTPError is a non-success HTTP status from the server, for the whole request or, in a
// multi-status response, for one href (RFC 4918 section 13). Err holds the parsed DAV:error body
// (a *Condition) or a short text excerpt, when the server sent one.
type HTTPError struct {
	Method string // request method, e.g. "PUT"
	Href   string // request path (never a URL with credentials or a query)
	Code   int    // HTTP status code
	Err    error  // *Condition or a short server message; may be nil
}

var _ error = (*HTTPError)(nil)

// Error returns "dav: METHOD href: code text[: detail]".
func (e *HTTPError) Error() string {
	var b strings.Builder
	b.WriteString("dav: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
	}
	if e.Href != "" {
		b.WriteString(e.Href)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.Code, http.StatusText(e.Code))
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the server's error detail.
func (e *HTTPError) Unwrap() error { return e.Err }

// Condition is a DAV:error response body: the precondition or postcondition elements the server
// named (RFC 4918 section 16, e.g. {DAV:}valid-sync-token of RFC 6578 section 3.2) and, from
// SabreDAV servers such as Nextcloud, the exception message.
type Condition struct {
	Names   []xml.Name // child elements of DAV:error other than sabre's exception and message
	Message string     // {http://sabredav.org/ns}message, trimmed
}

var _ error = (*Condition)(nil)

// Error lists the condition names and the message.
func (c *Condition) Error() string {
	parts := make([]string, 0, len(c.Names)+1)
	for _, n := range c.Names {
		parts = append(parts, n.Local)
	}
	if c.Message != "" {
		parts = append(parts, c.Message)
	}
	if len(parts) == 0 {
		return "dav error"
	}
	return strings.Join(parts, ": ")
}

// Has reports whether the condition names the element {space}local.
func (c *Condition) Has(space, local string) bool {
	for _, n := range c.Names {
		if n.Space == space && n.Local == local {
			return true
		}
	}
	return false
}

// HTTPCode returns the HTTP status of err when it is or wraps an *HTTPError, else 0.
func HTTPCode(err error) int {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Code
	}
	return 0
}

// IsNotFound reports whether err is an HTTP 404 Not Found (or 410 Gone).
func IsNotFound(err error) bool {
	c := HTTPCode(err)
	return c == http.StatusNotFound || c == http.StatusGone
}

// IsPreconditionFailed reports whether err is an HTTP 412 Precondition Failed: an If-Match or
// If-None-Match: * condition did not hold (RFC 7232 section 4.2), i.e. the object changed, vanished,
// or already exists.
func IsPreconditionFailed(err error) bool {
	return HTTPCode(err) == http.StatusPreconditionFailed
}

// IsInvalidSyncToken reports whether err says the sync token is no longer valid: 403 or 409 with the
// DAV:valid-sync-token precondition (RFC 6578 section 3.2). The caller resyncs from an empty token.
func IsInvalidSyncToken(err error) bool {
	var he *HTTPError
	if !errors.As(err, &he) {
		return false
	}
	if he.Code != http.StatusForbidden && he.Code != http.StatusConflict {
		return false
	}
	var c *Condition
	return errors.As(he.Err, &c) && c.Has(nsDAV, "valid-sync-token")
}
