package event

import (
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// Series is one iCalendar object (all VEVENTs sharing a UID, RFC 5545
// §3.8.4.4) as Exchange needs it: the master item to create or update, then
// the occurrence writes.
// https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/recurrence-patterns-and-ews
type Series struct {
	// UID is the iCalendar UID, verbatim.
	UID string
	// Master is the item to CreateItem (or to diff with Updates): the UID
	// element and the UID extended property are set, read-only properties
	// (Organizer, IsCancelled) are not, and neither are
	// Attachments: create those with CreateAttachment after the item exists
	// (see the Attachments field).
	Master *wire.CalendarItem
	// Attachments are the master's inline attachments (FileAttachment with
	// Content), to create with CreateAttachment once the master exists.
	Attachments []wire.Attachment
	// Overrides are the modified occurrences (RECURRENCE-ID), sorted by
	// original start; Item holds every mapped property of the occurrence.
	Overrides []Override
	// Deleted are the original starts of cancelled occurrences (EXDATE),
	// sorted, in the series zone (midnight UTC dates for all-day series).
	Deleted []time.Time

	master    *occ
	overrides []*occ
}

// Override is one modified occurrence of a series: a VEVENT with
// RECURRENCE-ID (RFC 5545 §3.8.4.4), an EWS exception.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/modifiedoccurrences
type Override struct {
	OriginalStart time.Time          // the RECURRENCE-ID
	Item          *wire.CalendarItem // the occurrence's mapped properties
}

// writable returns a copy of a full item without what EWS does not let a
// client set, and without attachments.
func writable(ci *wire.CalendarItem) *wire.CalendarItem {
	c := *ci
	c.Organizer = nil
	c.IsCancelled = nil
	c.Attachments = nil
	c.ExtendedProperty = append([]wire.ExtendedProperty(nil), ci.ExtendedProperty...)
	return &c
}

// readSeries reads every VEVENT of cal with the given UID (the first UID
// when uid is empty) into a master and overrides.
func readSeries(cal *ical.Calendar, o Options) (*Series, []Issue, error) {
	if cal == nil || cal.Component == nil {
		return nil, nil, errf(ErrInvalid, "VCALENDAR", "nil calendar")
	}
	zs := newZoneSet(cal)
	s := &Series{}
	var issues []Issue
	var masterEv *ical.Component
	var overrideEvs []*ical.Component
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		uid := ""
		if p := c.Props.Get(ical.PropUID); p != nil {
			uid = p.Value
		}
		if uid == "" {
			return nil, nil, errf(ErrInvalid, "UID", "VEVENT without UID")
		}
		if s.UID == "" {
			s.UID = uid
		} else if uid != s.UID {
			issues = append(issues, Issue{Prop: "UID", Msg: "VEVENT with another UID ignored"})
			continue
		}
		if c.Props.Get(ical.PropRecurrenceID) != nil {
			overrideEvs = append(overrideEvs, c)
		} else if masterEv == nil {
			masterEv = c
		} else {
			return nil, nil, errf(ErrInvalid, "VEVENT", "two VEVENTs without RECURRENCE-ID for one UID")
		}
	}
	if s.UID == "" {
		return nil, nil, errf(ErrInvalid, "VEVENT", "no VEVENT")
	}
	if masterEv == nil {
		// Only overrides (an invitation to some occurrences): Exchange needs
		// a series.
		return nil, nil, errf(ErrNotRepresentable, "RECURRENCE-ID", "overrides without their master")
	}
	m, is, err := readEvent(masterEv, zs, o)
	if err != nil {
		return nil, nil, err
	}
	m.limit = o.maxAttachment()
	issues = append(issues, is...)
	if p := masterEv.Props.Get(ical.PropRecurrenceRule); p != nil {
		if len(masterEv.Props.Values(ical.PropRecurrenceRule)) > 1 {
			return nil, nil, errf(ErrNotRepresentable, "RRULE", "several RRULEs")
		}
		rec, err := rruleToEWS(p.Value, m.start, m.allDay)
		if err != nil {
			return nil, nil, err
		}
		m.item.Recurrence = rec
		if m.rrule, err = ewsToRRule(rec, m.start, m.allDay, m.floating); err != nil {
			return nil, nil, err
		}
		first, err := expand(m.rrule, m.start, 1, time.Time{})
		if err != nil {
			return nil, nil, err
		}
		if len(first) == 0 || !first[0].Equal(m.start) {
			return nil, nil, errf(ErrNotRepresentable, "RRULE", "DTSTART is not an occurrence of the rule")
		}
	}
	if masterEv.Props.Get(ical.PropRecurrenceDates) != nil {
		issues = append(issues, Issue{Prop: "RDATE", Msg: "extra dates have no EWS form; kept locally only"})
	}
	// EXDATE: each property may hold several values.
	n := 0
	for _, p := range masterEv.Props.Values(ical.PropExceptionDates) {
		n += strings.Count(p.Value, ",") + 1
	}
	if n > MaxDeleted {
		return nil, nil, errf(ErrTooLarge, "EXDATE", "%d dates, over %d", n, MaxDeleted)
	}
	for _, p := range masterEv.Props.Values(ical.PropExceptionDates) {
		for _, v := range strings.Split(p.Value, ",") {
			q := ical.Prop{Name: p.Name, Params: p.Params, Value: v}
			t, _, _, err := propTime(&q, zs, o)
			if err != nil {
				return nil, nil, err
			}
			m.exdates = append(m.exdates, alignOriginal(t, m.start, m.allDay))
		}
	}
	sortTimes(m.exdates)
	m.exdates = uniqTimes(m.exdates)
	if m.rrule == "" && len(m.exdates) > 0 {
		issues = append(issues, Issue{Prop: "EXDATE", Msg: "EXDATE on an event without RRULE ignored"})
		m.exdates = nil
	}
	if m.rrule == "" && len(overrideEvs) > 0 {
		return nil, nil, errf(ErrInvalid, "RECURRENCE-ID", "override of an event without RRULE")
	}
	if len(overrideEvs) > MaxDeleted {
		return nil, nil, errf(ErrTooLarge, "RECURRENCE-ID", "%d overrides, over %d", len(overrideEvs), MaxDeleted)
	}
	for _, ev := range overrideEvs {
		rid := ev.Props.Get(ical.PropRecurrenceID)
		if strings.EqualFold(rid.Params.Get(ical.ParamRange), "THISANDFUTURE") {
			return nil, nil, errf(ErrNotRepresentable, "RECURRENCE-ID", "RANGE=THISANDFUTURE")
		}
		t, _, _, err := propTime(rid, zs, o)
		if err != nil {
			return nil, nil, err
		}
		oc, is, err := readEvent(ev, zs, o)
		if err != nil {
			return nil, nil, err
		}
		issues = append(issues, is...)
		oc.orig = alignOriginal(t, m.start, m.allDay)
		oc.limit = o.maxAttachment()
		s.overrides = append(s.overrides, oc)
	}
	sort.Slice(s.overrides, func(i, j int) bool { return s.overrides[i].orig.Before(s.overrides[j].orig) })
	for i := 1; i < len(s.overrides); i++ {
		if s.overrides[i].orig.Equal(s.overrides[i-1].orig) {
			return nil, nil, errf(ErrInvalid, "RECURRENCE-ID", "two overrides of %s", s.overrides[i].orig.Format(time.RFC3339))
		}
	}
	s.master = m
	return s, issues, nil
}

