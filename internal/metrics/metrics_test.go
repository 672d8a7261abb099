package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteText(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("ews_connector_syncs_total", "Link runs by result.", "kind", "result")
	c.Inc("calendar", "ok")
	c.Add(2, "calendar", "ok")
	c.Inc("contacts", `we"ird`)
	g := r.Gauge("ews_connector_running_syncs", "Runs in progress.")
	g.Set(3)
	g.Add(-1)
	h := r.Histogram("ews_connector_sync_duration_seconds", "Run duration.", []float64{0.1, 1}, "kind")
	h.Observe(0.05, "calendar")
	h.Observe(0.5, "calendar")
	h.Observe(5, "calendar")
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP ews_connector_syncs_total Link runs by result.
# TYPE ews_connector_syncs_total counter
ews_connector_syncs_total{kind="calendar",result="ok"} 3
ews_connector_syncs_total{kind="contacts",result="we\"ird"} 1
# HELP ews_connector_running_syncs Runs in progress.
# TYPE ews_connector_running_syncs gauge
ews_connector_running_syncs 2
# HELP ews_connector_sync_duration_seconds Run duration.
# TYPE ews_connector_sync_duration_seconds histogram
ews_connector_sync_duration_seconds_bucket{kind="calendar",le="0.1"} 1
ews_connector_sync_duration_seconds_bucket{kind="calendar",le="1"} 2
ews_connector_sync_duration_seconds_bucket{kind="calendar",le="+Inf"} 3
ews_connector_sync_duration_seconds_sum{kind="calendar"} 5.55
ews_connector_sync_duration_seconds_count{kind="calendar"} 3
`
	if b.String() != want {
		t.Errorf("WriteText() =\n%s\nwant\n%s", b.String(), want)
	}
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") || string(body) != want {
		t.Errorf("GET /metrics = %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestNilSafe(t *testing.T) {
	var r *Registry
	r.Counter("x", "x").Inc()
	r.Gauge("y", "y").Set(1)
	r.Histogram("z", "z", nil).Observe(1)
	if err := r.WriteText(io.Discard); err != nil {
		t.Fatal(err)
	}
}
