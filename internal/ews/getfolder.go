package ews

import (
	"context"
	"fmt"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// FolderResult is the outcome for one folder of a batch.
type FolderResult struct {
	Folder *wire.Folder // set on success
	Err    error        // an *Error on failure
}

// GetFolders gets folders by id with the given base shape (IdOnly,
// Default, AllProperties); one result per id, in order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getfolder-operation
func (c *Client) GetFolders(ctx context.Context, ids wire.FolderIds, shape string) ([]FolderResult, error) {
	req := &wire.GetFolderRequest{FolderShape: wire.FolderShape{BaseShape: shape}, FolderIds: ids}
	var resp wire.Response
	if err := c.call(ctx, "GetFolder", req, &resp, true); err != nil {
		return nil, err
	}
	ms, err := messages("GetFolder", &resp, len(ids))
	if err != nil {
		return nil, err
	}
	out := make([]FolderResult, len(ids))
	for i := range ids {
		m := &ms[i]
		if err := messageError("GetFolder", m); err != nil {
			out[i].Err = err
			continue
		}
		if m.Folders == nil || len(m.Folders.Folder) == 0 {
			out[i].Err = fmt.Errorf("ews: getfolder: %w: no folder in the response message", ErrNoResponseMessage)
			continue
		}
		out[i].Folder = &m.Folders.Folder[0]
	}
	return out, nil
}

// GetFolder gets one folder with all its properties.
func (c *Client) GetFolder(ctx context.Context, id wire.TargetFolder) (*wire.Folder, error) {
	rs, err := c.GetFolders(ctx, wire.FolderIds{id}, "AllProperties")
	if err != nil {
		return nil, err
	}
	return rs[0].Folder, rs[0].Err
}
