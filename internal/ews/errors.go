package ews

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// Sentinel errors of the client.
var (
	// ErrResponseTooLarge is returned when a response body (or one envelope of
	// a notification stream) exceeds Options.MaxResponseBytes.
	ErrResponseTooLarge = errors.New("ews: response too large")
	// ErrFullResync is wrapped by errors that mean the caller's state is
	// unusable and every watched folder must be synced from scratch (a lost
	// subscription, missed events, an invalid sync state).
	ErrFullResync = errors.New("ews: full resync needed")
	// ErrNoResponseMessage is returned when a response holds fewer response
	// messages than the request had entries.
	ErrNoResponseMessage = errors.New("ews: missing response message")
	// ErrBadOptions is returned by NewClient for unusable options.
	ErrBadOptions = errors.New("ews: bad options")
)

// Error is an EWS failure: a response message with an error code, a SOAP
// fault, or an HTTP error status. ResponseCode is the EWS code (see
// wire.ResponseCodeType), empty for a bare HTTP error.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsecode
type Error struct {
	Op           string        // operation, e.g. "GetItem"
	ResponseCode string        // e.g. "ErrorItemNotFound"
	MessageText  string        // the server's text
	BackOff      time.Duration // BackOffMilliseconds or Retry-After, if given
	HTTPStatus   int           // the HTTP status, if the failure came with one
	Fault        bool          // the error came as a SOAP fault
	Err          error         // an underlying cause, if any
}

var _ error = (*Error)(nil)

// Error returns "ews: <op>: <code>: <text>".
func (e *Error) Error() string {
	s := "ews: " + lower(e.Op) + ": "
	switch {
	case e.ResponseCode != "":
		s += e.ResponseCode
	case e.HTTPStatus != 0:
		s += fmt.Sprintf("HTTP %d %s", e.HTTPStatus, http.StatusText(e.HTTPStatus))
	}
	if e.MessageText != "" {
		s += ": " + e.MessageText
	}
	if e.BackOff > 0 {
		s += fmt.Sprintf(" (back off %s)", e.BackOff)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause; errors that mean a full resync also
// unwrap to ErrFullResync.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if resyncCodes[e.ResponseCode] {
		errs = append(errs, ErrFullResync)
	}
	return errs
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

var (
	notFoundCodes = map[string]bool{"ErrorItemNotFound": true, "ErrorFolderNotFound": true, "ErrorAttachmentNotFound": true, "ErrorNonExistentMailbox": true}
	conflictCodes = map[string]bool{"ErrorIrresolvableConflict": true, "ErrorStaleObject": true, "ErrorInvalidChangeKey": true}
	syncCodes     = map[string]bool{"ErrorInvalidSyncStateData": true, "ErrorSyncFolderNotFound": true}
	busyCodes     = map[string]bool{"ErrorServerBusy": true, "ErrorTooManyObjectsOpened": true, "ErrorTimeoutExpired": true, "ErrorInternalServerTransientError": true, "ErrorExceededConnectionCount": true, "ErrorMailboxStoreUnavailable": true}
	subLostCodes  = map[string]bool{"ErrorSubscriptionNotFound": true, "ErrorInvalidSubscription": true, "ErrorMissedNotificationEvents": true, "ErrorExpiredSubscription": true, "ErrorInvalidWatermark": true}
	resyncCodes   = map[string]bool{"ErrorSubscriptionNotFound": true, "ErrorInvalidSubscription": true, "ErrorMissedNotificationEvents": true, "ErrorExpiredSubscription": true, "ErrorInvalidWatermark": true, "ErrorInvalidSyncStateData": true}
)

func code(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsNotFound reports whether err means the item, folder, attachment or
// mailbox does not exist (ErrorItemNotFound, ErrorFolderNotFound, ...).
func IsNotFound(err error) bool {
	e, ok := code(err)
	return ok && (notFoundCodes[e.ResponseCode] || e.HTTPStatus == http.StatusNotFound && e.ResponseCode == "")
}

// IsConflict reports whether a write was refused because the ChangeKey was
// stale (ErrorIrresolvableConflict, ErrorStaleObject, ErrorInvalidChangeKey).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation
func IsConflict(err error) bool {
	e, ok := code(err)
	return ok && conflictCodes[e.ResponseCode]
}

// IsStaleChangeKey is IsConflict.
func IsStaleChangeKey(err error) bool { return IsConflict(err) }

// IsInvalidSyncState reports whether a SyncState was refused
// (ErrorInvalidSyncStateData, ErrorSyncFolderNotFound): sync from scratch.
func IsInvalidSyncState(err error) bool {
	e, ok := code(err)
	return ok && syncCodes[e.ResponseCode]
}

// IsBusy reports whether the server is throttling or temporarily
// unavailable (ErrorServerBusy and other transient codes, HTTP 503).
// https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/ews-throttling-in-exchange
func IsBusy(err error) bool {
	e, ok := code(err)
	return ok && (busyCodes[e.ResponseCode] || e.HTTPStatus == http.StatusServiceUnavailable)
}

// IsAuth reports whether the server refused the credentials (HTTP 401).
func IsAuth(err error) bool {
	e, ok := code(err)
	return ok && e.HTTPStatus == http.StatusUnauthorized
}

// IsSubscriptionLost reports whether a subscription is gone or has missed
// events (ErrorSubscriptionNotFound, ErrorInvalidSubscription,
// ErrorMissedNotificationEvents, ...): resubscribe and resync everything.
func IsSubscriptionLost(err error) bool {
	e, ok := code(err)
	return ok && subLostCodes[e.ResponseCode]
}

// messageError returns the *Error of a failed response message, or nil.
func messageError(op string, m *wire.ResponseMessage) error {
	if m.OK() {
		return nil
	}
	return &Error{Op: op, ResponseCode: m.Code(), MessageText: m.MessageText, BackOff: time.Duration(m.BackOff()) * time.Millisecond}
}
