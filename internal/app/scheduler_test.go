package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/metrics"
)

func TestHostsOf(t *testing.T) {
	got := hostsOf("http://127.0.0.1:8765/EWS/Exchange.asmx", "", "https://[::1]:443/x", "::bad")
	if want := []string{"127.0.0.1", "::1"}; !slices.Equal(got, want) {
		t.Errorf("hostsOf() = %v, want %v", got, want)
	}
}

func TestServeMetrics(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	reg := metrics.NewRegistry()
	reg.Counter("ews_connector_syncs_total", "Link runs.", "kind", "result").Inc("calendar", "ok")
	s := &syncing{metrics: reg}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.serveMetrics(ctx, addr, slog.New(slog.DiscardHandler)); close(done) }()
	var body string
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(body, `ews_connector_syncs_total{kind="calendar",result="ok"} 1`) {
		t.Errorf("GET /metrics = %q", body)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("metrics server did not stop")
	}
	// Off by default: no registry, nothing listens.
	(&syncing{}).serveMetrics(context.Background(), addr, slog.New(slog.DiscardHandler))
}
