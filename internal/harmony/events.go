package harmony

import (
	"context"
	"fmt"
	"time"

	"github.com/emersion/go-ical"

	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/event"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// events maps CalDAV calendar objects (RFC 5545) to EWS calendar items with
// package event: a recurring series is its master plus the exceptions
// (ModifiedOccurrences) and cancelled occurrences (DeletedOccurrences).
// https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/recurrence-patterns-and-ews
type events struct{ opts event.Options }

func eventOptions(o Options) event.Options { return event.Options{Floating: o.Floating} }

func (events) ext() string         { return ".ics" }
func (events) contentType() string { return "text/calendar; charset=utf-8" }

func (events) multiget(ctx context.Context, d DAV, coll string, hrefs []string) ([]dav.Object, error) {
	return d.MultiGetCalendar(ctx, coll, hrefs)
}

func (k events) parseLocal(o dav.Object) (*localItem, error) {
	cal, err := event.Parse(o.Data)
	if err != nil {
		return nil, err
	}
	uid, ok := event.ICalUID(cal)
	if !ok {
		return nil, fmt.Errorf("harmony: %s: no VEVENT with a UID", o.Href)
	}
	hash, err := event.HashICal(cal, k.opts)
	if err != nil {
		return &localItem{Href: o.Href, ETag: o.ETag, UID: uid, Err: err}, nil
	}
	fp, _ := event.FingerprintICal(cal, k.opts)
	return &localItem{Href: o.Href, ETag: o.ETag, UID: uid, Hash: hash, Fingerprint: fp,
		Modified: icalModified(cal), Cal: cal}, nil
}

// icalModified is the LAST-MODIFIED (RFC 5545 section 3.8.7.3) of the first
// VEVENT, zero when absent.
func icalModified(cal *ical.Calendar) time.Time {
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		if p := c.Props.Get(ical.PropLastModified); p != nil {
			if t, err := p.DateTime(time.UTC); err == nil {
				return t
			}
		}
		return time.Time{}
	}
	return time.Time{}
}

func (events) syncPaths() wire.Paths { return wire.Paths{wire.Field("calendar:UID")} }

func (events) feedItem(it *wire.Item) (string, bool, bool) {
	if it.CalendarItem == nil {
		return "", false, false
	}
	v, tagged := it.CalendarItem.Extended(wire.UIDProperty)
	if tagged && v != "" {
		return v, true, true
	}
	return it.CalendarItem.UID, false, true
}

func eventShape() wire.ItemShape {
	return wire.ItemShape{BaseShape: "IdOnly", BodyType: wire.BodyTypeText, AdditionalProperties: event.Properties()}
}

func (k events) fetch(ctx context.Context, c EWS, items []*remoteItem) []error {
	var exRefs wire.ItemRefs
	var exOwner []int
	errs := getEach(ctx, c, items, eventShape(), func(i int, it *remoteItem, ri *wire.Item) error {
		if ri == nil || ri.CalendarItem == nil {
			return fmt.Errorf("harmony: %s is no calendar item", it.ID)
		}
		ci := ri.CalendarItem
		it.Master, it.Exceptions = ci, nil
		if ci.ItemId != nil {
			it.ID, it.ChangeKey = ci.ItemId.Id, ci.ItemId.ChangeKey
		}
		v, ok := ci.Extended(wire.UIDProperty)
		it.Tagged = ok && v != "" && v == it.UID
		it.Modified = ewsTime(ci.LastModifiedTime)
		if ci.ModifiedOccurrences != nil {
			for _, o := range ci.ModifiedOccurrences.Occurrence {
				exRefs = append(exRefs, ews.ItemRef(wire.ItemId{Id: o.ItemId.Id}))
				exOwner = append(exOwner, i)
			}
		}
		return nil
	})
	if len(exRefs) > 0 {
		xr, xerr := c.GetItems(ctx, exRefs, eventShape())
		for j, i := range exOwner {
			if j >= len(xr) || xr[j].Err != nil {
				if j < len(xr) {
					xerr = xr[j].Err
				}
				errs[i] = orErr(xerr, "getitem: no result for an exception")
				continue
			}
			if ri := xr[j].Item(); ri != nil && ri.CalendarItem != nil {
				items[i].Exceptions = append(items[i].Exceptions, ri.CalendarItem)
			}
		}
	}
	// File attachments' content, for the mapping and the hash.
	var attIDs []string
	type attRef struct {
		ci  *wire.CalendarItem
		pos int
		i   int
	}
	var owners []attRef
	for i, it := range items {
		if errs[i] != nil || it.Master == nil {
			continue
		}
		for _, ci := range append([]*wire.CalendarItem{it.Master}, it.Exceptions...) {
			if ci.Attachments == nil {
				continue
			}
			for p, a := range ci.Attachments.Attachment {
				if a.IsFile() && a.Content == nil && a.AttachmentId != nil {
					attIDs = append(attIDs, a.AttachmentId.Id)
					owners = append(owners, attRef{ci, p, i})
				}
			}
		}
	}
	if len(attIDs) > 0 {
		ar, aerr := c.GetAttachments(ctx, attIDs)
		for j, o := range owners {
			if j >= len(ar) || ar[j].Err != nil || ar[j].Attachment == nil {
				if j < len(ar) && ar[j].Err != nil {
					aerr = ar[j].Err
				}
				errs[o.i] = orErr(aerr, "getattachment: no result")
				continue
			}
			o.ci.Attachments.Attachment[o.pos].Content = ar[j].Attachment.Content
		}
	}
	for i, it := range items {
		if errs[i] != nil || it.Master == nil {
			continue
		}
		h, herr := event.HashEWS(it.Master, it.Exceptions)
		if herr != nil {
			errs[i] = herr
			continue
		}
		fp, _ := event.FingerprintEWS(it.Master)
		it.Hash, it.Fingerprint, it.Fetched = h, fp, true
	}
	return errs
}

