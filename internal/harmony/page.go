package harmony

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/harmony/plan"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// maxRounds bounds the re-plans of an item whose write met a failed
// precondition in one run (412, a stale ChangeKey).
const maxRounds = 3

// sideRef is one side of an item after the page: where it is, its version
// and its content hash; empty ID means absent.
type sideRef struct{ ID, Version, Hash string }

// page plans, applies and commits one page of work.
func (r *run) page(ctx context.Context, ws []*work) error {
	active := ws
	for round := 0; round < maxRounds && len(active) > 0; round++ {
		if err := r.fetchRemote(ctx, active); err != nil {
			return err
		}
		for _, w := range active {
			if w.err == nil {
				r.decide(w)
			}
		}
		if err := r.fetchForMerge(ctx, active); err != nil {
			return err
		}
		if r.opts.DryRun {
			r.count(active)
			return nil
		}
		if err := r.execute(ctx, active); err != nil {
			return err
		}
		var stale []*work
		for _, w := range active {
			if w.stale && w.err == nil {
				stale = append(stale, w)
			}
		}
		if len(stale) > 0 {
			if err := r.refresh(ctx, stale); err != nil {
				return err
			}
		}
		active = stale
	}
	for _, w := range active {
		if w.stale && w.err == nil {
			r.itemError(w, w.dec.Action.String(), fmt.Errorf("harmony: item kept changing during the run"))
		}
	}
	r.count(ws)
	return r.commit(ctx, ws)
}

// decide runs the planner for w.
func (r *run) decide(w *work) {
	in := plan.Input{
		Local: w.localState(), Remote: w.remoteState(),
		Direction: directionOf(r.link.Direction), Policy: policyOf(r.link.ConflictPolicy),
		Correlated: w.corr != nil,
	}
	lh, rh := "", ""
	if w.local != nil {
		lh, in.LocalModified = w.local.Hash, w.local.Modified
	} else if w.corr != nil {
		lh = w.corr.LocalHash
	}
	if w.remote != nil && w.remote.Fetched {
		rh, in.RemoteModified = w.remote.Hash, w.remote.Modified
	} else if w.corr != nil {
		rh = w.corr.RemoteHash
	}
	in.SameContent = lh != "" && lh == rh
	w.dec = plan.Decide(in)
	w.tag = false
	// A link to Nextcloud never writes to Exchange, not even the UID tag
	// (the folder may be read-only): its items keep the UID derived from
	// their ItemId or t:UID.
	if w.remote != nil && w.remote.Fetched && !w.remote.Tagged && r.link.Direction != store.ToNextcloud {
		switch w.dec.Action {
		case plan.CreateRemote, plan.UpdateRemote, plan.DeleteRemote, plan.Drop:
		default:
			w.tag = true
		}
	}
}

// fetchForMerge fetches the local objects an UpdateLocal merges into (not
// fetched when unchanged) and the contact merge bases.
func (r *run) fetchForMerge(ctx context.Context, ws []*work) error {
	var hrefs []string
	need := map[string]*work{}
	var ids []int64
	for _, w := range ws {
		if w.err != nil || w.dec.Action != plan.UpdateLocal {
			continue
		}
		if w.local == nil && w.corr != nil && w.corr.LocalHref != "" {
			hrefs = append(hrefs, w.corr.LocalHref)
			need[w.corr.LocalHref] = w
		}
		if w.corr != nil && w.base == nil {
			ids = append(ids, w.corr.ID)
		}
	}
	if len(hrefs) > 0 {
		locals, gone, err := r.fetchLocal(ctx, hrefs)
		if err != nil {
			return err
		}
		for _, l := range locals {
			if w := need[l.Href]; w != nil {
				if l.Err != nil {
					r.itemError(w, "read-local", l.Err)
					continue
				}
				w.local = l
				if l.UID != w.uid {
					w.local, w.localGone = nil, true
				}
				r.decide(w)
			}
		}
		for _, h := range gone {
			if w := need[h]; w != nil {
				w.localGone = true
				r.decide(w)
			}
		}
	}
	if len(ids) > 0 && r.link.Kind == store.KindContacts {
		bases, err := r.e.st.CorrelationBases(ctx, r.link.ID, ids)
		if err != nil {
			return fmt.Errorf("harmony: merge bases: %w", err)
		}
		for _, w := range ws {
			if w.corr != nil && w.base == nil {
				w.base = bases[w.corr.ID]
			}
		}
	}
	return nil
}

