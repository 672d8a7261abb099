package event

import (
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// ProdID is the PRODID (RFC 5545 §3.7.3) of calendar objects this package
// creates.
const ProdID = "-//ews_connector//event//EN"

// MergeIntoICal merges a remote series (the master or single item, and its
// exceptions as GetItem returns them with Properties()) into the local
// object existing (nil for a new one) and returns the result; existing is
// not modified. Only mapped properties whose canonical value differs are
// rewritten, so everything EWS cannot hold stays as it was: COLOR, GEO, URL,
// X- and unknown properties and parameters, all VALARMs but the first
// display alarm, URI attachments, RDATE, other components. The merge is
// deterministic and idempotent: merging the same remote state again changes
// nothing. The UID of an existing object is never rewritten.
// https://www.rfc-editor.org/rfc/rfc5545#section-3.6.1
func MergeIntoICal(existing *ical.Calendar, master *wire.CalendarItem, exceptions []*wire.CalendarItem, o Options) (*ical.Calendar, []Issue, error) {
	rm, issues, err := readItem(master)
	if err != nil {
		return nil, nil, err
	}
	rm.limit = o.maxAttachment()
	type rexc struct {
		oc  *occ
		key string
	}
	var rexcs []rexc
	if rm.rrule != "" {
		for _, e := range exceptions {
			oc, is, err := readItem(e)
			if err != nil {
				return nil, nil, err
			}
			issues = append(issues, is...)
			if oc.orig, err = originalStart(e, rm); err != nil {
				return nil, nil, err
			}
			oc.limit = o.maxAttachment()
			rexcs = append(rexcs, rexc{oc, timeKey(oc.orig, rm.allDay)})
		}
		sort.Slice(rexcs, func(i, j int) bool { return rexcs[i].key < rexcs[j].key })
	}
	var cal *ical.Calendar
	if existing != nil && existing.Component != nil {
		cal = &ical.Calendar{Component: cloneComponent(existing.Component)}
	} else {
		cal = ical.NewCalendar()
	}
	if cal.Props.Get(ical.PropProductID) == nil {
		cal.Props.SetText(ical.PropProductID, ProdID)
	}
	if cal.Props.Get(ical.PropVersion) == nil {
		cal.Props.SetText(ical.PropVersion, "2.0")
	}
	zs := newZoneSet(cal)
	uid, _ := ItemUID(master)
	var masterEv *ical.Component
	var overrides []*ical.Component
	var others []*ical.Component
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent && masterEv == nil && c.Props.Get(ical.PropRecurrenceID) == nil {
			masterEv = c
			if p := c.Props.Get(ical.PropUID); p != nil && p.Value != "" {
				uid = p.Value
			}
			continue
		}
		others = append(others, c)
	}
	if uid == "" {
		return nil, nil, errf(ErrInvalid, "UID", "remote item has no UID and there is no local object")
	}
	var kept []*ical.Component
	for _, c := range others {
		if c.Name == ical.CompEvent && c.Props.Get(ical.PropRecurrenceID) != nil && propValue(c, ical.PropUID) == uid {
			overrides = append(overrides, c)
			continue
		}
		if c.Name == ical.CompEvent && propValue(c, ical.PropUID) == uid {
			continue // a second master: dropped, the remote series replaces it
		}
		kept = append(kept, c)
	}
	stamp := remoteStamp(master, rm)
	if masterEv == nil {
		masterEv = newEvent(uid, stamp)
	}
	var lm *occ
	if l, _, err := readEvent(masterEv, zs, o); err == nil {
		lm = l
		if p := masterEv.Props.Get(ical.PropRecurrenceRule); p != nil {
			if rec, err := rruleToEWS(p.Value, l.start, l.allDay); err == nil {
				l.rrule, _ = ewsToRRule(rec, l.start, l.allDay, l.floating)
			} else {
				l.rrule = "\x00" + p.Value // not representable: differs from any remote rule
			}
		}
		for _, p := range masterEv.Props.Values(ical.PropExceptionDates) {
			for _, v := range strings.Split(p.Value, ",") {
				q := ical.Prop{Name: p.Name, Params: p.Params, Value: v}
				if t, _, _, err := propTime(&q, zs, o); err == nil {
					l.exdates = append(l.exdates, alignOriginal(t, l.start, l.allDay))
				}
			}
		}
		sortTimes(l.exdates)
	}
	changed := mergeFields(masterEv, lm, rm, true)
	// A floating local series whose times did not change stays floating.
	floating := lm != nil && lm.floating && timeFieldKey(lm) == timeFieldKey(rm)
	if exdatesKey(lm, rm.allDay) != exdatesKey(rm, rm.allDay) {
		writeExdates(masterEv, rm, floating)
		changed = true
	}
	// Overrides: match by original start.
	byKey := map[string]*ical.Component{}
	if lm != nil {
		for _, c := range overrides {
			q := *c.Props.Get(ical.PropRecurrenceID)
			if t, _, _, err := propTime(&q, zs, o); err == nil {
				byKey[timeKey(alignOriginal(t, lm.start, lm.allDay), lm.allDay)] = c
			}
		}
	}
	var newOverrides []*ical.Component
	for _, e := range rexcs {
		ev := byKey[e.key]
		var lo *occ
		if ev != nil {
			lo, _, _ = readEvent(ev, zs, o)
		} else {
			ev = newEvent(uid, stamp)
			setTime(ev, ical.PropRecurrenceID, e.oc.orig.In(rm.start.Location()), rm.allDay, floating)
			changed = true
		}
		if mergeFields(ev, lo, e.oc, false) {
			changed = true
		}
		newOverrides = append(newOverrides, ev)
	}
	if len(newOverrides) != len(overrides) {
		changed = true
	}
	if changed && master.LastModifiedTime != "" {
		if t, _, err := wire.ParseDateTime(master.LastModifiedTime); err == nil {
			masterEv.Props.Set(&ical.Prop{Name: ical.PropLastModified, Params: ical.Params{}, Value: t.UTC().Format("20060102T150405Z")})
		}
	}
	// Children: VTIMEZONEs, the master, overrides, the rest.
	var events []*ical.Component
	events = append(events, masterEv)
	events = append(events, newOverrides...)
	used := map[string]bool{}
	for _, c := range append(append([]*ical.Component{}, events...), kept...) {
		collectTZIDs(c, used)
	}
	var tzs []*ical.Component
	have := map[string]bool{}
	var rest []*ical.Component
	for _, c := range kept {
		if c.Name == ical.CompTimezone {
			id := propValue(c, ical.PropTimezoneID)
			if used[id] && !have[id] {
				tzs = append(tzs, c)
				have[id] = true
			}
			continue
		}
		rest = append(rest, c)
	}
	for _, loc := range []*time.Location{rm.start.Location(), rm.end.Location()} {
		if id := tzidOf(loc); used[id] && !have[id] && loc != time.UTC {
			if vt := VTimezone(loc, rm.start); vt != nil {
				tzs = append(tzs, vt)
				have[id] = true
			}
		}
	}
	for _, e := range rexcs {
		for _, loc := range []*time.Location{e.oc.start.Location(), e.oc.end.Location()} {
			if id := tzidOf(loc); used[id] && !have[id] && loc != time.UTC {
				if vt := VTimezone(loc, rm.start); vt != nil {
					tzs = append(tzs, vt)
					have[id] = true
				}
			}
		}
	}
	sort.SliceStable(tzs, func(i, j int) bool {
		return propValue(tzs[i], ical.PropTimezoneID) < propValue(tzs[j], ical.PropTimezoneID)
	})
	cal.Children = append(append(tzs, events...), rest...)
	return cal, issues, nil
}

