package harmony

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// run is the state of one SyncLink call.
type run struct {
	e      *Engine
	link   store.Link
	kind   kind
	remote EWS
	local  DAV
	opts   RunOptions
	res    *Result

	localToken, remoteState string // the feeds' new positions
	fullLocal, fullRemote   bool   // the feeds listed everything

	localChanged  map[string]string // href → ETag
	localDeleted  map[string]bool
	remoteChanged map[string]*remoteItem // ItemId → id, ChangeKey, UID
	remoteDeleted map[string]bool

	corrs    []store.Correlation
	byUID    map[string]*store.Correlation
	byHref   map[string]*store.Correlation
	byRemote map[string]*store.Correlation
	due      []store.Correlation

	works map[string]*work
	order []string // UIDs in a stable order
	guard bool     // a guard was passed by override
}

func (r *run) do(ctx context.Context) error {
	if err := r.readLocalFeed(ctx); err != nil {
		return err
	}
	if err := r.readRemoteFeed(ctx); err != nil {
		return err
	}
	due, err := r.e.st.DueCorrelations(ctx, r.link.ID, r.e.opts.Now())
	if err != nil {
		return fmt.Errorf("harmony: due correlations: %w", err)
	}
	r.due = due
	quiet := len(r.localChanged) == 0 && len(r.localDeleted) == 0 && len(r.remoteChanged) == 0 &&
		len(r.remoteDeleted) == 0 && len(due) == 0 && !r.fullLocal && !r.fullRemote
	if quiet {
		return nil // a quiet cycle: one request per side, nothing written
	}
	if err := r.loadCorrelations(ctx); err != nil {
		return err
	}
	if err := r.buildWork(ctx); err != nil {
		return err
	}
	if reason := r.checkGuards(); reason != "" {
		if !r.link.GuardOverride {
			r.res.Paused, r.res.PauseReason = true, reason
			if r.opts.DryRun {
				return nil
			}
			if err := r.e.st.PauseLink(ctx, r.link.ID, reason); err != nil {
				return fmt.Errorf("harmony: pause link: %w", err)
			}
			r.e.log.Warn("harmony guard paused link", "link_id", r.link.ID, "reason", reason)
			return nil
		}
		r.guard = true
	}
	size := r.e.opts.PageSize
	for i := 0; i < len(r.order); i += size {
		j := min(i+size, len(r.order))
		ws := make([]*work, 0, j-i)
		for _, uid := range r.order[i:j] {
			ws = append(ws, r.works[uid])
		}
		if err := r.page(ctx, ws); err != nil {
			return err
		}
	}
	if r.opts.DryRun {
		return nil
	}
	if err := r.e.st.SetLinkSyncState(ctx, r.link.ID, r.remoteState, r.localToken); err != nil {
		return fmt.Errorf("harmony: save sync state: %w", err)
	}
	if r.guard || r.link.GuardOverride {
		if err := r.e.st.SetGuardOverride(ctx, r.link.ID, false); err != nil {
			return fmt.Errorf("harmony: clear guard override: %w", err)
		}
	}
	return nil
}

// readLocalFeed pages through sync-collection from the stored token (RFC
// 6578 section 3.2); an invalid token restarts from scratch.
func (r *run) readLocalFeed(ctx context.Context) error {
	token := r.link.LocalSyncToken
	if r.opts.FullResync {
		token = ""
	}
	for attempt := 0; ; attempt++ {
		r.localChanged, r.localDeleted = map[string]string{}, map[string]bool{}
		r.fullLocal = token == ""
		t, err := r.localPages(ctx, token)
		if err == nil {
			r.localToken = t
			return nil
		}
		if dav.IsInvalidSyncToken(err) && token != "" && attempt == 0 {
			r.e.log.Info("harmony: sync token invalid, listing the collection", "link_id", r.link.ID)
			token = ""
			continue
		}
		return fmt.Errorf("harmony: sync-collection %s: %w", r.link.LocalHref, err)
	}
}

