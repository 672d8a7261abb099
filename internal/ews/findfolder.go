package ews

import (
	"context"
	"fmt"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// findPageSize is the FindFolder page size.
const findPageSize = 200

// FindFolders lists the folders below parent (all levels when deep), with
// all their properties, paging until the last one.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/findfolder-operation
func (c *Client) FindFolders(ctx context.Context, parent wire.TargetFolder, deep bool) ([]wire.Folder, error) {
	traversal := "Shallow"
	if deep {
		traversal = "Deep"
	}
	var out []wire.Folder
	for offset := 0; ; {
		req := &wire.FindFolderRequest{
			Traversal:             traversal,
			FolderShape:           wire.FolderShape{BaseShape: "AllProperties"},
			IndexedPageFolderView: &wire.IndexedPageView{MaxEntriesReturned: findPageSize, Offset: offset, BasePoint: "Beginning"},
			ParentFolderIds:       wire.FolderIds{parent},
		}
		var resp wire.Response
		if err := c.call(ctx, "FindFolder", req, &resp, true); err != nil {
			return nil, err
		}
		ms, err := messages("FindFolder", &resp, 1)
		if err != nil {
			return nil, err
		}
		if err := messageError("FindFolder", &ms[0]); err != nil {
			return nil, err
		}
		root := ms[0].RootFolder
		if root == nil {
			return nil, fmt.Errorf("ews: findfolder: %w: no RootFolder", ErrNoResponseMessage)
		}
		out = append(out, root.Folders.Folder...)
		n := len(root.Folders.Folder)
		if root.IncludesLastItemInRange || n == 0 {
			return out, nil
		}
		offset += n
	}
}
