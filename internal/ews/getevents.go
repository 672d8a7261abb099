package ews

import (
	"context"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// GetEvents polls a pull subscription from its watermark, following
// MoreEvents, and advances sub.Watermark to the last event's. An error with
// IsSubscriptionLost (and errors.Is ErrFullResync) means: resubscribe and
// resync everything.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getevents-operation
func (c *Client) GetEvents(ctx context.Context, sub *Subscription) ([]wire.Event, error) {
	var events []wire.Event
	for {
		var resp wire.Response
		if err := c.call(ctx, "GetEvents", &wire.GetEventsRequest{SubscriptionId: sub.Id, Watermark: sub.Watermark}, &resp, true); err != nil {
			return events, err
		}
		ms, err := messages("GetEvents", &resp, 1)
		if err != nil {
			return events, err
		}
		if err := messageError("GetEvents", &ms[0]); err != nil {
			return events, err
		}
		n := ms[0].Notification
		if n == nil {
			return events, nil
		}
		for _, ev := range n.Events {
			if ev.Watermark != "" {
				sub.Watermark = ev.Watermark
			}
			if ev.XMLName.Local != "StatusEvent" {
				events = append(events, ev)
			}
		}
		if !n.MoreEvents {
			return events, nil
		}
	}
}
