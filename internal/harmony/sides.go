package harmony

import (
	"context"

	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// EWS is the part of *ews.Client the engine uses: the change feed and the
// batched item and attachment operations.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ews-operations-in-exchange
type EWS interface {
	SyncFolderItems(ctx context.Context, folder wire.TargetFolder, syncState string, opts *ews.SyncOptions, fn func(ctx context.Context, page ews.SyncPage) error) (string, error)
	GetItems(ctx context.Context, ids wire.ItemRefs, shape wire.ItemShape) ([]ews.ItemResult, error)
	CreateItems(ctx context.Context, folder *wire.TargetFolder, items wire.Items) ([]ews.ItemResult, error)
	UpdateItems(ctx context.Context, changes []wire.ItemChange, conflict string) ([]ews.ItemResult, error)
	DeleteItems(ctx context.Context, ids wire.ItemRefs, deleteType string) ([]ews.ItemResult, error)
	CreateAttachments(ctx context.Context, parent wire.ItemId, atts []wire.Attachment) ([]ews.AttachmentResult, error)
	GetAttachments(ctx context.Context, ids []string) ([]ews.AttachmentResult, error)
	DeleteAttachments(ctx context.Context, ids []string) ([]ews.AttachmentResult, error)
}

// DAV is the part of *dav.Client the engine uses: sync-collection (RFC 6578),
// multiget (RFC 4791 section 7.9, RFC 6352 section 8.7) and conditional PUT
// and DELETE (RFC 7232).
type DAV interface {
	SyncCollectionPage(ctx context.Context, href, token string, limit int) (*dav.SyncPage, error)
	MultiGetCalendar(ctx context.Context, collection string, hrefs []string) ([]dav.Object, error)
	MultiGetAddressBook(ctx context.Context, collection string, hrefs []string) ([]dav.Object, error)
	PutMany(ctx context.Context, reqs []dav.PutRequest, parallel int) []dav.PutResult
	Delete(ctx context.Context, href, etag string) error
}

var (
	_ EWS = (*ews.Client)(nil)
	_ DAV = (*dav.Client)(nil)
)
