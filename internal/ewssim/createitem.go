package ewssim

import (
	"fmt"
	"strconv"
	"strings"
)

// opCreateItem implements CreateItem for calendar items, contacts and messages
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createitem-operation-calendar-item).
func opCreateItem(c *opCtx) *node {
	req := c.env.Body
	m := c.box
	var dest *folder
	var derr *opError
	if sf := req.child("SavedItemFolderId"); sf != nil {
		dest, derr = firstFolder(m, sf)
	}
	var msgs []*node
	for _, in := range req.child("Items").Kids {
		f := dest
		if f == nil && derr == nil {
			switch in.Local {
			case kindCalendar:
				f = m.dist["calendar"]
			case kindContact:
				f = m.dist["contacts"]
			default:
				f = m.dist["drafts"]
			}
		}
		if derr != nil {
			msgs = append(msgs, errMsg("CreateItemResponseMessage", derr))
			continue
		}
		it, err := c.createItem(f, in)
		if err != nil {
			msgs = append(msgs, errMsg("CreateItemResponseMessage", err))
			continue
		}
		msg := respMsg("CreateItemResponseMessage", "NoError", "")
		msg.add((&node{Space: "m", Local: "Items"}).add(target{it: it}.idOnly(m)))
		msgs = append(msgs, msg)
	}
	return response("CreateItem", msgs...)
}

func (c *opCtx) createItem(f *folder, in *node) (*item, *opError) {
	req := c.env.Body
	switch in.Local {
	case kindCalendar:
		if !req.hasAttr("SendMeetingInvitations") {
			return nil, errf("ErrorSendMeetingInvitationsRequired", "SendMeetingInvitations attribute is required for calendar items.")
		}
		if !isCalendarFolder(f) {
			return nil, errf("ErrorCannotCreateCalendarItemInNonCalendarFolder", "")
		}
	case kindContact:
		if !isContactFolder(f) {
			return nil, errf("ErrorCannotCreateContactInNonContactFolder", "")
		}
	case kindMessage, "Item":
		if !req.hasAttr("MessageDisposition") {
			return nil, errf("ErrorMessageDispositionRequired", "MessageDisposition is required for message items.")
		}
	default:
		return nil, errf("ErrorInvalidItemForOperationCreateItem", "%s items are not supported by the simulator.", in.Local)
	}
	kind := in.Local
	if kind == "Item" {
		kind = kindMessage
	}
	props := &node{Space: "t", Local: in.Local}
	var atts []*node
	for _, k := range in.Kids {
		switch {
		case readOnly[k.Local]:
			return nil, readOnlyErr(kind, k.Local)
		case k.Local == "Attachments":
			atts = k.Kids
			continue
		case computed[k.Local] || k.Local == "MimeContent":
			continue
		}
		props.add(k.clone())
	}
	if err := checkExtended(props); err != nil {
		return nil, err
	}
	now := c.s.now().UTC()
	m := c.box
	if props.child("ItemClass") == nil {
		cls := map[string]string{kindCalendar: "IPM.Appointment", kindContact: "IPM.Contact", kindMessage: "IPM.Note"}[in.Local]
		if cls == "" {
			cls = "IPM.Note"
		}
		props.add(el("ItemClass", cls))
	}
	switch in.Local {
	case kindCalendar:
		if err := checkCalendar(props); err != nil {
			return nil, err
		}
		if props.child("UID") == nil {
			props.add(el("UID", fmt.Sprintf("040000008200E00074C5B7101A82E00800000000%016X%04X%08X", now.UnixNano(), m.no, m.nextNum+1)))
		}
		if props.child("Organizer") == nil {
			props.add(el("Organizer", "").add(el("Mailbox", "").add(el("Name", m.name), el("EmailAddress", m.smtp), el("RoutingType", "SMTP"), el("MailboxType", "Mailbox"))))
		}
	case kindContact:
		if props.child("DisplayName") == nil {
			dn := strings.TrimSpace(props.childText("GivenName") + " " + props.childText("Surname"))
			if dn == "" {
				dn = props.childText("CompanyName")
			}
			if dn != "" {
				props.add(el("DisplayName", dn))
			}
		}
	}
	normalizeDates(props, kind)
	sortKids(props, itemTypeName(kind))
	it := m.addItem(f, kind, props, now)
	for _, a := range atts {
		addAttachment(m, it, a, now)
	}
	c.s.emitItem(m, "CreatedEvent", it, "", nil)
	return it, nil
}

// checkCalendar validates Start/End and the recurrence of a calendar item.
func checkCalendar(props *node) *opError {
	st, ok1 := parseDateTime(props.childText("Start"))
	en, ok2 := parseDateTime(props.childText("End"))
	if ok1 && ok2 && en.Before(st) {
		return errf("ErrorCalendarEndDateIsEarlierThanStartDate", "EndDate is earlier than StartDate")
	}
	if r := props.child("Recurrence"); r != nil {
		if !ok1 || !ok2 {
			return errf("ErrorCalendarInvalidRecurrence", "A recurring item needs Start and End.")
		}
		rec, err := parseRecurrence(r)
		if err != nil {
			return errf("ErrorCalendarInvalidRecurrence", "The recurrence pattern is invalid.")
		}
		if _, ok := rec.nth(1); !ok {
			return errf("ErrorRecurrenceHasNoOccurrence", "The recurrence has no occurrence.")
		}
	}
	return nil
}

// checkExtended validates extended property values against their PropertyType.
func checkExtended(props *node) *opError {
	for _, k := range props.Kids {
		if k.Local != "ExtendedProperty" {
			continue
		}
		uri := k.child("ExtendedFieldURI")
		if _, err := extIdentity(uri); err != nil {
			return err
		}
		typ := uri.attr("PropertyType")
		array := strings.HasSuffix(typ, "Array")
		vals := []string{}
		if v := k.child("Value"); v != nil {
			if array {
				return pathErr("ErrorInvalidExtendedPropertyValue", uri, "An array property needs Values.")
			}
			vals = append(vals, v.Text)
		} else if vs := k.child("Values"); vs != nil {
			if !array {
				return pathErr("ErrorInvalidExtendedPropertyValue", uri, "A single-valued property needs Value.")
			}
			for _, v := range vs.Kids {
				vals = append(vals, v.Text)
			}
		}
		base := strings.TrimSuffix(typ, "Array")
		for _, v := range vals {
			ok := true
			switch base {
			case "Integer", "Short", "Long", "Currency":
				_, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				ok = err == nil
			case "Boolean":
				_, err := strconv.ParseBool(strings.TrimSpace(v))
				ok = err == nil
			case "Double", "Float", "ApplicationTime":
				_, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				ok = err == nil
			case "SystemTime":
				_, ok = parseDateTime(strings.TrimSpace(v))
			case "CLSID":
				ok = len(strings.Trim(v, "{} ")) == 36
			}
			if !ok {
				return pathErr("ErrorInvalidExtendedPropertyValue", uri, "The value '%s' is invalid for PropertyType %s.", v, typ)
			}
		}
	}
	return nil
}

// normalizeDates rewrites every xs:dateTime property to UTC ("...Z"), as Exchange returns them.
func normalizeDates(props *node, kind string) {
	typ := itemTypeName(kind)
	for _, k := range props.Kids {
		if elemType(typ, k.Local) != "xs:dateTime" {
			continue
		}
		if t, ok := parseDateTime(strings.TrimSpace(k.Text)); ok {
			k.Text = fmtTime(t)
		}
	}
}
