package appapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// call is one request seen by the fake Nextcloud.
type call struct {
	Method, Path, Query, User string
	Header                    http.Header
	Body                      map[string]any
}

// fakeNC is a minimal OCS server: it checks the AppAPI headers like Nextcloud and answers from a table.
type fakeNC struct {
	mu      sync.Mutex
	calls   []call
	answers map[string]func(w http.ResponseWriter) // key "METHOD /path"
}

func (f *fakeNC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v := NewVerifier(testAppID, testSecret)
	user, err := v.Verify(r.Header)
	c := call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, User: user, Header: r.Header.Clone()}
	b, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(b, &c.Body)
	f.mu.Lock()
	f.calls = append(f.calls, c)
	ans := f.answers[r.Method+" "+r.URL.Path]
	f.mu.Unlock()
	if err != nil {
		w.WriteHeader(401)
		io.WriteString(w, `{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Current user is not logged in"},"data":[]}}`)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/ocs/") && r.Header.Get("OCS-APIRequest") != "true" {
		w.WriteHeader(412)
		io.WriteString(w, `{"message":"CSRF check failed"}`)
		return
	}
	if ans == nil {
		w.WriteHeader(404)
		io.WriteString(w, `<html>not found</html>`)
		return
	}
	ans(w)
}

func ok(data string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		io.WriteString(w, `{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK"},"data":`+data+`}}`)
	}
}

func newTestClient(t *testing.T, answers map[string]func(w http.ResponseWriter)) (*Client, *fakeNC) {
	t.Helper()
	f := &fakeNC{answers: answers}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := NewClient(nil, Options{NextcloudURL: srv.URL, AppID: testAppID, AppVersion: "0.1.0", Secret: testSecret, AAVersion: "32.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

func TestClientHeadersAndState(t *testing.T) {
	c, f := newTestClient(t, map[string]func(http.ResponseWriter){
		"GET /ocs/v1.php/apps/app_api/ex-app/state": ok("1"),
	})
	ctx := WithRequestID(t.Context(), "req-42")
	en, err := c.Enabled(ctx)
	if err != nil || !en {
		t.Fatalf("Enabled() = %v, %v, want true, nil", en, err)
	}
	got := f.calls[0]
	if got.User != "" || got.Header.Get("OCS-APIRequest") != "true" || got.Header.Get("Accept") != "application/json" ||
		got.Header.Get("EX-APP-VERSION") != "0.1.0" || got.Header.Get("AA-VERSION") != "32.0.0" || got.Header.Get("AA-REQUEST-ID") != "req-42" {
		t.Errorf("headers = %v", got.Header)
	}
	if got.Query != "format=json" {
		t.Errorf("query = %q, want format=json", got.Query)
	}
}

func TestClientErrors(t *testing.T) {
	c, _ := newTestClient(t, map[string]func(http.ResponseWriter){
		"POST /ocs/v1.php/apps/app_api/api/v1/log": func(w http.ResponseWriter) {
			// OCS v1: HTTP 200 with a failure statuscode.
			io.WriteString(w, `{"ocs":{"meta":{"status":"failure","statuscode":998,"message":"nope"},"data":[]}}`)
		},
		"DELETE /ocs/v1.php/apps/app_api/api/v1/ui/settings": func(w http.ResponseWriter) {
			w.WriteHeader(200)
			io.WriteString(w, `{"ocs":{"meta":{"status":"failure","statuscode":404,"message":"form not found"},"data":[]}}`)
		},
		"POST /ocs/v2.php/apps/webhook_listeners/api/v1/webhooks": func(w http.ResponseWriter) {
			w.WriteHeader(400)
			io.WriteString(w, `{"ocs":{"meta":{"status":"failure","statuscode":400,"message":"not compatible"},"data":[]}}`)
		},
	})
	ctx := t.Context()
	if err := c.Log(ctx, LogWarn, "x"); !IsNotFound(err) {
		t.Errorf("Log() = %v, want not found (998)", err)
	}
	if err := c.UnregisterForm(ctx, "f"); !IsNotFound(err) {
		t.Errorf("UnregisterForm() = %v, want not found", err)
	}
	if _, err := c.RegisterWebhook(ctx, Webhook{HTTPMethod: "POST", URI: "/w", Event: "X"}); !IsBadRequest(err) {
		t.Errorf("RegisterWebhook() = %v, want bad request", err)
	}
	if err := c.SetInitProgress(ctx, 50); !IsNotFound(err) {
		t.Errorf("SetInitProgress(unknown route) = %v, want not found", err)
	}
	if err := c.SetInitProgress(ctx, 101); err != ErrProgressRange {
		t.Errorf("SetInitProgress(101) = %v, want ErrProgressRange", err)
	}
	bad, _ := NewClient(nil, Options{NextcloudURL: c.BaseURL(), AppID: testAppID, AppVersion: "1", Secret: "wrong"})
	if _, err := bad.Enabled(ctx); !IsUnauthorized(err) {
		t.Errorf("Enabled(wrong secret) = %v, want unauthorized", err)
	}
	if _, err := c.Preferences(ctx, "", "k"); err != ErrNoUser {
		t.Errorf("Preferences(no user) = %v, want ErrNoUser", err)
	}
}

func TestClientErrorNeverContainsSecret(t *testing.T) {
	c, _ := newTestClient(t, nil)
	err := c.Log(t.Context(), LogInfo, "x")
	if err == nil || strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), Sign("", testSecret)) {
		t.Errorf("Log() = %v, want an error without the secret", err)
	}
}

func TestClient412(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(412)
		io.WriteString(w, `{"message":"CSRF check failed"}`)
	}))
	defer srv.Close()
	c, _ := NewClient(nil, Options{NextcloudURL: srv.URL, AppID: "a", AppVersion: "1", Secret: "s"})
	err := c.Log(t.Context(), LogInfo, "x")
	e, ok := err.(*OCSError)
	if !ok || e.HTTPStatus != 412 || e.Message != "CSRF check failed" {
		t.Errorf("Log() = %#v, want OCSError 412 CSRF check failed", err)
	}
}