// refresh re-reads both sides of the stale items for the next round.
func (r *run) refresh(ctx context.Context, ws []*work) error {
	var hrefs []string
	byHref := map[string]*work{}
	for _, w := range ws {
		w.stale = false
		if w.remote != nil {
			w.remote.Fetched = false
		}
		href := ""
		switch {
		case w.local != nil:
			href = w.local.Href
		case w.corr != nil && w.corr.LocalHref != "":
			href = w.corr.LocalHref
		default:
			href = dav.ObjectHref(r.link.LocalHref, w.uid, r.kind.ext())
		}
		hrefs = append(hrefs, href)
		byHref[href] = w
	}
	locals, gone, err := r.fetchLocal(ctx, hrefs)
	if err != nil {
		return err
	}
	for _, h := range gone {
		if w := byHref[h]; w != nil {
			w.local, w.localGone = nil, true
		}
	}
	for _, l := range locals {
		if w := byHref[l.Href]; w != nil {
			if l.Err != nil {
				r.itemError(w, "read-local", l.Err)
			} else if l.UID == w.uid {
				w.local, w.localGone = l, false
			} else {
				w.err = fmt.Errorf("harmony: %s holds uid %q, not %q", l.Href, l.UID, w.uid)
			}
		}
	}
	return nil
}

// execute applies the decisions of ws: local writes, then remote writes,
// then the UID write-back.
func (r *run) execute(ctx context.Context, ws []*work) error {
	var puts []dav.PutRequest
	var putW []*work
	type pending struct {
		hash string
		base []byte
	}
	pend := map[*work]pending{}
	var dels []*work
	var creates, updates, rdels []*work
	for _, w := range ws {
		if w.err != nil {
			continue
		}
		switch w.dec.Action {
		case plan.CreateLocal, plan.UpdateLocal:
			var l *localItem
			href := dav.ObjectHref(r.link.LocalHref, w.uid, r.kind.ext())
			etag := ""
			if w.dec.Action == plan.UpdateLocal || w.local != nil {
				l = w.local
				if l != nil {
					href, etag = l.Href, l.ETag
				}
			}
			mergeBase := w.base
			if w.dec.Conflict {
				// Exchange won a conflict: every mapped field takes its value
				// (a two-way merge), not only those it changed since the base.
				mergeBase = nil
			}
			data, hash, base, err := r.kind.toLocal(l, w.remote, mergeBase, w.uid)
			if err != nil {
				r.itemError(w, w.dec.Action.String(), err)
				continue
			}
			puts = append(puts, dav.PutRequest{Href: href, Data: data, IfMatch: etag, ContentType: r.kind.contentType()})
			putW = append(putW, w)
			pend[w] = pending{hash, base}
		case plan.DeleteLocal:
			dels = append(dels, w)
		case plan.CreateRemote:
			creates = append(creates, w)
		case plan.UpdateRemote:
			updates = append(updates, w)
		case plan.DeleteRemote:
			rdels = append(rdels, w)
		}
	}
	// Nextcloud: conditional PUTs, a few in flight.
	if len(puts) > 0 {
		for i, pr := range r.local.PutMany(ctx, puts, r.e.opts.PutParallel) {
			w := putW[i]
			switch {
			case pr.Err == nil:
				w.local = &localItem{Href: pr.Href, ETag: pr.ETag, UID: w.uid, Hash: pend[w].hash}
				w.localGone = false
				w.base = pend[w].base
				r.settle(w)
			case dav.IsPreconditionFailed(pr.Err):
				w.stale = true
			case ctx.Err() != nil:
				return ctx.Err()
			default:
				r.itemError(w, w.dec.Action.String(), pr.Err)
			}
		}
	}
	if err := r.deleteLocal(ctx, dels); err != nil {
		return err
	}
	// Exchange: batched writes.
	if len(creates) > 0 {
		r.kind.create(ctx, r.remote, ews.FolderID(r.link.RemoteFolderID), creates)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.reportKindErrors(creates, "create-remote")
		for _, w := range creates {
			if w.err == nil && !w.stale {
				w.base = r.kind.baseOfLocal(w.local)
				r.settle(w)
			}
		}
	}
	if len(updates) > 0 {
		r.kind.update(ctx, r.remote, updates)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.reportKindErrors(updates, "update-remote")
		for _, w := range updates {
			if w.err == nil && !w.stale {
				w.base = r.kind.baseOfLocal(w.local)
				r.settle(w)
			}
		}
	}
	if err := r.deleteRemote(ctx, rdels); err != nil {
		return err
	}
	for _, w := range ws {
		if w.err == nil && !w.stale && !w.done {
			switch w.dec.Action {
			case plan.Nothing, plan.Record, plan.Drop, plan.AcceptLocal, plan.AcceptRemote:
				if w.remote != nil && w.remote.Fetched && w.base == nil {
					w.base = r.kind.baseOfRemote(w.remote)
				}
				r.settle(w)
			}
		}
	}
	return r.writeTags(ctx, ws)
}

