package nextcloudsim

import (
	"net/http"
	"strings"
	"testing"
)

func TestDemoPages(t *testing.T) {
	f, _ := newAppFixture(t, nil)
	r := f.do(t, "GET", "/", nil, "")
	if r.status != 200 || !strings.Contains(r.body, `value="alice"`) {
		t.Fatalf("demo page = %d %s", r.status, r.body)
	}
	f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/ui/top-menu", appAPI(""), `{"name":"main","displayName":"EWS Connector"}`)
	f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/ui/script", appAPI(""), `{"type":"top_menu","name":"main","path":"js/main"}`)
	f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/ui/initial-state", appAPI(""), `{"type":"top_menu","name":"main","key":"config","value":{"a":1}}`)
	c, _ := f.s.LoginCookie("alice")
	h := http.Header{}
	h.Set("Cookie", c.String())
	r = f.do(t, "GET", "/", h, "")
	if !strings.Contains(r.body, `href="/index.php/apps/app_api/embedded/ews_connector/main"`) {
		t.Errorf("logged-in demo page lacks the menu entry: %s", r.body)
	}
	r = f.do(t, "GET", "/index.php/apps/app_api/embedded/ews_connector/main", h, "")
	if r.status != 200 || !strings.Contains(r.body, `src="/index.php/apps/app_api/proxy/ews_connector/js/main.js"`) ||
		!strings.Contains(r.body, `id="initial-state-app_api-config"`) || !strings.Contains(r.body, `<div id="content"></div>`) {
		t.Errorf("embedded page = %d %s", r.status, r.body)
	}
}
