package ewssim

import (
	"encoding/base64"
	"sort"
	"strconv"
	"time"
)

// shape is a parsed ItemShape (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/itemshape).
type shape struct {
	base  string // IdOnly, Default, AllProperties
	paths []*path
}

func parseShape(n *node) (*shape, *opError) {
	sh := &shape{base: n.childText("BaseShape")}
	if ap := n.child("AdditionalProperties"); ap != nil {
		for _, k := range ap.Kids {
			p, err := parsePath(k)
			if err != nil {
				return nil, err
			}
			sh.paths = append(sh.paths, p)
		}
	}
	return sh, nil
}

var defaultProps = map[string][]string{
	kindCalendar: {"ItemId", "ParentFolderId", "Subject", "Attachments", "HasAttachments", "IsAssociated", "Start", "End",
		"LegacyFreeBusyStatus", "Location", "CalendarItemType", "Organizer", "RequiredAttendees", "OptionalAttendees", "Resources"},
	kindContact: {"ItemId", "ParentFolderId", "ItemClass", "Subject", "HasAttachments", "FileAs", "DisplayName", "GivenName",
		"Initials", "MiddleName", "Nickname", "CompleteName", "CompanyName", "EmailAddresses", "PhysicalAddresses",
		"PhoneNumbers", "AssistantName", "Birthday", "Department", "JobTitle", "Surname"},
}

// readOnly properties cannot be set by a client; Exchange answers ErrorInvalidPropertySet
// ("Set action is invalid for property") on CreateItem and SetItemField.
var readOnly = map[string]bool{"ItemId": true, "ParentFolderId": true, "DateTimeReceived": true, "Size": true,
	"DateTimeCreated": true, "ResponseObjects": true, "HasAttachments": true, "EffectiveRights": true,
	"LastModifiedName": true, "LastModifiedTime": true, "ConversationId": true, "UniqueBody": true,
	"CalendarItemType": true, "FirstOccurrence": true, "LastOccurrence": true, "ModifiedOccurrences": true,
	"DeletedOccurrences": true, "IsRecurring": true, "ConflictingMeetingCount": true, "AdjacentMeetingCount": true,
	"AppointmentState": true, "HasPicture": true, "Duration": true, "MyResponseType": true, "RecurrenceId": true,
	"OriginalStart": true}

// fieldURIFor names the FieldURI of an item property, for error details.
func fieldURIFor(kind, local string) string {
	if _, ok := schemaOrder("t:ItemType")[local]; ok {
		return "item:" + local
	}
	switch kind {
	case kindCalendar:
		return "calendar:" + local
	case kindContact:
		return "contacts:" + local
	}
	return "message:" + local
}

func readOnlyErr(kind, local string) *opError {
	e := errf("ErrorInvalidPropertySet", "Set action is invalid for property.")
	e.XML = []*node{el("FieldURI", "", "FieldURI", fieldURIFor(kind, local))}
	return e
}

// computed properties are never stored; they are rendered from the item's state.
var computed = map[string]bool{"ItemId": true, "ParentFolderId": true, "DateTimeCreated": true, "LastModifiedTime": true,
	"HasAttachments": true, "Attachments": true, "Size": true, "CalendarItemType": true, "FirstOccurrence": true,
	"LastOccurrence": true, "ModifiedOccurrences": true, "DeletedOccurrences": true, "IsRecurring": true,
	"DateTimeReceived": true, "RecurrenceId": true, "OriginalStart": true, "HasPicture": true,
	"MyResponseType": true, "AppointmentState": true, "Duration": true}

func itemIDNode(id, ck string) *node { return el("ItemId", "", "Id", id, "ChangeKey", ck) }