func (r *run) localPages(ctx context.Context, token string) (string, error) {
	for {
		p, err := r.local.SyncCollectionPage(ctx, r.link.LocalHref, token, 0)
		if err != nil {
			return "", err
		}
		for _, it := range p.Changed {
			r.localChanged[it.Href] = it.ETag
			delete(r.localDeleted, it.Href)
		}
		for _, h := range p.Deleted {
			delete(r.localChanged, h)
			if !r.fullLocal {
				r.localDeleted[h] = true
			}
		}
		if !p.Truncated {
			return p.Token, nil
		}
		if p.Token == token {
			return "", dav.ErrSyncNoProgress
		}
		token = p.Token
	}
}

// readRemoteFeed pages through SyncFolderItems from the stored SyncState; an
// invalid state restarts from scratch.
func (r *run) readRemoteFeed(ctx context.Context) error {
	state := r.link.RemoteSyncState
	if r.opts.FullResync {
		state = ""
	}
	for attempt := 0; ; attempt++ {
		r.remoteChanged, r.remoteDeleted = map[string]*remoteItem{}, map[string]bool{}
		r.fullRemote = state == ""
		final, err := r.remote.SyncFolderItems(ctx, ews.FolderID(r.link.RemoteFolderID), state,
			&ews.SyncOptions{Paths: r.kind.syncPaths()}, r.remotePage)
		if err == nil {
			r.remoteState = final
			return nil
		}
		if ews.IsInvalidSyncState(err) && state != "" && attempt == 0 {
			r.e.log.Info("harmony: sync state invalid, listing the folder", "link_id", r.link.ID)
			state = ""
			continue
		}
		return fmt.Errorf("harmony: syncfolderitems: %w", err)
	}
}

func (r *run) remotePage(_ context.Context, p ews.SyncPage) error {
	for i := range p.Changes {
		c := &p.Changes[i]
		id := c.Id()
		if id == nil || id.Id == "" {
			continue
		}
		switch c.Kind {
		case wire.ChangeCreate, wire.ChangeUpdate:
			uid, tagged, ok := r.kind.feedItem(&c.Item)
			if !ok {
				continue
			}
			r.remoteChanged[id.Id] = &remoteItem{ID: id.Id, ChangeKey: id.ChangeKey, UID: uid, Tagged: tagged}
			delete(r.remoteDeleted, id.Id)
		case wire.ChangeDelete:
			delete(r.remoteChanged, id.Id)
			r.remoteDeleted[id.Id] = true
		}
	}
	return nil
}

func (r *run) loadCorrelations(ctx context.Context) error {
	cs, err := r.e.st.Correlations(ctx, r.link.ID)
	if err != nil {
		return fmt.Errorf("harmony: correlations: %w", err)
	}
	r.corrs = cs
	r.byUID = make(map[string]*store.Correlation, len(cs))
	r.byHref = make(map[string]*store.Correlation, len(cs))
	r.byRemote = make(map[string]*store.Correlation, len(cs))
	for i := range cs {
		c := &r.corrs[i]
		r.byUID[c.UID] = c
		if c.LocalHref != "" {
			r.byHref[c.LocalHref] = c
		}
		if c.RemoteID != "" {
			r.byRemote[c.RemoteID] = c
		}
	}
	return nil
}

// workFor returns the work of uid, creating it.
func (r *run) workFor(uid string) *work {
	if w, ok := r.works[uid]; ok {
		return w
	}
	w := &work{uid: uid, corr: r.byUID[uid]}
	r.works[uid] = w
	r.order = append(r.order, uid)
	return w
}

