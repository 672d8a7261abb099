package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
)

func TestHeartbeatNeedsNoAuth(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest("GET", h.app.URL+"/heartbeat", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /heartbeat = %d, want 200", resp.StatusCode)
	}
	_, _, body := h.do(t, "GET", "/heartbeat", "", nil, nil)
	if body != `{"status":"ok"}` {
		t.Errorf("heartbeat body = %s", body)
	}
}

// TestSecurityChecks ports nc_py_api tests/_app_security_checks.py to every authenticated route.
func TestSecurityChecks(t *testing.T) {
	h := newHarness(t)
	routes := []struct{ method, path string }{
		{"GET", "/api/v1/accounts"},
		{"PUT", "/enabled?enabled=0"},
		{"GET", "/img/app.svg"},
	}
	cases := []struct {
		name string
		hdr  func() http.Header
		want int
	}{
		{"unsigned", func() http.Header { return http.Header{} }, 401},
		{"wrong secret", func() http.Header {
			x := signed("alice")
			x.Set(appapi.HeaderAuthorization, appapi.Sign("alice", "wrong"))
			return x
		}, 401},
		{"wrong app id", func() http.Header { x := signed("alice"); x.Set(appapi.HeaderAppID, "other"); return x }, 401},
		{"empty version", func() http.Header { x := signed("alice"); x.Del(appapi.HeaderAppVersion); return x }, 401},
		{"signed", func() http.Header { return signed("alice") }, 200},
	}
	for _, r := range routes {
		for _, tc := range cases {
			t.Run(r.method+" "+r.path+" "+tc.name, func(t *testing.T) {
				req, _ := http.NewRequest(r.method, h.app.URL+r.path, nil)
				req.Header = tc.hdr()
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.want {
					t.Errorf("%s %s = %d, want %d", r.method, r.path, resp.StatusCode, tc.want)
				}
			})
		}
	}
	// POST /init last: a signed one starts the (fake) migration.
	req, _ := http.NewRequest("POST", h.app.URL+"/init", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("unsigned POST /init = %d, want 401", resp.StatusCode)
	}
}

