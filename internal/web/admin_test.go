package web

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAdminAccounts(t *testing.T) {
	h := newHarness(t)
	createAccount(t, h, "alice")
	createAccount(t, h, "bob")
	if code, _, body := h.do(t, "GET", "/api/v1/admin/accounts", "alice", nil, nil); code != 403 {
		t.Errorf("alice GET admin/accounts = %d %s, want 403", code, body)
	}
	code, _, body := h.do(t, "GET", "/api/v1/admin/accounts", "admin", nil, nil)
	if code != 200 {
		t.Fatalf("admin GET admin/accounts = %d %s", code, body)
	}
	var list []adminAccountView
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].UserID != "alice" || list[1].UserID != "bob" || !list[0].HasSecret {
		t.Errorf("admin list = %+v, want alice's and bob's accounts with has_secret", list)
	}
	if strings.Contains(body, testPassword) || strings.Contains(body, "secret\":\"") {
		t.Errorf("admin list leaks a secret: %s", body)
	}
	// The answer is cached: a second request does not ask Nextcloud again.
	h.nc.mu.Lock()
	before := h.nc.userCalls
	h.nc.mu.Unlock()
	h.do(t, "GET", "/api/v1/admin/accounts", "admin", nil, nil)
	h.nc.mu.Lock()
	after := h.nc.userCalls
	h.nc.mu.Unlock()
	if after != before {
		t.Errorf("cloud/user calls %d -> %d, want the admin answer cached", before, after)
	}
}
