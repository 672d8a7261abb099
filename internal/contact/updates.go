package contact

import (
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// Updates returns the minimal UpdateItem change list that turns the mapped
// fields of old (the contact as EWS holds it) into those of new (usually
// FromVCard of the changed card): one SetItemField per changed field, one
// DeleteItemField per field new no longer has, dictionary entries addressed
// with IndexedFieldURI, and each physical address part on its own. Fields
// the mapping does not cover are never touched, so what vCard cannot
// express stays on the item; nothing is deleted and recreated. FileAs
// follows the display name when it was empty or equal to it. The UID
// extended property is set when new carries one that old lacks. The photo
// is an attachment and is not part of the list.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem
func Updates(old, new *wire.Contact) wire.Updates {
	co := canonicalEWS(old, nil, nil)
	cn := canonicalEWS(new, nil, nil)
	var us wire.Updates
	for _, f := range ewsFields {
		ov, nv := co[f.key], cn[f.key]
		if ov == nv || (nv == "" && isUnreadable(f.key, ov)) {
			continue
		}
		if nv == "" {
			us = append(us, wire.Update{Kind: wire.DeleteField, Path: f.path})
			continue
		}
		c := &wire.Contact{}
		f.set(c, nv)
		us = append(us, wire.Update{Kind: wire.SetField, Path: f.path, Item: wire.Item{Contact: c}})
	}
	if old != nil && co[keyFN] != cn[keyFN] && cn[keyFN] != "" && (old.FileAs == "" || old.FileAs == old.DisplayName) {
		us = append(us, wire.Update{Kind: wire.SetField, Path: wire.Field("contacts:FileAs"),
			Item: wire.Item{Contact: &wire.Contact{FileAs: cn[keyFN]}}})
	}
	if uid := ContactUID(new); uid != "" && uid != ContactUID(old) {
		c := &wire.Contact{}
		c.SetExtended(wire.UIDProperty, uid)
		us = append(us, wire.Update{Kind: wire.SetField, Path: wire.Extended(wire.UIDProperty), Item: wire.Item{Contact: c}})
	}
	return us
}
