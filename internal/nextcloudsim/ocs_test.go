package nextcloudsim

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestOCSEnvelope(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name       string
		path       string
		accept     string
		wantStatus int
		wantBody   string
	}{
		{"v1 json state (0034)", "/ocs/v1.php/apps/app_api/ex-app/state?format=json", "", 200,
			`{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""},"data":1}}`},
		{"v2 json state", "/ocs/v2.php/apps/app_api/ex-app/state", "application/json", 200,
			`{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":1}}`},
		{"v1 xml state", "/ocs/v1.php/apps/app_api/ex-app/state", "", 200,
			"<ocs>\n <meta>\n  <status>ok</status>\n  <statuscode>100</statuscode>\n  <message>OK</message>\n  <totalitems></totalitems>\n  <itemsperpage></itemsperpage>\n </meta>\n <data>1</data>\n</ocs>\n"},
		{"v1 unknown route is HTTP 200 with 998", "/ocs/v1.php/apps/nope?format=json", "", 200, `"statuscode":998`},
		{"v2 unknown route is HTTP 404 with 998", "/ocs/v2.php/apps/nope?format=json", "", 404, `"statuscode":998`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := appAPI("")
			if tc.accept != "" {
				h.Set("Accept", tc.accept)
			}
			r := f.do(t, "GET", tc.path, h, "")
			if r.status != tc.wantStatus || !strings.Contains(r.body, tc.wantBody) {
				t.Errorf("GET %s = %d %q, want %d containing %q", tc.path, r.status, r.body, tc.wantStatus, tc.wantBody)
			}
		})
	}
}

func TestOCSFailureStatusV1V2(t *testing.T) {
	f := newFixture(t, nil)
	body := `{"level": 9, "message": "x"}`
	r1 := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/log?format=json", appAPI(""), body)
	if env := decodeOCS(t, r1); r1.status != 200 || env.OCS.Meta.StatusCode != 400 || env.OCS.Meta.Status != "failure" {
		t.Errorf("v1 invalid log level = %d %s, want HTTP 200 statuscode 400", r1.status, r1.body)
	}
	r2 := f.do(t, "POST", "/ocs/v2.php/apps/app_api/api/v1/log?format=json", appAPI(""), body)
	if env := decodeOCS(t, r2); r2.status != 400 || env.OCS.Meta.StatusCode != 400 {
		t.Errorf("v2 invalid log level = %d %s, want HTTP 400 statuscode 400", r2.status, r2.body)
	}
	r3 := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/log?format=json", appAPI(""), `{"level": 2, "message": "hello"}`)
	if r3.body != `{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""},"data":[]}}` {
		t.Errorf("log (0036) = %s", r3.body)
	}
	if logs := f.s.Logs(); len(logs) != 1 || logs[0].Level != 2 || logs[0].Message != "hello" {
		t.Errorf("Logs() = %+v, want one level 2 hello", logs)
	}
	r4 := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/events_listener?format=json", appAPI(""), `{"eventType":"node_event"}`)
	if env := decodeOCS(t, r4); r4.status != 200 || env.OCS.Meta.StatusCode != 996 {
		t.Errorf("events_listener (0090) = %d %s, want 200 with 996", r4.status, r4.body)
	}
}

