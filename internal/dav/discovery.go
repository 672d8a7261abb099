package dav

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// HomeSets are a principal's collection homes.
type HomeSets struct {
	Principal    string // DAV:current-user-principal (RFC 5397 section 3)
	Calendars    string // CALDAV:calendar-home-set (RFC 4791 section 6.2.1); "" when not offered
	AddressBooks string // CARDDAV:addressbook-home-set (RFC 6352 section 7.1.1); "" when not offered
}

// Calendar is a calendar collection (RFC 4791 section 4.2) with the properties a sync needs.
type Calendar struct {
	Href        string
	DisplayName string   // DAV:displayname (RFC 4918 section 15.2)
	Description string   // CALDAV:calendar-description (RFC 4791 section 5.2.1)
	Color       string   // {http://apple.com/ns/ical/}calendar-color, e.g. "#0082c9"
	Components  []string // CALDAV:supported-calendar-component-set (RFC 4791 section 5.2.3), e.g. VEVENT
	CTag        string   // {http://calendarserver.org/ns/}getctag
	SyncToken   string   // DAV:sync-token (RFC 6578 section 4)
}

// SupportsComponent reports whether the calendar accepts comp (e.g. "VEVENT"). A calendar without
// the property accepts every component (RFC 4791 section 5.2.3).
func (c Calendar) SupportsComponent(comp string) bool {
	if len(c.Components) == 0 {
		return true
	}
	for _, x := range c.Components {
		if strings.EqualFold(x, comp) {
			return true
		}
	}
	return false
}

// AddressBook is an address book collection (RFC 6352 section 5.2).
type AddressBook struct {
	Href        string
	DisplayName string // DAV:displayname
	Description string // CARDDAV:addressbook-description (RFC 6352 section 6.2.1)
	CTag        string // {http://calendarserver.org/ns/}getctag
	SyncToken   string // DAV:sync-token (RFC 6578 section 4); "" for read-only app-generated books
}

// CurrentUserPrincipal returns the authenticated user's principal href (RFC 5397 section 3),
// asked of the endpoint root.
func (c *Client) CurrentUserPrincipal(ctx context.Context) (string, error) {
	root := c.base.Path + "/"
	ms, err := c.propfind(ctx, root, "0", `<d:current-user-principal/>`)
	if err != nil {
		return "", err
	}
	r, _, err := responseFor(ms, root)
	if err != nil {
		return "", err
	}
	p := r.okProps()
	if p.CurrentUserPrincipal == nil || len(p.CurrentUserPrincipal.Hrefs) == 0 {
		return "", fmt.Errorf("%w: current-user-principal", ErrNotSupported)
	}
	return cleanHref(p.CurrentUserPrincipal.Hrefs[0])
}

// HomeSets returns the calendar and address book home sets of principal (RFC 4791 section 6.2.1,
// RFC 6352 section 7.1.1). Nextcloud answers these only on the principal, not on the DAV root.
func (c *Client) HomeSets(ctx context.Context, principal string) (HomeSets, error) {
	hs := HomeSets{Principal: principal}
	ms, err := c.propfind(ctx, principal, "0", `<c:calendar-home-set/><card:addressbook-home-set/>`)
	if err != nil {
		return hs, err
	}
	r, _, err := responseFor(ms, principal)
	if err != nil {
		return hs, err
	}
	p := r.okProps()
	if p.CalendarHomeSet != nil && len(p.CalendarHomeSet.Hrefs) > 0 {
		if hs.Calendars, err = cleanHref(p.CalendarHomeSet.Hrefs[0]); err != nil {
			return hs, err
		}
	}
	if p.AddressBookHomeSet != nil && len(p.AddressBookHomeSet.Hrefs) > 0 {
		if hs.AddressBooks, err = cleanHref(p.AddressBookHomeSet.Hrefs[0]); err != nil {
			return hs, err
		}
	}
	if hs.Calendars == "" && hs.AddressBooks == "" {
		return hs, fmt.Errorf("%w: no calendar or address book home set on %s", ErrNotSupported, principal)
	}
	return hs, nil
}

// Discover finds the current user's principal and home sets.
func (c *Client) Discover(ctx context.Context) (HomeSets, error) {
	p, err := c.CurrentUserPrincipal(ctx)
	if err != nil {
		return HomeSets{}, err
	}
	return c.HomeSets(ctx, p)
}