// buildWork joins both feeds with the correlations by UID.
func (r *run) buildWork(ctx context.Context) error {
	r.works = map[string]*work{}
	// Local changes: fetch those whose ETag differs from the correlation's.
	var fetch []string
	for href, etag := range r.localChanged {
		if c := r.byHref[href]; c != nil && c.LocalETag == etag && etag != "" {
			continue // echo of our own write, or unchanged
		}
		fetch = append(fetch, href)
	}
	for _, c := range r.due {
		if c.LocalHref != "" && !r.localDeleted[c.LocalHref] {
			fetch = append(fetch, c.LocalHref)
		}
	}
	sort.Strings(fetch)
	fetch = compactStrings(fetch)
	locals, gone, err := r.fetchLocal(ctx, fetch)
	if err != nil {
		return err
	}
	for _, href := range gone {
		r.localDeleted[href] = true
	}
	for _, l := range locals {
		if old := r.byHref[l.Href]; old != nil && old.UID != l.UID {
			r.workFor(old.UID).localGone = true // the object now holds another UID
		}
		w := r.workFor(l.UID)
		if l.Err != nil {
			w.local = l
			r.itemError(w, "read-local", l.Err)
			continue
		}
		if w.local != nil {
			// Two objects hold one UID (vdirsyncer's IdentConflict): the
			// correlated one is synced, the other reported.
			other := l
			if w.corr != nil && w.corr.LocalHref == l.Href {
				other, w.local = w.local, l
			}
			r.res.Errors = append(r.res.Errors, ItemError{UID: l.UID, Href: other.Href, Op: "read-local",
				Err: fmt.Sprintf("harmony: uid %q held by %s and %s", l.UID, w.local.Href, other.Href)})
			continue
		}
		w.local = l
	}
	for href := range r.localDeleted {
		if c := r.byHref[href]; c != nil {
			if w := r.workFor(c.UID); w.local == nil || w.local.Href == href {
				w.localGone = w.local == nil
			}
		}
	}
	if r.fullLocal {
		listed := map[string]bool{}
		for h := range r.localChanged {
			listed[h] = true
		}
		for i := range r.corrs {
			c := &r.corrs[i]
			if c.LocalHref != "" && !listed[c.LocalHref] {
				if w := r.workFor(c.UID); w.local == nil {
					w.localGone = true
				}
			}
		}
	}
	// Remote changes: those whose ChangeKey differs from the correlation's.
	// Correlated items first, so that a copy never takes the original's UID.
	ids := make([]string, 0, len(r.remoteChanged))
	for id := range r.remoteChanged {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		ci, cj := r.byRemote[ids[i]] != nil, r.byRemote[ids[j]] != nil
		if ci != cj {
			return ci
		}
		return ids[i] < ids[j]
	})
	var copies []*remoteItem
	for _, id := range ids {
		it := r.remoteChanged[id]
		c := r.byRemote[id]
		if c != nil && c.RemoteChangeKey == it.ChangeKey && (it.Tagged || r.link.Direction == store.ToNextcloud) {
			continue // an echo, or unchanged (links to Nextcloud never tag)
		}
		uid := it.UID
		if c != nil {
			uid = c.UID
		} else if uid == "" {
			uid = derivedUID(id)
		}
		it.UID = uid
		w := r.workFor(uid)
		if w.remote != nil {
			// Two Exchange items in this feed hold one UID: this one is a copy.
			uid = derivedUID(id)
			it.UID, it.Tagged = uid, false
			r.workFor(uid).remote = it
			continue
		}
		if c == nil && w.corr != nil && w.corr.RemoteID != "" && w.corr.RemoteID != id && !r.remoteDeleted[w.corr.RemoteID] && !r.fullRemote {
			// Another Exchange item held this UID at the last sync: decided
			// below, once we know whether that one still exists.
			copies = append(copies, it)
			continue
		}
		w.remote = it
	}
	if err := r.resolveCopies(ctx, copies); err != nil {
		return err
	}
	for id := range r.remoteDeleted {
		if c := r.byRemote[id]; c != nil {
			if w := r.workFor(c.UID); w.remote == nil || w.remote.ID == id {
				w.remoteGn = w.remote == nil
			}
		}
	}
	if r.fullRemote {
		for i := range r.corrs {
			c := &r.corrs[i]
			if c.RemoteID != "" && r.remoteChanged[c.RemoteID] == nil {
				if w := r.workFor(c.UID); w.remote == nil {
					w.remoteGn = true
				}
			}
		}
	}
	for _, c := range r.due {
		w := r.workFor(c.UID)
		if w.remote == nil && !w.remoteGn && c.RemoteID != "" {
			w.remote = &remoteItem{ID: c.RemoteID, ChangeKey: "", UID: c.UID, Tagged: true}
		}
		if w.local == nil && !w.localGone && c.LocalHref != "" && r.localDeleted[c.LocalHref] {
			w.localGone = true
		}
	}
	if r.fullLocal || r.fullRemote {
		if err := r.matchFingerprints(ctx); err != nil {
			return err
		}
	}
	return nil
}

