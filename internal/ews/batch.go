package ews

import (
	"context"
	"errors"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// ItemResult is the outcome for one entry of a batched item operation.
type ItemResult struct {
	// Items holds the items of the response message (one for GetItem,
	// CreateItem and UpdateItem; none for DeleteItem).
	Items wire.Items
	// Conflicts is UpdateItem's ConflictResults count.
	Conflicts int
	// Err is the item's *Error, or a batch-level failure, or nil.
	Err error
}

// Item returns the first item of the result, or nil.
func (r *ItemResult) Item() *wire.Item {
	if len(r.Items) == 0 {
		return nil
	}
	return &r.Items[0]
}

// sendBatch sends entries [lo, hi) of a batched operation and returns one
// response message per entry.
type sendBatch func(ctx context.Context, idx []int) ([]wire.ResponseMessage, error)

// runBatches splits n entries into batches of the client's batch size and
// sends them one batch at a time. Entries answered with ErrorServerBusy are
// sent again, alone, after the server's back-off (bounded by MaxRetries);
// every other entry keeps its own result, so one failed item never fails
// its batch. A batch-level failure is recorded on each entry of that batch
// and returned joined.
func (c *Client) runBatches(ctx context.Context, op string, n int, send sendBatch, fill func(i int, m *wire.ResponseMessage, r *ItemResult)) ([]ItemResult, error) {
	out := make([]ItemResult, n)
	var errs []error
	for lo := 0; lo < n; lo += c.opts.BatchSize {
		hi := min(lo+c.opts.BatchSize, n)
		pending := make([]int, 0, hi-lo)
		for i := lo; i < hi; i++ {
			pending = append(pending, i)
		}
		for attempt := 0; len(pending) > 0; attempt++ {
			ms, err := send(ctx, pending)
			if err == nil && len(ms) < len(pending) {
				_, err = messages(op, &wire.Response{ResponseMessages: wire.ResponseMessages{Messages: ms}}, len(pending))
			}
			if err != nil {
				for _, i := range pending {
					out[i].Err = err
				}
				errs = append(errs, err)
				if ctx.Err() != nil || IsAuth(err) {
					for i := hi; i < n; i++ {
						out[i].Err = err
					}
					return out, errors.Join(errs...)
				}
				break
			}
			var busy []int
			var backOff time.Duration
			for k, i := range pending {
				m := &ms[k]
				out[i] = ItemResult{}
				if err := messageError(op, m); err != nil {
					out[i].Err = err
					if m.Code() == string(wire.ResponseCodeTypeErrorServerBusy) {
						busy = append(busy, i)
						backOff = max(backOff, time.Duration(m.BackOff())*time.Millisecond)
					}
					continue
				}
				fill(i, m, &out[i])
			}
			if len(busy) == 0 || attempt >= c.opts.MaxRetries {
				break
			}
			if backOff == 0 {
				backOff = c.backoffFor(nil, attempt+1)
			}
			if backOff > c.opts.MaxWait {
				break
			}
			c.holdOff(backOff)
			pending = busy
		}
	}
	return out, errors.Join(errs...)
}

func fillItems(_ int, m *wire.ResponseMessage, r *ItemResult) {
	r.Items = m.Items
	if m.ConflictResults != nil {
		r.Conflicts = m.ConflictResults.Count
	}
}