func (k events) toLocal(l *localItem, r *remoteItem, _ []byte, uid string) ([]byte, string, []byte, error) {
	var existing *ical.Calendar
	if l != nil {
		existing = l.Cal
	}
	cal, _, err := event.MergeIntoICal(existing, r.Master, r.Exceptions, k.opts)
	if err != nil {
		return nil, "", nil, err
	}
	if l == nil {
		setICalUID(cal, uid)
	}
	data, err := event.Encode(cal)
	if err != nil {
		return nil, "", nil, err
	}
	hash, err := event.HashICal(cal, k.opts)
	if err != nil {
		return nil, "", nil, err
	}
	return data, hash, nil, nil
}

// setICalUID gives every VEVENT of cal the UID uid (RFC 5545 section
// 3.8.4.7), for an item created from an Exchange item whose UID was derived.
func setICalUID(cal *ical.Calendar, uid string) {
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent {
			c.Props.SetText(ical.PropUID, uid)
		}
	}
}

func (events) baseOfLocal(*localItem) []byte   { return nil }
func (events) baseOfRemote(*remoteItem) []byte { return nil }

func (events) tagItem(uid string) wire.Item {
	ci := &wire.CalendarItem{}
	ci.SetExtended(wire.UIDProperty, uid)
	return wire.Item{CalendarItem: ci}
}

func (k events) create(ctx context.Context, c EWS, folder wire.TargetFolder, ws []*work) {
	var items wire.Items
	var iw []*work
	series := map[*work]*event.Series{}
	for _, w := range ws {
		s, _, err := event.FromICal(w.local.Cal, k.opts)
		if err != nil {
			w.err = err
			continue
		}
		s.Master.SetExtended(wire.UIDProperty, w.uid)
		items = append(items, wire.Item{CalendarItem: s.Master})
		iw = append(iw, w)
		series[w] = s
	}
	if len(items) == 0 {
		return
	}
	res, err := c.CreateItems(ctx, &folder, items)
	var done []*work
	for i, w := range iw {
		id, ierr := createdID(res, err, i)
		if ierr != nil {
			w.err = ierr
			continue
		}
		w.remote = &remoteItem{ID: id.Id, ChangeKey: id.ChangeKey, UID: w.uid, Tagged: true, Fetched: true, Written: true, Hash: w.local.Hash}
		w.remoteGn = false
		if s := series[w]; len(s.Attachments) > 0 {
			if ck, err := addAttachments(ctx, c, *id, s.Attachments); err != nil {
				w.err = err
				continue
			} else if ck != "" {
				w.remote.ChangeKey = ck
			}
		}
		done = append(done, w)
	}
	k.occurrences(ctx, c, done, series)
}

