package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	r := NewRegistry()
	c := &http.Client{Transport: r.NewTransport(nil, "ews")}
	for range 2 {
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if _, err := c.Get("http://127.0.0.1:1/"); err == nil {
		t.Fatal("GET to a closed port succeeded")
	}
	var b strings.Builder
	_ = r.WriteText(&b)
	for _, want := range []string{`ews_connector_http_requests_total{target="ews",code="503"} 2`,
		`ews_connector_http_requests_total{target="ews",code="error"} 1`, `ews_connector_http_request_duration_seconds_count{target="ews"} 3`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
	var nilReg *Registry
	if got := nilReg.NewTransport(http.DefaultTransport, "x"); got != http.DefaultTransport {
		t.Errorf("nil registry NewTransport wrapped the transport")
	}
}
