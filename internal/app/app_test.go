package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/config"
	"github.com/ewsconnector/ews_connector/internal/nextcloudsim"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/seal"
	"github.com/ewsconnector/ews_connector/internal/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(t.Context(), args, Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

func TestRunCommands(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"help", []string{"help"}, 0, "migrate", ""},
		{"--help", []string{"--help"}, 0, "serve", ""},
		{"-h", []string{"-h"}, 0, "version", ""},
		{"help serve", []string{"help", "serve"}, 0, "ews-connector serve -h", ""},
		{"help unknown", []string{"help", "nope"}, 2, "", "unknown command"},
		{"version", []string{"version"}, 0, "ews-connector " + Version, ""},
		{"unknown", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"bad flag", []string{"version", "-x"}, 2, "", "flag provided but not defined"},
		{"serve no config", nil, 1, "", "APP_SECRET: missing"},
		{"serve names vars", []string{"serve"}, 1, "", "EWS_SECRET_KEY: missing"},
		{"migrate no dsn", []string{"migrate"}, 1, "", "EWS_DATABASE_URL: missing"},
		{"migrate -h", []string{"migrate", "-h"}, 0, "Applies the embedded", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, nil, tc.args...)
			if code != tc.wantCode || !strings.Contains(out, tc.wantOut) || !strings.Contains(errs, tc.wantErr) {
				t.Errorf("Run(%q) = %d\nstdout %q\nstderr %q\nwant %d, stdout ∋ %q, stderr ∋ %q", tc.args, code, out, errs, tc.wantCode, tc.wantOut, tc.wantErr)
			}
		})
	}
}

