package nextcloudsim

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-webdav/caldav"
)

// davReport dispatches REPORT bodies: calendar-multiget, calendar-query
// (RFC 4791 section 7), addressbook-multiget, addressbook-query (RFC 6352
// section 8) and sync-collection (RFC 6578 section 3).
func (s *Server) davReport(c *davCtx) *davError {
	body, err := parseXML(c.r.Body)
	if err != nil {
		return errBadRequest(err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.p.kind == resTrashObjects {
		return s.reportTrash(c, body)
	}
	if c.p.kind != resCalendar && c.p.kind != resAddressBook {
		return &davError{status: http.StatusUnsupportedMediaType, exception: `Sabre\DAV\Exception\ReportNotSupported`,
			message: "The {" + body.name.Space + "}" + body.name.Local + " REPORT is not supported on this url.", condition: "<d:supported-report/>"}
	}
	coll := s.lookupColl(c.p)
	if coll == nil {
		return notFoundColl(c.p)
	}
	pr := parsePropRequest(body)
	switch {
	case body.name == xn(nsDAV, "sync-collection"):
		return s.reportSync(c, coll, body, pr)
	case coll.kind == kindCalendar && body.name == xn(nsCalDAV, "calendar-multiget"),
		coll.kind == kindAddressBook && body.name == xn(nsCardDAV, "addressbook-multiget"):
		var rs []davResponse
		for _, h := range body.all(nsDAV, "href") {
			href := strings.TrimSpace(h.text)
			p, err := url.PathUnescape(href)
			if err != nil {
				rs = append(rs, davResponse{href: href, status: http.StatusNotFound})
				continue
			}
			if u, err := url.Parse(p); err == nil && u.Path != "" {
				p = u.Path
			}
			name, ok := strings.CutPrefix(p, collHrefRaw(coll))
			o := coll.objects[name]
			if !ok || o == nil {
				rs = append(rs, davResponse{href: href, status: http.StatusNotFound})
				continue
			}
			rs = append(rs, selectProps(objHref(coll, o.uri), objProps(coll, o), pr))
		}
		writeMultistatus(c.w, rs, "")
		return nil
	case coll.kind == kindCalendar && body.name == xn(nsCalDAV, "calendar-query"):
		return s.reportCalendarQuery(c, coll, body, pr)
	case coll.kind == kindAddressBook && body.name == xn(nsCardDAV, "addressbook-query"):
		limit := 0
		if l := body.child(nsCardDAV, "limit"); l != nil {
			limit, _ = strconv.Atoi(strings.TrimSpace(l.child(nsCardDAV, "nresults").textOrEmpty()))
		}
		var rs []davResponse
		for _, o := range coll.sortedObjects() {
			if limit > 0 && len(rs) == limit {
				break
			}
			rs = append(rs, selectProps(objHref(coll, o.uri), objProps(coll, o), pr))
		}
		writeMultistatus(c.w, rs, "")
		return nil
	}
	return &davError{status: http.StatusUnsupportedMediaType, exception: `Sabre\DAV\Exception\ReportNotSupported`,
		message: "The {" + body.name.Space + "}" + body.name.Local + " REPORT is not supported on this url.", condition: "<d:supported-report/>"}
}

func (n *xnode) textOrEmpty() string {
	if n == nil {
		return ""
	}
	return n.text
}

// collHrefRaw is the collection href with unescaped segments (to compare
// with unescaped request hrefs).
func collHrefRaw(c *davCollection) string {
	if c.kind == kindCalendar {
		return davPrefix + "/calendars/" + c.owner + "/" + c.uri + "/"
	}
	return davPrefix + "/addressbooks/users/" + c.owner + "/" + c.uri + "/"
}

// reportSync answers sync-collection. With a DAV:limit that truncates the
// result, it adds a 507 response for the collection (RFC 6578 section 3.6)
// and a token to continue with.
func (s *Server) reportSync(c *davCtx, coll *davCollection, body *xnode, pr propRequest) *davError {
	token := strings.TrimSpace(body.child(nsDAV, "sync-token").textOrEmpty())
	if lvl := strings.TrimSpace(body.child(nsDAV, "sync-level").textOrEmpty()); lvl != "" && lvl != "1" && lvl != "infinite" {
		return errBadRequest("The sync-level element must be 1 or infinite")
	}
	limit := 0
	if l := body.child(nsDAV, "limit"); l != nil {
		n, err := strconv.Atoi(strings.TrimSpace(l.child(nsDAV, "nresults").textOrEmpty()))
		if err != nil || n < 1 {
			return errBadRequest("The nresults element must be a positive integer")
		}
		limit = n
	}
	res, err := coll.changesSince(token, limit)
	if err != nil {
		return &davError{status: http.StatusForbidden, exception: `Sabre\DAV\Exception\InvalidSyncToken`,
			message: "Invalid or unknown sync token", condition: "<d:valid-sync-token/>"}
	}
	var rs []davResponse
	for _, u := range res.changed {
		o := coll.objects[u]
		rs = append(rs, selectProps(objHref(coll, o.uri), objProps(coll, o), pr))
	}
	for _, u := range res.deleted {
		rs = append(rs, davResponse{href: objHref(coll, u), status: http.StatusNotFound})
	}
	if res.truncated {
		rs = append(rs, davResponse{href: collHref(coll), status: http.StatusInsufficientStorage})
	}
	writeMultistatus(c.w, rs, res.token)
	return nil
}

// reportCalendarQuery filters with go-webdav's RFC 4791 matcher.
func (s *Server) reportCalendarQuery(c *davCtx, coll *davCollection, body *xnode, pr propRequest) *davError {
	var q caldav.CalendarQuery
	if f := body.child(nsCalDAV, "filter"); f != nil {
		if cf := f.child(nsCalDAV, "comp-filter"); cf != nil {
			q.CompFilter = toCompFilter(cf)
		}
	}
	var rs []davResponse
	for _, o := range coll.sortedObjects() {
		if q.CompFilter.Name != "" && o.cal != nil {
			ok, err := caldav.Match(q.CompFilter, &caldav.CalendarObject{Data: o.cal})
			if err != nil || !ok {
				continue
			}
		}
		rs = append(rs, selectProps(objHref(coll, o.uri), objProps(coll, o), pr))
	}
	writeMultistatus(c.w, rs, "")
	return nil
}

func toCompFilter(n *xnode) caldav.CompFilter {
	cf := caldav.CompFilter{Name: strings.ToUpper(n.attr("name"))}
	if n.child(nsCalDAV, "is-not-defined") != nil {
		cf.IsNotDefined = true
	}
	if tr := n.child(nsCalDAV, "time-range"); tr != nil {
		cf.Start, _ = time.Parse("20060102T150405Z", tr.attr("start"))
		cf.End, _ = time.Parse("20060102T150405Z", tr.attr("end"))
	}
	for _, ch := range n.all(nsCalDAV, "comp-filter") {
		cf.Comps = append(cf.Comps, toCompFilter(ch))
	}
	for _, pf := range n.all(nsCalDAV, "prop-filter") {
		p := caldav.PropFilter{Name: strings.ToUpper(pf.attr("name"))}
		if pf.child(nsCalDAV, "is-not-defined") != nil {
			p.IsNotDefined = true
		}
		if tm := pf.child(nsCalDAV, "text-match"); tm != nil {
			p.TextMatch = &caldav.TextMatch{Text: tm.text, NegateCondition: tm.attr("negate-condition") == "yes"}
		}
		cf.Props = append(cf.Props, p)
	}
	return cf
}

// reportTrash lists the user's trash bin (transcript 0075).
func (s *Server) reportTrash(c *davCtx, body *xnode) *davError {
	pr := parsePropRequest(body)
	var rs []davResponse
	for _, t := range s.dav.trash[c.user] {
		props := []propValue{
			{pnGetETag, davEscape(t.obj.etag)},
			{pnCalendarURI, davEscape(t.calURI)},
			{pnDeletedAt, t.deletedAt.UTC().Format("2006-01-02T15:04:05+00:00")},
			{pnCalData, davEscape(string(t.obj.data))},
		}
		rs = append(rs, selectProps(calHomeHref(c.user)+"trashbin/objects/"+strconv.Itoa(t.obj.id)+".ics", props, pr))
	}
	writeMultistatus(c.w, rs, "")
	return nil
}
