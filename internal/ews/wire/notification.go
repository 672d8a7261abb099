package wire

import "encoding/xml"

// Event types a subscription can ask for (NotificationEventTypeType).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/eventtypes
var AllItemEventTypes = []string{"CopiedEvent", "CreatedEvent", "DeletedEvent", "ModifiedEvent", "MovedEvent"}

// PullSubscriptionRequest asks for a pull subscription; Timeout is in
// minutes (1..1440).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/pullsubscriptionrequest
type PullSubscriptionRequest struct {
	FolderIds  FolderIds `xml:"FolderIds"`
	EventTypes []string  `xml:"EventTypes>EventType"`
	Watermark  string    `xml:"Watermark,omitempty"`
	Timeout    int       `xml:"Timeout"`
}

// StreamingSubscriptionRequest asks for a streaming subscription
// (Exchange 2010 SP1 and later).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/streamingsubscriptionrequest
type StreamingSubscriptionRequest struct {
	FolderIds  FolderIds `xml:"FolderIds"`
	EventTypes []string  `xml:"EventTypes>EventType"`
}

// SubscribeRequest is the Subscribe operation; exactly one of Pull and
// Streaming is set.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/subscribe-operation
type SubscribeRequest struct {
	XMLName   xml.Name                      `xml:"Subscribe"`
	Pull      *PullSubscriptionRequest      `xml:"PullSubscriptionRequest,omitempty"`
	Streaming *StreamingSubscriptionRequest `xml:"StreamingSubscriptionRequest,omitempty"`
}

// GetEventsRequest is the GetEvents operation (pull notifications).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getevents-operation
type GetEventsRequest struct {
	XMLName        xml.Name `xml:"GetEvents"`
	SubscriptionId string   `xml:"SubscriptionId"`
	Watermark      string   `xml:"Watermark"`
}

// GetStreamingEventsRequest is the GetStreamingEvents operation;
// ConnectionTimeout is in minutes (1..30).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getstreamingevents-operation
type GetStreamingEventsRequest struct {
	XMLName           xml.Name `xml:"GetStreamingEvents"`
	SubscriptionIds   []string `xml:"SubscriptionIds>SubscriptionId"`
	ConnectionTimeout int      `xml:"ConnectionTimeout"`
}

// UnsubscribeRequest is the Unsubscribe operation.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/unsubscribe-operation
type UnsubscribeRequest struct {
	XMLName        xml.Name `xml:"Unsubscribe"`
	SubscriptionId string   `xml:"SubscriptionId"`
}

// Notification is one batch of events of a subscription, in order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/notification-ex15websvcsotherref
type Notification struct {
	SubscriptionId    string  `xml:"SubscriptionId"`
	PreviousWatermark string  `xml:"PreviousWatermark"`
	MoreEvents        bool    `xml:"MoreEvents"`
	Events            []Event `xml:",any"`
}

// Notifications holds the notifications of one GetStreamingEvents envelope.
type Notifications struct {
	Notification []Notification `xml:"Notification"`
}

// SubscriptionIds lists subscriptions (GetStreamingEvents'
// ErrorSubscriptionIds).
type SubscriptionIds struct {
	SubscriptionId []string `xml:"SubscriptionId"`
}

// Event is one notification event; XMLName tells its kind (CreatedEvent,
// ModifiedEvent, DeletedEvent, MovedEvent, CopiedEvent, NewMailEvent,
// StatusEvent, FreeBusyChangedEvent). Item events carry ItemId, folder
// events FolderId.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createdevent
type Event struct {
	XMLName           xml.Name
	Watermark         string    `xml:"Watermark"`
	TimeStamp         string    `xml:"TimeStamp"`
	FolderId          *FolderId `xml:"FolderId"`
	ItemId            *ItemId   `xml:"ItemId"`
	ParentFolderId    *FolderId `xml:"ParentFolderId"`
	OldFolderId       *FolderId `xml:"OldFolderId"`
	OldItemId         *ItemId   `xml:"OldItemId"`
	OldParentFolderId *FolderId `xml:"OldParentFolderId"`
	UnreadCount       *int      `xml:"UnreadCount"`
}