func uniqTimes(ts []time.Time) []time.Time {
	out := ts[:0]
	for i, t := range ts {
		if i == 0 || !t.Equal(ts[i-1]) {
			out = append(out, t)
		}
	}
	return out
}

// FromICal converts a Nextcloud calendar object into the writes Exchange
// needs: the master (a single event or a recurring master), the attachments
// to create, the overrides and the deleted occurrences. Issues are
// non-fatal remarks. An event Exchange cannot hold is an error for which
// IsNotRepresentable is true: the local event must stay as it is.
// https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/how-to-create-a-recurring-series-by-using-ews-in-exchange
func FromICal(cal *ical.Calendar, o Options) (*Series, []Issue, error) {
	s, issues, err := readSeries(cal, o)
	if err != nil {
		return nil, nil, err
	}
	full := s.master.item
	if full.Attachments != nil {
		s.Attachments = full.Attachments.Attachment
	}
	s.Master = writable(full)
	s.Master.UID = s.UID
	s.Master.SetExtended(wire.UIDProperty, s.UID)
	s.Master.ItemClass = "IPM.Appointment"
	for _, ov := range s.overrides {
		s.Overrides = append(s.Overrides, Override{OriginalStart: ov.orig, Item: writable(ov.item)})
	}
	s.Deleted = append(s.Deleted, s.master.exdates...)
	return s, issues, nil
}
