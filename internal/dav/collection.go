package dav

import (
	"context"
	"fmt"
	"strings"
)

// MakeCalendar creates the calendar collection cal.Href with MKCALENDAR (RFC 4791 section 5.3.1),
// setting its display name, description, color and supported components when given. Href should
// end in "/". The server answers 405 (or 409 for a missing parent) when it cannot be created.
func (c *Client) MakeCalendar(ctx context.Context, cal Calendar) error {
	if !strings.HasSuffix(cal.Href, "/") {
		cal.Href += "/"
	}
	var props strings.Builder
	if cal.DisplayName != "" {
		props.WriteString(`<d:displayname>` + escapeText(cal.DisplayName) + `</d:displayname>`)
	}
	if cal.Description != "" {
		props.WriteString(`<c:calendar-description>` + escapeText(cal.Description) + `</c:calendar-description>`)
	}
	if cal.Color != "" {
		props.WriteString(`<ic:calendar-color>` + escapeText(cal.Color) + `</ic:calendar-color>`)
	}
	if len(cal.Components) > 0 {
		props.WriteString(`<c:supported-calendar-component-set>`)
		for _, comp := range cal.Components {
			props.WriteString(`<c:comp name="` + escapeText(strings.ToUpper(comp)) + `"/>`)
		}
		props.WriteString(`</c:supported-calendar-component-set>`)
	}
	body := `<?xml version="1.0" encoding="utf-8"?>` +
		`<c:mkcalendar xmlns:d="DAV:" xmlns:c="` + nsCalDAV + `" xmlns:ic="` + nsApple + `">`
	if props.Len() > 0 {
		body += `<d:set><d:prop>` + props.String() + `</d:prop></d:set>`
	}
	body += `</c:mkcalendar>`
	resp, err := c.send(ctx, request{method: "MKCALENDAR", href: cal.Href, body: []byte(body), xmlBody: true})
	if err != nil {
		return err
	}
	discard(resp)
	return nil
}

// MakeAddressBook creates the address book collection book.Href with an extended MKCOL
// (RFC 5689 section 3, RFC 6352 section 6.3.1), setting its display name and description.
func (c *Client) MakeAddressBook(ctx context.Context, book AddressBook) error {
	if !strings.HasSuffix(book.Href, "/") {
		book.Href += "/"
	}
	props := `<d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>`
	if book.DisplayName != "" {
		props += `<d:displayname>` + escapeText(book.DisplayName) + `</d:displayname>`
	}
	if book.Description != "" {
		props += `<card:addressbook-description>` + escapeText(book.Description) + `</card:addressbook-description>`
	}
	body := `<?xml version="1.0" encoding="utf-8"?>` +
		`<d:mkcol xmlns:d="DAV:" xmlns:card="` + nsCardDAV + `"><d:set><d:prop>` + props +
		`</d:prop></d:set></d:mkcol>`
	resp, err := c.send(ctx, request{method: "MKCOL", href: book.Href, body: []byte(body), xmlBody: true})
	if err != nil {
		return err
	}
	discard(resp)
	return nil
}

// DeleteCollection deletes the collection at href and everything in it (RFC 4918 section 9.6.1).
// Nextcloud moves a deleted calendar to its trash bin. A 207 answer (some members could not be
// deleted) is an error.
func (c *Client) DeleteCollection(ctx context.Context, href string) error {
	if !strings.HasSuffix(href, "/") {
		href += "/"
	}
	resp, err := c.send(ctx, request{method: "DELETE", href: href})
	if err != nil {
		return err
	}
	discard(resp)
	if resp.StatusCode == 207 {
		return &HTTPError{Method: "DELETE", Href: href, Code: 207, Err: fmt.Errorf("some members were not deleted")}
	}
	return nil
}
