package event

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error of this package wraps one of them, so the
// engine can tell a per-item data problem from anything else with errors.Is.
var (
	// ErrInvalid is a malformed or inconsistent iCalendar object or EWS item
	// (missing DTSTART, DTEND before DTSTART, garbage RRULE, ...).
	ErrInvalid = errors.New("event: invalid event")
	// ErrTooLarge is an object, attachment or list over the package limits.
	ErrTooLarge = errors.New("event: too large")
	// ErrUnknownTimeZone is a TZID or EWS time zone Id that resolves to no
	// zone and carries no usable rules.
	ErrUnknownTimeZone = errors.New("event: unknown time zone")
	// ErrNotRepresentable is an event Exchange cannot hold (an RRULE outside
	// the EWS recurrence patterns). The local event must stay untouched.
	ErrNotRepresentable = errors.New("event: cannot be represented in Exchange")
	// ErrOccurrenceCrossing is an override moved onto or past a neighbouring
	// occurrence, which Exchange refuses (ErrorOccurrenceCrossingBoundary).
	ErrOccurrenceCrossing = errors.New("event: occurrence moved across a neighbouring occurrence")
)

// Error is a per-item error: which property (RFC 5545 property or EWS
// element) failed and why. It unwraps to one of the sentinels above.
type Error struct {
	Prop string // iCalendar property or EWS element, e.g. "RRULE", "StartTimeZone"
	Err  error  // a sentinel
	Msg  string // detail for logs; never contains secrets
}

// Error renders the error as "event: <sentinel>: <prop>: <detail>".
func (e *Error) Error() string {
	if e.Prop == "" {
		return fmt.Sprintf("%v: %s", e.Err, e.Msg)
	}
	return fmt.Sprintf("%v: %s: %s", e.Err, e.Prop, e.Msg)
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

func errf(sentinel error, prop, format string, args ...any) error {
	return &Error{Prop: prop, Err: sentinel, Msg: fmt.Sprintf(format, args...)}
}

// IsNotRepresentable reports whether err means the event cannot be stored in
// Exchange; the engine then records a per-item result and leaves the local
// event as it is.
func IsNotRepresentable(err error) bool { return errors.Is(err, ErrNotRepresentable) }

// Issue is a non-fatal remark about a conversion (see docs/mapping-events.md): something approximated or
// left out (an attachment over the limit, a floating time given a zone). The
// conversion succeeded; the engine logs issues per item.
type Issue struct {
	Prop string
	Msg  string
}

// String renders the issue for logs.
func (i Issue) String() string { return i.Prop + ": " + i.Msg }