func TestMigrateCommand(t *testing.T) {
	env := map[string]string{"EWS_DATABASE_URL": pgtest.DSN(t)}
	for i := range 2 {
		code, out, errs := run(t, env, "migrate")
		if code != 0 || !strings.HasPrefix(out, "schema at version ") {
			t.Fatalf("migrate #%d = %d %q %q", i+1, code, out, errs)
		}
	}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lifecycleEnv is the app served on a real listener against the fake Nextcloud served on another.
type lifecycleEnv struct {
	sim    *nextcloudsim.Server
	ncURL  string
	logs   *syncBuffer
	secret string
	cancel context.CancelFunc
	done   chan error
}

func startLifecycle(t *testing.T, startDisabled bool) *lifecycleEnv {
	t.Helper()
	appL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ncL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	secret := randomSecret()
	ncURL := "http://" + ncL.Addr().String()
	sim := nextcloudsim.New(nextcloudsim.Options{
		AppID: devAppID, AppSecret: secret, AppVersion: "1.2.3", AppURL: "http://" + appL.Addr().String(),
		BaseURL: ncURL, StartDisabled: startDisabled, Routes: DevRoutes,
	})
	ctx, cancel := context.WithCancel(context.Background())
	go sim.Serve(ctx, ncL)
	logs := &syncBuffer{}
	cfg := &config.Config{
		AppID: devAppID, AppSecret: secret, AppVersion: "1.2.3", AppHost: "127.0.0.1",
		AppPort: appL.Addr().(*net.TCPAddr).Port, NextcloudURL: ncURL, PersistentStorage: t.TempDir(),
		DatabaseURL: pgtest.DSN(t), SecretKey: seal.GenerateKey(), LogLevel: slog.LevelDebug, LogFormat: "json",
	}
	e := &lifecycleEnv{sim: sim, ncURL: ncURL, logs: logs, secret: secret, cancel: cancel, done: make(chan error, 1)}
	go func() { e.done <- serve(ctx, cfg, newLogger(logs, cfg.LogLevel, cfg.LogFormat), appL) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-e.done:
			if err != nil {
				t.Errorf("serve() = %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
		sim.Close()
	})
	return e
}

// proxy sends a browser request through the fake Nextcloud's AppAPI proxy as user (Basic auth).
func (e *lifecycleEnv) proxy(t *testing.T, method, path, user, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, e.ncURL+"/index.php/apps/app_api/proxy/"+devAppID+path, rd)
	req.SetBasicAuth(user, "password")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	req.Header.Set("Cookie", "nc_session_id=COOKIE-SECRET-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestLifecycleAgainstNextcloudsim registers the app with the fake Nextcloud as
// `occ app_api:app:register --wait-finish` does, then disables and re-enables it.
func TestLifecycleAgainstNextcloudsim(t *testing.T) {
	e := startLifecycle(t, true)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for e.sim.Heartbeat(ctx) != nil {
		time.Sleep(50 * time.Millisecond)
	}
	st, err := e.sim.Register(ctx)
	if err != nil {
		t.Fatalf("Register() = %+v, %v", st, err)
	}
	if st.Progress != 100 || !st.Enabled || st.Error != "" || st.EnableError != "" {
		t.Fatalf("status after register = %+v, want progress 100, enabled", st)
	}
	menus := e.sim.TopMenus()
	if len(menus) != 1 || menus[0].DisplayName != "EWS Connector" || menus[0].Name != web.TopMenuName {
		t.Errorf("TopMenus() = %+v, want one EWS Connector entry", menus)
	}
	var ids []string
	for _, f := range e.sim.SettingsForms() {
		var form struct{ ID string }
		_ = json.Unmarshal(f, &form)
		ids = append(ids, form.ID)
	}
	if strings.Join(ids, ",") != web.PersonalFormID+","+web.AdminFormID {
		t.Errorf("SettingsForms() ids = %v, want personal and admin", ids)
	}

	msg, err := e.sim.SetEnabled(ctx, false)
	if err != nil || msg != "" {
		t.Fatalf("SetEnabled(false) = %q, %v", msg, err)
	}
	if n, f := len(e.sim.TopMenus()), len(e.sim.SettingsForms()); n != 0 || f != 0 {
		t.Errorf("after disable: %d top menus, %d forms, want none", n, f)
	}
	if code, _ := e.proxy(t, "GET", "/api/v1/accounts", "alice", ""); code == 200 {
		t.Errorf("proxy to a disabled app = 200, want refused")
	}
	msg, err = e.sim.SetEnabled(ctx, true)
	if err != nil || msg != "" {
		t.Fatalf("SetEnabled(true) = %q, %v", msg, err)
	}
	if n, f := len(e.sim.TopMenus()), len(e.sim.SettingsForms()); n != 1 || f != 2 {
		t.Errorf("after enable: %d top menus, %d forms, want 1 and 2", n, f)
	}

	// Browser traffic through the proxy: alice's account is invisible to admin.
	code, body := e.proxy(t, "POST", "/api/v1/accounts", "alice",
		`{"endpoint":"https://mail.example.com/EWS/Exchange.asmx","username":"alice","password":"Pw-Of-Alice-42"}`)
	if code != 201 {
		t.Fatalf("alice POST account = %d %s", code, body)
	}
	var acc struct{ ID int64 }
	_ = json.Unmarshal([]byte(body), &acc)
	if code, body = e.proxy(t, "GET", fmt.Sprintf("/api/v1/accounts/%d", acc.ID), "admin", ""); code != 404 {
		t.Errorf("admin GET alice's account = %d %s, want 404", code, body)
	}
	if code, body = e.proxy(t, "DELETE", fmt.Sprintf("/api/v1/accounts/%d", acc.ID), "admin", ""); code != 404 {
		t.Errorf("admin DELETE alice's account = %d %s, want 404", code, body)
	}
	if code, body = e.proxy(t, "GET", "/api/v1/admin/accounts", "alice", ""); code != 403 {
		t.Errorf("alice GET admin/accounts = %d %s, want 403", code, body)
	}
	if code, body = e.proxy(t, "GET", "/api/v1/admin/accounts", "admin", ""); code != 200 || !strings.Contains(body, `"user_id":"alice"`) {
		t.Errorf("admin GET admin/accounts = %d %s, want alice's account", code, body)
	}
	if code, body = e.proxy(t, "GET", "/api/v1/accounts", "alice", ""); code != 200 || !strings.Contains(body, "mail.example.com") {
		t.Errorf("alice list = %d %s", code, body)
	}
	for _, s := range []string{"Pw-Of-Alice-42", e.secret, appapi.Sign("", e.secret), appapi.Sign("alice", e.secret),
		"COOKIE-SECRET-1", "YWxpY2U6cGFzc3dvcmQ=" /* alice:password */} {
		if strings.Contains(e.logs.String(), s) {
			t.Errorf("app logs contain secret %q", s)
		}
		if strings.Contains(body, s) {
			t.Errorf("API response contains secret %q", s)
		}
	}
	if n := e.sim.AuthFailures(); n != 0 {
		t.Errorf("nextcloudsim saw %d requests with bad AppAPI auth from the app, want 0", n)
	}
	if !strings.Contains(e.logs.String(), `"path":"/api/v1/accounts"`) {
		t.Errorf("request lines missing from the captured logs")
	}
}

// TestServeAsksExAppState: on a restart AppAPI does not call /enabled; the app asks ex-app/state.
func TestServeAsksExAppState(t *testing.T) {
	for _, enabled := range []bool{false, true} {
		t.Run(fmt.Sprint("enabled=", enabled), func(t *testing.T) {
			e := startLifecycle(t, !enabled)
			want := fmt.Sprintf(`"msg":"ex-app state","enabled":%v`, enabled)
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) {
				if strings.Contains(e.logs.String(), want) {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
			t.Fatalf("no %s in the logs:\n%s", want, e.logs.String())
		})
	}
}

func TestHealthcheckCommand(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(web.Options{Verifier: appapi.NewVerifier("x", "y")})
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	if code, out, errs := run(t, map[string]string{"APP_HOST": "0.0.0.0", "APP_PORT": port}, "healthcheck"); code != 0 || out != "ok\n" {
		t.Errorf("healthcheck(up) = %d %q %q, want 0 ok", code, out, errs)
	}
	free, _ := net.Listen("tcp", "127.0.0.1:0")
	freePort := fmt.Sprint(free.Addr().(*net.TCPAddr).Port)
	free.Close()
	if code, _, _ := run(t, map[string]string{"APP_PORT": freePort}, "healthcheck"); code != 1 {
		t.Errorf("healthcheck(down) = %d, want 1", code)
	}
}
