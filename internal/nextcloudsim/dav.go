package nextcloudsim

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
)

// davPrefix is the root of Nextcloud's DAV server.
const davPrefix = "/remote.php/dav"

// Resource kinds of the DAV tree.
const (
	resRoot          = "root"
	resPrincipals    = "principals"
	resPrincipal     = "principal"
	resCalRoot       = "calroot"
	resCalHome       = "calhome"
	resCalendar      = "calendar"
	resCalObject     = "calobject"
	resInbox         = "inbox"
	resOutbox        = "outbox"
	resTrash         = "trash"
	resTrashObjects  = "trashobjects"
	resTrashObject   = "trashobject"
	resTrashRestore  = "trashrestore"
	resBookRoot      = "bookroot"
	resBookHome      = "bookhome"
	resAddressBook   = "addressbook"
	resAddressObject = "addressobject"
)

// davPath is a parsed path below /remote.php/dav.
type davPath struct {
	kind string
	user string
	coll string
	name string
}

func parseDAVPath(p string) (davPath, bool) {
	rest := strings.Trim(strings.TrimPrefix(p, davPrefix), "/")
	var seg []string
	if rest != "" {
		seg = strings.Split(rest, "/")
	}
	for _, s := range seg {
		if s == "" || s == "." || s == ".." {
			return davPath{}, false
		}
	}
	n := len(seg)
	switch {
	case n == 0:
		return davPath{kind: resRoot}, true
	case seg[0] == "principals":
		switch {
		case n == 1 || (n == 2 && seg[1] == "users"):
			return davPath{kind: resPrincipals}, true
		case n == 3 && seg[1] == "users":
			return davPath{kind: resPrincipal, user: seg[2]}, true
		}
	case seg[0] == "calendars":
		if n == 1 {
			return davPath{kind: resCalRoot}, true
		}
		d := davPath{user: seg[1]}
		switch {
		case n == 2:
			d.kind = resCalHome
		case n == 3 && seg[2] == "inbox":
			d.kind = resInbox
		case n == 3 && seg[2] == "outbox":
			d.kind = resOutbox
		case seg[2] == "trashbin":
			switch {
			case n == 3:
				d.kind = resTrash
			case n == 4 && seg[3] == "objects":
				d.kind = resTrashObjects
			case n == 5 && seg[3] == "objects":
				d.kind, d.name = resTrashObject, seg[4]
			case n == 5 && seg[3] == "restore":
				d.kind, d.name = resTrashRestore, seg[4]
			default:
				return davPath{}, false
			}
		case n == 3:
			d.kind, d.coll = resCalendar, seg[2]
		case n == 4:
			d.kind, d.coll, d.name = resCalObject, seg[2], seg[3]
		default:
			return davPath{}, false
		}
		return d, true
	case seg[0] == "addressbooks":
		if n == 1 || (n == 2 && seg[1] == "users") {
			return davPath{kind: resBookRoot}, true
		}
		if seg[1] != "users" {
			return davPath{}, false
		}
		d := davPath{user: seg[2]}
		switch n {
		case 3:
			d.kind = resBookHome
		case 4:
			d.kind, d.coll = resAddressBook, seg[3]
		case 5:
			d.kind, d.coll, d.name = resAddressObject, seg[3], seg[4]
		default:
			return davPath{}, false
		}
		return d, true
	}
	return davPath{}, false
}

func esc(s string) string { return url.PathEscape(s) }

func principalHref(user string) string { return davPrefix + "/principals/users/" + esc(user) + "/" }
func calHomeHref(user string) string   { return davPrefix + "/calendars/" + esc(user) + "/" }
func bookHomeHref(user string) string {
	return davPrefix + "/addressbooks/users/" + esc(user) + "/"
}

func collHref(c *davCollection) string {
	if c.kind == kindCalendar {
		return calHomeHref(c.owner) + esc(c.uri) + "/"
	}
	return bookHomeHref(c.owner) + esc(c.uri) + "/"
}

func objHref(c *davCollection, uri string) string { return collHref(c) + esc(uri) }

// davCtx is one authenticated DAV request.
type davCtx struct {
	w    http.ResponseWriter
	r    *http.Request
	user string
	p    davPath
}

func (s *Server) serveDAV(w http.ResponseWriter, r *http.Request) {
	s.serveDAVAs(w, r, s.authenticate(r, false))
}

