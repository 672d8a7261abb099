package nextcloudsim

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

const page = `<html><body><h1>capture ExApp</h1><p>GET /ui/page.html</p><script>console.log('hi')</script></body></html>`

func proxyApp() *fakeApp {
	return &fakeApp{handler: func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.URL.Path == "/chunked/page.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, page[:10])
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, page[10:])
		case strings.HasSuffix(r.URL.Path, ".html"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			w.Header().Set("EX-APP-ID", "leak")
			_, _ = io.WriteString(w, page)
		default:
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = io.WriteString(w, `{"ok":true}`)
		}
		return true
	}}
}

func TestProxyForwarding(t *testing.T) {
	f, app := newAppFixture(t, nil)
	app.handler = proxyApp().handler
	h := http.Header{}
	h.Set("Authorization", "Basic YWRtaW46cGFzc3dvcmQ=") // admin:password
	h.Set("Cookie", "nc_session_id=abc; nc_token=secret")
	h.Set("requesttoken", "tok")
	h.Set("Content-Type", "application/json")
	h.Set("AUTHORIZATION-APP-API", "Zm9yZ2Vk") // a client-supplied value is dropped
	r := f.do(t, "POST", "/index.php/apps/app_api/proxy/ews_connector/api/items?x=1", h, `{"a":1}`)
	if r.status != 200 || r.body != `{"ok":true}` {
		t.Fatalf("proxy POST = %d %s", r.status, r.body)
	}
	if r.header.Get("X-User-Id") != "admin" || r.header.Get("Cache-Control") != "private, max-age=3600" {
		t.Errorf("proxy response headers = %v (a charset JSON type is cached for an hour)", r.header)
	}
	got := app.requests()[0]
	if got.path != "/api/items" || got.query != "x=1" || got.body != `{"a":1}` {
		t.Errorf("forwarded %s?%s %s", got.path, got.query, got.body)
	}
	if u := decodeUser(t, got.header); u != "admin" {
		t.Errorf("AppAPI user = %q, want admin", u)
	}
	for k, want := range map[string]string{
		"Authorization": "Basic YWRtaW46cGFzc3dvcmQ=", "Cookie": "nc_session_id=abc; nc_token=secret",
		"Requesttoken": "tok", "X-Origin-Ip": "127.0.0.1", "EX-APP-ID": testAppID, "Accept-Language": "en",
	} {
		if g := got.header.Get(k); g != want {
			t.Errorf("forwarded header %s = %q, want %q", k, g, want)
		}
	}
	if got.header.Get("AA-REQUEST-ID") == "" || got.header.Get("EX-APP-VERSION") != "1.0.0" {
		t.Errorf("forwarded AppAPI headers = %v", got.header)
	}
}

// TestProxyHTMLTruncation reproduces 0101: a nonce is injected into <script
// but the app's Content-Length is kept, so the page is cut.
func TestProxyHTMLTruncation(t *testing.T) {
	f, app := newAppFixture(t, nil)
	app.handler = proxyApp().handler
	h := http.Header{}
	h.Set("Authorization", "Basic YWRtaW46cGFzc3dvcmQ=")
	r := f.do(t, "GET", "/index.php/apps/app_api/proxy/ews_connector/ui/page.html", h, "")
	if r.status != 200 {
		t.Fatalf("GET page.html = %d", r.status)
	}
	if len(r.body) != len(page) || !strings.Contains(r.body, `<script nonce="`) || strings.HasSuffix(r.body, "</html>") {
		t.Errorf("proxied HTML = %q (%d bytes), want %d bytes with a nonce, cut off", r.body, len(r.body), len(page))
	}
	if r.header.Get("Ex-App-Id") != "" {
		t.Errorf("EX-APP-ID leaked through the proxy")
	}
	r = f.do(t, "GET", "/index.php/apps/app_api/proxy/ews_connector/chunked/page.html", h, "")
	if !strings.HasSuffix(r.body, "</html>") || !strings.Contains(r.body, `<script nonce="`) {
		t.Errorf("chunked HTML = %q, want the whole page with a nonce", r.body)
	}
	r = f.do(t, "GET", "/index.php/apps/app_api/proxy/ews_connector/ui/page", h, "")
	if r.body != `{"ok":true}` {
		t.Errorf("non-.html path = %q", r.body)
	}
}

func TestProxyRoutes(t *testing.T) {
	f, app := newAppFixture(t, func(o *Options) {
		o.Routes = []Route{
			{URL: `^public\/.*`, Verb: "GET", AccessLevel: AccessPublic},
			{URL: `^admin\/.*`, Verb: "GET", AccessLevel: AccessAdmin},
			{URL: `^api/.*`, Verb: "GET", AccessLevel: AccessUser}, // unescaped "/": never matches
			{URL: `^js\/.*`, Verb: "GET", AccessLevel: AccessUser},
		}
	})
	app.handler = proxyApp().handler
	alice := http.Header{}
	alice.Set("Authorization", "Basic YWxpY2U6cGFzc3dvcmQ=")
	cookie, err := f.s.LoginCookie("admin")
	if err != nil {
		t.Fatal(err)
	}
	admin := http.Header{}
	admin.Set("Cookie", cookie.String())
	tests := []struct {
		name, path string
		h          http.Header
		want       int
		user       string
	}{
		{"public anonymous", "public/ping", nil, 200, ""},
		{"admin route as alice", "admin/stats", alice, 404, ""},
		{"admin route as admin (cookie)", "admin/stats", admin, 200, "admin"},
		{"unescaped slash never matches", "api/items", alice, 404, ""},
		{"user route", "js/main.js", alice, 200, "alice"},
		{"user route anonymous", "js/main.js", nil, 404, ""},
		{"dot dot", "js/../admin/x", alice, 404, ""},
		{"other app", "", alice, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := len(app.requests())
			prefix := "/index.php/apps/app_api/proxy/ews_connector/"
			if tc.name == "other app" {
				prefix = "/index.php/apps/app_api/proxy/other/"
			}
			r := f.do(t, "GET", prefix+tc.path, tc.h, "")
			if r.status != tc.want {
				t.Fatalf("GET %s = %d, want %d", tc.path, r.status, tc.want)
			}
			reqs := app.requests()
			if tc.want != 200 {
				if len(reqs) != n {
					t.Errorf("the app was called for a refused route")
				}
				return
			}
			if u := decodeUser(t, reqs[len(reqs)-1].header); u != tc.user {
				t.Errorf("AppAPI user = %q, want %q", u, tc.user)
			}
		})
	}
}
