package nextcloudsim

import (
	"strings"
	"testing"
)

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