// reportKindErrors records the per-item errors a kind's batch write set.
func (r *run) reportKindErrors(ws []*work, op string) {
	for _, w := range ws {
		if w.err != nil && !w.reported {
			r.itemError(w, op, w.err)
		}
	}
}

// deleteLocal sends the conditional DELETEs, a few in flight.
func (r *run) deleteLocal(ctx context.Context, ws []*work) error {
	if len(ws) == 0 {
		return nil
	}
	errs := make([]error, len(ws))
	sem := make(chan struct{}, r.e.opts.PutParallel)
	var wg sync.WaitGroup
	for i, w := range ws {
		href, etag := w.corr.LocalHref, w.corr.LocalETag
		if w.local != nil {
			href, etag = w.local.Href, w.local.ETag
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = r.local.Delete(ctx, href, etag)
		}()
	}
	wg.Wait()
	for i, w := range ws {
		switch err := errs[i]; {
		case err == nil, dav.IsNotFound(err):
			w.local, w.localGone = nil, true
			r.settle(w)
		case dav.IsPreconditionFailed(err):
			w.stale = true
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			r.itemError(w, "delete-local", err)
		}
	}
	return nil
}

// deleteRemote deletes items in batches (to Deleted Items, so a mistake can
// be undone in Outlook).
func (r *run) deleteRemote(ctx context.Context, ws []*work) error {
	if len(ws) == 0 {
		return nil
	}
	refs := make(wire.ItemRefs, len(ws))
	for i, w := range ws {
		id := w.corr.RemoteID
		if w.remote != nil {
			id = w.remote.ID
		}
		refs[i] = ews.ItemRef(wire.ItemId{Id: id})
	}
	res, err := r.remote.DeleteItems(ctx, refs, "MoveToDeletedItems")
	if err != nil && len(res) == 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		for _, w := range ws {
			r.itemError(w, "delete-remote", err)
		}
		return nil
	}
	for i, w := range ws {
		var ierr error
		if i < len(res) {
			ierr = res[i].Err
		} else {
			ierr = err
		}
		switch {
		case ierr == nil, ews.IsNotFound(ierr):
			w.remote, w.remoteGn = nil, true
			r.settle(w)
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			r.itemError(w, "delete-remote", ierr)
		}
	}
	return nil
}