// mergeFields writes into ev every mapped field whose key differs between
// the local reading l (nil when unreadable: everything is written) and the
// remote r, and reports whether anything changed.
func mergeFields(ev *ical.Component, l, r *occ, master bool) bool {
	changed := false
	for _, f := range fields {
		if f.master && !master {
			continue
		}
		if f.name == "organizer" && (r.item.Organizer == nil || !isMeeting(r.item)) {
			continue // an appointment's organizer is just the mailbox owner
		}
		if f.name == "attachments" && !r.attachOK {
			continue
		}
		if l != nil && f.key(l) == f.key(r) {
			continue
		}
		f.write(ev, r)
		changed = true
	}
	return changed
}

func exdatesKey(o *occ, allDay bool) string {
	if o == nil {
		return "\x00"
	}
	keys := make([]string, len(o.exdates))
	for i, t := range o.exdates {
		keys[i] = timeKey(t, allDay)
	}
	return strings.Join(keys, ",")
}

func writeExdates(ev *ical.Component, r *occ, floating bool) {
	ev.Props.Del(ical.PropExceptionDates)
	if len(r.exdates) == 0 {
		return
	}
	vals := make([]string, len(r.exdates))
	p := &ical.Prop{Name: ical.PropExceptionDates, Params: ical.Params{}}
	loc := r.start.Location()
	for i, t := range r.exdates {
		switch {
		case r.allDay:
			vals[i] = t.Format("20060102")
		case floating:
			vals[i] = t.In(loc).Format("20060102T150405")
		case loc == time.UTC:
			vals[i] = t.UTC().Format("20060102T150405Z")
		default:
			vals[i] = t.In(loc).Format("20060102T150405")
		}
	}
	switch {
	case r.allDay:
		p.Params.Set(ical.ParamValue, "DATE")
	case floating:
	case loc != time.UTC:
		p.Params.Set(ical.ParamTimezoneID, tzidOf(loc))
	}
	p.Value = strings.Join(vals, ",")
	ev.Props.Set(p)
}

