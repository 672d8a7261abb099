package dav

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// XML namespaces used on the wire.
const (
	nsDAV     = "DAV:"
	nsCalDAV  = "urn:ietf:params:xml:ns:caldav"  // RFC 4791 section 3
	nsCardDAV = "urn:ietf:params:xml:ns:carddav" // RFC 6352 section 3
	nsCS      = "http://calendarserver.org/ns/"  // getctag (calendarserver ctag extension)
	nsApple   = "http://apple.com/ns/ical/"      // calendar-color
	nsSabre   = "http://sabredav.org/ns"         // exception and message in DAV:error
)

// multistatus is DAV:multistatus (RFC 4918 section 14.16) with the DAV:sync-token of
// RFC 6578 section 6.4.
type multistatus struct {
	XMLName   xml.Name   `xml:"DAV: multistatus"`
	Responses []response `xml:"DAV: response"`
	SyncToken string     `xml:"DAV: sync-token"`
}

// response is DAV:response (RFC 4918 section 14.24).
type response struct {
	Hrefs     []string   `xml:"DAV: href"`
	Status    string     `xml:"DAV: status"`
	Propstats []propstat `xml:"DAV: propstat"`
	Error     *errorBody `xml:"DAV: error"`
}

// propstat is DAV:propstat (RFC 4918 section 14.22).
type propstat struct {
	Prop   prop   `xml:"DAV: prop"`
	Status string `xml:"DAV: status"`
}

// prop holds every property this client asks for; absent ones stay nil.
type prop struct {
	ResourceType         *resourceType `xml:"DAV: resourcetype"`
	DisplayName          *string       `xml:"DAV: displayname"`
	GetETag              *string       `xml:"DAV: getetag"`
	SyncToken            *string       `xml:"DAV: sync-token"`
	CurrentUserPrincipal *hrefProp     `xml:"DAV: current-user-principal"`
	CTag                 *string       `xml:"http://calendarserver.org/ns/ getctag"`
	CalendarColor        *string       `xml:"http://apple.com/ns/ical/ calendar-color"`
	CalendarHomeSet      *hrefProp     `xml:"urn:ietf:params:xml:ns:caldav calendar-home-set"`
	CalendarDescription  *string       `xml:"urn:ietf:params:xml:ns:caldav calendar-description"`
	SupportedComponents  *compSet      `xml:"urn:ietf:params:xml:ns:caldav supported-calendar-component-set"`
	CalendarData         *string       `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
	AddressBookHomeSet   *hrefProp     `xml:"urn:ietf:params:xml:ns:carddav addressbook-home-set"`
	AddressBookDesc      *string       `xml:"urn:ietf:params:xml:ns:carddav addressbook-description"`
	AddressData          *string       `xml:"urn:ietf:params:xml:ns:carddav address-data"`
}

// resourceType is DAV:resourcetype (RFC 4918 section 15.9): the names of its children.
type resourceType struct {
	Types []struct {
		XMLName xml.Name
	} `xml:",any"`
}

func (r *resourceType) has(space, local string) bool {
	if r == nil {
		return false
	}
	for _, t := range r.Types {
		if t.XMLName.Space == space && t.XMLName.Local == local {
			return true
		}
	}
	return false
}

// hrefProp is a property whose value is one or more DAV:href elements.
type hrefProp struct {
	Hrefs []string `xml:"DAV: href"`
}

// compSet is CALDAV:supported-calendar-component-set (RFC 4791 section 5.2.3).
type compSet struct {
	Comps []struct {
		Name string `xml:"name,attr"`
	} `xml:"urn:ietf:params:xml:ns:caldav comp"`
}

// errorBody is DAV:error (RFC 4918 section 16) as sent by SabreDAV and Radicale.
type errorBody struct {
	XMLName xml.Name `xml:"DAV: error"`
	Elems   []struct {
		XMLName xml.Name
		Text    string `xml:",chardata"`
	} `xml:",any"`
}

func (e *errorBody) condition() *Condition {
	c := &Condition{}
	for _, el := range e.Elems {
		switch {
		case el.XMLName.Space == nsSabre && el.XMLName.Local == "message":
			c.Message = strings.TrimSpace(el.Text)
		case el.XMLName.Space == nsSabre:
			// exception class names and technical details are not conditions
		default:
			c.Names = append(c.Names, el.XMLName)
		}
	}
	return c
}

// statusCode parses "HTTP/1.1 404 Not Found" (RFC 4918 section 14.28); 0 when malformed.
func statusCode(s string) int {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0
	}
	n, err := strconv.Atoi(f[1])
	if err != nil || n < 100 || n > 999 {
		return 0
	}
	return n
}

// okProps merges the properties of the 2xx propstats of r; a response without propstats yields an
// empty prop.
func (r *response) okProps() prop {
	var p prop
	for i := range r.Propstats {
		ps := &r.Propstats[i]
		if c := statusCode(ps.Status); c < 200 || c > 299 {
			continue
		}
		mergeProp(&p, &ps.Prop)
	}
	return p
}

func mergeProp(dst, src *prop) {
	set := func(d **string, s *string) {
		if s != nil {
			*d = s
		}
	}
	if src.ResourceType != nil {
		dst.ResourceType = src.ResourceType
	}
	if src.CurrentUserPrincipal != nil {
		dst.CurrentUserPrincipal = src.CurrentUserPrincipal
	}
	if src.CalendarHomeSet != nil {
		dst.CalendarHomeSet = src.CalendarHomeSet
	}
	if src.AddressBookHomeSet != nil {
		dst.AddressBookHomeSet = src.AddressBookHomeSet
	}
	if src.SupportedComponents != nil {
		dst.SupportedComponents = src.SupportedComponents
	}
	set(&dst.DisplayName, src.DisplayName)
	set(&dst.GetETag, src.GetETag)
	set(&dst.SyncToken, src.SyncToken)
	set(&dst.CTag, src.CTag)
	set(&dst.CalendarColor, src.CalendarColor)
	set(&dst.CalendarDescription, src.CalendarDescription)
	set(&dst.CalendarData, src.CalendarData)
	set(&dst.AddressBookDesc, src.AddressBookDesc)
	set(&dst.AddressData, src.AddressData)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

// escapeText returns s with XML special characters escaped, for hand-built request bodies.
func escapeText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