// fullItem renders every stored and computed property of it.
func fullItem(m *mailbox, it *item) *node {
	out := it.props.clone()
	out.Space, out.Local = "t", it.kind
	out.Attrs = nil
	out.Kids = out.Kids[:0]
	for _, k := range it.props.Kids {
		if !computed[k.Local] {
			out.add(k.clone())
		}
	}
	out.add(itemIDNode(it.id, it.changeKey),
		el("ParentFolderId", "", "Id", it.folder.id, "ChangeKey", it.folder.changeKey),
		el("DateTimeCreated", fmtTime(it.created)),
		el("DateTimeReceived", fmtTime(it.created)),
		el("LastModifiedTime", fmtTime(it.modified)),
		el("HasAttachments", strconv.FormatBool(len(it.attachments) > 0)))
	size := len(it.props.Kids) * 64
	for _, a := range it.attachments {
		size += len(a.props.childText("Content"))
	}
	out.add(el("Size", strconv.Itoa(size)))
	if len(it.attachments) > 0 {
		atts := el("Attachments", "")
		for _, a := range it.attachments {
			atts.add(attachmentSummary(a))
		}
		out.add(atts)
	}
	if it.kind == kindContact {
		photo := false
		for _, a := range it.attachments {
			if a.props.childText("IsContactPhoto") == "true" {
				photo = true
			}
		}
		out.add(el("HasPicture", strconv.FormatBool(photo)))
	}
	if it.kind == kindCalendar {
		if ser, ok := seriesOf(it); ok {
			out.add(el("CalendarItemType", "RecurringMaster"))
			addOccurrenceInfo(m, it, ser, out)
		} else {
			out.add(el("CalendarItemType", "Single"))
		}
		addMeetingInfo(out)
	}
	sortKids(out, itemTypeName(it.kind))
	return out
}

func attachmentSummary(a *attachment) *node {
	n := &node{Space: "t", Local: a.props.Local}
	n.add(el("AttachmentId", "", "Id", a.id))
	for _, k := range a.props.Kids {
		if k.Local != "Content" && k.Local != "Item" && k.Local != "Message" && k.Local != "Contact" && k.Local != "CalendarItem" {
			n.add(k.clone())
		}
	}
	if n.child("Size") == nil {
		raw, _ := base64.StdEncoding.DecodeString(a.props.childText("Content"))
		n.add(el("Size", strconv.Itoa(len(raw))))
	}
	sortKids(n, "t:"+a.props.Local+"Type")
	return n
}

func occurrenceNode(local, id, ck string, start, end, orig time.Time) *node {
	return el(local, "").add(itemIDNode(id, ck), el("Start", fmtTime(start)), el("End", fmtTime(end)), el("OriginalStart", fmtTime(orig)))
}

// addOccurrenceInfo adds FirstOccurrence, LastOccurrence, ModifiedOccurrences and DeletedOccurrences.
func addOccurrenceInfo(m *mailbox, it *item, ser *series, out *node) {
	span := func(idx int) (time.Time, time.Time, time.Time) {
		orig, _ := ser.occurrence(idx)
		st, en := orig, orig.Add(ser.duration)
		if ex := it.exceptions[idx]; ex != nil {
			if t, ok := parseDateTime(ex.childText("Start")); ok {
				st = t
			}
			if t, ok := parseDateTime(ex.childText("End")); ok {
				en = t
			}
		}
		return st, en, orig
	}
	first := 0
	ser.rec.each(func(i int, _ time.Time) bool {
		if !it.deletedOcc[i] {
			first = i
			return false
		}
		return true
	})
	if first > 0 {
		st, en, orig := span(first)
		out.add(occurrenceNode("FirstOccurrence", occurrenceID(m, it, first), it.changeKey, st, en, orig))
	}
	if li, _, ok := ser.rec.last(); ok {
		for li > 0 && it.deletedOcc[li] {
			li--
		}
		if li > 0 {
			st, en, orig := span(li)
			out.add(occurrenceNode("LastOccurrence", occurrenceID(m, it, li), it.changeKey, st, en, orig))
		}
	}
	if len(it.exceptions) > 0 {
		mo := el("ModifiedOccurrences", "")
		for _, idx := range sortedIdx(it.exceptions) {
			st, en, orig := span(idx)
			mo.add(occurrenceNode("Occurrence", occurrenceID(m, it, idx), it.changeKey, st, en, orig))
		}
		out.add(mo)
	}
	if len(it.deletedOcc) > 0 {
		do := el("DeletedOccurrences", "")
		var idxs []int
		for i := range it.deletedOcc {
			idxs = append(idxs, i)
		}
		sort.Ints(idxs)
		for _, idx := range idxs {
			orig, _ := ser.occurrence(idx)
			do.add(el("DeletedOccurrence", "").add(el("Start", fmtTime(orig))))
		}
		out.add(do)
	}
}