// writeTags writes the app's UID property to the remote items that lack
// it, in one batched UpdateItem.
func (r *run) writeTags(ctx context.Context, ws []*work) error {
	var changes []wire.ItemChange
	var tw []*work
	for _, w := range ws {
		if !w.tag || w.err != nil || w.stale || w.remote == nil {
			continue
		}
		changes = append(changes, wire.ItemChange{
			ItemId:  &wire.ItemId{Id: w.remote.ID, ChangeKey: w.remote.ChangeKey},
			Updates: wire.Updates{{Kind: wire.SetField, Path: wire.Extended(wire.UIDProperty), Item: r.kind.tagItem(w.uid)}},
		})
		tw = append(tw, w)
	}
	if len(changes) == 0 {
		return nil
	}
	res, err := r.remote.UpdateItems(ctx, changes, ews.AutoResolve)
	if err != nil && len(res) == 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("harmony: uid write-back: %w", err)
	}
	for i, w := range tw {
		var ierr error
		if i < len(res) {
			ierr = res[i].Err
		} else {
			ierr = orErr(err, "updateitem: no result")
		}
		switch {
		case ierr == nil:
			if id := itemIDOf(res[i].Item()); id != nil && id.ChangeKey != "" {
				w.remote.ChangeKey = id.ChangeKey
			}
			w.remote.Tagged = true
			r.res.Tagged++
			r.settle(w)
		case ews.IsConflict(ierr):
			w.stale, w.done = true, false
		case ews.IsNotFound(ierr):
			w.remote, w.remoteGn, w.stale, w.done = nil, true, true, false
		default:
			w.done = false
			r.itemError(w, "tag-remote", ierr)
		}
	}
	return nil
}

// settle computes the correlation w must have after its action.
func (r *run) settle(w *work) {
	var l, rm sideRef
	switch {
	case w.local != nil:
		l = sideRef{w.local.Href, w.local.ETag, w.local.Hash}
	case !w.localGone && w.corr != nil && w.corr.LocalHref != "":
		l = sideRef{w.corr.LocalHref, w.corr.LocalETag, w.corr.LocalHash}
	}
	switch {
	case w.remote != nil && w.remote.Fetched:
		rm = sideRef{w.remote.ID, w.remote.ChangeKey, w.remote.Hash}
	case !w.remoteGn && w.corr != nil && w.corr.RemoteID != "":
		rm = sideRef{w.corr.RemoteID, w.corr.RemoteChangeKey, w.corr.RemoteHash}
	}
	if l.ID == "" && rm.ID == "" {
		w.drop = w.corr != nil
		w.done = true
		return
	}
	w.drop = false
	w.out = store.Correlation{LinkID: r.link.ID, UID: w.uid,
		LocalHref: l.ID, LocalETag: l.Version, LocalHash: l.Hash,
		RemoteID: rm.ID, RemoteChangeKey: rm.Version, RemoteHash: rm.Hash,
		SyncedAt: r.e.opts.Now()}
	if w.corr != nil {
		w.out.ID = w.corr.ID
	}
	w.done = true
}

// count adds the page's outcomes to the result.
func (r *run) count(ws []*work) {
	for _, w := range ws {
		if w.err != nil || (!r.opts.DryRun && !w.done) {
			continue
		}
		if r.opts.DryRun && w.dec.Action != plan.Nothing {
			r.res.Planned = append(r.res.Planned, Planned{UID: w.uid, Action: w.dec.Action.String(), Conflict: w.dec.Conflict, Reason: w.dec.Reason})
		}
		if w.dec.Conflict {
			r.res.Conflicts++
		}
		switch w.dec.Action {
		case plan.CreateLocal:
			r.res.Local.Created++
		case plan.UpdateLocal:
			r.res.Local.Updated++
		case plan.DeleteLocal:
			r.res.Local.Deleted++
		case plan.CreateRemote:
			r.res.Remote.Created++
		case plan.UpdateRemote:
			r.res.Remote.Updated++
		case plan.DeleteRemote:
			r.res.Remote.Deleted++
		case plan.Record:
			r.res.Matched++
		}
	}
}

