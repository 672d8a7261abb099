package wire

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// Response is the body element of every EWS response this package decodes
// (GetItemResponse, SyncFolderItemsResponse, ...): an ordered list of
// response messages, one per item or folder of the request, in request
// order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsemessages
type Response struct {
	XMLName          xml.Name
	ResponseMessages ResponseMessages `xml:"ResponseMessages"`
}

// ResponseMessages keeps every response message element in document order.
// Messages are matched by position and content, not by element name:
// grommunio names the GetEvents message "x".
type ResponseMessages struct {
	Messages []ResponseMessage `xml:",any"`
}

// ResponseMessage is any EWS response message (ResponseMessageType and its
// extensions). The common part (class, code, text, MessageXml) comes first;
// the operation-specific fields are filled by the operations that have them.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsecode
type ResponseMessage struct {
	XMLName            xml.Name
	ResponseClass      string      `xml:"ResponseClass,attr"` // Success, Warning, Error
	MessageText        string      `xml:"MessageText"`
	ResponseCode       string      `xml:"ResponseCode"`
	DescriptiveLinkKey string      `xml:"DescriptiveLinkKey"`
	MessageXml         *MessageXml `xml:"MessageXml"`

	// GetFolder, CreateFolder.
	Folders *Folders `xml:"Folders"`
	// FindFolder.
	RootFolder *FindFolderParent `xml:"RootFolder"`
	// GetItem, CreateItem, UpdateItem.
	Items Items `xml:"Items"`
	// UpdateItem.
	ConflictResults *ConflictResults `xml:"ConflictResults"`
	// CreateAttachment, GetAttachment.
	Attachments *Attachments `xml:"Attachments"`
	// DeleteAttachment.
	RootItemId *RootItemId `xml:"RootItemId"`
	// SyncFolderItems.
	SyncState               string   `xml:"SyncState"`
	IncludesLastItemInRange *bool    `xml:"IncludesLastItemInRange"`
	Changes                 *Changes `xml:"Changes"`
	// Subscribe.
	SubscriptionId string `xml:"SubscriptionId"`
	Watermark      string `xml:"Watermark"`
	// GetEvents.
	Notification *Notification `xml:"Notification"`
	// GetStreamingEvents.
	Notifications        *Notifications   `xml:"Notifications"`
	ErrorSubscriptionIds *SubscriptionIds `xml:"ErrorSubscriptionIds"`
	ConnectionStatus     string           `xml:"ConnectionStatus"`
}

// Code returns the trimmed response code; an empty code with a Success
// class counts as NoError.
func (m *ResponseMessage) Code() string {
	c := strings.TrimSpace(m.ResponseCode)
	if c == "" && (m.ResponseClass == "Success" || m.ResponseClass == "") {
		return string(ResponseCodeTypeNoError)
	}
	return c
}

// OK reports whether the message is a success (class Success or Warning
// with NoError). Warnings other than NoError count as failures.
func (m *ResponseMessage) OK() bool {
	return m.ResponseClass != "Error" && m.Code() == string(ResponseCodeTypeNoError)
}

// BackOff returns MessageXml's BackOffMilliseconds, or 0.
func (m *ResponseMessage) BackOff() int64 {
	v, ok := m.MessageXml.Value("BackOffMilliseconds")
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// ConflictResults reports how many conflicts an UpdateItem met.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/conflictresults
type ConflictResults struct {
	Count int `xml:"Count"`
}

// RootItemId is the item (and its new ChangeKey) an attachment was deleted
// from.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/rootitemid
type RootItemId struct {
	RootItemId        string `xml:"RootItemId,attr"`
	RootItemChangeKey string `xml:"RootItemChangeKey,attr"`
}
