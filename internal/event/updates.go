package event

import (
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// Updates returns the field changes that turn the EWS item old into new:
// one SetItemField per changed property (its Item carries only that
// property), a DeleteItemField for a property new no longer has. Equal
// content gives no updates; an item is never deleted and recreated.
// Attachments are not part of UpdateItem: see AttachmentChanges. Occurrence
// changes (EXDATE, overrides) are Series.Plan's.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation
func Updates(old, new *wire.CalendarItem) (wire.Updates, error) {
	o, _, err := readItem(old)
	if err != nil {
		return nil, err
	}
	n, _, err := readItem(new)
	if err != nil {
		return nil, err
	}
	us := diff(o, n, true)
	if uid, ok := new.Extended(wire.UIDProperty); ok {
		if cur, has := old.Extended(wire.UIDProperty); !has || cur != uid {
			it := &wire.CalendarItem{}
			it.SetExtended(wire.UIDProperty, uid)
			us = append(us, wire.Update{Kind: wire.SetField, Path: wire.Extended(wire.UIDProperty), Item: wire.Item{CalendarItem: it}})
		}
	}
	return us, nil
}

// diff compares two read items field by field through their canonical keys.
func diff(o, n *occ, master bool) wire.Updates {
	var us wire.Updates
	for _, f := range fields {
		if len(f.paths) == 0 || (f.master && !master) {
			continue
		}
		if f.key(o) == f.key(n) {
			continue
		}
		for _, pc := range f.paths {
			if pc.empty(n.item) {
				if !pc.empty(o.item) {
					us = append(us, wire.Update{Kind: wire.DeleteField, Path: pc.path})
				}
				continue
			}
			it := &wire.CalendarItem{}
			pc.copy(it, n.item)
			us = append(us, wire.Update{Kind: wire.SetField, Path: pc.path, Item: wire.Item{CalendarItem: it}})
		}
	}
	return us
}

// AttachmentChanges compares the file attachments of two items by name and
// content: add lists the attachments of new to CreateAttachment, remove the
// ids of old's attachments to DeleteAttachment. An attachment of old whose
// content was not fetched is matched by name only.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createattachment-operation
func AttachmentChanges(old, new *wire.CalendarItem) (add []wire.Attachment, remove []wire.AttachmentId) {
	key := func(a wire.Attachment, byName bool) string {
		if byName || a.Content == nil {
			return a.Name
		}
		return a.Name + "\x00" + string(a.Content)
	}
	files := func(ci *wire.CalendarItem) []wire.Attachment {
		if ci == nil || ci.Attachments == nil {
			return nil
		}
		var out []wire.Attachment
		for _, a := range ci.Attachments.Attachment {
			if a.IsFile() || a.XMLName.Local == "" {
				out = append(out, a)
			}
		}
		return out
	}
	oldFiles, newFiles := files(old), files(new)
	have := map[string]int{}
	for _, a := range oldFiles {
		have[key(a, a.Content == nil)]++
	}
	keep := map[string]int{}
	for _, a := range newFiles {
		k := key(a, false)
		kn := key(a, true)
		switch {
		case have[k] > 0:
			have[k]--
			keep[k]++
		case have[kn] > 0:
			have[kn]--
			keep[kn]++
		default:
			add = append(add, a)
		}
	}
	for _, a := range oldFiles {
		k := key(a, a.Content == nil)
		if keep[k] > 0 {
			keep[k]--
			continue
		}
		if a.AttachmentId != nil {
			remove = append(remove, *a.AttachmentId)
		}
	}
	return add, remove
}
