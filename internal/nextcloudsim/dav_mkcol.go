package nextcloudsim

import (
	"net/http"
	"strings"
)

// davMkcol implements MKCALENDAR (RFC 4791 section 5.3.1) and extended
// MKCOL (RFC 5689) for calendars and address books.
func (s *Server) davMkcol(c *davCtx, mkcalendar bool) *davError {
	var body *xnode
	n, err := parseXML(c.r.Body)
	switch {
	case err == errEmptyBody:
	case err != nil:
		return errBadRequest(err.Error())
	default:
		body = n
	}
	var kind collKind
	switch c.p.kind {
	case resCalendar:
		kind = kindCalendar
	case resAddressBook:
		kind = kindAddressBook
		if mkcalendar {
			return errForbidden("MKCALENDAR is not allowed in an address book home", "")
		}
	case resInbox, resOutbox, resTrash, resCalHome, resBookHome:
		return errMethodNotAllowed("The resource you tried to create already exists")
	default:
		return errForbidden("Creating a collection here is not allowed", "")
	}
	var props []*xnode
	if body != nil {
		for _, set := range body.all(nsDAV, "set") {
			for _, prop := range set.all(nsDAV, "prop") {
				props = append(props, prop.children...)
			}
		}
	}
	if !mkcalendar {
		// Extended MKCOL must name the resource type.
		var rt *xnode
		for _, p := range props {
			if p.name == pnResourceType {
				rt = p
			}
		}
		want := "calendar"
		space := nsCalDAV
		if kind == kindAddressBook {
			want, space = "addressbook", nsCardDAV
		}
		if rt == nil || rt.child(space, want) == nil {
			return &davError{status: http.StatusForbidden, exception: `Sabre\DAV\Exception\InvalidResourceType`, message: "Unknown resourceType for this collection",
				condition: "<d:valid-resourcetype/>"}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lookupColl(c.p) != nil || (kind == kindCalendar && isReservedCalendar(c.p.coll)) {
		return errMethodNotAllowed("The resource you tried to create already exists")
	}
	coll := s.dav.newCollection(kind, c.user, c.p.coll, c.p.coll)
	for _, p := range props {
		switch p.name {
		case pnDisplayName:
			coll.displayName = strings.TrimSpace(p.text)
		case pnCalColor:
			coll.color = strings.TrimSpace(p.text)
		case pnCalDesc, pnBookDesc:
			coll.description = p.text
		case pnCompSet:
			var comps []string
			for _, comp := range p.all(nsCalDAV, "comp") {
				comps = append(comps, strings.ToUpper(comp.attr("name")))
			}
			if len(comps) > 0 {
				coll.components = comps
			}
		}
	}
	c.w.Header().Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusCreated)
	return nil
}

func isReservedCalendar(uri string) bool {
	switch uri {
	case "inbox", "outbox", "trashbin":
		return true
	}
	return false
}

// CreateCalendar creates a calendar for user (components nil means VEVENT and
// VTODO), as MKCALENDAR would. It returns an error if it exists.
func (s *Server) CreateCalendar(user, uri, displayName string, components []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.user(user); !ok {
		return ErrUnknownUser
	}
	if s.dav.collection(kindCalendar, user, uri) != nil || isReservedCalendar(uri) {
		return ErrExists
	}
	c := s.dav.newCollection(kindCalendar, user, uri, displayName)
	if len(components) > 0 {
		c.components = components
	}
	return nil
}

// CreateAddressBook creates an address book for user, as extended MKCOL
// would. It returns an error if it exists.
func (s *Server) CreateAddressBook(user, uri, displayName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.user(user); !ok {
		return ErrUnknownUser
	}
	if s.dav.collection(kindAddressBook, user, uri) != nil {
		return ErrExists
	}
	s.dav.newCollection(kindAddressBook, user, uri, displayName)
	return nil
}
