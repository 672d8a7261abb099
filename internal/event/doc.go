// Package event converts between iCalendar events (RFC 5545, through
// github.com/emersion/go-ical) and EWS calendar items (the wire types of
// internal/ews/wire, see
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/calendaritem),
// and merges a change from one side into what the other side already holds.
//
// The package is pure: no I/O, no clock, no global state besides the
// generated Windows ⇄ IANA table (windowszones.go, from Unicode CLDR
// windowsZones; regenerate with `go run ./internal/event/tzgen`).
//
// The flow for the harmonization engine:
//
//   - Nextcloud → Exchange: Parse the object, FromICal gives a Series (the
//     master CalendarItem to create or diff with Updates, plus overrides and
//     deleted occurrences). After the master exists, GetItem it with
//     Properties() and call Series.Plan with it: the result addresses every
//     occurrence write by InstanceIndex.
//   - Exchange → Nextcloud: GetItem the master and each ModifiedOccurrences
//     ItemId (with Properties()), then MergeIntoICal into the existing object
//     (nil when new) and Encode it.
//   - Change detection: HashICal and HashEWS hash the same canonical form, so
//     equal hashes mean equal mapped content on both sides.
//
// Time zones: IANA names come from Go's time package. The embedded
// time/tzdata is linked in so that a container without /usr/share/zoneinfo
// still resolves every zone; Go prefers the system database when present.
package event

import _ "time/tzdata" // see the package comment
