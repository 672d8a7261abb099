package event

import (
	"fmt"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// maxExpand bounds the occurrences expanded to find an instance index.
const maxExpand = 20000

// OccurrenceWrite is one write to an occurrence of a recurring master,
// addressed by its 1-based InstanceIndex in the series as the master's
// pattern lays it out (deleted occurrences keep their index). The engine
// sends it as UpdateItem (or DeleteItem when Delete is set) with an
// OccurrenceItemId{RecurringMasterId: master id, InstanceIndex}.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/occurrenceitemid
type OccurrenceWrite struct {
	InstanceIndex int
	OriginalStart time.Time
	Delete        bool
	Updates       wire.Updates
}

// Plan returns the occurrence writes that bring the recurring master
// remote (as GetItem returns it with Properties(), after CreateItem or
// UpdateItem of s.Master) and its exceptions (GetItem of each
// ModifiedOccurrences ItemId) to the series s: deletes first, then the
// overrides' field changes, ordered so that no move crosses a neighbouring
// occurrence on the way; an override whose final position crosses one is
// left out with an Issue wrapping ErrOccurrenceCrossing. Remote exceptions
// with no local override are reset to the master's values. A remote
// deleted occurrence that is no longer an EXDATE cannot be restored in
// Exchange: it is reported as an Issue.
func (s *Series) Plan(remote *wire.CalendarItem, exceptions []*wire.CalendarItem) ([]OccurrenceWrite, []Issue, error) {
	if len(s.Deleted) == 0 && len(s.Overrides) == 0 && (remote == nil || remote.ModifiedOccurrences == nil && len(exceptions) == 0) {
		return nil, nil, nil
	}
	rm, issues, err := readItem(remote)
	if err != nil {
		return nil, nil, err
	}
	if rm.rrule == "" {
		return nil, nil, errf(ErrInvalid, "Recurrence", "remote master has no recurrence")
	}
	// The last original start we need an index for.
	last := rm.start
	for _, d := range s.Deleted {
		if d.After(last) {
			last = d
		}
	}
	for _, ov := range s.overrides {
		if ov.orig.After(last) {
			last = ov.orig
		}
	}
	starts, err := expandUntil(rm.rrule, rm.start, last, maxExpand)
	if err != nil {
		return nil, nil, err
	}
	index := map[string]int{}
	for i, t := range starts {
		index[timeKey(alignOriginal(t, rm.start, rm.allDay), rm.allDay)] = i + 1
	}
	key := func(t time.Time) string { return timeKey(alignOriginal(t, rm.start, rm.allDay), rm.allDay) }
	// day is the calendar day of an occurrence start: in its own zone for
	// all-day times (dates), in the series zone otherwise.
	day := func(t time.Time) time.Time {
		if rm.allDay {
			return dateOf(t)
		}
		return dateOf(t.In(rm.start.Location()))
	}
	remoteDeleted := map[string]bool{}
	for _, d := range rm.exdates {
		remoteDeleted[key(d)] = true
	}
	remoteExc := map[string]*occ{}
	for _, e := range exceptions {
		oc, is, err := readItem(e)
		if err != nil {
			return nil, nil, err
		}
		issues = append(issues, is...)
		orig, err := originalStart(e, rm)
		if err != nil {
			return nil, nil, err
		}
		oc.orig = orig
		remoteExc[key(orig)] = oc
	}
	var writes []OccurrenceWrite
	localDeleted := map[string]bool{}
	for _, d := range s.Deleted {
		k := key(d)
		localDeleted[k] = true
		if remoteDeleted[k] {
			continue
		}
		idx, ok := index[k]
		if !ok {
			issues = append(issues, Issue{Prop: "EXDATE", Msg: fmt.Sprintf("%s is no occurrence of the series; ignored", k)})
			continue
		}
		writes = append(writes, OccurrenceWrite{InstanceIndex: idx, OriginalStart: d, Delete: true})
	}
	for k := range remoteDeleted {
		if !localDeleted[k] {
			issues = append(issues, Issue{Prop: "DeletedOccurrences", Msg: fmt.Sprintf("%s is deleted in Exchange and cannot be restored there", k)})
		}
	}
	// Current and wanted starts of every occurrence touched, for the
	// crossing check.
	current := map[int]time.Time{}
	for i, t := range starts {
		if !remoteDeleted[key(t)] && !localDeleted[key(t)] {
			current[i+1] = t
		}
	}
	for k, e := range remoteExc {
		if idx, ok := index[k]; ok {
			if _, live := current[idx]; live {
				current[idx] = e.start
			}
		}
	}
	type pending struct {
		w     OccurrenceWrite
		start time.Time
	}
	var moves []pending
	var updates []OccurrenceWrite
	overridden := map[string]bool{}
	for _, ov := range s.overrides {
		k := key(ov.orig)
		overridden[k] = true
		idx, ok := index[k]
		if !ok {
			issues = append(issues, Issue{Prop: "RECURRENCE-ID", Msg: fmt.Sprintf("%s is no occurrence of the series; ignored", k)})
			continue
		}
		if remoteDeleted[k] {
			issues = append(issues, Issue{Prop: "RECURRENCE-ID", Msg: fmt.Sprintf("%s is deleted in Exchange and cannot be restored there", k)})
			continue
		}
		base := remoteExc[k]
		if base == nil {
			base = virtualOccurrence(rm, ov.orig)
		}
		us := diff(base, ov, false)
		if len(us) == 0 {
			continue
		}
		w := OccurrenceWrite{InstanceIndex: idx, OriginalStart: ov.orig, Updates: us}
		if !day(base.start).Equal(day(ov.start)) {
			moves = append(moves, pending{w, ov.start})
		} else {
			updates = append(updates, w)
		}
	}
	for k, e := range remoteExc {
		if overridden[k] || localDeleted[k] {
			continue
		}
		idx, ok := index[k]
		if !ok {
			continue
		}
		us := diff(e, virtualOccurrence(rm, e.orig), false)
		if len(us) == 0 {
			continue
		}
		w := OccurrenceWrite{InstanceIndex: idx, OriginalStart: e.orig, Updates: us}
		if !day(e.start).Equal(day(e.orig)) {
			moves = append(moves, pending{w, e.orig})
		} else {
			updates = append(updates, w)
		}
	}
	sortWrites(updates)
	// Apply moves greedily: a move is legal when its new start stays
	// strictly between its neighbours' current days.
	for len(moves) > 0 {
		progressed := false
		for i := 0; i < len(moves); i++ {
			m := moves[i]
			if crossing(current, m.w.InstanceIndex, m.start, day) {
				continue
			}
			current[m.w.InstanceIndex] = m.start
			writes = append(writes, m.w)
			moves = append(moves[:i], moves[i+1:]...)
			i--
			progressed = true
		}
		if !progressed {
			for _, m := range moves {
				issues = append(issues, Issue{Prop: "RECURRENCE-ID", Msg: (&Error{Prop: "RECURRENCE-ID", Err: ErrOccurrenceCrossing, Msg: m.w.OriginalStart.Format(time.RFC3339)}).Error()})
			}
			break
		}
	}
	return append(writes, updates...), issues, nil
}

func sortWrites(ws []OccurrenceWrite) {
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && ws[j].InstanceIndex < ws[j-1].InstanceIndex; j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
}

// crossing reports whether moving occurrence idx to start puts it on or
// past the day of the nearest live occurrence before or after it.
func crossing(current map[int]time.Time, idx int, start time.Time, dayOf func(time.Time) time.Time) bool {
	day := dayOf(start)
	prev, next := -1, -1
	for i := range current {
		if i < idx && i > prev {
			prev = i
		}
		if i > idx && (next == -1 || i < next) {
			next = i
		}
	}
	if prev > 0 && !day.After(dayOf(current[prev])) {
		return true
	}
	if next > 0 && !day.Before(dayOf(current[next])) {
		return true
	}
	return false
}

// virtualOccurrence is an unmodified occurrence of master: its properties
// at the original start.
func virtualOccurrence(master *occ, orig time.Time) *occ {
	ci := *master.item
	ci.Recurrence = nil
	ci.ModifiedOccurrences = nil
	ci.DeletedOccurrences = nil
	d := master.end.Sub(master.start)
	o := &occ{item: &ci, start: orig, allDay: master.allDay, orig: orig, attachOK: master.attachOK}
	if master.allDay {
		days := int(d / (24 * time.Hour))
		o.end = orig.AddDate(0, 0, days)
	} else {
		o.end = orig.Add(d).In(master.end.Location())
	}
	if master.allDay {
		z := master.zone
		ci.Start = wire.FormatDateTime(time.Date(o.start.Year(), o.start.Month(), o.start.Day(), 0, 0, 0, 0, z))
		ci.End = wire.FormatDateTime(time.Date(o.end.Year(), o.end.Month(), o.end.Day(), 0, 0, 0, 0, z))
	} else {
		ci.Start, ci.End = wire.FormatDateTime(o.start), wire.FormatDateTime(o.end)
	}
	return o
}

// expandUntil expands rule from start until a day past until, at most max
// starts.
func expandUntil(rule string, start, until time.Time, max int) ([]time.Time, error) {
	return expand(rule, start, max, until.Add(48*time.Hour))
}
