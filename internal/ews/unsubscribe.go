package ews

import (
	"context"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// Unsubscribe ends a subscription. A subscription the server no longer
// knows gives an error with IsSubscriptionLost.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/unsubscribe-operation
func (c *Client) Unsubscribe(ctx context.Context, id string) error {
	var resp wire.Response
	if err := c.call(ctx, "Unsubscribe", &wire.UnsubscribeRequest{SubscriptionId: id}, &resp, true); err != nil {
		return err
	}
	ms, err := messages("Unsubscribe", &resp, 1)
	if err != nil {
		return err
	}
	return messageError("Unsubscribe", &ms[0])
}
