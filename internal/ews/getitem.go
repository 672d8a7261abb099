package ews

import (
	"context"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// GetItems gets items in batches. shape gives the base shape and the
// additional property paths the caller needs (FieldURI, IndexedFieldURI,
// ExtendedFieldURI); one result per id, in order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation
func (c *Client) GetItems(ctx context.Context, ids wire.ItemRefs, shape wire.ItemShape) ([]ItemResult, error) {
	if shape.BaseShape == "" {
		shape.BaseShape = "IdOnly"
	}
	send := func(ctx context.Context, idx []int) ([]wire.ResponseMessage, error) {
		req := &wire.GetItemRequest{ItemShape: shape, ItemIds: pick(ids, idx)}
		var resp wire.Response
		if err := c.call(ctx, "GetItem", req, &resp, true); err != nil {
			return nil, err
		}
		return resp.ResponseMessages.Messages, nil
	}
	return c.runBatches(ctx, "GetItem", len(ids), send, fillItems)
}

func pick[T any](all []T, idx []int) []T {
	out := make([]T, len(idx))
	for k, i := range idx {
		out[k] = all[i]
	}
	return out
}

// ItemRef returns an ItemRefs entry for an item id.
func ItemRef(id wire.ItemId) wire.ItemRef { return wire.ItemRef{Item: &id} }

// OccurrenceRef returns an ItemRefs entry for the index-th (1-based)
// occurrence of a recurring series.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/occurrenceitemid
func OccurrenceRef(masterID string, index int) wire.ItemRef {
	return wire.ItemRef{Occurrence: &wire.OccurrenceItemId{RecurringMasterId: masterID, InstanceIndex: index}}
}

// MasterRef returns an ItemRefs entry for the recurring master of an
// occurrence or exception.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/recurringmasteritemid
func MasterRef(occurrenceID string) wire.ItemRef {
	return wire.ItemRef{RecurringMaster: &wire.RecurringMasterItemId{OccurrenceId: occurrenceID}}
}
