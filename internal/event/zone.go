package event

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// WindowsToIANA returns the canonical IANA zone of a Windows time zone id
// (CLDR windowsZones, territory 001), e.g. "W. Europe Standard Time" →
// "Europe/Berlin".
// https://cldr.unicode.org/development/development-process/design-proposals/extended-windows-olson-zid-mapping
func WindowsToIANA(id string) (string, bool) {
	s, ok := windowsToIANA[id]
	return s, ok
}

// IANAToWindows returns the Windows time zone id of an IANA zone or alias,
// e.g. "Europe/Berlin" and "Europe/Vienna" → "W. Europe Standard Time".
func IANAToWindows(name string) (string, bool) {
	s, ok := ianaToWindows[name]
	return s, ok
}

// loadIANA loads an IANA zone by name. "Local" and names that are paths are
// refused: the result must not depend on the machine.
func loadIANA(name string) (*time.Location, bool) {
	if name == "" || name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") || len(name) > 64 {
		return nil, false
	}
	if name == "UTC" || name == "Etc/UTC" || name == "Z" {
		return time.UTC, true
	}
	if strings.ContainsAny(name, " ()") {
		return nil, false // Windows ids and display names are never IANA names
	}
	if loc, ok := zoneCache.Load(name); ok {
		loc, _ := loc.(*time.Location)
		return loc, loc != nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = nil
	}
	if zoneCacheSize.Add(1) <= 4096 {
		zoneCache.Store(name, loc) // misses too, up to a bound
	}
	return loc, loc != nil
}

var zoneCacheSize atomic.Int64

// zoneCache holds the zones loaded so far: time.LoadLocation reads and
// parses the zone file on every call. Zones are immutable, so sharing them
// is safe; the cache holds at most the few hundred IANA names.
var zoneCache sync.Map

// zoneByName resolves a TZID or an EWS zone Id without rules: an IANA name,
// a Windows id, or a name with an IANA suffix ("/mozilla.org/20050126_1/
// Europe/Berlin", "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin").
func zoneByName(name string) (*time.Location, bool) {
	name = strings.TrimSpace(name)
	if iana, ok := windowsToIANA[name]; ok {
		return loadIANA(iana)
	}
	if loc, ok := loadIANA(name); ok {
		return loc, true
	}
	if strings.Contains(name, "/") {
		parts := strings.Split(strings.Trim(name, "/"), "/")
		for i := 1; i < len(parts); i++ {
			if loc, ok := loadIANA(strings.Join(parts[i:], "/")); ok && strings.Contains(loc.String(), "/") {
				return loc, true
			}
		}
	}
	return nil, false
}

// windowsID returns the Windows id for loc: from the table for an IANA zone,
// else the first Windows zone (in sorted order) whose canonical IANA zone has
// the same offset and the same transitions as loc in the year of at. ok is
// false when no zone matches. Results are memoized by that signature.
func windowsID(loc *time.Location, at time.Time) (string, bool) {
	if loc == time.UTC {
		return "UTC", true
	}
	if id, ok := ianaToWindows[loc.String()]; ok {
		return id, true
	}
	y := at.In(loc).Year()
	sig := zoneSignature(loc, y)
	if id, ok := equivCache.Load(sig); ok {
		id := id.(string)
		return id, id != ""
	}
	ids := make([]string, 0, len(windowsToIANA))
	for id := range windowsToIANA {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	found := ""
	for _, id := range ids {
		if cand, ok := loadIANA(windowsToIANA[id]); ok && zoneSignature(cand, y) == sig {
			found = id
			break
		}
	}
	if equivCacheSize.Add(1) <= 1024 {
		equivCache.Store(sig, found)
	}
	return found, found != ""
}

var (
	equivCache     sync.Map // zone signature → Windows id ("" for none)
	equivCacheSize atomic.Int64
)

// zoneSignature describes loc's offsets in year y, sampled daily at noon
// UTC: the offset on 1 January and the day of every change. Zones whose
// changes differ only by hours within a day count as equal.
func zoneSignature(loc *time.Location, y int) string {
	t := time.Date(y, 1, 1, 12, 0, 0, 0, time.UTC)
	_, off := t.In(loc).Zone()
	var b strings.Builder
	fmt.Fprintf(&b, "%d:%d", y, off)
	for d := 1; d < 366; d++ {
		if _, o := t.AddDate(0, 0, d).In(loc).Zone(); o != off {
			fmt.Fprintf(&b, ",%d>%d", d, o)
			off = o
		}
	}
	return b.String()
}