// resolveCopies decides for Exchange items whose UID another correlated
// item holds: if that item is gone (its deletion was consumed by an earlier
// run), the new item takes its place; if it still exists, the new item is a
// copy (Outlook copies keep the UID property) and gets a UID of its own.
func (r *run) resolveCopies(ctx context.Context, copies []*remoteItem) error {
	if len(copies) == 0 {
		return nil
	}
	refs := make(wire.ItemRefs, len(copies))
	for i, it := range copies {
		refs[i] = ews.ItemRef(wire.ItemId{Id: r.works[it.UID].corr.RemoteID})
	}
	res, err := r.remote.GetItems(ctx, refs, wire.ItemShape{BaseShape: "IdOnly"})
	if err != nil && len(res) == 0 {
		return fmt.Errorf("harmony: getitem: %w", err)
	}
	for i, it := range copies {
		w := r.works[it.UID]
		if i < len(res) && ews.IsNotFound(res[i].Err) && w.remote == nil {
			w.remote = it
			continue
		}
		if i < len(res) && res[i].Err != nil && !ews.IsNotFound(res[i].Err) {
			return fmt.Errorf("harmony: getitem: %w", res[i].Err)
		}
		uid := derivedUID(it.ID)
		it.UID, it.Tagged = uid, false
		r.workFor(uid).remote = it
	}
	return nil
}

// fetchLocal multigets hrefs and parses them; gone lists the hrefs the
// server no longer has.
func (r *run) fetchLocal(ctx context.Context, hrefs []string) ([]*localItem, []string, error) {
	if len(hrefs) == 0 {
		return nil, nil, nil
	}
	objs, err := r.kind.multiget(ctx, r.local, r.link.LocalHref, hrefs)
	if err != nil && len(objs) == 0 {
		return nil, nil, fmt.Errorf("harmony: multiget: %w", err)
	}
	var out []*localItem
	var gone []string
	for _, o := range objs {
		if o.Err != nil {
			if dav.IsNotFound(o.Err) {
				gone = append(gone, o.Href)
				continue
			}
			return nil, nil, fmt.Errorf("harmony: multiget %s: %w", o.Href, o.Err)
		}
		l, perr := r.kind.parseLocal(o)
		if perr != nil {
			r.res.Errors = append(r.res.Errors, ItemError{Href: o.Href, Op: "read-local", Err: perr.Error()})
			continue
		}
		out = append(out, l)
	}
	return out, gone, nil
}

// matchFingerprints pairs, on a listing from scratch, new items of both
// sides that have no UID in common but the same content fingerprint, so
// that linking two non-empty collections never duplicates. The remote item
// takes the local UID.
func (r *run) matchFingerprints(ctx context.Context) error {
	var lone []*work  // local only, uncorrelated
	var rlone []*work // remote only, uncorrelated
	for _, uid := range r.order {
		w := r.works[uid]
		if w.corr != nil {
			continue
		}
		switch {
		case w.local != nil && w.remote == nil:
			lone = append(lone, w)
		case w.remote != nil && w.local == nil:
			rlone = append(rlone, w)
		}
	}
	if len(lone) == 0 || len(rlone) == 0 {
		return nil
	}
	if err := r.fetchRemote(ctx, rlone); err != nil {
		return err
	}
	byFP := map[string]*work{}
	for _, w := range lone {
		if fp := w.local.Fingerprint; fp != "" {
			if _, dup := byFP[fp]; dup {
				byFP[fp] = nil // ambiguous: match none
				continue
			}
			byFP[fp] = w
		}
	}
	for _, rw := range rlone {
		if rw.remote == nil || !rw.remote.Fetched || rw.remote.Fingerprint == "" {
			continue
		}
		lw := byFP[rw.remote.Fingerprint]
		if lw == nil || lw.remote != nil {
			continue
		}
		lw.remote = rw.remote
		lw.remote.UID = lw.uid
		lw.remote.Tagged = false
		lw.matched = true
		rw.remote = nil
		rw.localGone = false
		delete(r.works, rw.uid)
	}
	kept := r.order[:0]
	for _, uid := range r.order {
		if _, ok := r.works[uid]; ok {
			kept = append(kept, uid)
		}
	}
	r.order = kept
	return nil
}

