package wire

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Namespaces of the EWS schema.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ews-xml-elements-in-exchange
const (
	// NSTypes is the namespace of types.xsd (the "t:" prefix).
	NSTypes = "http://schemas.microsoft.com/exchange/services/2006/types"
	// NSMessages is the namespace of messages.xsd (the "m:" prefix).
	NSMessages = "http://schemas.microsoft.com/exchange/services/2006/messages"
)

// Wire convention for the item types in this package: struct tags carry no
// namespace, so that decoding matches elements by local name whatever prefix
// or namespace a server uses (grommunio mixes them, see ews-server-quirks.md).
// On the request side an element that switches from the messages namespace
// into the types namespace is given NSTypes when it is marshalled (Items,
// Attachments and Paths do this themselves); its children inherit it as the
// default namespace.

// ItemId identifies an item and one version of it (its ChangeKey).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/itemid
type ItemId struct {
	Id        string `xml:"Id,attr"`
	ChangeKey string `xml:"ChangeKey,attr,omitempty"`
}

// FolderId identifies a folder.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/folderid
type FolderId struct {
	Id        string `xml:"Id,attr"`
	ChangeKey string `xml:"ChangeKey,attr,omitempty"`
}

// OccurrenceItemId addresses one occurrence of a recurring series by the
// master's id and the 1-based instance index.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/occurrenceitemid
type OccurrenceItemId struct {
	RecurringMasterId string `xml:"RecurringMasterId,attr"`
	ChangeKey         string `xml:"ChangeKey,attr,omitempty"`
	InstanceIndex     int    `xml:"InstanceIndex,attr"`
}

// RecurringMasterItemId addresses the master of the series an occurrence or
// exception belongs to.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/recurringmasteritemid
type RecurringMasterItemId struct {
	OccurrenceId string `xml:"OccurrenceId,attr"`
	ChangeKey    string `xml:"ChangeKey,attr,omitempty"`
}

// Body is an item's body, plain text or HTML.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/body
type Body struct {
	BodyType    string `xml:"BodyType,attr"` // "HTML" or "Text"
	IsTruncated *bool  `xml:"IsTruncated,attr,omitempty"`
	Value       string `xml:",chardata"`
}

// Body types.
const (
	BodyTypeText = "Text"
	BodyTypeHTML = "HTML"
)

// Strings is an ArrayOfStringsType (Categories, Children, Companies).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/categories-ex15websvcsotherref
type Strings struct {
	String []string `xml:"String"`
}

// ItemFields holds the properties of ItemType that the connector reads or
// writes, in the schema's sequence order (types.xsd, ItemType). Times are kept
// as the server's text: use ParseDateTime to read them leniently.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/item
type ItemFields struct {
	ItemId                     *ItemId            `xml:"ItemId,omitempty"`
	ParentFolderId             *FolderId          `xml:"ParentFolderId,omitempty"`
	ItemClass                  string             `xml:"ItemClass,omitempty"`
	Subject                    string             `xml:"Subject,omitempty"`
	Sensitivity                string             `xml:"Sensitivity,omitempty"` // Normal, Personal, Private, Confidential
	Body                       *Body              `xml:"Body,omitempty"`
	Attachments                *Attachments       `xml:"Attachments,omitempty"`
	DateTimeReceived           string             `xml:"DateTimeReceived,omitempty"`
	Size                       *int64             `xml:"Size,omitempty"`
	Categories                 *Strings           `xml:"Categories,omitempty"`
	Importance                 string             `xml:"Importance,omitempty"` // Low, Normal, High
	InReplyTo                  string             `xml:"InReplyTo,omitempty"`
	IsSubmitted                *bool              `xml:"IsSubmitted,omitempty"`
	IsDraft                    *bool              `xml:"IsDraft,omitempty"`
	IsFromMe                   *bool              `xml:"IsFromMe,omitempty"`
	IsResend                   *bool              `xml:"IsResend,omitempty"`
	IsUnmodified               *bool              `xml:"IsUnmodified,omitempty"`
	DateTimeSent               string             `xml:"DateTimeSent,omitempty"`
	DateTimeCreated            string             `xml:"DateTimeCreated,omitempty"`
	ReminderDueBy              string             `xml:"ReminderDueBy,omitempty"`
	ReminderIsSet              *bool              `xml:"ReminderIsSet,omitempty"`
	ReminderNextTime           string             `xml:"ReminderNextTime,omitempty"`
	ReminderMinutesBeforeStart string             `xml:"ReminderMinutesBeforeStart,omitempty"`
	DisplayCc                  string             `xml:"DisplayCc,omitempty"`
	DisplayTo                  string             `xml:"DisplayTo,omitempty"`
	DisplayBcc                 string             `xml:"DisplayBcc,omitempty"`
	HasAttachments             *bool              `xml:"HasAttachments,omitempty"`
	ExtendedProperty           []ExtendedProperty `xml:"ExtendedProperty,omitempty"`
	Culture                    string             `xml:"Culture,omitempty"`
	LastModifiedName           string             `xml:"LastModifiedName,omitempty"`
	LastModifiedTime           string             `xml:"LastModifiedTime,omitempty"`
	IsAssociated               *bool              `xml:"IsAssociated,omitempty"`
	ConversationId             *ItemId            `xml:"ConversationId,omitempty"`
}

