package web

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/store"
)

const testPassword = "Hunter2-EWS-P@ssw0rd"

func createAccount(t *testing.T, h *harness, user string) accountView {
	t.Helper()
	code, _, body := h.do(t, "POST", "/api/v1/accounts", user, map[string]string{
		"endpoint": "https://mail.example.com/EWS/Exchange.asmx", "email": user + "@example.com",
		"username": user, "auth_method": "ntlm", "password": testPassword,
	}, nil)
	if code != 201 {
		t.Fatalf("create as %s = %d %s, want 201", user, code, body)
	}
	var v accountView
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAccountsCRUD(t *testing.T) {
	h := newHarness(t)
	a := createAccount(t, h, "alice")
	if a.ID == 0 || a.Username != "alice" || a.AuthMethod != "ntlm" {
		t.Errorf("created = %+v", a)
	}
	stored, err := h.accounts.Account(t.Context(), "alice", a.ID)
	if err != nil || len(stored.Secret) == 0 || strings.Contains(string(stored.Secret), testPassword) {
		t.Fatalf("stored = %v, %q, want a sealed secret", err, stored.Secret)
	}
	plain, err := h.sealer.Open(stored.Secret, store.SecretBinding("alice", a.ID))
	if err != nil || string(plain) != testPassword {
		t.Errorf("Open(stored secret) = %q, %v, want the password", plain, err)
	}
	code, _, body := h.do(t, "GET", "/api/v1/accounts", "alice", nil, nil)
	var list []accountView
	_ = json.Unmarshal([]byte(body), &list)
	if code != 200 || len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("list = %d %s", code, body)
	}
	if code, _, _ = h.do(t, "GET", fmt.Sprintf("/api/v1/accounts/%d", a.ID), "alice", nil, nil); code != 200 {
		t.Errorf("get own = %d, want 200", code)
	}
	xrw := http.Header{"X-Requested-With": {"XMLHttpRequest"}}
	if code, _, _ = h.do(t, "DELETE", fmt.Sprintf("/api/v1/accounts/%d", a.ID), "alice", nil, xrw); code != 204 {
		t.Errorf("delete own = %d, want 204", code)
	}
	if code, _, _ = h.do(t, "GET", fmt.Sprintf("/api/v1/accounts/%d", a.ID), "alice", nil, nil); code != 404 {
		t.Errorf("get deleted = %d, want 404", code)
	}
	if code, _, body = h.do(t, "GET", "/api/v1/accounts", "alice", nil, nil); body != "[]" {
		t.Errorf("list after delete = %d %s, want []", code, body)
	}
}

func TestAccountsValidation(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name string
		body any
	}{
		{"http endpoint", map[string]string{"endpoint": "http://mail.example.com/EWS", "username": "a", "password": "p"}},
		{"relative endpoint", map[string]string{"endpoint": "/EWS", "username": "a", "password": "p"}},
		{"creds in url", map[string]string{"endpoint": "https://u:p@mail.example.com/EWS", "username": "a", "password": "p"}},
		{"no username", map[string]string{"endpoint": "https://mail.example.com/EWS", "password": "p"}},
		{"no password", map[string]string{"endpoint": "https://mail.example.com/EWS", "username": "a"}},
		{"bad method", map[string]string{"endpoint": "https://mail.example.com/EWS", "username": "a", "password": "p", "auth_method": "kerberos"}},
		{"bad email", map[string]string{"endpoint": "https://mail.example.com/EWS", "username": "a", "password": "p", "email": "nope"}},
		{"unknown field", map[string]string{"endpoint": "https://mail.example.com/EWS", "username": "a", "password": "p", "user_id": "bob"}},
		{"not an object", []int{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := h.do(t, "POST", "/api/v1/accounts", "alice", tc.body, nil)
			if code != 400 || !strings.Contains(body, `"error"`) {
				t.Errorf("POST = %d %s, want 400 with a JSON error", code, body)
			}
		})
	}
	if code, _, _ := h.do(t, "GET", "/api/v1/accounts/abc", "alice", nil, nil); code != 404 {
		t.Errorf("GET /accounts/abc = %d, want 404", code)
	}
	if code, _, _ := h.do(t, "GET", "/api/v1/accounts", "", nil, nil); code != 403 {
		t.Errorf("GET /accounts as system = %d, want 403", code)
	}
}

