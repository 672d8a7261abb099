package ews

import (
	"context"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// Conflict resolutions of UpdateItem.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem
const (
	// NeverOverwrite refuses a write whose ChangeKey is stale
	// (ErrorIrresolvableConflict): IsConflict reports it.
	NeverOverwrite = "NeverOverwrite"
	// AutoResolve lets the server merge non-conflicting changes.
	AutoResolve = "AutoResolve"
	// AlwaysOverwrite ignores the ChangeKey.
	AlwaysOverwrite = "AlwaysOverwrite"
)

// UpdateItems applies item changes in batches. Each change names its item
// (ItemId with ChangeKey, OccurrenceItemId or RecurringMasterItemId) and its
// SetItemField, AppendToItemField and DeleteItemField updates.
// conflict is NeverOverwrite (default when empty), AutoResolve or
// AlwaysOverwrite; calendar items get
// SendMeetingInvitationsOrCancellations=SendToNone. One result per change,
// in order, holding the item's new ChangeKey.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation
func (c *Client) UpdateItems(ctx context.Context, changes []wire.ItemChange, conflict string) ([]ItemResult, error) {
	if conflict == "" {
		conflict = NeverOverwrite
	}
	send := func(ctx context.Context, idx []int) ([]wire.ResponseMessage, error) {
		req := &wire.UpdateItemRequest{ConflictResolution: conflict, SendMeetingInvitationsOrCancellations: SendToNone, ItemChanges: pick(changes, idx)}
		var resp wire.Response
		if err := c.call(ctx, "UpdateItem", req, &resp, false); err != nil {
			return nil, err
		}
		return resp.ResponseMessages.Messages, nil
	}
	return c.runBatches(ctx, "UpdateItem", len(changes), send, fillItems)
}
