package nextcloudsim

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestOCSConfigAndAdminSetting(t *testing.T) {
	f := newFixture(t, nil)
	r := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/ex-app/config?format=json", appAPI(""),
		`{"configKey": "lab_key", "configValue": "lab_value", "sensitive": 0}`)
	want := `{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""},"data":{"id":1,"appid":"ews_connector","configkey":"lab_key","configvalue":"lab_value","sensitive":0}}}`
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
