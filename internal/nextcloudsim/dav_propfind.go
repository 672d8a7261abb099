package nextcloudsim

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

func xn(space, local string) xml.Name { return xml.Name{Space: space, Local: local} }

var (
	pnResourceType  = xn(nsDAV, "resourcetype")
	pnDisplayName   = xn(nsDAV, "displayname")
	pnCUP           = xn(nsDAV, "current-user-principal")
	pnOwner         = xn(nsDAV, "owner")
	pnSyncToken     = xn(nsDAV, "sync-token")
	pnGetETag       = xn(nsDAV, "getetag")
	pnContentType   = xn(nsDAV, "getcontenttype")
	pnContentLength = xn(nsDAV, "getcontentlength")
	pnLastModified  = xn(nsDAV, "getlastmodified")
	pnPrincipalURL  = xn(nsDAV, "principal-URL")
	pnPrivileges    = xn(nsDAV, "current-user-privilege-set")
	pnCTag          = xn(nsCS, "getctag")
	pnCalHomeSet    = xn(nsCalDAV, "calendar-home-set")
	pnCalUserAddr   = xn(nsCalDAV, "calendar-user-address-set")
	pnCompSet       = xn(nsCalDAV, "supported-calendar-component-set")
	pnCalDesc       = xn(nsCalDAV, "calendar-description")
	pnCalData       = xn(nsCalDAV, "calendar-data")
	pnCalColor      = xn(nsAppleICal, "calendar-color")
	pnCalOrder      = xn(nsAppleICal, "calendar-order")
	pnBookHomeSet   = xn(nsCardDAV, "addressbook-home-set")
	pnBookDesc      = xn(nsCardDAV, "addressbook-description")
	pnAddressData   = xn(nsCardDAV, "address-data")
	pnDeletedAt     = xn(nsNCCom, "deleted-at")
	pnCalendarURI   = xn(nsNCCom, "calendar-uri")
)

func hrefXML(h string) string { return "<d:href>" + davEscape(h) + "</d:href>" }

const privilegesXML = "<d:privilege><d:read/></d:privilege><d:privilege><d:write/></d:privilege><d:privilege><d:write-properties/></d:privilege><d:privilege><d:write-content/></d:privilege><d:privilege><d:bind/></d:privilege><d:privilege><d:unbind/></d:privilege><d:privilege><d:read-acl/></d:privilege><d:privilege><d:read-current-user-privilege-set/></d:privilege>"

func (s *Server) principalProps(user, actor string) []propValue {
	u, _ := s.user(user)
	name := user
	if u != nil {
		name = u.DisplayName
	}
	addr := hrefXML(principalHref(user))
	if u != nil && u.Email != "" {
		addr = hrefXML("mailto:"+u.Email) + addr
	}
	props := []propValue{
		{pnResourceType, "<d:principal/>"},
		{pnDisplayName, davEscape(name)},
		{pnPrincipalURL, hrefXML(principalHref(user))},
		{pnCUP, hrefXML(principalHref(actor))},
		{pnCalUserAddr, addr},
	}
	if user == actor {
		props = append(props, propValue{pnCalHomeSet, hrefXML(calHomeHref(user))}, propValue{pnBookHomeSet, hrefXML(bookHomeHref(user))})
	}
	return props
}

func homeProps(actor string) []propValue {
	return []propValue{
		{pnResourceType, "<d:collection/>"},
		{pnCUP, hrefXML(principalHref(actor))},
		{pnOwner, hrefXML(principalHref(actor))},
	}
}

func collProps(c *davCollection) []propValue {
	token := strconv.Itoa(c.syncToken)
	props := []propValue{{pnDisplayName, davEscape(c.displayName)}}
	if c.kind == kindCalendar {
		props = append(props, propValue{pnResourceType, "<d:collection/><cal:calendar/>"},
			propValue{pnCTag, syncTokenPrefix + token}, propValue{pnSyncToken, syncTokenPrefix + token})
		var comps strings.Builder
		for _, comp := range c.components {
			comps.WriteString(`<cal:comp name="` + davEscape(comp) + `"/>`)
		}
		props = append(props, propValue{pnCompSet, comps.String()}, propValue{pnCalOrder, strconv.Itoa(c.order)})
		if c.color != "" {
			props = append(props, propValue{pnCalColor, davEscape(c.color)})
		}
		if c.description != "" {
			props = append(props, propValue{pnCalDesc, davEscape(c.description)})
		}
	} else {
		props = append(props, propValue{pnResourceType, "<d:collection/><card:addressbook/>"},
			propValue{pnCTag, token}, propValue{pnSyncToken, syncTokenPrefix + token})
		if c.description != "" {
			props = append(props, propValue{pnBookDesc, davEscape(c.description)})
		}
	}
	return append(props,
		propValue{pnOwner, hrefXML(principalHref(c.owner))},
		propValue{pnCUP, hrefXML(principalHref(c.owner))},
		propValue{pnPrivileges, privilegesXML})
}

func objProps(c *davCollection, o *davObject) []propValue {
	ct := "text/vcard; charset=utf-8"
	data := pnAddressData
	if c.kind == kindCalendar {
		ct = "text/calendar; charset=utf-8; component=" + o.component
		data = pnCalData
	}
	return []propValue{
		{pnGetETag, davEscape(o.etag)},
		{pnContentType, ct},
		{pnContentLength, strconv.Itoa(len(o.data))},
		{pnLastModified, o.lastModified.UTC().Format(http.TimeFormat)},
		{pnResourceType, ""},
		{data, davEscape(string(o.data))},
	}
}

