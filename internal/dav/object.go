package dav

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Object is a calendar object resource (RFC 4791 section 4.1) or address object resource
// (RFC 6352 section 5.1): its href, ETag and body. In batch results Err is set instead of Data when
// that one href failed (e.g. IsNotFound).
type Object struct {
	Href string
	ETag string // as sent by the server, quotes included
	Data []byte // iCalendar or vCard text
	Err  error
}

// Get fetches one object with GET (RFC 4918 section 9.4) and its ETag; IsNotFound when absent.
func (c *Client) Get(ctx context.Context, href string) (*Object, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, href: href})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := readAll(resp.Body, c.opts.MaxResponseBytes)
	if err != nil {
		return nil, fmt.Errorf("dav: GET %s: %w", href, err)
	}
	o := &Object{Href: href, ETag: strongETag(resp.Header.Get("ETag")), Data: data}
	if o.ETag == "" {
		if o.ETag, err = c.ETag(ctx, href); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// strongETag returns a strong entity tag, or "" for a missing or weak one (RFC 7232 section 2.3:
// weak tags are useless for If-Match).
func strongETag(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "W/") {
		return ""
	}
	return s
}

// ETag returns the DAV:getetag of href (PROPFIND Depth 0); ErrNoETag when the server has none.
func (c *Client) ETag(ctx context.Context, href string) (string, error) {
	ms, err := c.propfind(ctx, href, "0", `<d:getetag/>`)
	if err != nil {
		return "", err
	}
	r, _, err := responseFor(ms, href)
	if err != nil {
		return "", err
	}
	if code := statusCode(r.Status); code == http.StatusNotFound {
		return "", &HTTPError{Method: "PROPFIND", Href: href, Code: code}
	}
	p := r.okProps()
	if e := strongETag(str(p.GetETag)); e != "" {
		return e, nil
	}
	return "", fmt.Errorf("%w: %s", ErrNoETag, href)
}

// PutRequest is one conditional PUT. With IfMatch empty the object is created only if absent
// (If-None-Match: *, RFC 7232 section 3.2); otherwise it is replaced only if its current ETag is
// IfMatch (RFC 7232 section 3.1). A 412 answer means the condition failed (IsPreconditionFailed).
type PutRequest struct {
	Href        string
	Data        []byte
	IfMatch     string // "" creates; else the ETag the update is based on
	ContentType string // "" infers text/calendar or text/vcard from Data
}

// Put stores one object conditionally (RFC 4791 section 5.3.2, RFC 6352 section 6.3.2) and returns
// the new ETag: from the ETag response header, which Nextcloud sends when it stored the body as
// given, or else from a follow-up PROPFIND of the href.
func (c *Client) Put(ctx context.Context, pr PutRequest) (string, error) {
	h := http.Header{}
	ct := pr.ContentType
	if ct == "" {
		ct = contentTypeOf(pr.Data)
	}
	h.Set("Content-Type", ct)
	if pr.IfMatch == "" {
		h.Set("If-None-Match", "*")
	} else {
		h.Set("If-Match", pr.IfMatch)
	}
	body := pr.Data
	if body == nil {
		body = []byte{}
	}
	resp, err := c.send(ctx, request{method: http.MethodPut, href: pr.Href, body: body, header: h})
	if err != nil {
		return "", err
	}
	discard(resp)
	if etag := strongETag(resp.Header.Get("ETag")); etag != "" {
		return etag, nil
	}
	return c.ETag(ctx, pr.Href)
}

// contentTypeOf guesses the media type of an iCalendar (RFC 5545 section 8.1) or vCard
// (RFC 6350 section 10.1) body.
func contentTypeOf(data []byte) string {
	head := bytes.ToUpper(bytes.TrimSpace(data[:min(len(data), 64)]))
	if bytes.HasPrefix(head, []byte("BEGIN:VCARD")) {
		return "text/vcard; charset=utf-8"
	}
	return "text/calendar; charset=utf-8"
}

// Delete removes one object (RFC 4918 section 9.6). With etag non-empty it sends If-Match, so a
// changed object is not deleted (412, IsPreconditionFailed); IsNotFound when already gone.
func (c *Client) Delete(ctx context.Context, href, etag string) error {
	if strings.HasSuffix(href, "/") {
		return errors.New("dav: delete: href is a collection; use DeleteCollection")
	}
	h := http.Header{}
	if etag != "" {
		h.Set("If-Match", etag)
	}
	resp, err := c.send(ctx, request{method: http.MethodDelete, href: href, header: h})
	if err != nil {
		return err
	}
	discard(resp)
	return nil
}
