package ews

import (
	"context"
	"fmt"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// AttachmentResult is the outcome for one attachment.
type AttachmentResult struct {
	Attachment *wire.Attachment // CreateAttachment (ids) and GetAttachment (content)
	RootItemId *wire.RootItemId // the parent item's new ChangeKey (Create and Delete)
	Err        error
}

// CreateAttachments adds attachments (file attachments, contact photos) to
// an item; one result per attachment, in order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createattachment-operation
func (c *Client) CreateAttachments(ctx context.Context, parent wire.ItemId, atts []wire.Attachment) ([]AttachmentResult, error) {
	req := &wire.CreateAttachmentRequest{ParentItemId: parent, Attachments: wire.Attachments{Attachment: atts}}
	return c.attachmentCall(ctx, "CreateAttachment", req, len(atts), false)
}

// GetAttachments gets attachments with their content by id; one result per
// id, in order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getattachment-operation
func (c *Client) GetAttachments(ctx context.Context, ids []string) ([]AttachmentResult, error) {
	req := &wire.GetAttachmentRequest{AttachmentIds: attachmentIds(ids)}
	return c.attachmentCall(ctx, "GetAttachment", req, len(ids), true)
}

// DeleteAttachments deletes attachments by id; one result per id, in order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteattachment-operation
func (c *Client) DeleteAttachments(ctx context.Context, ids []string) ([]AttachmentResult, error) {
	req := &wire.DeleteAttachmentRequest{AttachmentIds: attachmentIds(ids)}
	return c.attachmentCall(ctx, "DeleteAttachment", req, len(ids), false)
}

func attachmentIds(ids []string) []wire.RequestAttachmentId {
	out := make([]wire.RequestAttachmentId, len(ids))
	for i, id := range ids {
		out[i].Id = id
	}
	return out
}

func (c *Client) attachmentCall(ctx context.Context, op string, req any, n int, idempotent bool) ([]AttachmentResult, error) {
	if n > MaxBatchSize {
		return nil, fmt.Errorf("ews: %s: %d attachments in one request, at most %d", lower(op), n, MaxBatchSize)
	}
	var resp wire.Response
	if err := c.call(ctx, op, req, &resp, idempotent); err != nil {
		return nil, err
	}
	ms, err := messages(op, &resp, n)
	if err != nil {
		return nil, err
	}
	out := make([]AttachmentResult, n)
	for i := range out {
		m := &ms[i]
		if err := messageError(op, m); err != nil {
			out[i].Err = err
			continue
		}
		if m.Attachments != nil && len(m.Attachments.Attachment) > 0 {
			out[i].Attachment = &m.Attachments.Attachment[0]
			if id := out[i].Attachment.AttachmentId; id != nil && id.RootItemId != "" {
				out[i].RootItemId = &wire.RootItemId{RootItemId: id.RootItemId, RootItemChangeKey: id.RootItemChangeKey}
			}
		}
		if m.RootItemId != nil {
			out[i].RootItemId = m.RootItemId
		}
	}
	return out, nil
}
