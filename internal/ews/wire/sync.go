package wire

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// SyncFolderItemsRequest is the SyncFolderItems operation. SyncState is
// omitted for the first sync; MaxChangesReturned (1..512) is required and
// therefore never omitted.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitems-operation
type SyncFolderItemsRequest struct {
	XMLName            xml.Name     `xml:"SyncFolderItems"`
	ItemShape          ItemShape    `xml:"ItemShape"`
	SyncFolderId       TargetFolder `xml:"SyncFolderId"`
	SyncState          string       `xml:"SyncState,omitempty"`
	Ignore             []ItemId     `xml:"Ignore>ItemId,omitempty"`
	MaxChangesReturned int          `xml:"MaxChangesReturned"`
	SyncScope          string       `xml:"SyncScope,omitempty"` // NormalItems, NormalAndAssociatedItems
}

// Change kinds of a SyncFolderItems page.
const (
	ChangeCreate         = "Create"
	ChangeUpdate         = "Update"
	ChangeDelete         = "Delete"
	ChangeReadFlagChange = "ReadFlagChange"
)

// Change is one change of a SyncFolderItems page. Create and Update carry
// the item (Item); Delete and ReadFlagChange carry ItemId (and IsRead).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/changes-items
type Change struct {
	Kind   string
	Item   Item
	ItemId *ItemId
	IsRead *bool
}

// Id returns the changed item's id, whichever kind the change is.
func (c *Change) Id() *ItemId {
	if c.ItemId != nil {
		return c.ItemId
	}
	if f := c.Item.Fields(); f != nil {
		return f.ItemId
	}
	return nil
}

// Changes keeps every change of a SyncFolderItems page in document order
// (SyncFolderItemsChangesType, an unbounded choice).
type Changes struct {
	Change []Change
}

// UnmarshalXML reads the changes in order; unknown elements and stray text
// are skipped.
func (cs *Changes) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return eachChild(d, func(el xml.StartElement) error {
		switch el.Name.Local {
		case ChangeCreate, ChangeUpdate, ChangeDelete, ChangeReadFlagChange:
		default:
			return d.Skip()
		}
		c := Change{Kind: el.Name.Local}
		err := eachChild(d, func(child xml.StartElement) error {
			switch child.Name.Local {
			case "ItemId":
				c.ItemId = new(ItemId)
				return d.DecodeElement(c.ItemId, &child)
			case "IsRead":
				var s string
				if err := d.DecodeElement(&s, &child); err != nil {
					return err
				}
				b, err := strconv.ParseBool(strings.TrimSpace(s))
				if err != nil {
					return fmt.Errorf("wire: IsRead: %w", err)
				}
				c.IsRead = &b
				return nil
			}
			if c.Item.Fields() != nil {
				return d.Skip() // one item per change; keep the first
			}
			it, err := decodeItem(d, child)
			if err != nil {
				return err
			}
			c.Item = it
			return nil
		})
		if err != nil {
			return fmt.Errorf("wire: %s change: %w", c.Kind, err)
		}
		cs.Change = append(cs.Change, c)
		return nil
	})
}