func (s *Server) serveDAVAs(w http.ResponseWriter, r *http.Request, id identity) {
	if !id.ok || id.user == "" {
		msg := "No public access to this resource., AppAPIAuth has not passed, This request is not for a federated calendar, No 'Authorization: Basic' header found. Either the client didn't send one, or the server is misconfigured, No 'Authorization: Bearer' header found. Either the client didn't send one, or the server is mis-configured, No 'Authorization: Basic' header found. Either the client didn't send one, or the server is misconfigured"
		if id.present && !id.appAPI {
			msg = "Username or password was incorrect"
		}
		writeDAVError(w, &davError{status: http.StatusUnauthorized, exception: `Sabre\DAV\Exception\NotAuthenticated`, message: msg})
		return
	}
	w.Header().Set("X-User-Id", id.user)
	w.Header().Set("DAV", "1, 3, extended-mkcol, access-control, calendarserver-principal-property-search, calendar-access, calendar-auto-schedule, nc-calendar-trashbin, addressbook, nc-paginate")
	p, ok := parseDAVPath(r.URL.Path)
	if !ok {
		writeDAVError(w, errNotFound("File not found: "+r.URL.Path))
		return
	}
	if p.user != "" && p.kind != resPrincipal && p.user != id.user {
		// Nextcloud's ACLs hide other users' homes (transcript 0052).
		writeDAVError(w, errNotFound("Node with name '"+p.user+"' could not be found"))
		return
	}
	c := &davCtx{w: w, r: r, user: id.user, p: p}
	var err *davError
	switch r.Method {
	case "OPTIONS":
		w.Header().Set("Allow", "OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE, REPORT, MKCOL, MKCALENDAR")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	case "PROPFIND":
		err = s.davPropfind(c)
	case "PROPPATCH":
		err = s.davProppatch(c)
	case "REPORT":
		err = s.davReport(c)
	case "GET", "HEAD":
		err = s.davGet(c)
	case "PUT":
		err = s.davPut(c)
	case "DELETE":
		err = s.davDelete(c)
	case "MKCALENDAR":
		err = s.davMkcol(c, true)
	case "MKCOL":
		err = s.davMkcol(c, false)
	case "MOVE":
		err = s.davMove(c)
	default:
		err = &davError{status: http.StatusNotImplemented, exception: `Sabre\DAV\Exception\NotImplemented`, message: "There was no plugin in the system that was willing to handle this " + r.Method + " method."}
	}
	if err != nil {
		writeDAVError(w, err)
	}
}

// lookupColl finds the collection addressed by c.p (calendar or book).
func (s *Server) lookupColl(p davPath) *davCollection {
	switch p.kind {
	case resCalendar, resCalObject:
		return s.dav.collection(kindCalendar, p.user, p.coll)
	case resAddressBook, resAddressObject:
		return s.dav.collection(kindAddressBook, p.user, p.coll)
	}
	return nil
}

func notFoundColl(p davPath) *davError {
	if p.kind == resCalendar || p.kind == resCalObject {
		return errNotFound("Node with name '" + p.coll + "' could not be found")
	}
	return errNotFound("Addressbook with name '" + p.coll + "' could not be found")
}

// propRequest is what a PROPFIND or REPORT asks for.
type propRequest struct {
	all      bool
	propname bool
	names    []xml.Name
}

func parsePropRequest(n *xnode) propRequest {
	if n == nil {
		return propRequest{all: true}
	}
	if n.child(nsDAV, "allprop") != nil {
		return propRequest{all: true}
	}
	if n.child(nsDAV, "propname") != nil {
		return propRequest{all: true, propname: true}
	}
	var pr propRequest
	if prop := n.child(nsDAV, "prop"); prop != nil {
		for _, c := range prop.children {
			pr.names = append(pr.names, c.name)
		}
	}
	if n.name.Local == "prop" && n.name.Space == nsDAV {
		for _, c := range n.children {
			pr.names = append(pr.names, c.name)
		}
	}
	return pr
}

// selectProps builds a response from a resource's available properties.
func selectProps(href string, avail []propValue, pr propRequest) davResponse {
	r := davResponse{href: href}
	if pr.all {
		for _, p := range avail {
			if pr.propname {
				p.inner = ""
			}
			r.found = append(r.found, p)
		}
		return r
	}
	for _, n := range pr.names {
		found := false
		for _, p := range avail {
			if p.name == n {
				r.found = append(r.found, p)
				found = true
				break
			}
		}
		if !found {
			r.missing = append(r.missing, n)
		}
	}
	return r
}