// TestAccountsIsolation: one user can never read or change another user's account; the answer is
// always 404, the same as for an id that does not exist.
func TestAccountsIsolation(t *testing.T) {
	h := newHarness(t)
	a := createAccount(t, h, "alice")
	path := fmt.Sprintf("/api/v1/accounts/%d", a.ID)
	xrw := http.Header{"X-Requested-With": {"XMLHttpRequest"}}
	if code, _, body := h.do(t, "GET", path, "bob", nil, nil); code != 404 || strings.Contains(body, "alice") {
		t.Errorf("bob GET alice's account = %d %s, want 404", code, body)
	}
	if code, _, _ := h.do(t, "DELETE", path, "bob", nil, xrw); code != 404 {
		t.Errorf("bob DELETE alice's account = %d, want 404", code)
	}
	if code, _, body := h.do(t, "GET", "/api/v1/accounts", "bob", nil, nil); code != 200 || body != "[]" {
		t.Errorf("bob list = %d %s, want []", code, body)
	}
	if code, _, _ := h.do(t, "GET", "/api/v1/accounts/999", "bob", nil, nil); code != 404 {
		t.Errorf("bob GET missing = %d, want 404", code)
	}
	if _, err := h.accounts.Account(t.Context(), "alice", a.ID); err != nil {
		t.Errorf("alice's account is gone after bob's DELETE: %v", err)
	}
	// A user id smuggled in the body is refused, never honoured.
	code, _, _ := h.do(t, "POST", "/api/v1/accounts", "bob", map[string]string{
		"endpoint": "https://x.example/EWS", "username": "b", "password": "p", "user_id": "alice"}, nil)
	if code != 400 {
		t.Errorf("POST with user_id = %d, want 400", code)
	}
}

// TestNoSecretInResponsesOrLogs drives every route with real-looking secrets in the request and greps
// every response body, response header and log line (debug level, headers included) for them.
func TestNoSecretInResponsesOrLogs(t *testing.T) {
	h := newHarness(t)
	browserAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:browser-login-pw"))
	extra := http.Header{
		"Authorization":   {browserAuth},
		"Cookie":          {"nc_session_id=SESSIONCOOKIE123; nc_token=TOKENCOOKIE456"},
		"Harp-Shared-Key": {"HARPKEY789"},
		"Requesttoken":    {"REQTOKEN000"},
	}
	var seen strings.Builder
	record := func(code int, hdr http.Header, body string) {
		fmt.Fprintf(&seen, "%d %v %s\n", code, hdr, body)
	}
	record(h.do(t, "POST", "/api/v1/accounts", "alice", map[string]string{
		"endpoint": "https://mail.example.com/EWS/Exchange.asmx", "username": "alice", "password": testPassword}, extra))
	record(h.do(t, "GET", "/api/v1/accounts", "alice", nil, extra))
	record(h.do(t, "GET", "/api/v1/accounts/1", "alice", nil, extra))
	record(h.do(t, "POST", "/api/v1/accounts", "alice", map[string]string{"endpoint": "bad", "password": testPassword}, extra))
	record(h.do(t, "POST", "/init", "", nil, extra))
	record(h.do(t, "PUT", "/enabled?enabled=1", "", nil, extra))
	bad := http.Header{}
	for k, v := range extra {
		bad[k] = v
	}
	bad.Set(appapi.HeaderAuthorization, appapi.Sign("alice", "wrong-"+testSecret))
	record(h.do(t, "GET", "/api/v1/accounts", "alice", nil, bad))
	logs := h.logs.String()
	if !strings.Contains(logs, `"msg":"http request"`) || !strings.Contains(logs, "[redacted]") {
		t.Fatalf("logs do not show request lines with redacted headers:\n%s", logs)
	}
	secrets := []string{
		testPassword, testSecret, appapi.Sign("alice", testSecret), appapi.Sign("", testSecret),
		appapi.Sign("alice", "wrong-"+testSecret), browserAuth, "browser-login-pw",
		"SESSIONCOOKIE123", "TOKENCOOKIE456", "HARPKEY789", "REQTOKEN000",
		base64.StdEncoding.EncodeToString([]byte(testPassword)),
	}
	for _, s := range secrets {
		if strings.Contains(seen.String(), s) {
			t.Errorf("a response contains secret %q", s)
		}
		if strings.Contains(logs, s) {
			t.Errorf("the logs contain secret %q", s)
		}
	}
	// The sealed form never leaves either.
	stored, _ := h.accounts.Accounts(t.Context(), "alice")
	for _, a := range stored {
		for _, enc := range []string{base64.StdEncoding.EncodeToString(a.Secret), string(a.Secret)} {
			if strings.Contains(seen.String(), enc) {
				t.Errorf("a response contains the sealed secret")
			}
		}
	}
}

func TestRedactHeaders(t *testing.T) {
	in := http.Header{}
	for _, k := range []string{"authorization-app-api", "harp-shared-key", "authorization", "cookie", "X-Original-Authorization"} {
		in.Set(k, "SECRET")
	}
	in.Set("Accept", "application/json")
	out := RedactHeaders(in)
	for k, v := range out {
		if k != "Accept" && v != "[redacted]" {
			t.Errorf("RedactHeaders()[%s] = %q, want [redacted]", k, v)
		}
	}
	if out["Accept"] != "application/json" {
		t.Errorf("RedactHeaders()[Accept] = %q", out["Accept"])
	}
}