func TestOCSConfigAndAdminSetting(t *testing.T) {
	f := newFixture(t, nil)
	r := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/ex-app/config?format=json", appAPI(""),
		`{"configKey": "lab_key", "configValue": "lab_value", "sensitive": 0}`)
	want := `{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""},"data":{"appid":"ews_connector","configkey":"lab_key","configvalue":"lab_value","id":1,"sensitive":0}}}`
	if r.body != want {
		t.Errorf("config set (0037) = %s, want %s", r.body, want)
	}
	form := `{"formScheme": {"id": "ews_admin", "priority": 10, "section_type": "admin", "section_id": "declarative_settings", "title": "EWS", "fields": [
		{"id": "mode", "title": "Mode", "type": "text", "default": "passive"},
		{"id": "verify_tls", "title": "TLS", "type": "checkbox", "default": true},
		{"id": "token", "title": "Token", "type": "password", "sensitive": true}]}}`
	if r := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/ui/settings?format=json", appAPI(""), form); r.status != 200 {
		t.Fatalf("settings register = %d %s", r.status, r.body)
	}
	r = f.do(t, "GET", "/ocs/v1.php/apps/app_api/api/v1/ui/settings?format=json&formId=ews_admin", appAPI(""), "")
	if !strings.Contains(r.body, `"storage_type":"external"`) || !strings.Contains(r.body, `"id":"ews_admin"`) {
		t.Errorf("settings get (0040) = %s", r.body)
	}
	if err := f.s.SetAdminSetting("admin", "ews_admin", "mode", "active"); err != nil {
		t.Fatalf("SetAdminSetting(mode) = %v", err)
	}
	if err := f.s.SetAdminSetting("admin", "ews_admin", "verify_tls", false); err != nil {
		t.Fatalf("SetAdminSetting(verify_tls) = %v", err)
	}
	if err := f.s.SetAdminSetting("admin", "ews_admin", "token", "secret"); err != nil {
		t.Fatalf("SetAdminSetting(token) = %v", err)
	}
	if err := f.s.SetAdminSetting("admin", "ews_admin", "nope", "x"); err == nil {
		t.Errorf("SetAdminSetting(unknown field) = nil, want error")
	}
	// The settings UI path (0042) as a non-admin is refused.
	h := withHeader(appAPI(""), "AUTHORIZATION-APP-API", "", "Authorization", "Basic YWxpY2U6cGFzc3dvcmQ=")
	r = f.do(t, "POST", "/ocs/v2.php/settings/api/declarative/value?format=json", h,
		`{"app":"ews_connector","formId":"ews_admin","fieldId":"mode","value":"hacked"}`)
	if r.status != 403 {
		t.Errorf("declarative value as alice = %d %s, want 403", r.status, r.body)
	}
	r = f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/ex-app/config/get-values?format=json", appAPI(""),
		`{"configKeys": ["lab_key", "mode", "verify_tls", "token", "absent"]}`)
	var vals []map[string]string
	if err := json.Unmarshal(decodeOCS(t, r).OCS.Data, &vals); err != nil {
		t.Fatalf("get-values data: %v", err)
	}
	got := map[string]string{}
	for _, v := range vals {
		got[v["configkey"]] = v["configvalue"]
	}
	if got["lab_key"] != "lab_value" || got["mode"] != "active" || got["verify_tls"] != "0" {
		t.Errorf("get-values (0038/0043) = %v", got)
	}
	if _, ok := got["absent"]; ok || len(vals) != 4 {
		t.Errorf("get-values returned %d values, want 4 (defaults are not stored)", len(vals))
	}
	if got["token"] == "secret" || !strings.Contains(got["token"], "|") {
		t.Errorf("sensitive declarative value = %q, want unreadable ciphertext", got["token"])
	}
}

func TestOCSPreferenceSensitive(t *testing.T) {
	f := newFixture(t, nil)
	set := func(body string) {
		t.Helper()
		if r := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/ex-app/preference?format=json", appAPI("alice"), body); r.status != 200 {
			t.Fatalf("preference set = %d %s", r.status, r.body)
		}
	}
	set(`{"configKey":"pw","configValue":"one","sensitive":1}`)
	if v, _ := f.s.UserPreference("alice", "pw"); v != "one" {
		t.Errorf("UserPreference after sensitive set = %q, want one", v)
	}
	if _, ok := f.s.UserPreference("admin", "pw"); ok {
		t.Errorf("admin sees alice's preference")
	}
	// AppAPI 32: an update without "sensitive" over a sensitive row is unreadable.
	set(`{"configKey":"pw","configValue":"two"}`)
	r := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/ex-app/preference/get-values?format=json", appAPI("alice"), `{"configKeys":["pw"]}`)
	if !strings.Contains(r.body, `{"configkey":"pw","configvalue":""}`) {
		t.Errorf("get-values after non-sensitive update = %s, want empty value", r.body)
	}
	r = f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/ex-app/preference?format=json", appAPI(""), `{"configKey":"pw","configValue":"x"}`)
	if r.status != 401 {
		t.Errorf("preference set with empty user = %d, want 401", r.status)
	}
}

