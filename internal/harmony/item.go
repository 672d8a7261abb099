package harmony

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-vcard"

	"github.com/ewsconnector/ews_connector/internal/contact"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/harmony/plan"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// localItem is a Nextcloud object as fetched and parsed.
type localItem struct {
	Href, ETag  string
	UID         string
	Hash        string
	Modified    time.Time
	Fingerprint string
	Card        vcard.Card
	Cal         *ical.Calendar
	// Err is set when the object was read but cannot be mapped (UID known):
	// the item fails and is retried with back-off.
	Err error
}

// remoteItem is an Exchange item: its id and version from the change feed
// (or the correlation), and its content once fetched.
type remoteItem struct {
	ID, ChangeKey string
	UID           string
	Tagged        bool // carries the app's UID property
	Written       bool // this run created or updated it (ID and ChangeKey are ours)
	Fetched       bool
	Hash          string
	Modified      time.Time
	Fingerprint   string
	Contact       *wire.Contact
	Photo         *contact.Photo
	PhotoIDs      []string // attachment ids of contact photos
	Master        *wire.CalendarItem
	Exceptions    []*wire.CalendarItem
}

// work is one UID of a run: what both sides hold, the decision and its
// outcome.
type work struct {
	uid  string
	corr *store.Correlation // nil: no correlation yet

	local     *localItem // fetched content; nil: not fetched or absent
	localGone bool       // known to be absent now
	remote    *remoteItem
	remoteGn  bool // known to be absent now

	matched bool // paired by fingerprint (the remote gets the local UID)
	dec     plan.Decision
	base    []byte // contact merge base (the remote's canonical form at the last sync)

	out      store.Correlation
	drop     bool
	done     bool // out is to be stored
	err      error
	reported bool // err is in Result.Errors
	stale    bool // a precondition failed: re-fetch and re-plan
	tag      bool // write the UID property back to the remote item
}

// localPresent reports whether the object exists in Nextcloud now.
func (w *work) localPresent() bool {
	if w.local != nil {
		return true
	}
	if w.localGone {
		return false
	}
	return w.corr != nil && w.corr.LocalHref != ""
}

func (w *work) remotePresent() bool {
	if w.remote != nil {
		return true
	}
	if w.remoteGn {
		return false
	}
	return w.corr != nil && w.corr.RemoteID != ""
}

// localState is the planner's view of the local side.
func (w *work) localState() plan.State {
	was := w.corr != nil && w.corr.LocalHref != ""
	present := w.localPresent()
	changed := false
	if was && present && w.local != nil {
		versionChanged := w.local.Href != w.corr.LocalHref || w.local.ETag != w.corr.LocalETag
		changed = versionChanged && w.local.Hash != w.corr.LocalHash
	}
	return plan.StateOf(was, present, changed)
}

func (w *work) remoteState() plan.State {
	was := w.corr != nil && w.corr.RemoteID != ""
	present := w.remotePresent()
	changed := false
	if was && present && w.remote != nil && w.remote.Fetched {
		versionChanged := w.remote.ID != w.corr.RemoteID || w.remote.ChangeKey != w.corr.RemoteChangeKey
		changed = versionChanged && w.remote.Hash != w.corr.RemoteHash
	}
	return plan.StateOf(was, present, changed)
}

// derivedUID is the UID given to an Exchange item that has none: derived
// from its ItemId, so a run that crashes before writing the UID back derives
// the same one again and cannot duplicate the item.
func derivedUID(itemID string) string {
	sum := sha256.Sum256([]byte(itemID))
	return "ews-" + hex.EncodeToString(sum[:16])
}

// kind is what differs between contacts and calendars.
type kind interface {
	ext() string
	contentType() string
	multiget(ctx context.Context, d DAV, coll string, hrefs []string) ([]dav.Object, error)
	parseLocal(obj dav.Object) (*localItem, error)
	// syncPaths are the extra properties asked in SyncFolderItems.
	syncPaths() wire.Paths
	// feedItem tells whether a feed item is of this kind and returns its UID
	// ("" when it has none) and whether it carries the UID property.
	feedItem(it *wire.Item) (uid string, tagged, ok bool)
	// fetch fills the content of items (GetItem and attachments), setting
	// errs[i] per item (ews IsNotFound when it is gone).
	fetch(ctx context.Context, c EWS, items []*remoteItem) []error
	// toLocal returns the object to PUT for r (merged into l when l is not
	// nil) under uid, its content hash and the new merge base.
	toLocal(l *localItem, r *remoteItem, base []byte, uid string) (data []byte, hash string, newBase []byte, err error)
	// baseOfLocal is the merge base after l was written to Exchange.
	baseOfLocal(l *localItem) []byte
	// baseOfRemote is the merge base after r was read.
	baseOfRemote(r *remoteItem) []byte
	// create creates ws' local items in Exchange, setting w.out's remote
	// side or w.err.
	create(ctx context.Context, c EWS, folder wire.TargetFolder, ws []*work)
	// update writes ws' local items over their remote items (fetched),
	// setting w.out's remote side, w.stale or w.err.
	update(ctx context.Context, c EWS, ws []*work)
	// tagItem is an item of this kind carrying only the UID property.
	tagItem(uid string) wire.Item
}

// getEach fetches items with one batched GetItem (the client splits it into
// batches) and hands each item that arrived to use, with its index; the
// result holds each item's failure: no answer, the server's per-item error, or
// use's error.
func getEach(ctx context.Context, c EWS, items []*remoteItem, shape wire.ItemShape, use func(i int, it *remoteItem, got *wire.Item) error) []error {
	errs := make([]error, len(items))
	refs := make(wire.ItemRefs, len(items))
	for i, it := range items {
		refs[i] = ews.ItemRef(wire.ItemId{Id: it.ID})
	}
	res, err := c.GetItems(ctx, refs, shape)
	for i, it := range items {
		switch {
		case i >= len(res):
			errs[i] = orErr(err, "getitem: no result")
		case res[i].Err != nil:
			errs[i] = res[i].Err
		default:
			errs[i] = use(i, it, res[i].Item())
		}
	}
	return errs
}

// createdID returns the id of the item that result i of a batched CreateItem
// made, or why there is none: no answer, the server's per-item error, or an
// answer without an id.
func createdID(res []ews.ItemResult, err error, i int) (*wire.ItemId, error) {
	switch {
	case i >= len(res):
		return nil, orErr(err, "createitem: no result")
	case res[i].Err != nil:
		return nil, res[i].Err
	}
	id := itemIDOf(res[i].Item())
	if id == nil {
		return nil, fmt.Errorf("harmony: createitem: no item id")
	}
	return id, nil
}
