package nextcloudsim

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav/caldav"
)

// checkPreconditions evaluates If-Match and If-None-Match (RFC 7232 section
// 3.1 and 3.2) against the current object (nil when absent).
func checkPreconditions(r *http.Request, o *davObject) *davError {
	if im := r.Header.Get("If-Match"); im != "" {
		if o == nil {
			return errPrecondition("An If-Match header was specified, but none of the specified ETags matched.")
		}
		if strings.TrimSpace(im) != "*" && !etagListHas(im, o.etag) {
			return errPrecondition("An If-Match header was specified, but none of the specified ETags matched.")
		}
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && o != nil {
		if strings.TrimSpace(inm) == "*" || etagListHas(inm, o.etag) {
			if r.Method == "GET" || r.Method == "HEAD" {
				return &davError{status: http.StatusNotModified}
			}
			return errPrecondition("An If-None-Match header was specified, but the ETag matched (or * was specified).")
		}
	}
	return nil
}

func etagListHas(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimPrefix(strings.TrimSpace(e), "W/")
		if e == etag {
			return true
		}
	}
	return false
}

func (s *Server) davGet(c *davCtx) *davError {
	if c.p.kind != resCalObject && c.p.kind != resAddressObject {
		if c.p.kind == resCalendar || c.p.kind == resAddressBook || c.p.kind == resRoot {
			return &davError{status: http.StatusNotImplemented, exception: `Sabre\DAV\Exception\NotImplemented`, message: "GET is only implemented on File objects"}
		}
		return errNotFound("Not found")
	}
	s.mu.Lock()
	coll := s.lookupColl(c.p)
	if coll == nil {
		s.mu.Unlock()
		return notFoundColl(c.p)
	}
	o := coll.objects[c.p.name]
	if o == nil {
		s.mu.Unlock()
		return errNotFound("Calendar object not found")
	}
	data, etag, mod, comp := o.data, o.etag, o.lastModified, o.component
	kind := coll.kind
	err := checkPreconditions(c.r, o)
	s.mu.Unlock()
	if err != nil {
		if err.status == http.StatusNotModified {
			c.w.Header().Set("ETag", etag)
			c.w.WriteHeader(http.StatusNotModified)
			return nil
		}
		return err
	}
	h := c.w.Header()
	if kind == kindCalendar {
		h.Set("Content-Type", "text/calendar; charset=utf-8; component="+comp)
	} else {
		h.Set("Content-Type", "text/vcard; charset=utf-8")
	}
	h.Set("Last-Modified", mod.UTC().Format(http.TimeFormat))
	h.Set("ETag", etag)
	h.Set("OC-ETag", etag)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(c.p.name)+"; filename=\""+c.p.name+"\"")
	c.w.WriteHeader(http.StatusOK)
	if c.r.Method == "GET" {
		_, _ = c.w.Write(data)
	}
	return nil
}

// validateCalendar parses iCalendar data as sabre's CalDAV plugin does.
func validateCalendar(data []byte, coll *davCollection) (uid, comp string, cal *ical.Calendar, derr *davError) {
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return "", "", nil, &davError{status: http.StatusUnsupportedMediaType, exception: `Sabre\DAV\Exception\UnsupportedMediaType`,
			message: "This resource only supports valid iCalendar 2.0 data. Parse error: " + err.Error()}
	}
	if msg := vobjectErrors(cal); msg != "" {
		return "", "", nil, &davError{status: http.StatusUnsupportedMediaType, exception: `Sabre\DAV\Exception\UnsupportedMediaType`,
			message: "Validation error in iCalendar: " + msg}
	}
	typ, uid, err := caldav.ValidateCalendarObject(cal)
	if err != nil {
		return "", "", nil, errBadRequest("Invalid calendar object: " + err.Error())
	}
	if uid == "" {
		return "", "", nil, errBadRequest("Every object must have a UID")
	}
	ok := false
	for _, c := range coll.components {
		if strings.EqualFold(c, typ) {
			ok = true
		}
	}
	if !ok {
		return "", "", nil, errForbidden("Calendar object of type "+typ+" is not supported by this calendar", "<cal:supported-calendar-component/>")
	}
	return uid, strings.ToLower(typ), cal, nil
}

// vobjectErrors returns the first critical (level 3) sabre/vobject
// validation error of a calendar: VERSION and PRODID once in VCALENDAR,
// UID and DTSTAMP once in each VEVENT, VTODO and VJOURNAL.
func vobjectErrors(cal *ical.Calendar) string {
	for _, p := range []string{ical.PropVersion, ical.PropProductID} {
		if len(cal.Props.Values(p)) != 1 {
			return p + " MUST appear exactly once in a VCALENDAR component"
		}
	}
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompEvent, ical.CompToDo, ical.CompJournal:
			for _, p := range []string{ical.PropUID, ical.PropDateTimeStamp} {
				if len(c.Props.Values(p)) != 1 {
					return p + " MUST appear exactly once in a " + c.Name + " component"
				}
			}
		}
	}
	return ""
}