func (s *Server) davPropfind(c *davCtx) *davError {
	var pr propRequest
	body, err := parseXML(c.r.Body)
	switch {
	case err == errEmptyBody:
		pr = propRequest{all: true}
	case err != nil:
		return errBadRequest(err.Error())
	default:
		pr = parsePropRequest(body)
	}
	depth := c.r.Header.Get("Depth")
	deep := depth != "0"
	s.mu.Lock()
	defer s.mu.Unlock()
	var rs []davResponse
	p := c.p
	switch p.kind {
	case resRoot:
		rs = append(rs, selectProps(davPrefix+"/", []propValue{{pnResourceType, "<d:collection/>"}, {pnCUP, hrefXML(principalHref(c.user))}}, pr))
	case resPrincipals, resCalRoot, resBookRoot:
		rs = append(rs, selectProps(c.r.URL.Path, []propValue{{pnResourceType, "<d:collection/>"}}, pr))
	case resPrincipal:
		if _, ok := s.user(p.user); !ok {
			return errNotFound("Principal with name " + p.user + " not found")
		}
		rs = append(rs, selectProps(principalHref(p.user), s.principalProps(p.user, c.user), pr))
	case resCalHome, resBookHome:
		href, kind := calHomeHref(p.user), kindCalendar
		if p.kind == resBookHome {
			href, kind = bookHomeHref(p.user), kindAddressBook
		}
		rs = append(rs, selectProps(href, homeProps(c.user), pr))
		if deep {
			for _, coll := range s.dav.list(kind, p.user) {
				rs = append(rs, selectProps(collHref(coll), collProps(coll), pr))
			}
			if kind == kindCalendar {
				for _, sp := range []struct{ name, rt string }{
					{"inbox", "<d:collection/><cal:schedule-inbox/>"},
					{"outbox", "<d:collection/><cal:schedule-outbox/>"},
					{"trashbin", `<d:collection/><x1:trash-bin xmlns:x1="http://nextcloud.com/ns"/>`},
				} {
					rs = append(rs, selectProps(href+sp.name+"/", []propValue{{pnResourceType, sp.rt}}, pr))
				}
			}
		}
	case resInbox, resOutbox, resTrash:
		rt := "<d:collection/><cal:schedule-inbox/>"
		if p.kind == resOutbox {
			rt = "<d:collection/><cal:schedule-outbox/>"
		} else if p.kind == resTrash {
			rt = `<d:collection/><x1:trash-bin xmlns:x1="http://nextcloud.com/ns"/>`
		}
		rs = append(rs, selectProps(calHomeHref(p.user)+p.kind+"/", []propValue{{pnResourceType, rt}}, pr))
	case resTrashObjects:
		if deep {
			// Nextcloud 32 answers 501 here (transcript 0075); use REPORT.
			return &davError{status: http.StatusNotImplemented, exception: `Sabre\DAV\Exception\NotImplemented`, message: "Listing trashed objects is not supported, use a REPORT"}
		}
		rs = append(rs, selectProps(calHomeHref(p.user)+"trashbin/objects/", []propValue{{pnResourceType, "<d:collection/>"}}, pr))
	case resCalendar, resAddressBook:
		coll := s.lookupColl(p)
		if coll == nil {
			return notFoundColl(p)
		}
		rs = append(rs, selectProps(collHref(coll), collProps(coll), pr))
		if deep {
			for _, o := range coll.sortedObjects() {
				rs = append(rs, selectProps(objHref(coll, o.uri), objProps(coll, o), withoutData(pr)))
			}
		}
	case resCalObject, resAddressObject:
		coll := s.lookupColl(p)
		if coll == nil {
			return notFoundColl(p)
		}
		o := coll.objects[p.name]
		if o == nil {
			return errNotFound("Calendar object not found")
		}
		rs = append(rs, selectProps(objHref(coll, o.uri), objProps(coll, o), withoutData(pr)))
	default:
		return errNotFound("Not found")
	}
	writeMultistatus(c.w, rs, "")
	return nil
}

// withoutData drops calendar-data/address-data from an allprop request, as
// sabre does not send bodies for allprop.
func withoutData(pr propRequest) propRequest {
	if !pr.all {
		return pr
	}
	return propRequest{names: []xml.Name{pnGetETag, pnContentType, pnContentLength, pnLastModified, pnResourceType}, propname: pr.propname}
}

// davProppatch sets display name, color or description of a collection.
func (s *Server) davProppatch(c *davCtx) *davError {
	body, err := parseXML(c.r.Body)
	if err != nil {
		return errBadRequest(err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	coll := s.lookupColl(c.p)
	if coll == nil || (c.p.kind != resCalendar && c.p.kind != resAddressBook) {
		return errNotFound("Collection not found")
	}
	resp := davResponse{href: collHref(coll)}
	for _, set := range body.all(nsDAV, "set") {
		for _, prop := range set.all(nsDAV, "prop") {
			for _, p := range prop.children {
				switch p.name {
				case pnDisplayName:
					coll.displayName = strings.TrimSpace(p.text)
				case pnCalColor:
					coll.color = strings.TrimSpace(p.text)
				case pnCalDesc, pnBookDesc:
					coll.description = p.text
				case pnCalOrder:
					coll.order, _ = strconv.Atoi(strings.TrimSpace(p.text))
				default:
					resp.missing = append(resp.missing, p.name)
					continue
				}
				resp.found = append(resp.found, propValue{p.name, ""})
			}
		}
	}
	coll.syncToken++ // property changes bump the token in Nextcloud
	writeMultistatus(c.w, []davResponse{resp}, "")
	return nil
}