// Extended returns the value of the first extended property matching uri (a
// server may repeat one, grommunio does), and whether it was present.
func (f *ItemFields) Extended(uri ExtendedFieldURI) (string, bool) {
	for _, p := range f.ExtendedProperty {
		if p.ExtendedFieldURI.Same(uri) {
			if p.Value != nil {
				return *p.Value, true
			}
			if p.Values != nil && len(p.Values.Value) > 0 {
				return p.Values.Value[0], true
			}
			return "", true
		}
	}
	return "", false
}

// SetExtended sets (or replaces) the single-valued extended property uri.
func (f *ItemFields) SetExtended(uri ExtendedFieldURI, value string) {
	v := value
	for i, p := range f.ExtendedProperty {
		if p.ExtendedFieldURI.Same(uri) {
			f.ExtendedProperty[i] = ExtendedProperty{ExtendedFieldURI: uri, Value: &v}
			return
		}
	}
	f.ExtendedProperty = append(f.ExtendedProperty, ExtendedProperty{ExtendedFieldURI: uri, Value: &v})
}

// GenericItem is an item of a kind the connector does not map (Message, Task,
// PostItem, DistributionList, ...). Only the base ItemType fields are decoded;
// XMLName keeps the element's name.
type GenericItem struct {
	XMLName xml.Name
	ItemFields
}

// Item is one element of an EWS item array, a choice of ItemType's
// substitutes. Exactly one field is set.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/items
type Item struct {
	CalendarItem *CalendarItem
	Contact      *Contact
	Other        *GenericItem
}

// Fields returns the base ItemType fields of whichever kind is set, or nil.
func (it *Item) Fields() *ItemFields {
	switch {
	case it.CalendarItem != nil:
		return &it.CalendarItem.ItemFields
	case it.Contact != nil:
		return &it.Contact.ItemFields
	case it.Other != nil:
		return &it.Other.ItemFields
	}
	return nil
}

// ErrEmptyItem is returned when an Item with no kind set is marshalled.
var ErrEmptyItem = errors.New("wire: item has no kind set")

// MarshalXML writes the item as its own element in the types namespace.
func (it Item) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	switch {
	case it.CalendarItem != nil:
		return e.EncodeElement(it.CalendarItem, typesStart("CalendarItem"))
	case it.Contact != nil:
		return e.EncodeElement(it.Contact, typesStart("Contact"))
	case it.Other != nil:
		name := it.Other.XMLName.Local
		if name == "" {
			name = "Item"
		}
		return e.EncodeElement(&it.Other.ItemFields, typesStart(name))
	}
	return ErrEmptyItem
}

// decodeItem decodes the item element start into an Item by its local name.
func decodeItem(d *xml.Decoder, start xml.StartElement) (Item, error) {
	switch start.Name.Local {
	case "CalendarItem":
		ci := new(CalendarItem)
		if err := d.DecodeElement(ci, &start); err != nil {
			return Item{}, fmt.Errorf("wire: CalendarItem: %w", err)
		}
		return Item{CalendarItem: ci}, nil
	case "Contact":
		c := new(Contact)
		if err := d.DecodeElement(c, &start); err != nil {
			return Item{}, fmt.Errorf("wire: Contact: %w", err)
		}
		return Item{Contact: c}, nil
	default:
		g := new(GenericItem)
		if err := d.DecodeElement(&g.ItemFields, &start); err != nil {
			return Item{}, fmt.Errorf("wire: %s: %w", start.Name.Local, err)
		}
		g.XMLName = xml.Name{Local: start.Name.Local}
		return Item{Other: g}, nil
	}
}

// Items is an ordered array of items (NonEmptyArrayOfAllItemsType and
// ArrayOfRealItemsType). Unlike a struct with one field per kind, it keeps
// every element in document order.
type Items []Item

// MarshalXML writes the container element given by start, then each item.
func (items Items) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, it := range items {
		if err := it.MarshalXML(e, xml.StartElement{}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// UnmarshalXML reads every child element as an item, in order.
func (items *Items) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return eachChild(d, func(child xml.StartElement) error {
		it, err := decodeItem(d, child)
		if err != nil {
			return err
		}
		*items = append(*items, it)
		return nil
	})
}

// eachChild calls fn for every child start element of the element being
// decoded, until its end; fn must consume the child (DecodeElement or Skip).
func eachChild(d *xml.Decoder, fn func(xml.StartElement) error) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("wire: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

func typesStart(local string) xml.StartElement {
	return xml.StartElement{Name: xml.Name{Space: NSTypes, Local: local}}
}

// ErrBadDateTime is returned by ParseDateTime for text that is no date.
var ErrBadDateTime = errors.New("wire: unparseable date/time")

// ParseDateTime reads an xs:dateTime or xs:date leniently, as servers send
// them: with or without a zone, with any number of fractional digits
// (grommunio sends "1955-06-06T00:00:00.18446744073709551600Z"), or a bare
// date. A value without a zone is returned in UTC with floating=true.
func ParseDateTime(s string) (t time.Time, floating bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, ErrBadDateTime
	}
	// Drop the fractional seconds: they never matter here, and some servers
	// send more digits than time.Parse accepts.
	if i := strings.IndexByte(s, '.'); i > 0 && strings.Contains(s[:i], "T") {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		s = s[:i] + s[j:]
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			float := layout == "2006-01-02T15:04:05" || layout == "2006-01-02"
			return t, float, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("%w: %q", ErrBadDateTime, s)
}

// FormatDateTime writes t as an xs:dateTime in UTC ("2006-01-02T15:04:05Z").
func FormatDateTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// FormatDate writes t's calendar date as an xs:date ("2006-01-02").
func FormatDate(t time.Time) string {
	return t.Format("2006-01-02")
}
