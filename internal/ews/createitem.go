package ews

import (
	"context"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// SendToNone is the meeting flag every calendar write of the connector
// carries: it never sends invitations or cancellations.
const SendToNone = "SendToNone"

// CreateItems creates items in folder (nil: the default folder of each
// kind) in batches, with SendMeetingInvitations=SendToNone; one result per
// item, in order, holding the new item's id and ChangeKey.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createitem-operation
func (c *Client) CreateItems(ctx context.Context, folder *wire.TargetFolder, items wire.Items) ([]ItemResult, error) {
	send := func(ctx context.Context, idx []int) ([]wire.ResponseMessage, error) {
		req := &wire.CreateItemRequest{SendMeetingInvitations: SendToNone, SavedItemFolderId: folder, Items: pick(items, idx)}
		var resp wire.Response
		if err := c.call(ctx, "CreateItem", req, &resp, false); err != nil {
			return nil, err
		}
		return resp.ResponseMessages.Messages, nil
	}
	return c.runBatches(ctx, "CreateItem", len(items), send, fillItems)
}
