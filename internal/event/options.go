package event

import "time"

// DefaultMaxAttachment is the default bound of one inline attachment (an
// ATTACH;VALUE=BINARY, RFC 5545 §3.8.1.1, or a FileAttachment).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/fileattachment
const DefaultMaxAttachment = 10 << 20

// Options tune a conversion. The zero value is usable. Floating times are
// RFC 5545 §3.3.5 form #1, which EWS cannot hold.
type Options struct {
	// Floating is the zone that floating iCalendar times (no TZID, no Z)
	// and all-day dates are placed in for Exchange, which has no floating
	// time: the user's Nextcloud time zone. nil means UTC.
	Floating *time.Location
	// MaxAttachment bounds one inline attachment in bytes; larger ones stay
	// on their side only, with an Issue. 0 means DefaultMaxAttachment.
	MaxAttachment int
}

func (o Options) floating() *time.Location {
	if o.Floating == nil {
		return time.UTC
	}
	return o.Floating
}

func (o Options) maxAttachment() int {
	if o.MaxAttachment <= 0 {
		return DefaultMaxAttachment
	}
	return o.MaxAttachment
}
