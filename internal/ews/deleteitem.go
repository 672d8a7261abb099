package ews

import (
	"context"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// DeleteItems deletes items in batches (deleteType HardDelete, SoftDelete
// or MoveToDeletedItems; default MoveToDeletedItems), with
// SendMeetingCancellations=SendToNone; one result per id, in order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteitem-operation
func (c *Client) DeleteItems(ctx context.Context, ids wire.ItemRefs, deleteType string) ([]ItemResult, error) {
	if deleteType == "" {
		deleteType = "MoveToDeletedItems"
	}
	send := func(ctx context.Context, idx []int) ([]wire.ResponseMessage, error) {
		req := &wire.DeleteItemRequest{DeleteType: deleteType, SendMeetingCancellations: SendToNone, AffectedTaskOccurrences: "AllOccurrences", ItemIds: pick(ids, idx)}
		var resp wire.Response
		if err := c.call(ctx, "DeleteItem", req, &resp, false); err != nil {
			return nil, err
		}
		return resp.ResponseMessages.Messages, nil
	}
	return c.runBatches(ctx, "DeleteItem", len(ids), send, fillItems)
}