func TestOCSUIRegistration(t *testing.T) {
	f := newFixture(t, nil)
	calls := []struct{ method, path, body string }{
		{"POST", "ui/top-menu", `{"name":"main","displayName":"EWS Connector","icon":"img/app.svg","adminRequired":0}`},
		{"POST", "ui/script", `{"type":"top_menu","name":"main","path":"js/main","afterAppId":""}`},
		{"POST", "ui/style", `{"type":"top_menu","name":"main","path":"css/main"}`},
		{"POST", "ui/initial-state", `{"type":"top_menu","name":"main","key":"config","value":{"a":1}}`},
	}
	for _, c := range calls {
		r := f.do(t, c.method, "/ocs/v1.php/apps/app_api/api/v1/"+c.path+"?format=json", appAPI(""), c.body)
		if env := decodeOCS(t, r); env.OCS.Meta.StatusCode != 100 {
			t.Fatalf("%s %s = %s", c.method, c.path, r.body)
		}
	}
	if m := f.s.TopMenus(); len(m) != 1 || m[0].DisplayName != "EWS Connector" || m[0].Icon != "img/app.svg" || m[0].AdminRequired {
		t.Errorf("TopMenus() = %+v", m)
	}
	if s := f.s.Scripts(); len(s) != 1 || s[0].Path != "js/main" {
		t.Errorf("Scripts() = %+v", s)
	}
	if s := f.s.Styles(); len(s) != 1 || s[0].Path != "css/main" {
		t.Errorf("Styles() = %+v", s)
	}
	if s := f.s.InitialStates(); len(s) != 1 || string(s[0].Value) != `{"a":1}` {
		t.Errorf("InitialStates() = %+v", s)
	}
	r := f.do(t, "GET", "/ocs/v1.php/apps/app_api/api/v1/ui/top-menu?format=json&name=main", appAPI(""), "")
	if !strings.Contains(r.body, `"display_name":"EWS Connector"`) {
		t.Errorf("GET top-menu = %s", r.body)
	}
	r = f.do(t, "DELETE", "/ocs/v1.php/apps/app_api/api/v1/ui/top-menu?format=json", appAPI(""), `{"name":"main"}`)
	if env := decodeOCS(t, r); env.OCS.Meta.StatusCode != 100 || len(f.s.TopMenus()) != 0 {
		t.Errorf("DELETE top-menu = %s, menus %v", r.body, f.s.TopMenus())
	}
	r = f.do(t, "DELETE", "/ocs/v1.php/apps/app_api/api/v1/ui/top-menu?format=json", appAPI(""), `{"name":"main"}`)
	if env := decodeOCS(t, r); env.OCS.Meta.StatusCode != 404 {
		t.Errorf("DELETE missing top-menu = %s, want 404", r.body)
	}
}

func TestOCSNotificationAndUsers(t *testing.T) {
	f := newFixture(t, nil)
	body := `{"params":{"object":"app_api","object_id":"n1","subject_type":"app_api_ex_app","subject_params":{"rich_subject":"Sync failed","rich_subject_params":{},"rich_message":"Credentials rejected","rich_message_params":{},"link":""}}}`
	r := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/notification?format=json", appAPI("alice"), body)
	if env := decodeOCS(t, r); env.OCS.Meta.StatusCode != 100 {
		t.Fatalf("notification = %s", r.body)
	}
	if n := f.s.Notifications(); len(n) != 1 || n[0].User != "alice" || n[0].Subject != "Sync failed" || n[0].Message != "Credentials rejected" {
		t.Errorf("Notifications() = %+v", n)
	}
	if r := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/notification?format=json", appAPI(""), body); r.status != 401 {
		t.Errorf("notification with empty user = %d, want 401", r.status)
	}
	r = f.do(t, "GET", "/ocs/v1.php/apps/app_api/api/v1/users?format=json", appAPI(""), "")
	if !strings.Contains(r.body, `"data":["admin","alice"]`) {
		t.Errorf("users = %s", r.body)
	}
	r = f.do(t, "GET", "/ocs/v2.php/cloud/users/admin/groups?format=json", appAPI("admin"), "")
	if !strings.Contains(r.body, `"groups":["admin"]`) {
		t.Errorf("admin groups = %s", r.body)
	}
	r = f.do(t, "GET", "/ocs/v2.php/cloud/users/admin/groups?format=json", appAPI("alice"), "")
	if r.status != 403 {
		t.Errorf("alice reading admin's groups = %d, want 403", r.status)
	}
	r = f.do(t, "GET", "/ocs/v2.php/cloud/user?format=json", appAPI("alice"), "")
	if !strings.Contains(r.body, `"groups":[]`) || r.header.Get("X-User-Id") != "alice" {
		t.Errorf("cloud/user as alice = %s", r.body)
	}
}