// validateCard parses vCard data as sabre's CardDAV plugin does with
// REPAIR: VERSION is required (else 415); a missing FN (from N, ORG or
// EMAIL) or UID is added, the card is re-serialized and the PUT answers no
// ETag (modified is true).
func validateCard(data []byte) (uid string, stored []byte, modified bool, derr *davError) {
	card, err := vcard.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return "", nil, false, &davError{status: http.StatusUnsupportedMediaType, exception: `Sabre\DAV\Exception\UnsupportedMediaType`,
			message: "This resource only supports valid vCard data. Parse error: " + err.Error()}
	}
	if len(card[vcard.FieldVersion]) != 1 {
		return "", nil, false, &davError{status: http.StatusUnsupportedMediaType, exception: `Sabre\DAV\Exception\UnsupportedMediaType`,
			message: "Validation error in vCard: The VERSION property must appear in the VCARD component exactly 1 time"}
	}
	if card.Value(vcard.FieldFormattedName) == "" {
		fn := ""
		if n := card.Value(vcard.FieldName); n != "" {
			parts := strings.Split(n, ";")
			if len(parts) > 1 && parts[1] != "" {
				fn = parts[1] + " " + parts[0]
			} else {
				fn = parts[0]
			}
		} else if org := card.Value(vcard.FieldOrganization); org != "" {
			fn = strings.ReplaceAll(org, ";", " ")
		} else {
			fn = card.Value(vcard.FieldEmail)
		}
		card.SetValue(vcard.FieldFormattedName, fn)
		modified = true
	}
	uid = card.Value(vcard.FieldUID)
	if uid == "" {
		uid = newUUID()
		card.SetValue(vcard.FieldUID, uid)
		modified = true
	}
	if !modified {
		return uid, data, false, nil
	}
	var buf bytes.Buffer
	if err := vcard.NewEncoder(&buf).Encode(card); err != nil {
		return "", nil, false, errBadRequest("vCard could not be repaired: " + err.Error())
	}
	return uid, buf.Bytes(), true, nil
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (s *Server) davPut(c *davCtx) *davError {
	if c.p.kind != resCalObject && c.p.kind != resAddressObject {
		return errMethodNotAllowed("PUT is not allowed on non-files.")
	}
	data, err := io.ReadAll(io.LimitReader(c.r.Body, 20<<20))
	if err != nil {
		return errBadRequest("could not read body")
	}
	s.mu.Lock()
	coll := s.lookupColl(c.p)
	if coll == nil {
		s.mu.Unlock()
		return notFoundColl(c.p)
	}
	existing := coll.objects[c.p.name]
	if derr := checkPreconditions(c.r, existing); derr != nil {
		s.mu.Unlock()
		return derr
	}
	var uid, comp string
	var cal *ical.Calendar
	modified := false
	if coll.kind == kindCalendar {
		var derr *davError
		uid, comp, cal, derr = validateCalendar(data, coll)
		if derr != nil {
			s.mu.Unlock()
			return derr
		}
	} else {
		var derr *davError
		uid, data, modified, derr = validateCard(data)
		if derr != nil {
			s.mu.Unlock()
			return derr
		}
		comp = "vcard"
	}
	if other, ok := coll.byUID[uid]; ok && other != c.p.name {
		s.mu.Unlock()
		if coll.kind == kindCalendar {
			return errBadRequest("Calendar object with uid already exists in this calendar collection.")
		}
		return errBadRequest("VCard object with uid already exists in this addressbook collection.")
	}
	o, created := s.dav.put(coll, c.p.name, data, uid, comp, cal)
	etag := o.etag
	if coll.kind == kindCalendar {
		class := evCreated
		if !created {
			class = evUpdated
		}
		s.emitObjectEventLocked(class, c.user, coll, o, nil)
	}
	s.mu.Unlock()
	h := c.w.Header()
	if modified {
		// sabre drops the ETag when a plugin changed the body.
		h.Set("X-Sabre-Ew-Gross", "vCard validation warning: the vCard was repaired")
	} else {
		h.Set("ETag", etag)
		h.Set("OC-ETag", etag)
	}
	h.Set("Content-Length", "0")
	if created {
		c.w.WriteHeader(http.StatusCreated)
	} else {
		c.w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

func (s *Server) davDelete(c *davCtx) *davError {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch c.p.kind {
	case resCalObject, resAddressObject:
		coll := s.lookupColl(c.p)
		if coll == nil {
			return notFoundColl(c.p)
		}
		o := coll.objects[c.p.name]
		if o == nil {
			return errNotFound("Object not found")
		}
		if derr := checkPreconditions(c.r, o); derr != nil {
			return derr
		}
		coll.detach(o.uri)
		if coll.kind == kindCalendar {
			// A CalDAV DELETE moves the object to the trash bin.
			t := &trashed{obj: o, calID: coll.id, calURI: coll.uri, deletedAt: time.Now()}
			s.dav.trash[c.user] = append(s.dav.trash[c.user], t)
			s.emitObjectEventLocked(evMovedToTrash, c.user, coll, o, t)
		}
	case resCalendar, resAddressBook:
		coll := s.lookupColl(c.p)
		if coll == nil {
			return notFoundColl(c.p)
		}
		s.dav.removeCollection(coll)
	case resTrashObject:
		idx, t := s.findTrashed(c.user, c.p.name)
		if t == nil {
			return errNotFound("Trashed object not found")
		}
		s.dav.trash[c.user] = append(s.dav.trash[c.user][:idx], s.dav.trash[c.user][idx+1:]...)
		if coll := s.calByID(c.user, t.calID); coll != nil {
			s.emitObjectEventLocked(evDeleted, c.user, coll, t.obj, t)
		}
	default:
		return errForbidden("Deleting this resource is not allowed", "")
	}
	c.w.Header().Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) findTrashed(user, name string) (int, *trashed) {
	for i, t := range s.dav.trash[user] {
		if strconv.Itoa(t.obj.id)+".ics" == name {
			return i, t
		}
	}
	return -1, nil
}

func (s *Server) calByID(user string, id int) *davCollection {
	for _, c := range s.dav.cals[user] {
		if c.id == id {
			return c
		}
	}
	return nil
}

// davMove restores from the trash bin or moves an object between two
// collections of the same user.
func (s *Server) davMove(c *davCtx) *davError {
	dest := c.r.Header.Get("Destination")
	du, err := url.Parse(dest)
	if dest == "" || err != nil {
		return errBadRequest("The destination header was not supplied or is invalid")
	}
	dp, ok := parseDAVPath(du.Path)
	if !ok || dp.user != c.user {
		return errForbidden("Moving to this destination is not allowed", "")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.p.kind == resTrashObject {
		if dp.kind != resTrashRestore {
			return errForbidden("Trashed objects can only be restored", "")
		}
		idx, t := s.findTrashed(c.user, c.p.name)
		if t == nil {
			return errNotFound("Trashed object not found")
		}
		coll := s.calByID(c.user, t.calID)
		if coll == nil {
			return errNotFound("The calendar of this object no longer exists")
		}
		if _, busy := coll.objects[t.obj.uri]; busy {
			return errPrecondition("An object with the same name exists")
		}
		if _, busy := coll.byUID[t.obj.uid]; busy {
			return errBadRequest("Calendar object with uid already exists in this calendar collection.")
		}
		s.dav.trash[c.user] = append(s.dav.trash[c.user][:idx], s.dav.trash[c.user][idx+1:]...)
		coll.attach(t.obj)
		s.emitObjectEventLocked(evRestored, c.user, coll, t.obj, nil)
		c.w.Header().Set("Content-Length", "0")
		c.w.WriteHeader(http.StatusCreated)
		return nil
	}
	if (c.p.kind != resCalObject || dp.kind != resCalObject) && (c.p.kind != resAddressObject || dp.kind != resAddressObject) {
		return errForbidden("Moving this resource is not supported", "")
	}
	src := s.lookupColl(c.p)
	dst := s.lookupColl(dp)
	if src == nil {
		return notFoundColl(c.p)
	}
	if dst == nil {
		return errPrecondition("The destination node is not found")
	}
	o := src.objects[c.p.name]
	if o == nil {
		return errNotFound("Object not found")
	}
	if derr := checkPreconditions(c.r, o); derr != nil {
		return derr
	}
	existed := dst.objects[dp.name] != nil
	if existed && strings.EqualFold(c.r.Header.Get("Overwrite"), "F") {
		return errPrecondition("The destination node already exists, and the overwrite header is set to false")
	}
	if other, ok := dst.byUID[o.uid]; ok && other != dp.name {
		return errBadRequest("Object with uid already exists in the destination collection.")
	}
	if existed {
		dst.detach(dp.name)
	}
	src.detach(o.uri)
	o.uri = dp.name
	dst.attach(o)
	if src.kind == kindCalendar {
		s.emitMovedEventLocked(c.user, src, dst, o)
	}
	c.w.Header().Set("Content-Length", "0")
	if existed {
		c.w.WriteHeader(http.StatusNoContent)
	} else {
		c.w.WriteHeader(http.StatusCreated)
	}
	return nil
}
