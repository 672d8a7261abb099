package ews

import (
	"context"
	"fmt"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// Subscription is a pull or streaming subscription; Watermark is the pull
// position (updated by GetEvents).
type Subscription struct {
	Id        string
	Watermark string
}

// SubscribeStreaming subscribes to item events of folders for
// GetStreamingEvents (Exchange 2010 SP1 and later).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/subscribe-operation
func (c *Client) SubscribeStreaming(ctx context.Context, folders wire.FolderIds) (*Subscription, error) {
	if err := c.ensureVersion(ctx); err != nil {
		return nil, err
	}
	req := &wire.SubscribeRequest{Streaming: &wire.StreamingSubscriptionRequest{FolderIds: folders, EventTypes: wire.AllItemEventTypes}}
	return c.subscribe(ctx, req)
}

// SubscribePull subscribes to item events of folders for GetEvents, with a
// timeout in minutes (1..1440) after which an unpolled subscription
// expires; the fallback for Exchange 2007 and servers without streaming.
func (c *Client) SubscribePull(ctx context.Context, folders wire.FolderIds, timeoutMinutes int) (*Subscription, error) {
	timeoutMinutes = min(max(timeoutMinutes, 1), 1440)
	req := &wire.SubscribeRequest{Pull: &wire.PullSubscriptionRequest{FolderIds: folders, EventTypes: wire.AllItemEventTypes, Timeout: timeoutMinutes}}
	return c.subscribe(ctx, req)
}

func (c *Client) subscribe(ctx context.Context, req *wire.SubscribeRequest) (*Subscription, error) {
	var resp wire.Response
	if err := c.call(ctx, "Subscribe", req, &resp, true); err != nil {
		return nil, err
	}
	ms, err := messages("Subscribe", &resp, 1)
	if err != nil {
		return nil, err
	}
	if err := messageError("Subscribe", &ms[0]); err != nil {
		return nil, err
	}
	if ms[0].SubscriptionId == "" {
		return nil, fmt.Errorf("ews: subscribe: %w: no SubscriptionId", ErrNoResponseMessage)
	}
	return &Subscription{Id: ms[0].SubscriptionId, Watermark: ms[0].Watermark}, nil
}
