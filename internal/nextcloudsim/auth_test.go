package nextcloudsim

import (
	"net/http"
	"strings"
	"testing"
)

// TestAuthRejections mirrors transcripts 0033, 0044, 0045, 0051, 0102 and 0103.
func TestAuthRejections(t *testing.T) {
	f := newFixture(t, nil)
	propfind := `<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:propfind>`
	tests := []struct {
		name       string
		method     string
		path       string
		header     http.Header
		body       string
		wantStatus int
		wantBody   string
	}{
		{"wrong secret (0044)", "GET", "/ocs/v2.php/cloud/user?format=json",
			withHeader(appAPI("admin"), "AUTHORIZATION-APP-API", "YWRtaW46bm90LXRoZS1zZWNyZXQ="), "", 401,
			`{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Current user is not logged in"},"data":[]}}`},
		{"missing EX-APP-VERSION (0045)", "GET", "/ocs/v2.php/cloud/user?format=json",
			withHeader(appAPI("admin"), "EX-APP-VERSION", ""), "", 401,
			`{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Current user is not logged in"},"data":[]}}`},
		{"wrong app id", "GET", "/ocs/v2.php/cloud/user?format=json",
			withHeader(appAPI("admin"), "EX-APP-ID", "other_app"), "", 401, `"statuscode":997`},
		{"unknown user", "GET", "/ocs/v2.php/cloud/user?format=json", appAPI("mallory"), "", 401, `"statuscode":997`},
		{"empty user on user-scoped OCS (0033)", "GET", "/ocs/v2.php/cloud/user?format=json", appAPI(""), "", 401,
			`{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Current user is not logged in"},"data":[]}}`},
		{"no OCS-APIRequest (0102)", "GET", "/ocs/v2.php/cloud/user?format=json",
			withHeader(appAPI("admin"), "OCS-APIRequest", ""), "", 412, `{"message":"CSRF check failed"}`},
		{"no OCS-APIRequest on webhooks (0103)", "GET", "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks?format=json",
			withHeader(appAPI(""), "OCS-APIRequest", ""), "", 412, `{"message":"CSRF check failed"}`},
		{"empty user on DAV (0051)", "PROPFIND", "/remote.php/dav/calendars/admin/", withHeader(appAPI(""), "Depth", "0"), propfind, 401,
			`<s:exception>Sabre\DAV\Exception\NotAuthenticated</s:exception>`},
		{"wrong secret on DAV", "PROPFIND", "/remote.php/dav/calendars/admin/",
			withHeader(appAPI("admin"), "AUTHORIZATION-APP-API", "YWRtaW46bm9wZQ=="), propfind, 401, "NotAuthenticated"},
		{"no credentials on DAV", "PROPFIND", "/remote.php/dav/", nil, propfind, 401, "NotAuthenticated"},
		{"DAV without OCS-APIRequest works (0104)", "PROPFIND", "/remote.php/dav/calendars/admin/",
			withHeader(appAPI("admin"), "OCS-APIRequest", "", "Depth", "0"), propfind, 207, "<d:multistatus"},
		{"correct signature", "GET", "/ocs/v2.php/cloud/user?format=json", appAPI("admin"), "", 200, `"id":"admin"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, tc.method, tc.path, tc.header, tc.body)
			if r.status != tc.wantStatus {
				t.Fatalf("%s %s = %d %s, want %d", tc.method, tc.path, r.status, r.body, tc.wantStatus)
			}
			if !strings.Contains(r.body, tc.wantBody) {
				t.Errorf("%s %s body = %s, want it to contain %s", tc.method, tc.path, r.body, tc.wantBody)
			}
		})
	}
	if n := f.s.AuthFailures(); n != 2 {
		t.Errorf("AuthFailures() = %d, want 2 (the two wrong secrets)", n)
	}
}

func TestAuthDAVWWWAuthenticate(t *testing.T) {
	f := newFixture(t, nil)
	r := f.do(t, "PROPFIND", "/remote.php/dav/", appAPI(""), "")
	if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic realm=\"Nextcloud\"") {
		t.Errorf("WWW-Authenticate = %q, want Basic realm", got)
	}
}

func TestAuthDisabledApp(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.StartDisabled = true })
	// ex-app/state is exempt from the enabled check.
	r := f.do(t, "GET", "/ocs/v1.php/apps/app_api/ex-app/state?format=json", appAPI(""), "")
	if r.status != 200 || !strings.Contains(r.body, `"data":0`) {
		t.Errorf("state on disabled app = %d %s, want 200 with data 0", r.status, r.body)
	}
	r = f.do(t, "PROPFIND", "/remote.php/dav/calendars/admin/", withHeader(appAPI("admin"), "Depth", "0"), "")
	if r.status != 401 {
		t.Errorf("DAV on disabled app = %d, want 401", r.status)
	}
}

func TestAuthBasic(t *testing.T) {
	f := newFixture(t, nil)
	h := http.Header{}
	h.Set("Authorization", "Basic YWxpY2U6cGFzc3dvcmQ=") // alice:password
	h.Set("Depth", "0")
	if r := f.do(t, "PROPFIND", "/remote.php/dav/calendars/alice/", h, ""); r.status != 207 {
		t.Errorf("PROPFIND with Basic = %d, want 207", r.status)
	}
	h.Set("Authorization", "Basic YWxpY2U6d3Jvbmc=") // alice:wrong
	if r := f.do(t, "PROPFIND", "/remote.php/dav/calendars/alice/", h, ""); r.status != 401 {
		t.Errorf("PROPFIND with a wrong password = %d, want 401", r.status)
	}
}