// fetchRemote fetches the content of the remote items of ws that are not
// fetched yet; an item Exchange no longer has becomes absent.
func (r *run) fetchRemote(ctx context.Context, ws []*work) error {
	var items []*remoteItem
	var owners []*work
	for _, w := range ws {
		if w.remote == nil && !w.remoteGn && w.corr != nil && w.corr.RemoteID != "" {
			w.remote = &remoteItem{ID: w.corr.RemoteID, UID: w.uid, Tagged: true}
		}
		if w.remote != nil && !w.remote.Fetched {
			items = append(items, w.remote)
			owners = append(owners, w)
		}
	}
	if len(items) == 0 {
		return nil
	}
	errs := r.kind.fetch(ctx, r.remote, items)
	for i, err := range errs {
		switch {
		case err == nil:
		case ews.IsNotFound(err):
			owners[i].remote, owners[i].remoteGn = nil, true
		case ctx.Err() != nil:
			return ctx.Err()
		case isBatchFailure(err):
			return fmt.Errorf("harmony: getitem: %w", err)
		default:
			r.itemError(owners[i], "read-remote", err)
		}
	}
	return nil
}

// isBatchFailure tells a failure of the whole request (transport, server
// busy after retries) from one item's error.
func isBatchFailure(err error) bool {
	var ee *ews.Error
	if errors.As(err, &ee) {
		return ee.ResponseCode == "" || ews.IsBusy(err) || ews.IsAuth(err)
	}
	return true
}

// checkGuards returns why the run must not proceed, or "".
func (r *run) checkGuards() string {
	if len(r.corrs) == 0 {
		return ""
	}
	var localWas, remoteWas, localLeft, remoteLeft, deletions int
	for i := range r.corrs {
		c := &r.corrs[i]
		w := r.works[c.UID]
		if c.LocalHref != "" {
			localWas++
			if w == nil || w.localPresent() {
				localLeft++
			}
		}
		if c.RemoteID != "" {
			remoteWas++
			if w == nil || w.remotePresent() {
				remoteLeft++
			}
		}
		if w != nil && c.LocalHref != "" && c.RemoteID != "" && w.localPresent() != w.remotePresent() {
			deletions++
		}
	}
	for _, w := range r.works {
		if w.corr == nil && w.local != nil {
			localLeft++
		}
		if w.corr == nil && w.remote != nil {
			remoteLeft++
		}
	}
	if !r.e.opts.NoEmptyGuard {
		if localWas > 0 && localLeft == 0 && remoteLeft > 0 {
			return fmt.Sprintf("the Nextcloud collection is empty; confirm to delete its %d items in Exchange too", remoteLeft)
		}
		if remoteWas > 0 && remoteLeft == 0 && localLeft > 0 {
			return fmt.Sprintf("the Exchange folder is empty; confirm to delete its %d items in Nextcloud too", localLeft)
		}
	}
	share := r.e.opts.DeleteShare
	if share > 0 && deletions >= r.e.opts.DeleteMin && float64(deletions) > share*float64(len(r.corrs)) {
		return fmt.Sprintf("%d of %d items would be deleted in one run; confirm to go on", deletions, len(r.corrs))
	}
	return ""
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// itemError records a per-item failure.
func (r *run) itemError(w *work, op string, err error) {
	w.err, w.reported = err, true
	ie := ItemError{UID: w.uid, Op: op, Err: err.Error()}
	if w.local != nil {
		ie.Href = w.local.Href
	} else if w.corr != nil {
		ie.Href = w.corr.LocalHref
	}
	if w.remote != nil {
		ie.ItemID = w.remote.ID
	} else if w.corr != nil {
		ie.ItemID = w.corr.RemoteID
	}
	r.res.Errors = append(r.res.Errors, ie)
	r.e.log.Warn("harmony item failed", "link_id", r.link.ID, "uid", w.uid, "op", op, "error", err.Error())
}
