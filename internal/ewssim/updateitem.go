package ewssim

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"
)

// listProps can be appended to with AppendToItemField
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/appendtoitemfield).
var listProps = map[string]bool{"RequiredAttendees": true, "OptionalAttendees": true, "Resources": true,
	"ToRecipients": true, "CcRecipients": true, "BccRecipients": true, "Categories": true, "Children": true, "Companies": true}

// opUpdateItem implements UpdateItem
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation).
func opUpdateItem(c *opCtx) *node {
	req := c.env.Body
	var msgs []*node
	for _, ch := range req.child("ItemChanges").Kids {
		msg, err := c.updateOne(ch)
		if err != nil {
			msgs = append(msgs, errMsg("UpdateItemResponseMessage", err))
			continue
		}
		msgs = append(msgs, msg)
	}
	return response("UpdateItem", msgs...)
}

// changeKeyVersion decodes the item number and version from a ChangeKey.
func changeKeyVersion(ck string) (uint64, uint64, bool) {
	b, err := base64.StdEncoding.DecodeString(ck)
	if err != nil || len(b) != 24 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint64(b[8:16]), binary.BigEndian.Uint64(b[16:24]), true
}

func (p *path) key() string {
	switch p.kind {
	case "IndexedFieldURI":
		return p.elem + "#" + p.index + "#" + p.sub
	case "ExtendedFieldURI":
		return p.extKey
	}
	return p.elem
}

func (c *opCtx) updateOne(ch *node) (*node, *opError) {
	req := c.env.Body
	m := c.box
	idn := ch.Kids[0]
	t, err := resolveItem(m, idn)
	if err != nil {
		return nil, err
	}
	it := t.it
	if it.kind == kindCalendar && !req.hasAttr("SendMeetingInvitationsOrCancellations") {
		return nil, errf("ErrorSendMeetingInvitationsOrCancellationsRequired", "SendMeetingInvitationsOrCancellations attribute is required for calendar items.")
	}
	if it.kind == kindMessage && !req.hasAttr("MessageDisposition") {
		return nil, errf("ErrorMessageDispositionRequired", "MessageDisposition is required for message items.")
	}
	var updates []*node
	if u := ch.child("Updates"); u != nil {
		updates = u.Kids
	}
	paths := make([]*path, len(updates))
	for i, u := range updates {
		p, err := parsePath(u.Kids[0])
		if err != nil {
			return nil, err
		}
		paths[i] = p
	}
	// ChangeKey check (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation#remarks).
	if ck := idn.attr("ChangeKey"); ck != "" && ck != it.changeKey {
		num, ver, ok := changeKeyVersion(ck)
		if !ok || num != it.num {
			return nil, errf("ErrorInvalidChangeKey", "The change key is invalid.")
		}
		mode := req.attr("ConflictResolution")
		if mode == "" {
			mode = "AutoResolve"
		}
		switch mode {
		case "NeverOverwrite":
			return nil, errf("ErrorIrresolvableConflict", "")
		case "AutoResolve":
			for _, p := range paths {
				if it.propVer[p.key()] > ver || (t.index > 0 && it.propVer["occ#"+itoa(t.index)] > ver) {
					return nil, errf("ErrorIrresolvableConflict", "")
				}
			}
		}
	}
	var work *node
	if t.index > 0 {
		work = it.exceptions[t.index].clone()
		if work == nil {
			work = &node{Space: "t", Local: kindCalendar}
		}
	} else {
		work = it.props.clone()
	}
	readOnly := len(updates) > 0
	for i, u := range updates {
		p := paths[i]
		if p.elem != "IsRead" {
			readOnly = false
		}
		var err *opError
		switch u.Local {
		case "SetItemField":
			err = applySet(work, it.kind, p, u.Kids[1])
		case "DeleteItemField":
			err = applyDelete(work, it.kind, p)
		case "AppendToItemField":
			err = applyAppend(work, it.kind, p, u.Kids[1])
		}
		if err != nil {
			return nil, err
		}
	}
	normalizeDates(work, it.kind)
	sortKids(work, itemTypeName(it.kind))
	if it.kind == kindCalendar {
		if t.index > 0 {
			if err := checkOccurrence(it, t.index, work); err != nil {
				return nil, err
			}
		} else if err := checkCalendar(work); err != nil {
			return nil, err
		}
	}
	if err := checkExtended(work); err != nil {
		return nil, err
	}
	now := c.s.now().UTC()
	if t.index > 0 {
		it.exceptions[t.index] = work
	} else {
		if it.kind == kindCalendar && !sameNode(it.props.child("Recurrence"), work.child("Recurrence")) {
			it.exceptions = map[int]*node{}
			it.deletedOcc = map[int]bool{}
		}
		it.props = work
	}
	if readOnly {
		ver := it.lastChange
		m.touch(it, now)
		it.readChange, it.lastChange = it.lastChange, ver
	} else {
		m.touch(it, now)
	}
	for _, p := range paths {
		it.propVer[p.key()] = it.ver
	}
	if t.index > 0 {
		it.propVer["occ#"+itoa(t.index)] = it.ver
	}
	c.s.emitItem(m, "ModifiedEvent", it, "", nil)
	msg := respMsg("UpdateItemResponseMessage", "NoError", "")
	msg.add((&node{Space: "m", Local: "Items"}).add(t.idOnly(m)))
	msg.add((&node{Space: "m", Local: "ConflictResults"}).add(el("Count", "0")))
	return msg, nil
}