func sortedIdx(m map[int]*node) []int {
	var out []int
	for i := range m {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// occurrenceItem renders occurrence index of master it as a CalendarItem.
func occurrenceItem(m *mailbox, it *item, index int) (*node, *opError) {
	ser, ok := seriesOf(it)
	if !ok {
		return nil, errf("ErrorItemNotFound", "The item is not a recurring master.")
	}
	orig, ok := ser.occurrence(index)
	if !ok {
		return nil, errf("ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange", "The occurrence index is out of the recurrence range.")
	}
	if it.deletedOcc[index] {
		return nil, errf("ErrorCalendarOccurrenceIsDeletedFromRecurrence", "The occurrence was deleted from the recurrence.")
	}
	full := fullItem(m, it)
	out := &node{Space: "t", Local: kindCalendar}
	ex := it.exceptions[index]
	for _, k := range full.Kids {
		switch k.Local {
		case "Recurrence", "FirstOccurrence", "LastOccurrence", "ModifiedOccurrences", "DeletedOccurrences", "CalendarItemType", "ItemId", "Start", "End",
			"IsRecurring", "IsMeeting", "MyResponseType", "AppointmentState", "Duration":
			continue
		}
		if ex != nil && ex.child(k.Local) != nil {
			continue
		}
		out.add(k)
	}
	if ex != nil {
		for _, k := range ex.Kids {
			if k.Local != "Start" && k.Local != "End" {
				out.add(k.clone())
			}
		}
	}
	st, en := orig, orig.Add(ser.duration)
	typ := "Occurrence"
	if ex != nil {
		typ = "Exception"
		if t, ok := parseDateTime(ex.childText("Start")); ok {
			st = t
		}
		if t, ok := parseDateTime(ex.childText("End")); ok {
			en = t
		}
	}
	out.add(itemIDNode(occurrenceID(m, it, index), it.changeKey), el("Start", fmtTime(st)), el("End", fmtTime(en)),
		el("CalendarItemType", typ), el("RecurrenceId", fmtTime(orig)), el("OriginalStart", fmtTime(orig)))
	addMeetingInfo(out)
	sortKids(out, "t:CalendarItemType")
	return out, nil
}

// project applies a shape to a fully rendered item.
func project(full *node, kind string, sh *shape) *node {
	out := &node{Space: "t", Local: full.Local}
	switch sh.base {
	case "IdOnly":
		out.add(full.child("ItemId"))
	case "AllProperties":
		for _, k := range full.Kids {
			if k.Local != "ExtendedProperty" {
				out.add(k)
			}
		}
	default:
		want := map[string]bool{}
		for _, p := range defaultProps[kind] {
			want[p] = true
		}
		if len(want) == 0 {
			want = map[string]bool{"ItemId": true, "ParentFolderId": true, "Subject": true, "HasAttachments": true}
		}
		for _, k := range full.Kids {
			if want[k.Local] {
				out.add(k)
			}
		}
	}
	out = out.clone()
	for _, p := range sh.paths {
		if p.kind == "FieldURI" && out.child(p.elem) != nil {
			continue
		}
		mergeInto(out, p.extract(full))
	}
	sortKids(out, itemTypeName(kind))
	return out
}

// addMeetingInfo adds the read-only meeting properties Exchange computes for an item in
// the organizer's own calendar: IsRecurring (false on masters, as Exchange reports it),
// IsMeeting, MyResponseType, AppointmentState and Duration.
func addMeetingInfo(out *node) {
	meeting := out.child("RequiredAttendees") != nil || out.child("OptionalAttendees") != nil || out.child("Resources") != nil
	state := "0"
	if meeting {
		state = "1"
	}
	if out.child("IsRecurring") == nil {
		typ := out.childText("CalendarItemType")
		out.add(el("IsRecurring", strconv.FormatBool(typ == "Occurrence" || typ == "Exception")))
	}
	if out.child("IsMeeting") == nil {
		out.add(el("IsMeeting", strconv.FormatBool(meeting)))
	}
	out.add(el("MyResponseType", "Organizer"), el("AppointmentState", state))
	st, ok1 := parseDateTime(out.childText("Start"))
	en, ok2 := parseDateTime(out.childText("End"))
	if ok1 && ok2 && !en.Before(st) {
		out.add(el("Duration", isoDuration(en.Sub(st))))
	}
}

// isoDuration renders d as an xs:duration (PT1H30M, P1DT2H, PT0S).
func isoDuration(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	h, mi, sec := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	out := "P"
	if days > 0 {
		out += strconv.Itoa(days) + "D"
	}
	if h > 0 || mi > 0 || sec > 0 || days == 0 {
		out += "T"
		if h > 0 {
			out += strconv.Itoa(h) + "H"
		}
		if mi > 0 {
			out += strconv.Itoa(mi) + "M"
		}
		if sec > 0 || (h == 0 && mi == 0) {
			out += strconv.Itoa(sec) + "S"
		}
	}
	return out
}
