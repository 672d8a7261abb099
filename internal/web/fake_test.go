package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/seal"
	"github.com/ewsconnector/ews_connector/internal/store"
)

const (
	testAppID  = "ews_connector"
	testSecret = "Vq8+/Zr0secretXYZ"
)

// fakeNC is a small Nextcloud stand-in for this package's tests: it verifies AppAPI headers, records
// status reports and UI registrations, and like AppAPI calls the app's /enabled inside the status PUT
// that reports progress 100.
type fakeNC struct {
	t            *testing.T
	mu           sync.Mutex
	appURL       string
	enabled      bool
	status       []map[string]any
	topMenu      map[string]bool
	forms        map[string]bool
	assets       []string // ui/script and ui/style calls
	enabledReply string
	userCalls    int
}

func newFakeNC(t *testing.T) (*fakeNC, *httptest.Server) {
	f := &fakeNC{t: t, topMenu: map[string]bool{}, forms: map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeNC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, err := appapi.NewVerifier(testAppID, testSecret).Verify(r.Header)
	if err != nil || r.Header.Get("OCS-APIRequest") != "true" {
		w.WriteHeader(401)
		io.WriteString(w, `{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Current user is not logged in"},"data":[]}}`)
		return
	}
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	data := "[]"
	f.mu.Lock()
	switch r.Method + " " + r.URL.Path {
	case "PUT /ocs/v1.php/apps/app_api/ex-app/status":
		f.status = append(f.status, body)
		if body["progress"] == 100.0 {
			f.mu.Unlock()
			reply := f.callApp("PUT", "/enabled?enabled=1")
			f.mu.Lock()
			f.enabledReply = reply
			f.enabled = true
		}
	case "GET /ocs/v2.php/cloud/user":
		f.userCalls++
		groups := "[]"
		if user == "admin" {
			groups = `["admin"]`
		}
		data = fmt.Sprintf(`{"id":%q,"displayname":%q,"email":null,"groups":%s,"enabled":true}`, user, user, groups)
	case "GET /ocs/v1.php/apps/app_api/ex-app/state":
		data = "0"
		if f.enabled {
			data = "1"
		}
	case "POST /ocs/v1.php/apps/app_api/api/v1/ui/top-menu":
		f.topMenu[body["name"].(string)] = true
	case "DELETE /ocs/v1.php/apps/app_api/api/v1/ui/top-menu":
		delete(f.topMenu, body["name"].(string))
	case "POST /ocs/v1.php/apps/app_api/api/v1/ui/script", "DELETE /ocs/v1.php/apps/app_api/api/v1/ui/script",
		"POST /ocs/v1.php/apps/app_api/api/v1/ui/style", "DELETE /ocs/v1.php/apps/app_api/api/v1/ui/style":
		f.assets = append(f.assets, r.Method+" "+r.URL.Query().Get("path")+fmt.Sprint(body["path"]))
	case "POST /ocs/v1.php/apps/app_api/api/v1/ui/settings":
		f.forms[body["formScheme"].(map[string]any)["id"].(string)] = true
	case "DELETE /ocs/v1.php/apps/app_api/api/v1/ui/settings":
		id := body["formId"].(string)
		if !f.forms[id] {
			f.mu.Unlock()
			io.WriteString(w, `{"ocs":{"meta":{"status":"failure","statuscode":404,"message":"not found"},"data":[]}}`)
			return
		}
		delete(f.forms, id)
	default:
		f.mu.Unlock()
		w.WriteHeader(404)
		return
	}
	f.mu.Unlock()
	fmt.Fprintf(w, `{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK"},"data":%s}}`, data)
}

// callApp calls the app as AppAPI does (system user) and returns the body.
func (f *fakeNC) callApp(method, path string) string {
	req, _ := http.NewRequest(method, f.appURL+path, nil)
	req.Header = signed("")
	req.Header.Set("AA-REQUEST-ID", "CLI")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "transport error: " + err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b))
}

func (f *fakeNC) snapshot() (status []map[string]any, menus, forms []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.topMenu {
		menus = append(menus, k)
	}
	for k := range f.forms {
		forms = append(forms, k)
	}
	slices.Sort(forms)
	return slices.Clone(f.status), menus, forms
}

func signed(user string) http.Header {
	h := http.Header{}
	h.Set(appapi.HeaderAppID, testAppID)
	h.Set(appapi.HeaderAppVersion, "0.1.0")
	h.Set(appapi.HeaderAuthorization, appapi.Sign(user, testSecret))
	return h
}

func TestMain(m *testing.M) { pgtest.Main(m) }

type fakeMigrator struct {
	err   error
	calls int
	mu    sync.Mutex
}

func (m *fakeMigrator) Migrate(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	return m.err
}

type fakeWorkers struct {
	mu      sync.Mutex
	running bool
	starts  int
}

func (w *fakeWorkers) Start(context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.running = true
	w.starts++
	return nil
}

func (w *fakeWorkers) Stop(context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.running = false
	return nil
}

func (w *fakeWorkers) isRunning() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.running
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

// harness is the app server under test with its fakes.
type harness struct {
	srv      *Server
	app      *httptest.Server
	nc       *fakeNC
	logs     *syncBuffer
	accounts *store.Store
	migrator *fakeMigrator
	workers  *fakeWorkers
	sealer   *seal.Sealer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	nc, ncSrv := newFakeNC(t)
	client, err := appapi.NewClient(nil, appapi.Options{NextcloudURL: ncSrv.URL, AppID: testAppID, AppVersion: "0.1.0", Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{nc: nc, logs: &syncBuffer{}, migrator: &fakeMigrator{}, workers: &fakeWorkers{}}
	logger := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, err := store.Open(t.Context(), pgtest.DSN(t), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.accounts = st
	sealer, err := seal.ParseKeyring(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	h.sealer = sealer
	h.srv = New(Options{
		Logger: logger, Verifier: appapi.NewVerifier(testAppID, testSecret), Nextcloud: client,
		Migrator: h.migrator, Registrations: DefaultRegistrations(client), Workers: h.workers,
		Accounts: h.accounts, Sealer: sealer, Admins: NewNextcloudAdmins(client),
	})
	h.app = httptest.NewServer(h.srv)
	nc.appURL = h.app.URL
	t.Cleanup(func() {
		h.app.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.srv.Shutdown(ctx)
	})
	return h
}

// do sends a request to the app as user (signed) with optional JSON body and extra headers.
func (h *harness) do(t *testing.T, method, path, user string, body any, extra http.Header) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.app.URL+path, rd)
	req.Header = signed(user)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range extra {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, strings.TrimSpace(string(b))
}
