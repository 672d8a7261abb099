package nextcloudsim

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// StatusError is a DAV helper call that Nextcloud would have refused.
type StatusError struct {
	Status  int
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("nextcloudsim: dav: %d: %s", e.Status, e.Message)
}

var _ error = (*StatusError)(nil)

// Collection describes a calendar or an address book.
type Collection struct {
	// Href is the collection path, e.g. /remote.php/dav/calendars/alice/personal/.
	Href        string
	Owner       string
	URI         string
	AddressBook bool
	DisplayName string
	Color       string
	Components  []string
	// SyncToken is the current RFC 6578 token (http://sabre.io/ns/sync/N).
	SyncToken string
	// Objects is the number of objects in it.
	Objects int
}

// Object is a stored calendar object or vCard.
type Object struct {
	Href     string
	UID      string
	ETag     string
	Data     []byte
	Modified time.Time
}

// Collections lists user's calendars and address books.
func (s *Server) Collections(user string) ([]Collection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.user(user); !ok {
		return nil, ErrUnknownUser
	}
	var out []Collection
	for _, l := range [][]*davCollection{s.dav.cals[user], s.dav.books[user]} {
		for _, c := range l {
			out = append(out, Collection{Href: collHref(c), Owner: c.owner, URI: c.uri, AddressBook: c.kind == kindAddressBook,
				DisplayName: c.displayName, Color: c.color, Components: append([]string(nil), c.components...),
				SyncToken: fmt.Sprintf("%s%d", syncTokenPrefix, c.syncToken), Objects: len(c.objects)})
		}
	}
	return out, nil
}

// Objects returns the objects of the collection at href (owner's view), in
// creation order.
func (s *Server) Objects(href string) ([]Object, error) {
	p, ok := parseDAVPath(href)
	if !ok || (p.kind != resCalendar && p.kind != resAddressBook) {
		return nil, &StatusError{Status: http.StatusNotFound, Message: "not a collection: " + href}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.lookupColl(p)
	if c == nil {
		return nil, &StatusError{Status: http.StatusNotFound, Message: "no collection at " + href}
	}
	objs := c.sortedObjects()
	out := make([]Object, 0, len(objs))
	for _, o := range objs {
		out = append(out, Object{Href: objHref(c, o.uri), UID: o.uid, ETag: o.etag, Data: append([]byte(nil), o.data...), Modified: o.lastModified})
	}
	return out, nil
}

// internalDAV runs a DAV request as the owner in href through the handler,
// with all of its checks and side effects (sync tokens, webhooks), as if the
// user edited through a DAV client or the Nextcloud UI. It is not counted.
func (s *Server) internalDAV(ctx context.Context, method, href string, hdr http.Header, body string) (*httptest.ResponseRecorder, error) {
	p, ok := parseDAVPath(href)
	if !ok || p.user == "" {
		return nil, &StatusError{Status: http.StatusNotFound, Message: "bad href " + href}
	}
	req := httptest.NewRequestWithContext(ctx, method, href, strings.NewReader(body))
	for k, v := range hdr {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	s.serveDAVAs(rec, req, identity{present: true, ok: true, user: p.user})
	if rec.Code/100 != 2 {
		return rec, &StatusError{Status: rec.Code, Message: rec.Body.String()}
	}
	return rec, nil
}

// PutObject stores data at href (e.g. /remote.php/dav/calendars/alice/personal/x.ics)
// as its owner, with Nextcloud's validation (RFC 4791 section 5.3.2,
// RFC 6352 section 6.3.2), and returns the new ETag.
// ifMatch "" means unconditional; "*" means must exist; an ETag must match
// (RFC 7232 section 3.1). The ETag is "" when Nextcloud repaired the body
// (a vCard without FN or UID), as the PUT then answers no ETag.
func (s *Server) PutObject(ctx context.Context, href string, data []byte, ifMatch string) (string, error) {
	h := http.Header{}
	if ifMatch != "" {
		h.Set("If-Match", ifMatch)
	}
	rec, err := s.internalDAV(ctx, "PUT", href, h, string(data))
	if err != nil {
		return "", err
	}
	return rec.Header().Get("ETag"), nil
}

// DeleteObject deletes the object at href as its owner (calendar objects go
// to the trash bin and fire CalendarObjectMovedToTrashEvent).
func (s *Server) DeleteObject(ctx context.Context, href string) error {
	_, err := s.internalDAV(ctx, "DELETE", href, nil, "")
	return err
}

// DeleteCollection deletes the calendar or address book at href.
func (s *Server) DeleteCollection(ctx context.Context, href string) error {
	_, err := s.internalDAV(ctx, "DELETE", href, nil, "")
	return err
}
