package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/autodiscover"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ewssim"
	"github.com/ewsconnector/ews_connector/internal/netguard"
	"github.com/ewsconnector/ews_connector/internal/nextcloudsim"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/seal"
	"github.com/ewsconnector/ews_connector/internal/store"
)

const ewsPassword = "Ex-Secret-4711"

// recordingSync is a SyncQueue that records its calls.
type recordingSync struct {
	mu    sync.Mutex
	calls []string
}

func (r *recordingSync) SyncNow(_ context.Context, user string, linkID int64, full bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("%s:%d:%v", user, linkID, full))
	return nil
}

// basicAuth adds HTTP Basic credentials (the DAV client's transport in tests).
type basicAuth struct{ user, pass string }

func (b basicAuth) Do(r *http.Request) (*http.Response, error) {
	r.SetBasicAuth(b.user, b.pass)
	return http.DefaultClient.Do(r)
}

type pageHarness struct {
	mu     sync.Mutex
	states map[string]string // StateChanged calls: user → last state
	app    *httptest.Server
	st     *store.Store
	sync   *recordingSync
	ews    string // EWS base URL
	nc     *nextcloudsim.Server
	ncURL  string
}

// newPageHarness serves the app with the page's API over a real store, the simulated Exchange
// (mailboxes alice and admin, password ewsPassword) and the fake Nextcloud's DAV.
func newPageHarness(t *testing.T) *pageHarness {
	t.Helper()
	_, ncOCS := newFakeNC(t)
	client, err := appapi.NewClient(nil, appapi.Options{NextcloudURL: ncOCS.URL, AppID: testAppID, AppVersion: "0.1.0", Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	st, err := store.Open(t.Context(), pgtest.DSN(t), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	sealer, _ := seal.ParseKeyring(seal.GenerateKey())
	exch := ewssim.New(ewssim.Options{Users: []ewssim.User{{Name: "alice", Password: ewsPassword}, {Name: "admin", Password: ewsPassword}}})
	if err := exch.Seed("demo"); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	run := exch.Start(l)
	t.Cleanup(func() { run.Close() })
	sim := nextcloudsim.New(nextcloudsim.Options{AppID: testAppID, AppSecret: testSecret})
	ncSrv := httptest.NewServer(sim)
	t.Cleanup(ncSrv.Close)
	h := &pageHarness{st: st, sync: &recordingSync{}, ews: run.URL, nc: sim, ncURL: ncSrv.URL, states: map[string]string{}}
	srv := New(Options{
		Logger: logger, Verifier: appapi.NewVerifier(testAppID, testSecret), Nextcloud: client,
		Accounts: st, Sealer: sealer, Admins: NewNextcloudAdmins(client), AllowHTTPEndpoints: true,
		Page: &PageDeps{
			Store: st, Opener: sealer, Sync: h.sync,
			Autodiscover: func(_ context.Context, email, user, pass string) (string, error) {
				if email != "alice@example.com" {
					return "", autodiscover.ErrNotFound
				}
				if pass != ewsPassword {
					return "", autodiscover.ErrAuth
				}
				return run.URL + "/EWS/Exchange.asmx", nil
			},
			DefaultServer: func(context.Context) string { return "https://mail.example.com" },
			CheckHost: func(_ context.Context, endpoint string) error {
				if strings.Contains(endpoint, "blocked.example") {
					return &netguard.BlockedError{Host: "blocked.example", Reason: "deny-listed"}
				}
				return nil
			},
			StateChanged: func(_ context.Context, user, state string) error {
				h.mu.Lock()
				defer h.mu.Unlock()
				h.states[user] = state
				return nil
			},
			Mailbox: func(ctx context.Context, cfg MailboxConfig) (Mailbox, error) {
				return ews.NewClient(cfg.Endpoint, &ews.Options{Auth: cfg.Auth, Username: cfg.Username, Password: cfg.Password, MaxRetries: 1})
			},
			Collections: func(ctx context.Context, user string) (Collections, error) {
				return dav.NewClient(basicAuth{user, "password"}, ncSrv.URL+"/remote.php/dav", nil)
			},
		},
	})
	h.app = httptest.NewServer(srv)
	t.Cleanup(h.app.Close)
	return h
}

// call sends a signed request as user (unsigned when user is "-") and returns status and body.
func (h *pageHarness) call(t *testing.T, method, path, user string, body any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.app.URL+path, rd)
	if user != "-" {
		req.Header = signed(user)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (h *pageHarness) connect(t *testing.T, user string) int64 {
	t.Helper()
	code, body := h.call(t, "POST", "/api/v1/connect", user, map[string]string{"server": h.ews, "username": user, "password": ewsPassword, "auth_method": "basic"})
	if code != 201 {
		t.Fatalf("connect as %s = %d %s, want 201", user, code, body)
	}
	var res struct {
		Account accountView  `json:"account"`
		Folders []folderView `json:"folders"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Folders) < 4 || res.Account.State != "connected" {
		t.Fatalf("connect = %s, want the demo mailbox's folders and state connected", body)
	}
	return res.Account.ID
}

func assertNoSecret(t *testing.T, what, body string) {
	t.Helper()
	if strings.Contains(body, ewsPassword) || strings.Contains(strings.ToLower(body), "secret") {
		t.Errorf("%s returns a secret: %s", what, body)
	}
}

func TestEndpointOf(t *testing.T) {
	tests := []struct{ in, want string }{
		{"mail.example.com", "https://mail.example.com/EWS/Exchange.asmx"},
		{" https://mail.example.com/ ", "https://mail.example.com/EWS/Exchange.asmx"},
		{"https://mail.example.com:8443/EWS/Exchange.asmx", "https://mail.example.com:8443/EWS/Exchange.asmx"},
		{"http://127.0.0.1:8765", "http://127.0.0.1:8765/EWS/Exchange.asmx"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := endpointOf(tc.in); got != tc.want {
			t.Errorf("endpointOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestConnectFailuresInUserWords(t *testing.T) {
	h := newPageHarness(t)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>Welcome to nginx</body></html>")
	}))
	defer html.Close()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler()) // self-signed certificate
	defer tlsSrv.Close()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedURL := "http://" + closed.Addr().String()
	closed.Close()
	tests := []struct {
		name, server, password, want string
	}{
		{"wrong password", h.ews, "wrong", "auth"},
		{"unreachable", closedURL, ewsPassword, "unreachable"},
		{"not EWS", html.URL, ewsPassword, "not_ews"},
		{"certificate", tlsSrv.URL, ewsPassword, "certificate"},
		{"no server, no email", "", ewsPassword, "invalid"},
	}
	// The email path: autodiscover finds the server (or says why not).
	for _, tc := range []struct{ email, password, want string }{
		{"nobody@example.net", ewsPassword, "autodiscover"},
		{"alice@example.com", "wrong", "auth"},
	} {
		code, body := h.call(t, "POST", "/api/v1/connect", "alice", map[string]string{"email": tc.email, "username": "alice", "password": tc.password})
		var ce connectError
		_ = json.Unmarshal([]byte(body), &ce)
		if code != 422 || ce.Code != tc.want {
			t.Errorf("connect(email %s) = %d %s, want 422 %q", tc.email, code, body, tc.want)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := h.call(t, "POST", "/api/v1/connect", "alice", map[string]string{"server": tc.server, "username": "alice", "password": tc.password, "auth_method": "basic"})
			var ce connectError
			_ = json.Unmarshal([]byte(body), &ce)
			if code < 400 || ce.Code != tc.want || ce.Error == "" {
				t.Errorf("connect(%s) = %d %s, want code %q", tc.name, code, body, tc.want)
			}
			assertNoSecret(t, "connect", body)
		})
	}
	if list, _ := h.st.Accounts(t.Context(), "alice"); len(list) != 0 {
		t.Errorf("failed connects stored %d accounts, want 0", len(list))
	}
	code, body := h.call(t, "POST", "/api/v1/connect", "alice", map[string]string{"email": "alice@example.com", "username": "alice", "password": ewsPassword})
	if code != 201 || !strings.Contains(body, `"email":"alice@example.com"`) || !strings.Contains(body, h.ews+"/EWS/Exchange.asmx") {
		t.Errorf("connect(email) = %d %s, want 201 with the discovered endpoint", code, body)
	}
}

// TestPageAPIAuth: every page API answers 401 without AppAPI auth and 404 across users (ids of other
// users' accounts and links reveal nothing), and no answer carries a secret.
func TestPageAPIAuth(t *testing.T) {
	h := newPageHarness(t)
	acct := h.connect(t, "alice")
	code, body := h.call(t, "POST", fmt.Sprintf("/api/v1/accounts/%d/links", acct), "alice", map[string]string{
		"remote_folder_id": "AANTSU1GAAEAAAAL", "remote_name": "Holidays", "kind": "calendar", "new_local_name": "Holidays"})
	if code != 201 {
		t.Fatalf("create link = %d %s", code, body)
	}
	var link linkView
	_ = json.Unmarshal([]byte(body), &link)
	routes := []struct{ method, path string }{
		{"POST", "/api/v1/connect"},
		{"GET", fmt.Sprintf("/api/v1/accounts/%d/folders", acct)},
		{"POST", fmt.Sprintf("/api/v1/accounts/%d/links", acct)},
		{"PUT", fmt.Sprintf("/api/v1/links/%d", link.ID)},
		{"POST", fmt.Sprintf("/api/v1/links/%d/sync", link.ID)},
		{"DELETE", fmt.Sprintf("/api/v1/links/%d", link.ID)},
		{"GET", "/api/v1/status"},
		{"POST", fmt.Sprintf("/api/v1/accounts/%d/testdata", acct)},
		{"DELETE", fmt.Sprintf("/api/v1/accounts/%d/testdata", acct)},
		{"DELETE", fmt.Sprintf("/api/v1/accounts/%d", acct)},
	}
	for _, r := range routes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			if code, body := h.call(t, r.method, r.path, "-", map[string]any{}); code != 401 {
				t.Errorf("unsigned = %d %s, want 401", code, body)
			}
			if r.path == "/api/v1/status" || r.path == "/api/v1/connect" {
				return // not about one id
			}
			code, body := h.call(t, r.method, r.path, "admin", map[string]any{"direction": "two-way"})
			if code != 404 {
				t.Errorf("as another user = %d %s, want 404", code, body)
			}
		})
	}
	if l, err := h.st.Link(t.Context(), "alice", link.ID); err != nil || l.Direction != store.TwoWay {
		t.Errorf("alice's link after the other user's attempts = %+v, %v", l, err)
	}
	for _, p := range []string{"/api/v1/status", fmt.Sprintf("/api/v1/accounts/%d/folders", acct), "/api/v1/accounts"} {
		code, body := h.call(t, "GET", p, "alice", nil)
		if code != 200 {
			t.Errorf("GET %s = %d %s", p, code, body)
		}
		assertNoSecret(t, p, body)
	}
	code, body = h.call(t, "GET", "/api/v1/status", "admin", nil)
	if !strings.Contains(body, `"default_server":"https://mail.example.com"`) {
		t.Errorf("status without accounts = %s, want the admin's default server", body)
	}
	if code != 200 || strings.Contains(body, "Holidays") {
		t.Errorf("status as another user = %d %s, want 200 without alice's links", code, body)
	}
}

func TestLinksSaveSyncUnlink(t *testing.T) {
	h := newPageHarness(t)
	acct := h.connect(t, "alice")
	linkPath := fmt.Sprintf("/api/v1/accounts/%d/links", acct)
	tests := []struct {
		name string
		body map[string]string
		want int
	}{
		{"bad kind", map[string]string{"remote_folder_id": "X", "kind": "tasks", "new_local_name": "T"}, 400},
		{"no target", map[string]string{"remote_folder_id": "X", "kind": "calendar"}, 400},
		{"another user's collection", map[string]string{"remote_folder_id": "X", "kind": "calendar", "local_href": "/remote.php/dav/calendars/admin/personal/"}, 400},
		{"bad direction", map[string]string{"remote_folder_id": "X", "kind": "calendar", "new_local_name": "T", "direction": "sideways"}, 400},
	}
	for _, tc := range tests {
		if code, body := h.call(t, "POST", linkPath, "alice", tc.body); code != tc.want {
			t.Errorf("create link (%s) = %d %s, want %d", tc.name, code, body, tc.want)
		}
	}
	code, body := h.call(t, "POST", linkPath, "alice", map[string]string{"remote_folder_id": "AANTSU1GAAEAAAAD", "remote_name": "Calendar",
		"kind": "calendar", "local_href": "/remote.php/dav/calendars/alice/personal/", "direction": "to-nextcloud", "conflict_policy": "exchange"})
	if code != 201 {
		t.Fatalf("create link = %d %s", code, body)
	}
	var l linkView
	_ = json.Unmarshal([]byte(body), &l)
	if l.LocalName != "Personal" || l.Direction != "to-nextcloud" || l.ConflictPolicy != "exchange" {
		t.Errorf("link = %+v", l)
	}
	if code, _ := h.call(t, "POST", linkPath, "alice", map[string]string{"remote_folder_id": "AANTSU1GAAEAAAAD", "kind": "calendar", "new_local_name": "Again"}); code != 409 {
		t.Errorf("linking a linked folder again = %d, want 409", code)
	}
	if code, body := h.call(t, "PUT", fmt.Sprintf("/api/v1/links/%d", l.ID), "alice", map[string]string{"direction": "two-way"}); code != 200 || !strings.Contains(body, `"direction":"two-way"`) {
		t.Errorf("save = %d %s", code, body)
	}
	if code, _ := h.call(t, "POST", fmt.Sprintf("/api/v1/links/%d/sync", l.ID), "alice", map[string]bool{"full": true}); code != 200 {
		t.Errorf("sync = %d", code)
	}
	if want := fmt.Sprintf("alice:%d:true", l.ID); len(h.sync.calls) != 1 || h.sync.calls[0] != want {
		t.Errorf("sync calls = %v, want [%s]", h.sync.calls, want)
	}
	if code, _ := h.call(t, "DELETE", fmt.Sprintf("/api/v1/links/%d", l.ID), "alice", nil); code != 204 {
		t.Errorf("unlink = %d", code)
	}
	if links, _ := h.st.Links(t.Context(), "alice"); len(links) != 0 {
		t.Errorf("links after unlink = %d", len(links))
	}
}

// TestTestData: "Create test data" makes and fills two collections per side and links them;
// "Delete test data" removes exactly those, leaving the user's own link and collections.
func TestTestData(t *testing.T) {
	h := newPageHarness(t)
	acct := h.connect(t, "alice")
	code, body := h.call(t, "POST", fmt.Sprintf("/api/v1/accounts/%d/links", acct), "alice", map[string]string{
		"remote_folder_id": "AANTSU1GAAEAAAAD", "kind": "calendar", "local_href": "/remote.php/dav/calendars/alice/personal/"})
	if code != 201 {
		t.Fatalf("own link = %d %s", code, body)
	}
	code, body = h.call(t, "POST", fmt.Sprintf("/api/v1/accounts/%d/testdata", acct), "alice", nil)
	if code != 201 {
		t.Fatalf("create test data = %d %s", code, body)
	}
	var res testDataResponse
	_ = json.Unmarshal([]byte(body), &res)
	if len(res.Links) != 2 || res.Local != 5 || res.Remote != 5 || len(h.sync.calls) != 2 {
		t.Fatalf("test data = %s, sync calls %v; want 2 links, 5 items per side, 2 syncs", body, h.sync.calls)
	}
	for _, l := range res.Links {
		objs, err := h.nc.Objects(l.LocalHref)
		n := len(objs)
		if err != nil {
			t.Errorf("Objects(%s) = %v", l.LocalHref, err)
		}
		if want := map[string]int{"calendar": 3, "contacts": 2}[l.Kind]; n != want {
			t.Errorf("%s holds %d objects, want %d", l.LocalHref, n, want)
		}
	}
	_, folders := h.call(t, "GET", fmt.Sprintf("/api/v1/accounts/%d/folders", acct), "alice", nil)
	for _, l := range res.Links {
		if !strings.Contains(folders, l.RemoteFolderID) {
			t.Errorf("Exchange folder %s (%s) not listed", l.RemoteName, l.RemoteFolderID)
		}
	}
	code, body = h.call(t, "DELETE", fmt.Sprintf("/api/v1/accounts/%d/testdata", acct), "alice", nil)
	if code != 200 || !strings.Contains(body, `"removed":2`) {
		t.Fatalf("delete test data = %d %s", code, body)
	}
	links, _ := h.st.Links(t.Context(), "alice")
	if len(links) != 1 || links[0].RemoteFolderID != "AANTSU1GAAEAAAAD" {
		t.Errorf("links after delete = %+v, want only the user's own", links)
	}
	_, folders = h.call(t, "GET", fmt.Sprintf("/api/v1/accounts/%d/folders", acct), "alice", nil)
	for _, l := range res.Links {
		if strings.Contains(folders, l.RemoteFolderID) || strings.Contains(folders, l.LocalHref) {
			t.Errorf("test collection %s still listed", l.RemoteName)
		}
	}
	for _, name := range []string{`"Calendar"`, `"Holidays"`, "/remote.php/dav/calendars/alice/personal/"} {
		if !strings.Contains(folders, name) {
			t.Errorf("%s is gone after deleting test data", name)
		}
	}
	// Disconnect removes account, links and secret.
	if code, _ := h.call(t, "DELETE", fmt.Sprintf("/api/v1/accounts/%d", acct), "alice", nil); code != 204 {
		t.Errorf("disconnect = %d", code)
	}
	if links, _ := h.st.Links(t.Context(), "alice"); len(links) != 0 {
		t.Errorf("links after disconnect = %d", len(links))
	}
}

func (h *pageHarness) state(user string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.states[user]
}

func TestConnectionState(t *testing.T) {
	tests := []struct {
		accounts    []string
		links, errs int
		want        string
	}{
		{nil, 0, 0, "Not connected"},
		{[]string{"alice@example.com"}, 1, 0, "Connected to alice@example.com; 1 linked collection"},
		{[]string{"a", "b"}, 3, 1, "Connected to a, b; 3 linked collections; 1 with errors (see the EWS Connector page)"},
	}
	for _, tc := range tests {
		if got := ConnectionState(tc.accounts, tc.links, tc.errs); got != tc.want {
			t.Errorf("ConnectionState(%v, %d, %d) = %q, want %q", tc.accounts, tc.links, tc.errs, got, tc.want)
		}
	}
	h := newPageHarness(t)
	acct := h.connect(t, "alice")
	if got, want := h.state("alice"), "Connected to alice; 0 linked collections"; got != want {
		t.Errorf("state after connect = %q, want %q", got, want)
	}
	h.call(t, "POST", fmt.Sprintf("/api/v1/accounts/%d/links", acct), "alice", map[string]string{
		"remote_folder_id": "AANTSU1GAAEAAAAL", "kind": "calendar", "new_local_name": "Holidays"})
	if got, want := h.state("alice"), "Connected to alice; 1 linked collection"; got != want {
		t.Errorf("state after link = %q, want %q", got, want)
	}
	h.call(t, "DELETE", fmt.Sprintf("/api/v1/accounts/%d", acct), "alice", nil)
	if got := h.state("alice"); got != "Not connected" {
		t.Errorf("state after disconnect = %q, want Not connected", got)
	}
	if f := PersonalForm("ews_connector", "https://cloud.example.com"); f.Fields[0].ID != ConnectionStateFieldID {
		t.Errorf("personal form's first field = %q, want %q", f.Fields[0].ID, ConnectionStateFieldID)
	}
}

// stubStatus reports a fixed run status for every link.
type stubStatus struct{ st LinkRunStatus }

func (s stubStatus) LinkStatus(context.Context, int64) (LinkRunStatus, bool) { return s.st, true }

// TestLinkViewShowsRunStatus: a link's view carries the next run, the last run's counts and the
// failed items with their UIDs (what the page's status column shows).
func TestLinkViewShowsRunStatus(t *testing.T) {
	next := time.Date(2026, 3, 10, 12, 5, 0, 0, time.UTC)
	p := &PageDeps{Store: fakeCounter{}, Status: stubStatus{LinkRunStatus{NextRun: next, LocalCreated: 2, RemoteUpdated: 1,
		Errors: []LinkItemError{{UID: "uid-1", Op: "create-remote", Error: "ErrorInvalidRecurrence"}}}}}
	s := &Server{}
	v := s.linkViewOf(context.Background(), p, &store.Link{ID: 7, Kind: store.KindCalendar})
	b, _ := json.Marshal(v)
	for _, want := range []string{`"next_run":"2026-03-10T12:05:00Z"`, `"to_nextcloud":[2,0,0]`, `"to_exchange":[0,1,0]`,
		`"uid":"uid-1"`, `"error":"ErrorInvalidRecurrence"`, `"items":3`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("linkViewOf() = %s, lacks %s", b, want)
		}
	}
}

// fakeCounter is a PageStore whose only used method is CorrelationCount.
type fakeCounter struct{ PageStore }

func (fakeCounter) CorrelationCount(context.Context, int64) (int, error) { return 3, nil }

func TestHostNotAllowedIsNeverStored(t *testing.T) {
	h := newPageHarness(t)
	code, body := h.call(t, "POST", "/api/v1/connect", "alice", map[string]string{
		"server": "https://blocked.example/EWS/Exchange.asmx", "username": "alice", "password": ewsPassword, "auth_method": "basic"})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "host_not_allowed") {
		t.Errorf("connect to a refused host = %d %s, want 422 host_not_allowed", code, body)
	}
	code, body = h.call(t, "POST", "/api/v1/accounts", "alice", map[string]string{
		"endpoint": "https://blocked.example/EWS/Exchange.asmx", "username": "alice", "password": ewsPassword, "auth_method": "basic"})
	if code != http.StatusBadRequest || !strings.Contains(body, "not allowed") {
		t.Errorf("POST /api/v1/accounts to a refused host = %d %s, want 400", code, body)
	}
	if accts, err := h.st.Accounts(context.Background(), "alice"); err != nil || len(accts) != 0 {
		t.Errorf("Accounts(alice) = %v, %v; want none stored", accts, err)
	}
}
