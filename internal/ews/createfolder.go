package ews

import (
	"context"
	"fmt"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// CreateFolder creates a folder below parent (for test data). kind is a
// folder element name (wire.FolderKindCalendar, wire.FolderKindContacts,
// wire.FolderKindFolder); the new folder's id is returned.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createfolder-operation
func (c *Client) CreateFolder(ctx context.Context, parent wire.TargetFolder, kind, name string) (*wire.FolderId, error) {
	f := wire.Folder{DisplayName: name}
	f.XMLName.Local = kind
	req := &wire.CreateFolderRequest{ParentFolderId: parent, Folders: []wire.Folder{f}}
	var resp wire.Response
	if err := c.call(ctx, "CreateFolder", req, &resp, false); err != nil {
		return nil, err
	}
	ms, err := messages("CreateFolder", &resp, 1)
	if err != nil {
		return nil, err
	}
	if err := messageError("CreateFolder", &ms[0]); err != nil {
		return nil, err
	}
	if ms[0].Folders == nil || len(ms[0].Folders.Folder) == 0 || ms[0].Folders.Folder[0].FolderId == nil {
		return nil, fmt.Errorf("ews: createfolder: %w: no folder id", ErrNoResponseMessage)
	}
	return ms[0].Folders.Folder[0].FolderId, nil
}
