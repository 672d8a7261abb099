package dav

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// maxSyncPages bounds SyncCollection's paging loop.
const maxSyncPages = 100000

// SyncItem is a member reported by a sync-collection REPORT as new or changed, with its ETag.
type SyncItem struct {
	Href string
	ETag string
}

// SyncPage is one sync-collection response (RFC 6578 section 3.2).
type SyncPage struct {
	Token     string     // the new DAV:sync-token; pass it to the next request
	Changed   []SyncItem // members created or modified since the request's token
	Deleted   []string   // members removed since the request's token (404 responses)
	Truncated bool       // the server truncated the results (507, section 3.6): ask again with Token
}

// SyncResult is the union of all pages of a SyncCollection run.
type SyncResult struct {
	Token   string
	Changed []SyncItem // in first-seen order; an href appears at most once here or in Deleted
	Deleted []string
	Pages   int // number of REPORTs sent
}

// SyncCollectionPage sends one sync-collection REPORT (RFC 6578 section 3.2) on the collection href,
// asking for DAV:getetag, starting from token ("" for the initial sync) with at most limit results
// when limit > 0 (section 3.7). An invalid or expired token gives an error for which
// IsInvalidSyncToken holds: resync from "".
//
// A server may refuse a limit on an initial sync with 507 and DAV:number-of-matches-within-limits
// (older Nextcloud versions do); the request is then repeated once without a limit. Nextcloud
// before 32 also answered a limited CardDAV delta with the newest token instead of the truncated
// one (nextcloud/server issue 50086, fixed by pull request 50092), which loses changes: use limit 0
// against those versions.
func (c *Client) SyncCollectionPage(ctx context.Context, href, token string, limit int) (*SyncPage, error) {
	if !strings.HasSuffix(href, "/") {
		href += "/"
	}
	page, err := c.syncOnce(ctx, href, token, limit)
	if limit > 0 && HTTPCode(err) == http.StatusInsufficientStorage {
		page, err = c.syncOnce(ctx, href, token, 0)
	}
	return page, err
}

func (c *Client) syncOnce(ctx context.Context, href, token string, limit int) (*SyncPage, error) {
	body := `<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:">` +
		`<d:sync-token>` + escapeText(token) + `</d:sync-token><d:sync-level>1</d:sync-level>`
	if limit > 0 {
		body += `<d:limit><d:nresults>` + strconv.Itoa(limit) + `</d:nresults></d:limit>`
	}
	body += `<d:prop><d:getetag/></d:prop></d:sync-collection>`
	ms, err := c.multiStatus(ctx, request{method: "REPORT", href: href, body: []byte(body)})
	if err != nil {
		return nil, err
	}
	return syncPageFrom(href, ms)
}

// syncPageFrom reads a sync-collection multi-status: 507 responses mark truncation, 404 and 410
// deletions, anything else a new or changed member.
func syncPageFrom(href string, ms *multistatus) (*SyncPage, error) {
	page := &SyncPage{Token: strings.TrimSpace(ms.SyncToken)}
	if page.Token == "" {
		return nil, fmt.Errorf("dav: REPORT %s: sync-collection response without sync-token", href)
	}
	self := strings.TrimSuffix(href, "/")
	for i := range ms.Responses {
		r := &ms.Responses[i]
		if len(r.Hrefs) == 0 {
			continue
		}
		p, err := cleanHref(r.Hrefs[0])
		if err != nil {
			return nil, fmt.Errorf("dav: REPORT %s: %w", href, err)
		}
		code := statusCode(r.Status)
		if code == http.StatusInsufficientStorage {
			page.Truncated = true
			continue
		}
		if strings.TrimSuffix(p, "/") == self {
			continue // some servers list the collection itself
		}
		if code == http.StatusNotFound || code == http.StatusGone {
			page.Deleted = append(page.Deleted, p)
			continue
		}
		props := r.okProps()
		page.Changed = append(page.Changed, SyncItem{Href: p, ETag: strongETag(str(props.GetETag))})
	}
	return page, nil
}

// SyncCollection runs sync-collection REPORTs from token until the server reports no truncation,
// each page asking for at most limit results (0: no limit), and merges the pages: an href changed
// on one page and deleted on a later one ends up deleted only. A truncated page that does not
// advance the token stops with ErrSyncNoProgress; IsInvalidSyncToken errors are returned as they are.
//
// Callers that commit state per page use SyncCollectionPage in a loop instead.
func (c *Client) SyncCollection(ctx context.Context, href, token string, limit int) (*SyncResult, error) {
	res := &SyncResult{Token: token}
	state := map[string]int{} // href -> index in order; value in changed or deleted
	var order []string
	changed := map[string]SyncItem{}
	deleted := map[string]bool{}
	for {
		if res.Pages >= maxSyncPages {
			return nil, fmt.Errorf("dav: sync-collection %s: more than %d pages", href, maxSyncPages)
		}
		page, err := c.SyncCollectionPage(ctx, href, res.Token, limit)
		if err != nil {
			return nil, err
		}
		res.Pages++
		for _, it := range page.Changed {
			if _, ok := state[it.Href]; !ok {
				state[it.Href] = len(order)
				order = append(order, it.Href)
			}
			changed[it.Href] = it
			delete(deleted, it.Href)
		}
		for _, h := range page.Deleted {
			if _, ok := state[h]; !ok {
				state[h] = len(order)
				order = append(order, h)
			}
			deleted[h] = true
			delete(changed, h)
		}
		progressed := page.Token != res.Token
		res.Token = page.Token
		if !page.Truncated {
			break
		}
		if !progressed {
			return nil, fmt.Errorf("%w: %s", ErrSyncNoProgress, href)
		}
	}
	for _, h := range order {
		if it, ok := changed[h]; ok {
			res.Changed = append(res.Changed, it)
		} else if deleted[h] {
			res.Deleted = append(res.Deleted, h)
		}
	}
	return res, nil
}
