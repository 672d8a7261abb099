package dav

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// MultiGetCalendar fetches the calendar objects hrefs of the calendar collection with
// calendar-multiget REPORTs (RFC 4791 section 7.9), Options.MultiGetBatch hrefs per REPORT. It
// returns one Object per href, in order; an href the server reports missing has Err with IsNotFound.
// When a whole REPORT fails, the objects of that batch carry its error and err joins the distinct
// batch errors; the other batches are still fetched.
func (c *Client) MultiGetCalendar(ctx context.Context, collection string, hrefs []string) ([]Object, error) {
	return c.multiGet(ctx, collection, hrefs, "c:calendar-multiget", `xmlns:c="`+nsCalDAV+`"`,
		`<c:calendar-data/>`, func(p *prop) *string { return p.CalendarData })
}

// MultiGetAddressBook fetches address objects with addressbook-multiget REPORTs
// (RFC 6352 section 8.7), in batches, like MultiGetCalendar.
func (c *Client) MultiGetAddressBook(ctx context.Context, collection string, hrefs []string) ([]Object, error) {
	return c.multiGet(ctx, collection, hrefs, "card:addressbook-multiget", `xmlns:card="`+nsCardDAV+`"`,
		`<card:address-data/>`, func(p *prop) *string { return p.AddressData })
}

func (c *Client) multiGet(ctx context.Context, collection string, hrefs []string, root, ns, dataProp string,
	data func(*prop) *string) ([]Object, error) {
	if !strings.HasSuffix(collection, "/") {
		collection += "/"
	}
	out := make([]Object, len(hrefs))
	var errs []error
	seen := map[string]bool{}
	for start := 0; start < len(hrefs); start += c.opts.MultiGetBatch {
		end := min(start+c.opts.MultiGetBatch, len(hrefs))
		batch := out[start:end]
		for i, h := range hrefs[start:end] {
			batch[i].Href = h
		}
		err := c.multiGetBatch(ctx, collection, batch, root, ns, dataProp, data)
		if err != nil {
			for i := range batch {
				if batch[i].Err == nil && batch[i].Data == nil {
					batch[i].Err = err
				}
			}
			if msg := err.Error(); !seen[msg] {
				seen[msg] = true
				errs = append(errs, err)
			}
		}
	}
	return out, errors.Join(errs...)
}

// multiGetBatch fills batch (whose Href fields are set) from one REPORT.
func (c *Client) multiGetBatch(ctx context.Context, collection string, batch []Object, root, ns, dataProp string,
	data func(*prop) *string) error {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><` + root + ` xmlns:d="DAV:" ` + ns + `>`)
	b.WriteString(`<d:prop><d:getetag/>` + dataProp + `</d:prop>`)
	index := make(map[string][]int, len(batch))
	for i := range batch {
		h := batch[i].Href
		if _, err := c.url(h); err != nil {
			batch[i].Err = err
			continue
		}
		if _, dup := index[h]; !dup {
			b.WriteString(`<d:href>` + escapeText(hrefEscaped(h)) + `</d:href>`)
		}
		index[h] = append(index[h], i)
	}
	if len(index) == 0 {
		return nil
	}
	b.WriteString(`</` + root + `>`)
	ms, err := c.multiStatus(ctx, request{method: "REPORT", href: collection, depth: "1", body: []byte(b.String())})
	if err != nil {
		return err
	}
	for ri := range ms.Responses {
		r := &ms.Responses[ri]
		for _, raw := range r.Hrefs {
			p, err := cleanHref(raw)
			if err != nil {
				continue
			}
			for _, i := range index[p] {
				fillObject(&batch[i], r, data)
			}
		}
	}
	for _, idx := range index {
		for _, i := range idx {
			o := &batch[i]
			if o.Err == nil && o.Data == nil {
				o.Err = fmt.Errorf("%w: %s", ErrMissingFromResponse, o.Href)
			}
		}
	}
	return nil
}

// fillObject sets o from one multiget response: data and ETag on success, else an *HTTPError with
// the response's or the propstat's status.
func fillObject(o *Object, r *response, data func(*prop) *string) {
	if code := statusCode(r.Status); code != 0 && (code < 200 || code > 299) {
		o.Err = &HTTPError{Method: "REPORT", Href: o.Href, Code: code, Err: conditionOf(r)}
		return
	}
	p := r.okProps()
	d := data(&p)
	if d == nil {
		code := http.StatusNotFound
		for _, ps := range r.Propstats {
			if c := statusCode(ps.Status); c >= 300 {
				code = c
				break
			}
		}
		o.Err = &HTTPError{Method: "REPORT", Href: o.Href, Code: code, Err: conditionOf(r)}
		return
	}
	o.Data = []byte(*d)
	o.ETag = strongETag(str(p.GetETag))
	o.Err = nil
}

func conditionOf(r *response) error {
	if r.Error == nil {
		return nil
	}
	return r.Error.condition()
}
