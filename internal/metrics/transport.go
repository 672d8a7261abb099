package metrics

import (
	"net/http"
	"strconv"
	"time"
)

// Transport counts the requests of an HTTP client and their latency, by
// target (e.g. "ews", "nextcloud") and status code ("error" for a
// transport failure). It never looks at URLs, headers or bodies.
type Transport struct {
	Base     http.RoundTripper
	Target   string
	Requests *Counter   // target, code
	Latency  *Histogram // target
}

// NewTransport wraps base with the registry's request metrics
// (ews_connector_http_requests_total, ews_connector_http_request_duration_seconds);
// a nil registry returns base unchanged.
func (r *Registry) NewTransport(base http.RoundTripper, target string) http.RoundTripper {
	if r == nil {
		return base
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &Transport{Base: base, Target: target,
		Requests: r.Counter("ews_connector_http_requests_total", "Outgoing HTTP requests by target and status code.", "target", "code"),
		Latency:  r.Histogram("ews_connector_http_request_duration_seconds", "Outgoing HTTP request latency until the response headers.", nil, "target")}
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.Base.RoundTrip(req)
	t.Latency.Observe(time.Since(start).Seconds(), t.Target)
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	t.Requests.Inc(t.Target, code)
	return resp, err
}
