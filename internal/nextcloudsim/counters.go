package nextcloudsim

import (
	"maps"
	"strings"
)

// Request classes counted by [Server.RequestCounts]. A key is
// "<METHOD> <class>", for example "PUT dav" or "REPORT dav".
const (
	ClassOCS     = "ocs"
	ClassDAV     = "dav"
	ClassProxy   = "proxy"
	ClassOther   = "other"
	ClassWebhook = "webhook" // webhook deliveries from the fake to the app
	ClassApp     = "app"     // lifecycle calls to the app (heartbeat, init, enabled)
)

func pathClass(p string) string {
	switch {
	case strings.HasPrefix(p, "/ocs/"):
		return ClassOCS
	case strings.HasPrefix(p, "/remote.php/dav"):
		return ClassDAV
	case strings.HasPrefix(p, "/index.php/apps/app_api/proxy/"):
		return ClassProxy
	default:
		return ClassOther
	}
}

func (s *Server) count(method, p string) { s.countClass(method, pathClass(p)) }

func (s *Server) countClass(method, class string) {
	s.mu.Lock()
	s.counters[method+" "+class]++
	s.mu.Unlock()
}

// RequestCounts returns a copy of the request counters, keyed by
// "<METHOD> <class>" (see ClassDAV and the other Class constants).
func (s *Server) RequestCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counters)
}

// RequestCount returns the number of requests of one class; method "" sums
// all methods.
func (s *Server) RequestCount(method, class string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.counters {
		m, c, _ := strings.Cut(k, " ")
		if c == class && (method == "" || m == method) {
			n += v
		}
	}
	return n
}

// ResetRequestCounts clears the request counters.
func (s *Server) ResetRequestCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.counters)
}