func (k events) update(ctx context.Context, c EWS, ws []*work) {
	var changes []wire.ItemChange
	var cw []*work
	series := map[*work]*event.Series{}
	for _, w := range ws {
		s, _, err := event.FromICal(w.local.Cal, k.opts)
		if err != nil {
			w.err = err
			continue
		}
		s.Master.SetExtended(wire.UIDProperty, w.uid)
		series[w] = s
		ups, err := event.Updates(w.remote.Master, s.Master)
		if err != nil {
			w.err = err
			continue
		}
		if !w.remote.Tagged {
			ups = append(ups, wire.Update{Kind: wire.SetField, Path: wire.Extended(wire.UIDProperty), Item: k.tagItem(w.uid)})
		}
		if len(ups) == 0 {
			continue
		}
		changes = append(changes, wire.ItemChange{ItemId: &wire.ItemId{Id: w.remote.ID, ChangeKey: w.remote.ChangeKey}, Updates: ups})
		cw = append(cw, w)
	}
	if len(changes) > 0 {
		res, err := c.UpdateItems(ctx, changes, ews.NeverOverwrite)
		for i, w := range cw {
			applyUpdateResult(w, res, i, err)
		}
	}
	var done []*work
	for _, w := range ws {
		if w.err != nil || w.stale || series[w] == nil {
			continue
		}
		s := series[w]
		newCI := *s.Master
		newCI.Attachments = &wire.Attachments{Attachment: s.Attachments}
		add, remove := event.AttachmentChanges(w.remote.Master, &newCI)
		if len(remove) > 0 {
			ids := make([]string, len(remove))
			for i, r := range remove {
				ids[i] = r.Id
			}
			if _, err := c.DeleteAttachments(ctx, ids); err != nil {
				w.err = err
				continue
			}
		}
		if len(add) > 0 {
			if _, err := addAttachments(ctx, c, wire.ItemId{Id: w.remote.ID}, add); err != nil {
				w.err = err
				continue
			}
		}
		done = append(done, w)
	}
	k.occurrences(ctx, c, done, series)
}

// occurrences brings the occurrences of the written recurring masters to
// their series (event.Series.Plan): cancelled occurrences and exceptions,
// each kind in one batch, then reads the masters' final ChangeKeys.
func (k events) occurrences(ctx context.Context, c EWS, ws []*work, series map[*work]*event.Series) {
	var rec []*work
	for _, w := range ws {
		s := series[w]
		if s.Master.Recurrence != nil || len(s.Overrides) > 0 || len(s.Deleted) > 0 ||
			(w.remote.Master != nil && w.remote.Master.ModifiedOccurrences != nil) {
			rec = append(rec, w)
		}
	}
	if len(rec) > 0 {
		items := make([]*remoteItem, len(rec))
		for i, w := range rec {
			items[i] = &remoteItem{ID: w.remote.ID, UID: w.uid}
		}
		errs := k.fetch(ctx, c, items)
		var dels wire.ItemRefs
		var delW []*work
		var changes []wire.ItemChange
		var chW []*work
		for i, w := range rec {
			if errs[i] != nil {
				w.err = errs[i]
				continue
			}
			writes, _, err := series[w].Plan(items[i].Master, items[i].Exceptions)
			if err != nil {
				w.err = err
				continue
			}
			for _, ow := range writes {
				if ow.Delete {
					dels = append(dels, ews.OccurrenceRef(w.remote.ID, ow.InstanceIndex))
					delW = append(delW, w)
				} else if len(ow.Updates) > 0 {
					changes = append(changes, wire.ItemChange{
						OccurrenceItemId: &wire.OccurrenceItemId{RecurringMasterId: w.remote.ID, InstanceIndex: ow.InstanceIndex},
						Updates:          ow.Updates})
					chW = append(chW, w)
				}
			}
		}
		if len(dels) > 0 {
			res, err := c.DeleteItems(ctx, dels, "MoveToDeletedItems")
			for i, w := range delW {
				if i >= len(res) {
					w.err = orErr(err, "deleteitem: no result")
				} else if res[i].Err != nil && !ews.IsNotFound(res[i].Err) {
					w.err = res[i].Err
				}
			}
		}
		if len(changes) > 0 {
			res, err := c.UpdateItems(ctx, changes, ews.AutoResolve)
			for i, w := range chW {
				if i >= len(res) {
					w.err = orErr(err, "updateitem: no result")
				} else if res[i].Err != nil {
					w.err = res[i].Err
				}
			}
		}
	}
	// The final ChangeKeys, after attachments and occurrence writes.
	var refs wire.ItemRefs
	var rw []*work
	for _, w := range ws {
		if w.err == nil {
			refs = append(refs, ews.ItemRef(wire.ItemId{Id: w.remote.ID}))
			rw = append(rw, w)
		}
	}
	if len(refs) == 0 {
		return
	}
	res, err := c.GetItems(ctx, refs, wire.ItemShape{BaseShape: "IdOnly"})
	for i, w := range rw {
		if i >= len(res) {
			w.err = orErr(err, "getitem: no result")
			continue
		}
		if res[i].Err != nil {
			w.err = res[i].Err
			continue
		}
		if id := itemIDOf(res[i].Item()); id != nil {
			w.remote.ChangeKey = id.ChangeKey
		}
		w.remote.Hash, w.remote.Tagged = w.local.Hash, true
	}
}