const calendarProps = `<d:resourcetype/><d:displayname/><d:sync-token/><cs:getctag/>` +
	`<c:calendar-description/><c:supported-calendar-component-set/><ic:calendar-color/>`

const addressBookProps = `<d:resourcetype/><d:displayname/><d:sync-token/><cs:getctag/>` +
	`<card:addressbook-description/>`

// Calendars lists the calendar collections directly in home (PROPFIND Depth 1). Other collections
// (schedule inbox and outbox, Nextcloud's trash bin and subscriptions) are left out.
func (c *Client) Calendars(ctx context.Context, home string) ([]Calendar, error) {
	ms, err := c.propfind(ctx, home, "1", calendarProps)
	if err != nil {
		return nil, err
	}
	var out []Calendar
	for i := range ms.Responses {
		r := &ms.Responses[i]
		p := r.okProps()
		if !p.ResourceType.has(nsCalDAV, "calendar") || len(r.Hrefs) == 0 {
			continue
		}
		href, err := cleanHref(r.Hrefs[0])
		if err != nil {
			return nil, err
		}
		out = append(out, calendarFrom(href, &p))
	}
	return out, nil
}

// Calendar returns one calendar's properties (PROPFIND Depth 0); IsNotFound when it is absent.
func (c *Client) Calendar(ctx context.Context, href string) (Calendar, error) {
	ms, err := c.propfind(ctx, href, "0", calendarProps)
	if err != nil {
		return Calendar{}, err
	}
	r, got, err := responseFor(ms, href)
	if err != nil {
		return Calendar{}, err
	}
	p := r.okProps()
	if !p.ResourceType.has(nsCalDAV, "calendar") {
		return Calendar{}, &HTTPError{Method: "PROPFIND", Href: href, Code: http.StatusNotFound,
			Err: fmt.Errorf("not a calendar collection")}
	}
	return calendarFrom(got, &p), nil
}

func calendarFrom(href string, p *prop) Calendar {
	cal := Calendar{
		Href:        href,
		DisplayName: str(p.DisplayName),
		Description: str(p.CalendarDescription),
		Color:       str(p.CalendarColor),
		CTag:        str(p.CTag),
		SyncToken:   str(p.SyncToken),
	}
	if p.SupportedComponents != nil {
		for _, comp := range p.SupportedComponents.Comps {
			cal.Components = append(cal.Components, strings.ToUpper(comp.Name))
		}
	}
	return cal
}

// AddressBooks lists the address book collections directly in home (PROPFIND Depth 1).
func (c *Client) AddressBooks(ctx context.Context, home string) ([]AddressBook, error) {
	ms, err := c.propfind(ctx, home, "1", addressBookProps)
	if err != nil {
		return nil, err
	}
	var out []AddressBook
	for i := range ms.Responses {
		r := &ms.Responses[i]
		p := r.okProps()
		if !p.ResourceType.has(nsCardDAV, "addressbook") || len(r.Hrefs) == 0 {
			continue
		}
		href, err := cleanHref(r.Hrefs[0])
		if err != nil {
			return nil, err
		}
		out = append(out, addressBookFrom(href, &p))
	}
	return out, nil
}

// AddressBook returns one address book's properties (PROPFIND Depth 0); IsNotFound when absent.
func (c *Client) AddressBook(ctx context.Context, href string) (AddressBook, error) {
	ms, err := c.propfind(ctx, href, "0", addressBookProps)
	if err != nil {
		return AddressBook{}, err
	}
	r, got, err := responseFor(ms, href)
	if err != nil {
		return AddressBook{}, err
	}
	p := r.okProps()
	if !p.ResourceType.has(nsCardDAV, "addressbook") {
		return AddressBook{}, &HTTPError{Method: "PROPFIND", Href: href, Code: http.StatusNotFound,
			Err: fmt.Errorf("not an address book collection")}
	}
	return addressBookFrom(got, &p), nil
}

func addressBookFrom(href string, p *prop) AddressBook {
	return AddressBook{
		Href:        href,
		DisplayName: str(p.DisplayName),
		Description: str(p.AddressBookDesc),
		CTag:        str(p.CTag),
		SyncToken:   str(p.SyncToken),
	}
}
