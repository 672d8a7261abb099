package web

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPageAssets(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		path, user string
		want       int
		ctype      string
	}{
		{"/" + PageScript + ".js", "alice", 200, "javascript"},
		{"/" + PageStyle + ".css", "alice", 200, "text/css"},
		{"/js/", "alice", 404, ""},
		{"/js/index.html", "alice", 404, ""},
		{"/js/../embed.go", "alice", 404, ""},
		{"/js/missing.js", "alice", 404, ""},
	}
	for _, tc := range tests {
		code, hdr, body := h.do(t, "GET", tc.path, tc.user, nil, nil)
		if code != tc.want || !strings.Contains(hdr.Get("Content-Type"), tc.ctype) {
			t.Errorf("GET %s = %d %q, want %d %s", tc.path, code, hdr.Get("Content-Type"), tc.want, tc.ctype)
		}
		if code == 200 && (len(body) < 1000 || hdr.Get("Cache-Control") != "no-store") {
			t.Errorf("GET %s: %d bytes, Cache-Control %q", tc.path, len(body), hdr.Get("Cache-Control"))
		}
	}
	if code, _ := unsignedGet(t, h, "/"+PageScript+".js"); code != 401 {
		t.Errorf("unsigned GET of the script = %d, want 401", code)
	}
}

func unsignedGet(t *testing.T, h *harness, path string) (int, string) {
	t.Helper()
	code, _, body := h.do(t, "GET", path, "alice", nil, map[string][]string{"Authorization-App-Api": {""}})
	return code, body
}

func TestPageAssetsRegistered(t *testing.T) {
	h := newHarness(t)
	if code, _, body := h.do(t, "PUT", "/enabled?enabled=1", "", nil, nil); code != 200 {
		t.Fatalf("enable = %d %s", code, body)
	}
	deadline := time.Now().Add(5 * time.Second)
	var got []string
	for time.Now().Before(deadline) {
		h.nc.mu.Lock()
		got = slices.Clone(h.nc.assets)
		h.nc.mu.Unlock()
		if len(got) >= 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, want := range []string{"POST " + PageScript, "POST " + PageStyle} {
		if !slices.Contains(got, want) {
			t.Errorf("registrations %v lack %q", got, want)
		}
	}
}