func sameNode(a, b *node) bool {
	if a == nil || b == nil {
		return a == b
	}
	var x, y bytes.Buffer
	a.write(&x)
	b.write(&y)
	return bytes.Equal(x.Bytes(), y.Bytes())
}

// propertyOf checks the SetItemField/AppendToItemField item element and returns its single property.
func propertyOf(kind string, p *path, in *node) (*node, *opError) {
	if in.Local != kind && !(in.Local == "Item" && strings.HasPrefix(p.node.attr("FieldURI"), "item:")) && p.kind != "ExtendedFieldURI" {
		return nil, errf("ErrorObjectTypeChanged", "The item element %s does not match the item type %s.", in.Local, kind)
	}
	if len(in.Kids) != 1 {
		e := errf("ErrorIncorrectUpdatePropertyCount", "An object within a change description must contain one and only one property to modify.")
		e.XML = []*node{p.node.clone()}
		return nil, e
	}
	prop := in.Kids[0]
	if prop.Local != p.elem {
		return nil, pathErr("ErrorUpdatePropertyMismatch", p.node, "The property in the update doesn't match the property path.")
	}
	return prop, nil
}

func applySet(work *node, kind string, p *path, in *node) *opError {
	prop, err := propertyOf(kind, p, in)
	if err != nil {
		return err
	}
	switch p.kind {
	case "FieldURI":
		if readOnly[p.elem] || computed[p.elem] {
			return readOnlyErr(kind, p.elem)
		}
		work.removeChild(p.elem)
		work.add(prop.clone())
	case "IndexedFieldURI":
		if len(prop.Kids) != 1 {
			return pathErr("ErrorIncorrectUpdatePropertyCount", p.node, "One dictionary entry expected.")
		}
		e := prop.Kids[0]
		if e.attr("Key") != p.index {
			return pathErr("ErrorUpdatePropertyMismatch", p.node, "The entry key doesn't match the FieldIndex.")
		}
		dict := work.child(p.elem)
		if dict == nil {
			dict = el(p.elem, "")
			work.add(dict)
		}
		have := entry(dict, p.index)
		if p.sub == "" {
			if have != nil {
				*have = *e.clone()
			} else {
				dict.add(e.clone())
			}
			return nil
		}
		if len(e.Kids) != 1 || e.Kids[0].Local != p.sub {
			return pathErr("ErrorUpdatePropertyMismatch", p.node, "The address entry must contain exactly %s.", p.sub)
		}
		if have == nil {
			have = el("Entry", "", "Key", p.index)
			dict.add(have)
		}
		have.removeChild(p.sub)
		have.add(e.Kids[0].clone())
		sortKids(have, "t:PhysicalAddressDictionaryEntryType")
	case "ExtendedFieldURI":
		id, err := extIdentity(prop.child("ExtendedFieldURI"))
		if err != nil {
			return err
		}
		if id != p.extKey {
			return pathErr("ErrorUpdatePropertyMismatch", p.node, "The extended property doesn't match the path.")
		}
		removeExt(work, p.extKey)
		work.add(prop.clone())
	}
	return nil
}