func TestLifecycle(t *testing.T) {
	h := newHarness(t)
	code, _, body := h.do(t, "POST", "/init", "", nil, nil)
	if code != 200 || body != "{}" {
		t.Fatalf("POST /init = %d %s, want 200 {}", code, body)
	}
	deadline := time.Now().Add(5 * time.Second)
	var status []map[string]any
	var menus, forms []string
	for time.Now().Before(deadline) {
		status, menus, forms = h.nc.snapshot()
		if len(status) > 0 && status[len(status)-1]["progress"] == 100.0 && len(forms) == 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(status) == 0 || status[len(status)-1]["progress"] != 100.0 {
		t.Fatalf("status reports = %v, want last progress 100", status)
	}
	for _, s := range status {
		if s["error"] != nil {
			t.Errorf("status report %v carries an error", s)
		}
	}
	if h.migrator.calls != 1 {
		t.Errorf("Migrate calls = %d, want 1", h.migrator.calls)
	}
	if len(menus) != 1 || menus[0] != TopMenuName || strings.Join(forms, ",") != AdminFormID+","+PersonalFormID {
		t.Errorf("after init: menus %v forms %v, want main and both forms", menus, forms)
	}
	h.nc.mu.Lock()
	reply := h.nc.enabledReply
	h.nc.mu.Unlock()
	if reply != `{"error":""}` {
		t.Errorf("/enabled (called inside the status PUT) = %q, want {\"error\":\"\"}", reply)
	}
	if !h.workers.isRunning() {
		t.Error("workers not started after enable")
	}
	code, _, body = h.do(t, "PUT", "/enabled?enabled=0", "", nil, nil)
	if code != 200 || body != `{"error":""}` {
		t.Fatalf("disable = %d %s", code, body)
	}
	_, menus, forms = h.nc.snapshot()
	if len(menus) != 0 || len(forms) != 0 {
		t.Errorf("after disable: menus %v forms %v, want none", menus, forms)
	}
	if h.workers.isRunning() {
		t.Error("workers still running after disable")
	}
	// Disabling twice is fine (forms already gone: 404 is ignored).
	if code, _, body = h.do(t, "PUT", "/enabled?enabled=0", "", nil, nil); body != `{"error":""}` {
		t.Errorf("second disable = %d %s", code, body)
	}
	if code, _, _ = h.do(t, "PUT", "/enabled?enabled=2", "", nil, nil); code != 400 {
		t.Errorf("PUT /enabled?enabled=2 = %d, want 400", code)
	}
}

func TestInitReportsMigrationError(t *testing.T) {
	h := newHarness(t)
	h.migrator.err = errors.New("store: migrate: relation exists")
	if code, _, _ := h.do(t, "POST", "/init", "", nil, nil); code != 200 {
		t.Fatalf("POST /init = %d", code)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		status, _, _ := h.nc.snapshot()
		if n := len(status); n > 0 && status[n-1]["error"] != nil {
			if !strings.Contains(status[n-1]["error"].(string), "relation exists") {
				t.Errorf("error report = %v", status[n-1])
			}
			for _, s := range status {
				if s["progress"] == 100.0 {
					t.Errorf("progress 100 reported despite the failure: %v", status)
				}
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no error reported through ex-app/status")
}

func TestResumeStartsWorkersOnlyWhenEnabled(t *testing.T) {
	h := newHarness(t)
	en, err := h.srv.Resume(t.Context())
	if err != nil || en || h.workers.isRunning() {
		t.Fatalf("Resume(disabled) = %v, %v, running %v; want false, nil, false", en, err, h.workers.isRunning())
	}
	h.nc.mu.Lock()
	h.nc.enabled = true
	h.nc.mu.Unlock()
	en, err = h.srv.Resume(t.Context())
	if err != nil || !en || !h.workers.isRunning() {
		t.Fatalf("Resume(enabled) = %v, %v, running %v; want true, nil, true", en, err, h.workers.isRunning())
	}
}

func TestCacheControlAndStatic(t *testing.T) {
	h := newHarness(t)
	code, _, body := h.do(t, "GET", "/img/app.svg", "alice", nil, nil)
	if code != 200 || !strings.HasPrefix(body, "<svg") {
		t.Errorf("GET /img/app.svg = %d %.20s", code, body)
	}
	if code, _, _ := h.do(t, "GET", "/img/", "alice", nil, nil); code != 404 {
		t.Errorf("GET /img/ = %d, want 404 (no listing)", code)
	}
	code, hdr, _ := h.do(t, "GET", "/api/v1/accounts", "alice", nil, nil)
	if code != 200 || hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("GET /api/v1/accounts = %d, Cache-Control %q, want 200 no-store", code, hdr.Get("Cache-Control"))
	}
	if code, _, _ = h.do(t, "GET", "/api/v1/nope", "alice", nil, nil); code != 404 {
		t.Errorf("unknown api path = %d, want 404", code)
	}
}

func TestCSRFGuard(t *testing.T) {
	h := newHarness(t)
	valid := `{"endpoint":"https://ex.example/EWS/Exchange.asmx","username":"a","password":"p"}`
	send := func(ct, xrw string) int {
		req, _ := http.NewRequest("POST", h.app.URL+"/api/v1/accounts", strings.NewReader(valid))
		req.Header = signed("alice")
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if xrw != "" {
			req.Header.Set("X-Requested-With", xrw)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		name, ct, xrw string
		want          int
	}{
		{"no content type", "", "", 403},
		{"form post", "application/x-www-form-urlencoded", "", 415},
		{"text plain", "text/plain", "", 415},
		{"json", "application/json; charset=utf-8", "", 201},
		{"xhr", "", "XMLHttpRequest", 201},
	}
	for _, tc := range tests {
		if got := send(tc.ct, tc.xrw); got != tc.want {
			t.Errorf("%s: POST = %d, want %d", tc.name, got, tc.want)
		}
	}
	req, _ := http.NewRequest("DELETE", h.app.URL+"/api/v1/accounts/1", nil)
	req.Header = signed("alice")
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("DELETE without X-Requested-With = %d, want 403", resp.StatusCode)
	}
}

func TestListenUnix(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "exapp.sock")
	l1, err := ListenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	// Simulate a crash: the socket file stays behind.
	if ul, ok := l1.(interface{ SetUnlinkOnClose(bool) }); ok {
		ul.SetUnlinkOnClose(false)
	}
	l1.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("stale socket not left behind: %v", err)
	}
	l2, err := ListenUnix(path)
	if err != nil {
		t.Fatalf("ListenUnix(stale) = %v", err)
	}
	defer l2.Close()
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o666 {
		t.Errorf("socket mode = %v, %v, want 0666", fi.Mode().Perm(), err)
	}
	regular := filepath.Join(dir, "file")
	os.WriteFile(regular, nil, 0o600)
	if _, err := ListenUnix(regular); err == nil {
		t.Error("ListenUnix(regular file) = nil, want error (never delete a non-socket)")
	}
	srv := New(Options{Verifier: appapi.NewVerifier(testAppID, testSecret), Nextcloud: nil})
	go srv.Serve(l2)
	defer srv.Shutdown(context.Background())
	c := http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}}
	resp, err := c.Get("http://unix/heartbeat")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("heartbeat over unix socket = %d", resp.StatusCode)
	}
}
