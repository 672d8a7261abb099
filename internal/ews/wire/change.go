package wire

import (
	"encoding/xml"
	"fmt"
)

// UpdateKind tells what an item change description does.
type UpdateKind int

// The three item change descriptions.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updates-item
const (
	// SetField sets or replaces a property (SetItemField).
	SetField UpdateKind = iota
	// AppendField appends to a multi-valued property (AppendToItemField).
	AppendField
	// DeleteField removes a property (DeleteItemField).
	DeleteField
)

var updateElement = [...]string{SetField: "SetItemField", AppendField: "AppendToItemField", DeleteField: "DeleteItemField"}

// Update is one change description of an ItemChange. For SetField and
// AppendField, Item carries the new value: an item of the right kind with
// only the addressed property set.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/setitemfield
type Update struct {
	Kind UpdateKind
	Path Path
	Item Item
}

// MarshalXML writes the update as SetItemField, AppendToItemField or
// DeleteItemField: the path, then (except for a delete) the item.
func (u Update) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	if u.Kind < SetField || u.Kind > DeleteField {
		return fmt.Errorf("wire: unknown update kind %d", u.Kind)
	}
	start := typesStart(updateElement[u.Kind])
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := u.Path.MarshalXML(e, xml.StartElement{}); err != nil {
		return err
	}
	if u.Kind != DeleteField {
		if err := u.Item.MarshalXML(e, xml.StartElement{}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// Updates is the ordered list of an ItemChange's change descriptions.
type Updates []Update

// MarshalXML writes the Updates element and each change in order.
func (us Updates) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, u := range us {
		if err := u.MarshalXML(e, xml.StartElement{}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// UnmarshalXML reads the change descriptions in order.
func (us *Updates) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return eachChild(d, func(child xml.StartElement) error {
		var u Update
		switch child.Name.Local {
		case "SetItemField":
			u.Kind = SetField
		case "AppendToItemField":
			u.Kind = AppendField
		case "DeleteItemField":
			u.Kind = DeleteField
		default:
			return d.Skip()
		}
		if err := eachChild(d, func(c xml.StartElement) error {
			switch c.Name.Local {
			case "FieldURI", "IndexedFieldURI", "ExtendedFieldURI":
				p, _, err := decodePath(d, c)
				u.Path = p
				return err
			}
			it, err := decodeItem(d, c)
			u.Item = it
			return err
		}); err != nil {
			return err
		}
		*us = append(*us, u)
		return nil
	})
}

// ItemChange is one item's update in an UpdateItem request. Exactly one of
// ItemId, OccurrenceItemId and RecurringMasterItemId is set.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/itemchange
type ItemChange struct {
	ItemId                *ItemId                `xml:"ItemId,omitempty"`
	OccurrenceItemId      *OccurrenceItemId      `xml:"OccurrenceItemId,omitempty"`
	RecurringMasterItemId *RecurringMasterItemId `xml:"RecurringMasterItemId,omitempty"`
	Updates               Updates                `xml:"Updates"`
}
