package ews

import (
	"context"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// DeleteFolder deletes a folder (HardDelete, SoftDelete or
// MoveToDeletedItems).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deletefolder-operation
func (c *Client) DeleteFolder(ctx context.Context, id wire.TargetFolder, deleteType string) error {
	req := &wire.DeleteFolderRequest{DeleteType: deleteType, FolderIds: wire.FolderIds{id}}
	var resp wire.Response
	if err := c.call(ctx, "DeleteFolder", req, &resp, false); err != nil {
		return err
	}
	ms, err := messages("DeleteFolder", &resp, 1)
	if err != nil {
		return err
	}
	return messageError("DeleteFolder", &ms[0])
}
