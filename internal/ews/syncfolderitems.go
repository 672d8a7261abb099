package ews

import (
	"context"
	"fmt"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// MaxSyncChanges is the most changes Exchange returns per SyncFolderItems
// page (a larger MaxChangesReturned is refused).
const MaxSyncChanges = 512

// SyncPage is one SyncFolderItems page: its changes in order, and the
// SyncState to store once they are applied.
type SyncPage struct {
	Changes   []wire.Change
	SyncState string
	Last      bool // IncludesLastItemInRange
}

// SyncOptions tunes SyncFolderItems.
type SyncOptions struct {
	// MaxChanges per page (default and maximum 512).
	MaxChanges int
	// Paths are additional properties for each changed item; the UID
	// extended property (wire.UIDProperty) is always asked for.
	Paths wire.Paths
	// Ignore lists item ids whose changes the server must not report (the
	// connector's own writes).
	Ignore []wire.ItemId
}

// SyncFolderItems pages through the changes of folder since syncState (""
// for everything), with IdOnly items plus the app's UID extended property
// (wire.UIDProperty: the private property set
// 6e9f4bd2-61c8-4f6b-9a37-ecd0c0f1a7e5, name "ews_connector.uid", String;
// addressed by set and name, never by tag).
// It calls fn for each page, in order, until IncludesLastItemInRange; an
// error from fn stops the loop and is returned. The last SyncState is
// returned. An invalid state gives an error with IsInvalidSyncState.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitems-operation
func (c *Client) SyncFolderItems(ctx context.Context, folder wire.TargetFolder, syncState string, opts *SyncOptions, fn func(ctx context.Context, page SyncPage) error) (string, error) {
	var o SyncOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxChanges <= 0 || o.MaxChanges > MaxSyncChanges {
		o.MaxChanges = MaxSyncChanges
	}
	paths := append(wire.Paths{wire.Extended(wire.UIDProperty)}, o.Paths...)
	for {
		req := &wire.SyncFolderItemsRequest{
			ItemShape:          wire.ItemShape{BaseShape: "IdOnly", AdditionalProperties: paths},
			SyncFolderId:       folder,
			SyncState:          syncState,
			Ignore:             o.Ignore,
			MaxChangesReturned: o.MaxChanges,
		}
		var resp wire.Response
		if err := c.call(ctx, "SyncFolderItems", req, &resp, true); err != nil {
			return syncState, err
		}
		ms, err := messages("SyncFolderItems", &resp, 1)
		if err != nil {
			return syncState, err
		}
		m := &ms[0]
		if err := messageError("SyncFolderItems", m); err != nil {
			return syncState, err
		}
		page := SyncPage{SyncState: m.SyncState, Last: m.IncludesLastItemInRange == nil || *m.IncludesLastItemInRange}
		if m.Changes != nil {
			page.Changes = m.Changes.Change
		}
		if page.SyncState == "" {
			return syncState, fmt.Errorf("ews: syncfolderitems: %w: no SyncState", ErrNoResponseMessage)
		}
		if err := fn(ctx, page); err != nil {
			return syncState, err
		}
		syncState = page.SyncState
		if page.Last {
			return syncState, nil
		}
		if len(page.Changes) == 0 {
			return syncState, fmt.Errorf("ews: syncfolderitems: server reported more changes but sent none")
		}
	}
}