func newEvent(uid string, stamp time.Time) *ical.Component {
	ev := ical.NewComponent(ical.CompEvent)
	ev.Props.Set(&ical.Prop{Name: ical.PropUID, Params: ical.Params{}, Value: uid})
	ev.Props.Set(&ical.Prop{Name: ical.PropDateTimeStamp, Params: ical.Params{}, Value: stamp.UTC().Format("20060102T150405Z")})
	return ev
}

// remoteStamp is the DTSTAMP of a VEVENT created from a remote item: its
// last modification, creation or start time, never the clock.
func remoteStamp(ci *wire.CalendarItem, o *occ) time.Time {
	for _, s := range []string{ci.LastModifiedTime, ci.DateTimeStamp, ci.DateTimeCreated} {
		if t, _, err := wire.ParseDateTime(s); err == nil {
			return t
		}
	}
	return o.start
}

func propValue(c *ical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}

func collectTZIDs(c *ical.Component, used map[string]bool) {
	for _, ps := range c.Props {
		for _, p := range ps {
			if id := p.Params.Get(ical.ParamTimezoneID); id != "" {
				used[id] = true
			}
		}
	}
	for _, ch := range c.Children {
		collectTZIDs(ch, used)
	}
}

func cloneComponent(c *ical.Component) *ical.Component {
	out := &ical.Component{Name: c.Name, Props: make(ical.Props, len(c.Props))}
	for name, ps := range c.Props {
		cp := make([]ical.Prop, len(ps))
		for i, p := range ps {
			cp[i] = ical.Prop{Name: p.Name, Value: p.Value, Params: make(ical.Params, len(p.Params))}
			for k, v := range p.Params {
				cp[i].Params[k] = append([]string(nil), v...)
			}
		}
		out.Props[name] = cp
	}
	for _, ch := range c.Children {
		out.Children = append(out.Children, cloneComponent(ch))
	}
	return out
}

// ItemUID returns the iCalendar UID of an EWS item: the connector's UID
// extended property, else the item's UID element. The extended property is
// the join key: grommunio mangles t:UID on meetings (ews-server-quirks.md).
func ItemUID(ci *wire.CalendarItem) (string, bool) {
	if ci == nil {
		return "", false
	}
	if v, ok := ci.Extended(wire.UIDProperty); ok && v != "" {
		return v, true
	}
	if ci.UID != "" {
		return ci.UID, true
	}
	return "", false
}

// ICalUID returns the UID of the first VEVENT of cal (RFC 5545 §3.8.4.7).
func ICalUID(cal *ical.Calendar) (string, bool) {
	if cal == nil || cal.Component == nil {
		return "", false
	}
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent {
			if v := propValue(c, ical.PropUID); v != "" {
				return v, true
			}
		}
	}
	return "", false
}

// isMeeting reports whether an item is a meeting: it has attendees or the
// server says so.
func isMeeting(ci *wire.CalendarItem) bool {
	return ci.IsMeeting != nil && *ci.IsMeeting || len(attendeeKeys(ci)) > 0
}
