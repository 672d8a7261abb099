package nextcloudsim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// lifecycleApp is a minimal ExApp: /init reports progress in the
// background, /enabled registers or removes a top-menu entry.
func lifecycleApp(t *testing.T, ncURL *string, initError string) *fakeApp {
	t.Helper()
	call := func(method, path, body string) {
		req, _ := http.NewRequest(method, *ncURL+path, strings.NewReader(body))
		for k, v := range appAPI("") {
			req.Header[k] = v
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("app -> nc %s %s: %v", method, path, err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	app := &fakeApp{}
	app.handler = func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/heartbeat":
			_, _ = io.WriteString(w, `{"status":"ok"}`)
		case "/init":
			go func() {
				call("PUT", "/ocs/v1.php/apps/app_api/ex-app/status", `{"progress":50}`)
				if initError != "" {
					call("PUT", "/ocs/v1.php/apps/app_api/ex-app/status", `{"progress":60,"error":"`+initError+`"}`)
					return
				}
				call("PUT", "/ocs/v1.php/apps/app_api/ex-app/status", `{"progress":100}`)
			}()
			_, _ = io.WriteString(w, `{}`)
		case "/enabled":
			if r.URL.Query().Get("enabled") == "1" {
				call("POST", "/ocs/v1.php/apps/app_api/api/v1/ui/top-menu", `{"name":"main","displayName":"EWS"}`)
			} else {
				call("DELETE", "/ocs/v1.php/apps/app_api/api/v1/ui/top-menu", `{"name":"main"}`)
			}
			_, _ = io.WriteString(w, `{"error":""}`)
		default:
			return false
		}
		return true
	}
	return app
}

func TestLifecycleRegisterEnableDisable(t *testing.T) {
	var ncURL string
	app := lifecycleApp(t, &ncURL, "")
	as := httptest.NewServer(app)
	t.Cleanup(as.Close)
	f := newFixture(t, func(o *Options) { o.AppURL = as.URL })
	ncURL = f.ts.URL
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := f.s.Register(ctx)
	if err != nil || !st.Enabled || st.Progress != 100 {
		t.Fatalf("Register() = %+v, %v; want enabled at 100", st, err)
	}
	if m := f.s.TopMenus(); len(m) != 1 {
		t.Errorf("TopMenus() after enable = %+v, want the app's entry", m)
	}
	var hb, init, enabled *recorded
	for _, r := range app.requests() {
		r := r
		switch r.path {
		case "/heartbeat":
			if hb == nil {
				hb = &r
			}
		case "/init":
			init = &r
		case "/enabled":
			enabled = &r
		}
	}
	if hb == nil || hb.header.Get("AUTHORIZATION-APP-API") != "" || hb.header.Get("Accept") != "application/json" {
		t.Errorf("heartbeat (0001) = %+v, want no AppAPI headers", hb)
	}
	if init == nil || init.method != "POST" || init.body != "" || init.header.Get("AA-REQUEST-ID") != "CLI" || decodeUser(t, init.header) != "" {
		t.Errorf("init (0002) = %+v", init)
	}
	if enabled == nil || enabled.method != "PUT" || enabled.query != "enabled=1" || decodeUser(t, enabled.header) != "" {
		t.Errorf("enabled (0005) = %+v", enabled)
	}
	msg, err := f.s.SetEnabled(ctx, false)
	if err != nil || msg != "" {
		t.Fatalf("SetEnabled(false) = %q, %v", msg, err)
	}
	if st := f.s.Status(); st.Enabled || len(f.s.TopMenus()) != 0 {
		t.Errorf("after disable: %+v, menus %v; want disabled, unregistered", st, f.s.TopMenus())
	}
	msg, err = f.s.SetEnabled(ctx, true)
	if err != nil || msg != "" || !f.s.Status().Enabled || len(f.s.TopMenus()) != 1 {
		t.Errorf("SetEnabled(true) = %q, %v; status %+v", msg, err, f.s.Status())
	}
}

func TestLifecycleInitError(t *testing.T) {
	var ncURL string
	app := lifecycleApp(t, &ncURL, "migration failed")
	as := httptest.NewServer(app)
	t.Cleanup(as.Close)
	f := newFixture(t, func(o *Options) { o.AppURL = as.URL; o.StartDisabled = true })
	ncURL = f.ts.URL
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := f.s.Register(ctx)
	if err == nil || st.Error != "migration failed" || st.Enabled {
		t.Errorf("Register() = %+v, %v; want the init error and disabled", st, err)
	}
}

func TestLifecycleEnableError(t *testing.T) {
	app := &fakeApp{handler: func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/heartbeat" {
			_, _ = io.WriteString(w, `{"status":"ok"}`)
		} else {
			_, _ = io.WriteString(w, `{"error":"cannot reach database"}`)
		}
		return true
	}}
	as := httptest.NewServer(app)
	t.Cleanup(as.Close)
	f := newFixture(t, func(o *Options) { o.AppURL = as.URL })
	msg, err := f.s.SetEnabled(context.Background(), true)
	if err != nil || msg != "cannot reach database" || f.s.Status().Enabled {
		t.Errorf("SetEnabled(true) = %q, %v, status %+v; want the error and disabled", msg, err, f.s.Status())
	}
	if err := f.s.Heartbeat(context.Background()); err != nil {
		t.Errorf("Heartbeat() = %v", err)
	}
}

func TestUnregister(t *testing.T) {
	f, _ := newAppFixture(t, nil)
	f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/ui/top-menu", appAPI(""), `{"name":"main","displayName":"EWS"}`)
	registerHook(t, f, "", `{"httpMethod":"POST","uri":"/x","event":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent"}`)
	f.s.SetAppConfigValue("k", "v")
	if err := f.s.Unregister(context.Background()); err != nil {
		t.Fatalf("Unregister() = %v", err)
	}
	if len(f.s.TopMenus()) != 0 || len(f.s.Webhooks()) != 0 || f.s.Status().Enabled {
		t.Errorf("after Unregister: menus %v hooks %v status %+v", f.s.TopMenus(), f.s.Webhooks(), f.s.Status())
	}
	if v, ok := f.s.AppConfigValue("k"); !ok || v != "v" {
		t.Errorf("app config lost on unregister: %q %v", v, ok)
	}
}