func removeExt(work *node, key string) {
	out := work.Kids[:0]
	for _, k := range work.Kids {
		if k.Local == "ExtendedProperty" {
			if id, err := extIdentity(k.child("ExtendedFieldURI")); err == nil && id == key {
				continue
			}
		}
		out = append(out, k)
	}
	work.Kids = out
}

func applyDelete(work *node, kind string, p *path) *opError {
	switch p.kind {
	case "FieldURI":
		if computed[p.elem] || p.elem == "ItemClass" || (kind == kindCalendar && (p.elem == "Start" || p.elem == "End")) {
			return pathErr("ErrorInvalidPropertyDelete", p.node, "The property %s cannot be deleted.", p.elem)
		}
		work.removeChild(p.elem)
	case "IndexedFieldURI":
		dict := work.child(p.elem)
		e := entry(dict, p.index)
		if e == nil {
			return nil
		}
		if p.sub != "" {
			e.removeChild(p.sub)
			if len(e.Kids) > 0 {
				return nil
			}
		}
		out := dict.Kids[:0]
		for _, k := range dict.Kids {
			if k != e {
				out = append(out, k)
			}
		}
		dict.Kids = out
		if len(dict.Kids) == 0 {
			work.removeChild(p.elem)
		}
	case "ExtendedFieldURI":
		removeExt(work, p.extKey)
	}
	return nil
}

func applyAppend(work *node, kind string, p *path, in *node) *opError {
	if p.kind != "FieldURI" {
		return pathErr("ErrorInvalidPropertyAppend", p.node, "Only FieldURI properties can be appended to.")
	}
	prop, err := propertyOf(kind, p, in)
	if err != nil {
		return err
	}
	have := work.child(p.elem)
	switch {
	case p.elem == "Body":
		if have == nil {
			work.add(prop.clone())
		} else {
			have.Text += prop.Text
		}
	case listProps[p.elem]:
		if have == nil {
			work.add(prop.clone())
		} else {
			for _, k := range prop.Kids {
				have.add(k.clone())
			}
		}
	default:
		return pathErr("ErrorInvalidPropertyAppend", p.node, "The property %s does not support append.", p.elem)
	}
	return nil
}

// checkOccurrence validates an occurrence's new Start/End: End not before Start, and the
// occurrence may not move onto or past the day of an adjacent occurrence
// (ErrorOccurrenceCrossingBoundary, https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/how-to-update-a-recurring-series-by-using-ews).
func checkOccurrence(it *item, index int, ex *node) *opError {
	ser, ok := seriesOf(it)
	if !ok {
		return errf("ErrorItemNotFound", "The item is not a recurring master.")
	}
	orig, _ := ser.occurrence(index)
	st, en := orig, orig.Add(ser.duration)
	if v, ok := parseDateTime(ex.childText("Start")); ok {
		st = v
	}
	if v, ok := parseDateTime(ex.childText("End")); ok {
		en = v
	}
	if en.Before(st) {
		return errf("ErrorCalendarEndDateIsEarlierThanStartDate", "EndDate is earlier than StartDate")
	}
	actual := func(i int) (time.Time, bool) {
		o, ok := ser.occurrence(i)
		if !ok {
			return time.Time{}, false
		}
		if e := it.exceptions[i]; e != nil {
			if v, ok := parseDateTime(e.childText("Start")); ok {
				return v, true
			}
		}
		return o, true
	}
	day := func(t time.Time) string { return t.In(ser.loc).Format("2006-01-02") }
	for i := index - 1; i >= 1; i-- {
		if it.deletedOcc[i] {
			continue
		}
		if p, ok := actual(i); ok && day(st) <= day(p) {
			return errf("ErrorOccurrenceCrossingBoundary", "An occurrence cannot be moved onto or before the previous occurrence.")
		}
		break
	}
	for i := index + 1; ; i++ {
		if it.deletedOcc[i] {
			continue
		}
		if n, ok := actual(i); ok && day(st) >= day(n) {
			return errf("ErrorOccurrenceCrossingBoundary", "An occurrence cannot be moved onto or past the next occurrence.")
		}
		break
	}
	return nil
}
