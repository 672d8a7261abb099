package nextcloudsim

import "net/http"

// FaultDrop, returned by a FaultFunc, closes the connection without an answer.
const FaultDrop = -1

// FaultFunc decides per incoming request whether to fail it: 0 serves it
// normally, an HTTP status (429, 503, ...) answers with that status and a
// Retry-After of 1 second for 429 and 503, FaultDrop drops the connection.
// It is called without the server's lock held and must be safe for
// concurrent use.
type FaultFunc func(r *http.Request) int

// SetFaults installs f (nil removes it) for fault-injection tests.
func (s *Server) SetFaults(f FaultFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// injectFault applies the fault function; it reports whether the request
// was handled.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	f := s.faults
	s.mu.Unlock()
	if f == nil {
		return false
	}
	code := f(r)
	switch {
	case code == 0:
		return false
	case code == FaultDrop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	default:
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "1")
		}
		http.Error(w, http.StatusText(code), code)
		return true
	}
}
