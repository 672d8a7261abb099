package wire

import (
	"encoding/xml"
	"errors"
)

// ItemRef is one entry of an item id array: an ItemId, an OccurrenceItemId
// or a RecurringMasterItemId (NonEmptyArrayOfBaseItemIdsType's choice).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/itemids
type ItemRef struct {
	Item            *ItemId
	Occurrence      *OccurrenceItemId
	RecurringMaster *RecurringMasterItemId
}

// ErrEmptyItemRef is returned when an ItemRef with nothing set is
// marshalled.
var ErrEmptyItemRef = errors.New("wire: item id has no kind set")

// MarshalXML writes the chosen id element (the start element is ignored).
func (r ItemRef) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	switch {
	case r.Item != nil:
		return e.EncodeElement(r.Item, xml.StartElement{Name: xml.Name{Local: "ItemId"}})
	case r.Occurrence != nil:
		return e.EncodeElement(r.Occurrence, xml.StartElement{Name: xml.Name{Local: "OccurrenceItemId"}})
	case r.RecurringMaster != nil:
		return e.EncodeElement(r.RecurringMaster, xml.StartElement{Name: xml.Name{Local: "RecurringMasterItemId"}})
	}
	return ErrEmptyItemRef
}

// ItemRefs is an ordered NonEmptyArrayOfBaseItemIdsType.
type ItemRefs []ItemRef

// MarshalXML writes the container element and each id in order.
func (rs ItemRefs) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, r := range rs {
		if err := r.MarshalXML(e, xml.StartElement{}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// ItemShape selects the item properties to return (ItemResponseShapeType).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/itemshape
type ItemShape struct {
	BaseShape            string `xml:"BaseShape"` // IdOnly, Default, AllProperties
	IncludeMimeContent   *bool  `xml:"IncludeMimeContent,omitempty"`
	BodyType             string `xml:"BodyType,omitempty"` // Best, HTML, Text
	AdditionalProperties Paths  `xml:"AdditionalProperties,omitempty"`
}

// GetItemRequest is the GetItem operation.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation
type GetItemRequest struct {
	XMLName   xml.Name  `xml:"GetItem"`
	ItemShape ItemShape `xml:"ItemShape"`
	ItemIds   ItemRefs  `xml:"ItemIds"`
}

// CreateItemRequest is the CreateItem operation. SendMeetingInvitations is
// required by Exchange for calendar items (the connector always sends
// SendToNone); MessageDisposition only for messages.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createitem-operation
type CreateItemRequest struct {
	XMLName                xml.Name      `xml:"CreateItem"`
	MessageDisposition     string        `xml:"MessageDisposition,attr,omitempty"`
	SendMeetingInvitations string        `xml:"SendMeetingInvitations,attr,omitempty"`
	SavedItemFolderId      *TargetFolder `xml:"SavedItemFolderId,omitempty"`
	Items                  Items         `xml:"Items"`
}

// UpdateItemRequest is the UpdateItem operation.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation
type UpdateItemRequest struct {
	XMLName                               xml.Name      `xml:"UpdateItem"`
	ConflictResolution                    string        `xml:"ConflictResolution,attr"` // NeverOverwrite, AutoResolve, AlwaysOverwrite
	MessageDisposition                    string        `xml:"MessageDisposition,attr,omitempty"`
	SendMeetingInvitationsOrCancellations string        `xml:"SendMeetingInvitationsOrCancellations,attr,omitempty"`
	SavedItemFolderId                     *TargetFolder `xml:"SavedItemFolderId,omitempty"`
	ItemChanges                           []ItemChange  `xml:"ItemChanges>ItemChange"`
}

// DeleteItemRequest is the DeleteItem operation.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteitem-operation
type DeleteItemRequest struct {
	XMLName                  xml.Name `xml:"DeleteItem"`
	DeleteType               string   `xml:"DeleteType,attr"` // HardDelete, SoftDelete, MoveToDeletedItems
	SendMeetingCancellations string   `xml:"SendMeetingCancellations,attr,omitempty"`
	AffectedTaskOccurrences  string   `xml:"AffectedTaskOccurrences,attr,omitempty"`
	ItemIds                  ItemRefs `xml:"ItemIds"`
}

// RequestAttachmentId names an attachment in a request (only the Id).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/attachmentid
type RequestAttachmentId struct {
	Id string `xml:"Id,attr"`
}

// CreateAttachmentRequest is the CreateAttachment operation.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createattachment-operation
type CreateAttachmentRequest struct {
	XMLName      xml.Name    `xml:"CreateAttachment"`
	ParentItemId ItemId      `xml:"ParentItemId"`
	Attachments  Attachments `xml:"Attachments"`
}

// AttachmentShape selects the attachment properties to return.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/attachmentshape
type AttachmentShape struct {
	IncludeMimeContent *bool  `xml:"IncludeMimeContent,omitempty"`
	BodyType           string `xml:"BodyType,omitempty"`
}

// GetAttachmentRequest is the GetAttachment operation.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getattachment-operation
type GetAttachmentRequest struct {
	XMLName         xml.Name              `xml:"GetAttachment"`
	AttachmentShape *AttachmentShape      `xml:"AttachmentShape,omitempty"`
	AttachmentIds   []RequestAttachmentId `xml:"AttachmentIds>AttachmentId"`
}

// DeleteAttachmentRequest is the DeleteAttachment operation.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteattachment-operation
type DeleteAttachmentRequest struct {
	XMLName       xml.Name              `xml:"DeleteAttachment"`
	AttachmentIds []RequestAttachmentId `xml:"AttachmentIds>AttachmentId"`
}