func TestClientBodies(t *testing.T) {
	c, f := newTestClient(t, map[string]func(http.ResponseWriter){
		"PUT /ocs/v1.php/apps/app_api/ex-app/status":                                      ok("[]"),
		"POST /ocs/v1.php/apps/app_api/api/v1/ui/top-menu":                                ok("[]"),
		"DELETE /ocs/v1.php/apps/app_api/api/v1/ui/top-menu":                              ok("[]"),
		"POST /ocs/v1.php/apps/app_api/api/v1/ui/settings":                                ok("[]"),
		"POST /ocs/v1.php/apps/app_api/api/v1/ex-app/config/get-values":                   ok(`[{"configkey":"a","configvalue":"1"}]`),
		"POST /ocs/v1.php/apps/app_api/api/v1/ex-app/preference":                          ok(`{}`),
		"POST /ocs/v1.php/apps/app_api/api/v1/notification":                               ok(`{}`),
		"GET /ocs/v1.php/apps/app_api/api/v1/users":                                       ok(`["admin","alice"]`),
		"GET /ocs/v2.php/cloud/user":                                                      ok(`{"id":"admin","displayname":"A","email":null,"groups":["admin"],"enabled":true}`),
		"GET /ocs/v2.php/apps/webhook_listeners/api/v1/webhooks":                          ok(`[{"id":1,"appId":"ews_connector","userId":null,"httpMethod":"POST","uri":"/w","event":"E","eventFilter":[],"headers":[],"authMethod":"none","authData":null}]`),
		"DELETE /ocs/v2.php/apps/webhook_listeners/api/v1/webhooks/byappid/ews_connector": ok("3"),
	})
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.SetInitError(ctx, 0, "boom"))
	must(c.RegisterTopMenu(ctx, TopMenu{Name: "main", DisplayName: "EWS Connector", Icon: "img/app.svg"}))
	must(c.UnregisterTopMenu(ctx, "main"))
	form := Form{ID: "f", SectionType: "personal", SectionID: "declarative_settings", Title: "T",
		Fields: []FormField{{ID: "x", Title: "X", Type: "text", Default: ""}}}
	must(c.RegisterForm(ctx, form))
	vals, err := c.Config(ctx, "a", "b")
	must(err)
	if vals["a"] != "1" || len(vals) != 1 {
		t.Errorf("Config() = %v, want a=1", vals)
	}
	must(c.SetPreference(ctx, "alice", "k", "v", true))
	must(c.Notify(ctx, "alice", Notification{ObjectID: "1", RichSubject: "s"}))
	users, err := c.Users(ctx)
	must(err)
	if len(users) != 2 {
		t.Errorf("Users() = %v", users)
	}
	u, err := c.User(ctx, "admin")
	must(err)
	if !u.IsAdmin() {
		t.Errorf("User(admin).IsAdmin() = false")
	}
	hooks, err := c.Webhooks(ctx, "/w")
	must(err)
	if len(hooks) != 1 || hooks[0].ID != 1 || hooks[0].Headers != nil {
		t.Errorf("Webhooks() = %+v", hooks)
	}
	n, err := c.DeleteAppWebhooks(ctx)
	must(err)
	if n != 3 {
		t.Errorf("DeleteAppWebhooks() = %d, want 3", n)
	}
	byPath := map[string]call{}
	for _, cl := range f.calls {
		byPath[cl.Method+" "+cl.Path] = cl
	}
	if b := byPath["PUT /ocs/v1.php/apps/app_api/ex-app/status"].Body; b["error"] != "boom" || b["progress"] != 0.0 {
		t.Errorf("status body = %v", b)
	}
	if b := byPath["POST /ocs/v1.php/apps/app_api/api/v1/ui/top-menu"].Body; b["displayName"] != "EWS Connector" || b["adminRequired"] != 0.0 {
		t.Errorf("top-menu body = %v", b)
	}
	if b := byPath["POST /ocs/v1.php/apps/app_api/api/v1/ui/settings"].Body; b["formScheme"] == nil {
		t.Errorf("settings body = %v", b)
	}
	if cl := byPath["POST /ocs/v1.php/apps/app_api/api/v1/ex-app/preference"]; cl.User != "alice" || cl.Body["sensitive"] != 1.0 {
		t.Errorf("preference call = %+v", cl)
	}
	if cl := byPath["GET /ocs/v2.php/apps/webhook_listeners/api/v1/webhooks"]; !strings.Contains(cl.Query, "uri=%2Fw") {
		t.Errorf("webhooks query = %q", cl.Query)
	}
}