// commit stores the page's correlations in one transaction: changed rows,
// dropped rows, merge bases and failures.
func (r *run) commit(ctx context.Context, ws []*work) error {
	now := r.e.opts.Now()
	var upd, ins []store.Correlation
	var drops []int64
	bases := map[string][]byte{}
	for _, w := range ws {
		switch {
		case w.err != nil:
			upd, ins = r.failure(w, now, upd, ins)
		case !w.done:
		case w.drop:
			drops = append(drops, w.corr.ID)
		case w.corr != nil && sameCorrelation(*w.corr, w.out) && w.base == nil:
		default:
			if w.out.ID != 0 {
				upd = append(upd, w.out)
			} else {
				ins = append(ins, w.out)
			}
			if w.base != nil {
				bases[w.uid] = w.base
			}
		}
	}
	if len(upd) == 0 && len(ins) == 0 && len(drops) == 0 {
		return nil
	}
	err := r.e.st.InTx(ctx, func(tx *store.Tx) error {
		if len(drops) > 0 {
			if _, err := tx.DeleteCorrelations(ctx, r.link.ID, drops); err != nil {
				return err
			}
		}
		all := append(upd, ins...)
		if err := tx.UpsertCorrelations(ctx, all); err != nil {
			return err
		}
		if len(bases) > 0 && r.link.Kind == store.KindContacts {
			byID := map[int64][]byte{}
			for _, c := range all {
				if b, ok := bases[c.UID]; ok {
					byID[c.ID] = b
				}
			}
			return tx.SetCorrelationBases(ctx, r.link.ID, byID)
		}
		return nil
	})
	if err == nil || !errors.Is(err, store.ErrDuplicate) {
		return err
	}
	// A row clashes with another UID's href or item id (a UID moved between
	// objects in an unusual order): store the page row by row so one clash
	// cannot block the link; the clashing item fails and is retried.
	r.e.log.Warn("harmony: page commit clashed, storing row by row", "link_id", r.link.ID, "error", err.Error())
	if len(drops) > 0 {
		if _, err := r.e.st.DeleteCorrelations(ctx, r.link.ID, drops); err != nil {
			return err
		}
	}
	for _, c := range append(upd, ins...) {
		if err := r.e.st.UpsertCorrelation(ctx, &c); err != nil {
			if !errors.Is(err, store.ErrDuplicate) {
				return err
			}
			r.res.Errors = append(r.res.Errors, ItemError{UID: c.UID, Href: c.LocalHref, ItemID: c.RemoteID, Op: "record", Err: err.Error()})
			continue
		}
		if b, ok := bases[c.UID]; ok && r.link.Kind == store.KindContacts {
			if err := r.e.st.SetCorrelationBases(ctx, r.link.ID, map[int64][]byte{c.ID: b}); err != nil {
				return err
			}
		}
	}
	return nil
}

// failure records a failed item for a retry with back-off: an existing
// correlation keeps its versions (so the change is seen again); a new item
// gets a correlation with its present sides and blank versions, so the
// retry finds it changed.
func (r *run) failure(w *work, now time.Time, upd, ins []store.Correlation) ([]store.Correlation, []store.Correlation) {
	var c store.Correlation
	if w.corr != nil {
		c = *w.corr
	} else {
		c = store.Correlation{LinkID: r.link.ID, UID: w.uid}
		if w.local != nil {
			c.LocalHref = w.local.Href
		}
		if w.remote != nil {
			c.RemoteID = w.remote.ID
		}
		if c.LocalHref == "" && c.RemoteID == "" {
			return upd, ins
		}
	}
	if w.remote != nil && w.remote.Written {
		// A multi-step write to Exchange failed after its first step: keep
		// the item it made or changed, with the version it has now, so the
		// retry completes it instead of creating another.
		c.RemoteID, c.RemoteChangeKey = w.remote.ID, w.remote.ChangeKey
		if w.corr == nil || w.corr.RemoteID != w.remote.ID {
			c.RemoteHash = ""
		}
	}
	c.Failures++
	c.LastError = w.err.Error()
	backoff := r.e.opts.RetryBase << min(c.Failures-1, 20)
	if backoff > r.e.opts.RetryMax || backoff <= 0 {
		backoff = r.e.opts.RetryMax
	}
	c.NextRetryAt = now.Add(backoff)
	if c.ID != 0 {
		return append(upd, c), ins
	}
	return upd, append(ins, c)
}

func sameCorrelation(a, b store.Correlation) bool {
	return a.UID == b.UID && a.LocalHref == b.LocalHref && a.LocalETag == b.LocalETag && a.LocalHash == b.LocalHash &&
		a.RemoteID == b.RemoteID && a.RemoteChangeKey == b.RemoteChangeKey && a.RemoteHash == b.RemoteHash &&
		a.Failures == 0 && a.NextRetryAt.IsZero()
}
