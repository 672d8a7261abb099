package event

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/emersion/go-ical"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// canon writes the canonical form of a series: every hashed field of the
// master, the deleted occurrences, then each override by original start.
// Read-only EWS properties (organizer, cancellation) are left out, and so
// are DTSTAMP, LAST-MODIFIED, SEQUENCE and property order by construction.
func canon(master *occ, overrides []*occ) string {
	var b strings.Builder
	b.WriteString("v1\n")
	write := func(o *occ, isMaster bool) {
		for _, f := range fields {
			if !f.hashed || (f.master && !isMaster) {
				continue
			}
			b.WriteString(f.name)
			b.WriteByte('=')
			b.WriteString(f.key(o))
			b.WriteByte('\n')
		}
	}
	write(master, true)
	b.WriteString("exdate=" + exdatesKey(master, master.allDay) + "\n")
	ovs := append([]*occ(nil), overrides...)
	sort.Slice(ovs, func(i, j int) bool { return ovs[i].orig.Before(ovs[j].orig) })
	for _, ov := range ovs {
		b.WriteString("override=" + timeKey(ov.orig, master.allDay) + "\n")
		write(ov, false)
	}
	return b.String()
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// HashICal returns the content hash of a calendar object: the SHA-256 of
// the canonical form of its mapped properties. It equals HashEWS of the
// same event in Exchange.
func HashICal(cal *ical.Calendar, o Options) (string, error) {
	s, _, err := readSeries(cal, o)
	if err != nil {
		return "", err
	}
	return sum(canon(s.master, s.overrides)), nil
}

// HashEWS returns the content hash of an EWS series (the master or single
// item and its exceptions), comparable with HashICal.
func HashEWS(master *wire.CalendarItem, exceptions []*wire.CalendarItem) (string, error) {
	m, _, err := readItem(master)
	if err != nil {
		return "", err
	}
	var ovs []*occ
	if m.rrule != "" {
		for _, e := range exceptions {
			oc, _, err := readItem(e)
			if err != nil {
				return "", err
			}
			if oc.orig, err = originalStart(e, m); err != nil {
				return "", err
			}
			ovs = append(ovs, oc)
		}
	}
	return sum(canon(m, ovs)), nil
}

// fingerprint is summary, start and end, for matching unlinked events.
func fingerprint(o *occ) string {
	return strings.ToLower(strings.TrimSpace(o.item.Subject)) + "|" + timeKey(o.start, o.allDay) + "|" + timeKey(o.end, o.allDay)
}

// FingerprintICal returns the first-link fingerprint of a calendar object:
// its normalized summary, start and end (dates for all-day events). Two
// events with the same fingerprint on both sides are taken for the same
// event when they are first linked.
func FingerprintICal(cal *ical.Calendar, o Options) (string, error) {
	s, _, err := readSeries(cal, o)
	if err != nil {
		return "", err
	}
	return fingerprint(s.master), nil
}

// FingerprintEWS returns the first-link fingerprint of an EWS item,
// comparable with FingerprintICal.
func FingerprintEWS(ci *wire.CalendarItem) (string, error) {
	m, _, err := readItem(ci)
	if err != nil {
		return "", err
	}
	return fingerprint(m), nil
}

// Properties returns the GetItem AdditionalProperties this package maps
// (use them with BaseShape IdOnly), the UID extended property included.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/additionalproperties
func Properties() wire.Paths {
	var ps wire.Paths
	for _, uri := range []string{
		"item:Subject", "item:Body", "item:Importance", "item:Sensitivity", "item:Categories",
		"item:ReminderIsSet", "item:ReminderMinutesBeforeStart", "item:HasAttachments", "item:Attachments",
		"item:LastModifiedTime", "item:DateTimeCreated",
		"calendar:UID", "calendar:RecurrenceId", "calendar:Start", "calendar:End", "calendar:OriginalStart",
		"calendar:IsAllDayEvent", "calendar:LegacyFreeBusyStatus", "calendar:Location", "calendar:IsCancelled",
		"calendar:CalendarItemType", "calendar:Organizer", "calendar:RequiredAttendees",
		"calendar:OptionalAttendees", "calendar:Resources", "calendar:Recurrence",
		"calendar:ModifiedOccurrences", "calendar:DeletedOccurrences",
		"calendar:StartTimeZone", "calendar:EndTimeZone", "calendar:TimeZone",
	} {
		ps = append(ps, wire.Field(uri))
	}
	return append(ps, wire.Extended(wire.UIDProperty))
}