func TestFormValidate(t *testing.T) {
	base := func() Form {
		return Form{ID: "f", SectionType: "admin", SectionID: "declarative_settings", Title: "T",
			Fields: []FormField{{ID: "a", Title: "A", Type: "text"}}}
	}
	tests := []struct {
		name string
		mut  func(*Form)
		ok   bool
	}{
		{"valid", func(*Form) {}, true},
		{"no id", func(f *Form) { f.ID = "" }, false},
		{"bad section type", func(f *Form) { f.SectionType = "user" }, false},
		{"bad field type", func(f *Form) { f.Fields[0].Type = "date" }, false},
		{"dup field", func(f *Form) { f.Fields = append(f.Fields, f.Fields[0]) }, false},
		{"select without options", func(f *Form) { f.Fields[0].Type = "select" }, false},
		{"sensitive checkbox", func(f *Form) { f.Fields[0].Type = "checkbox"; f.Fields[0].Sensitive = true }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := base()
			tc.mut(&f)
			if err := f.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestNoRedirectFollow(t *testing.T) {
	var leaked bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(HeaderAuthorization) != "" {
			leaked = true
		}
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/x", http.StatusFound)
	}))
	defer srv.Close()
	c, _ := NewClient(nil, Options{NextcloudURL: srv.URL, AppID: "a", AppVersion: "1", Secret: "s"})
	if err := c.Log(t.Context(), LogInfo, "x"); err == nil {
		t.Error("Log() through a redirect = nil, want error")
	}
	if leaked {
		t.Error("the AppAPI secret was sent to the redirect target")
	}
}
