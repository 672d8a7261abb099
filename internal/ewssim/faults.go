package ewssim

import (
	"strconv"
	"sync"
	"time"
)

// Faults holds the fault-injection switches; all methods are safe for concurrent use.
// A count n > 0 affects the next n EWS requests, n < 0 every request until Reset.
// Throttling follows https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/ews-throttling-in-exchange.
type Faults struct {
	mu             sync.Mutex
	busy           int
	busyBackOff    time.Duration
	busyMsg        int
	busyMsgBackOff time.Duration
	unavail        int
	retryAfter     time.Duration
	drop           int
	delay          time.Duration
}

// ThrottleNext answers the next n requests with a SOAP fault ErrorServerBusy
// (HTTP 500) carrying BackOffMilliseconds.
func (f *Faults) ThrottleNext(n int, backOff time.Duration) {
	f.mu.Lock()
	f.busy, f.busyBackOff = n, backOff
	f.mu.Unlock()
}

// ThrottleNextInMessage answers the next n requests with HTTP 200 and an
// ErrorServerBusy response message carrying BackOffMilliseconds in MessageXml.
func (f *Faults) ThrottleNextInMessage(n int, backOff time.Duration) {
	f.mu.Lock()
	f.busyMsg, f.busyMsgBackOff = n, backOff
	f.mu.Unlock()
}

// UnavailableNext answers the next n requests with HTTP 503 and Retry-After (seconds).
func (f *Faults) UnavailableNext(n int, retryAfter time.Duration) {
	f.mu.Lock()
	f.unavail, f.retryAfter = n, retryAfter
	f.mu.Unlock()
}

// DropNext closes the connection of the next n requests without an answer.
func (f *Faults) DropNext(n int) {
	f.mu.Lock()
	f.drop = n
	f.mu.Unlock()
}

// SetLatency delays every request by d (0 switches it off).
func (f *Faults) SetLatency(d time.Duration) {
	f.mu.Lock()
	f.delay = d
	f.mu.Unlock()
}

// Reset switches every fault off.
func (f *Faults) Reset() {
	f.mu.Lock()
	f.busy, f.busyMsg, f.unavail, f.drop, f.delay = 0, 0, 0, 0, 0
	f.mu.Unlock()
}

func take(n *int) bool {
	if *n == 0 {
		return false
	}
	if *n > 0 {
		*n--
	}
	return true
}

func (f *Faults) takeBusy() (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.busyBackOff, take(&f.busy)
}

func (f *Faults) takeBusyMessage() (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.busyMsgBackOff, take(&f.busyMsg)
}

func (f *Faults) takeUnavailable() (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	secs := int((f.retryAfter + time.Second - 1) / time.Second)
	return strconv.Itoa(secs), take(&f.unavail)
}

func (f *Faults) takeDrop() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return take(&f.drop)
}

func (f *Faults) latency() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.delay
}
