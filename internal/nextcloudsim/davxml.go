package nextcloudsim

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// XML namespaces used by Nextcloud's sabre/dav server.
const (
	nsDAV       = "DAV:"
	nsCalDAV    = "urn:ietf:params:xml:ns:caldav"
	nsCardDAV   = "urn:ietf:params:xml:ns:carddav"
	nsCS        = "http://calendarserver.org/ns/"
	nsSabre     = "http://sabredav.org/ns"
	nsOC        = "http://owncloud.org/ns"
	nsNC        = "http://nextcloud.org/ns"
	nsNCCom     = "http://nextcloud.com/ns"
	nsAppleICal = "http://apple.com/ns/ical/"
)

var nsPrefixes = map[string]string{nsDAV: "d", nsSabre: "s", nsCalDAV: "cal", nsCS: "cs", nsCardDAV: "card", nsOC: "oc", nsNC: "nc"}

const multistatusOpen = `<?xml version="1.0"?>` + "\n" +
	`<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">`

// xnode is a parsed XML element.
type xnode struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*xnode
	text     string
}

func (n *xnode) child(space, local string) *xnode {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.name.Space == space && c.name.Local == local {
			return c
		}
	}
	return nil
}

func (n *xnode) all(space, local string) []*xnode {
	var out []*xnode
	for _, c := range n.children {
		if c.name.Space == space && c.name.Local == local {
			out = append(out, c)
		}
	}
	return out
}

func (n *xnode) attr(local string) string {
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

var errEmptyBody = errors.New("nextcloudsim: empty XML body")

// parseXML parses a request body into an element tree (bounded size).
func parseXML(r io.Reader) (*xnode, error) {
	dec := xml.NewDecoder(io.LimitReader(r, 32<<20))
	var stack []*xnode
	var root *xnode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("nextcloudsim: invalid XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: t.Name, attrs: t.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, errEmptyBody
	}
	return root, nil
}

// davEscape escapes text like sabre's XML writer (quotes become &quot;).
func davEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\r", "&#13;")
	return r.Replace(s)
}

// elem renders <prefix:local>inner</prefix:local>, declaring unknown
// namespaces inline as sabre does (xmlns:x1).
func elem(name xml.Name, inner string) string {
	prefix, ok := nsPrefixes[name.Space]
	decl := ""
	if !ok {
		prefix = "x1"
		decl = ` xmlns:x1="` + davEscape(name.Space) + `"`
	}
	if inner == "" {
		return "<" + prefix + ":" + name.Local + decl + "/>"
	}
	return "<" + prefix + ":" + name.Local + decl + ">" + inner + "</" + prefix + ":" + name.Local + ">"
}

// propValue is a found property with its rendered inner XML.
type propValue struct {
	name  xml.Name
	inner string
}

// davResponse is one <d:response> of a multistatus.
type davResponse struct {
	href    string
	found   []propValue
	missing []xml.Name
	status  int // response-level status (sync deletions, 507), 0 = propstats
}

func statusLine(code int) string {
	return "HTTP/1.1 " + strconv.Itoa(code) + " " + http.StatusText(code)
}

func renderResponses(b *strings.Builder, rs []davResponse) {
	for _, r := range rs {
		b.WriteString("<d:response><d:href>")
		b.WriteString(davEscape(r.href))
		b.WriteString("</d:href>")
		if r.status != 0 {
			b.WriteString("<d:status>" + statusLine(r.status) + "</d:status></d:response>")
			continue
		}
		if len(r.found) > 0 || len(r.missing) == 0 {
			b.WriteString("<d:propstat><d:prop>")
			for _, p := range r.found {
				b.WriteString(elem(p.name, p.inner))
			}
			b.WriteString("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>")
		}
		if len(r.missing) > 0 {
			b.WriteString("<d:propstat><d:prop>")
			for _, n := range r.missing {
				b.WriteString(elem(n, ""))
			}
			b.WriteString("</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>")
		}
		b.WriteString("</d:response>")
	}
}

// writeMultistatus writes a 207 response; syncToken is added when non-empty.
func writeMultistatus(w http.ResponseWriter, rs []davResponse, syncToken string) {
	var b strings.Builder
	b.WriteString(multistatusOpen)
	renderResponses(&b, rs)
	if syncToken != "" {
		b.WriteString("<d:sync-token>" + davEscape(syncToken) + "</d:sync-token>")
	}
	b.WriteString("</d:multistatus>\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Vary", "Brief,Prefer")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusMultiStatus)
	_, _ = io.WriteString(w, b.String())
}

// davError is a sabre/dav exception rendered as <d:error>.
type davError struct {
	status    int
	exception string
	message   string
	// condition is an optional precondition element, e.g. <d:valid-sync-token/>.
	condition string
}

func (e *davError) Error() string { return "nextcloudsim: dav: " + e.message }

func writeDAVError(w http.ResponseWriter, e *davError) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:card="urn:ietf:params:xml:ns:carddav">` + "\n")
	if e.condition != "" {
		b.WriteString("  " + e.condition + "\n")
	}
	b.WriteString("  <s:exception>" + davEscape(e.exception) + "</s:exception>\n")
	b.WriteString("  <s:message>" + davEscape(e.message) + "</s:message>\n")
	b.WriteString("</d:error>\n")
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="Nextcloud", charset="UTF-8"`)
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(e.status)
	_, _ = io.WriteString(w, b.String())
}

func errNotFound(msg string) *davError {
	return &davError{status: http.StatusNotFound, exception: `Sabre\DAV\Exception\NotFound`, message: msg}
}

func errBadRequest(msg string) *davError {
	return &davError{status: http.StatusBadRequest, exception: `Sabre\DAV\Exception\BadRequest`, message: msg}
}

func errForbidden(msg, cond string) *davError {
	return &davError{status: http.StatusForbidden, exception: `Sabre\DAV\Exception\Forbidden`, message: msg, condition: cond}
}

func errPrecondition(msg string) *davError {
	return &davError{status: http.StatusPreconditionFailed, exception: `Sabre\DAV\Exception\PreconditionFailed`, message: msg}
}

func errMethodNotAllowed(msg string) *davError {
	return &davError{status: http.StatusMethodNotAllowed, exception: `Sabre\DAV\Exception\MethodNotAllowed`, message: msg}
}
