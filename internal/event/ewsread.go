package event

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// MaxDeleted bounds the cancelled occurrences (EXDATE, RFC 5545 §3.8.5.1;
// DeletedOccurrences) of one series.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deletedoccurrences
const MaxDeleted = 2000

// readItem reads an EWS calendar item: its times in their zones and, for a
// recurring master, its RRULE and deleted occurrences. The item itself is
// used as is; canonical keys normalize its fields.
func readItem(ci *wire.CalendarItem) (*occ, []Issue, error) {
	if ci == nil {
		return nil, nil, errf(ErrInvalid, "CalendarItem", "nil item")
	}
	sz, ez, issues, err := itemZones(ci)
	if err != nil {
		return nil, nil, err
	}
	if ci.Start == "" || ci.End == "" {
		return nil, nil, errf(ErrInvalid, "Start", "item has no Start or End: fetch it with Properties()")
	}
	parse := func(s, name string, loc *time.Location) (time.Time, error) {
		t, floating, err := wire.ParseDateTime(s)
		if err != nil {
			return t, errf(ErrInvalid, name, "%q", s)
		}
		if floating { // no zone on the wire: the item's zone
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
		}
		return t.In(loc), nil
	}
	start, err := parse(ci.Start, "Start", sz)
	if err != nil {
		return nil, nil, err
	}
	end, err := parse(ci.End, "End", ez)
	if err != nil {
		return nil, nil, err
	}
	if end.Before(start) {
		return nil, nil, errf(ErrInvalid, "End", "before Start")
	}
	oc := &occ{item: ci, start: start, end: end, allDay: ci.IsAllDayEvent != nil && *ci.IsAllDayEvent, attachOK: true, zone: sz, limit: DefaultMaxAttachment}
	if oc.allDay {
		// Midnight boundaries in the event's zone: dates.
		oc.start = dateOf(start)
		oc.end = dateOf(end.In(sz))
		if !oc.end.After(oc.start) {
			oc.end = oc.start.AddDate(0, 0, 1)
		}
	}
	if ci.Attachments != nil {
		for _, a := range ci.Attachments.Attachment {
			if a.IsFile() && a.Content == nil {
				oc.attachOK = false
			}
		}
	}
	if ci.Recurrence != nil {
		rule, err := ewsToRRule(ci.Recurrence, start, oc.allDay, false)
		if err != nil {
			return nil, nil, err
		}
		oc.rrule = rule
	}
	if ci.DeletedOccurrences != nil {
		if len(ci.DeletedOccurrences.DeletedOccurrence) > MaxDeleted {
			return nil, nil, errf(ErrTooLarge, "DeletedOccurrences", "%d, over %d", len(ci.DeletedOccurrences.DeletedOccurrence), MaxDeleted)
		}
		for _, d := range ci.DeletedOccurrences.DeletedOccurrence {
			t, err := parse(d.Start, "DeletedOccurrence", sz)
			if err != nil {
				return nil, nil, err
			}
			oc.exdates = append(oc.exdates, alignOriginal(t, start, oc.allDay))
		}
		sortTimes(oc.exdates)
	}
	return oc, issues, nil
}

// dateOf returns t's calendar date (in t's zone) as midnight UTC, the form
// all-day times take in this package.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// alignOriginal maps an original start as a server reports it to the
// series' occurrence start: the date of t in the series zone at the series'
// time of day. grommunio reports OriginalStart at local midnight; Exchange
// reports the exact start, for which this is the identity.
//
// For all-day series t must already be in the series zone (where midnight
// is): its date is the occurrence.
func alignOriginal(t, seriesStart time.Time, allDay bool) time.Time {
	if allDay {
		return dateOf(t)
	}
	l := t.In(seriesStart.Location())
	return time.Date(l.Year(), l.Month(), l.Day(), seriesStart.Hour(), seriesStart.Minute(), seriesStart.Second(), 0, seriesStart.Location())
}

// originalStart returns an exception's original start: RecurrenceId when
// the server sent one, else OriginalStart, aligned to the series.
func originalStart(exc *wire.CalendarItem, master *occ) (time.Time, error) {
	for _, s := range []string{exc.RecurrenceId, exc.OriginalStart} {
		if s == "" {
			continue
		}
		t, floating, err := wire.ParseDateTime(s)
		if err != nil {
			continue
		}
		zone := master.zone
		if zone == nil {
			zone = master.start.Location()
		}
		if floating {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, zone)
		}
		return alignOriginal(t.In(zone), master.start, master.allDay), nil
	}
	return time.Time{}, errf(ErrInvalid, "OriginalStart", "exception without RecurrenceId or OriginalStart")
}

func sortTimes(ts []time.Time) {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
}

// reminderMinutes returns the item's reminder, if set.
func reminderMinutes(ci *wire.CalendarItem) (int, bool) {
	if ci.ReminderIsSet == nil || !*ci.ReminderIsSet {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(ci.ReminderMinutesBeforeStart))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
