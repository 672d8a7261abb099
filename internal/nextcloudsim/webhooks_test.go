package nextcloudsim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeApp records the requests the fake Nextcloud sends to the ExApp.
type fakeApp struct {
	mu      sync.Mutex
	reqs    []recorded
	handler func(w http.ResponseWriter, r *http.Request) bool
}

type recorded struct {
	method, path, query string
	header              http.Header
	body                string
}

func (a *fakeApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.reqs = append(a.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(b)})
	h := a.handler
	a.mu.Unlock()
	if h != nil && h(w, r) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func (a *fakeApp) requests() []recorded {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]recorded(nil), a.reqs...)
}

func newAppFixture(t *testing.T, mod func(*Options)) (*fixture, *fakeApp) {
	t.Helper()
	app := &fakeApp{}
	as := httptest.NewServer(app)
	t.Cleanup(as.Close)
	f := newFixture(t, func(o *Options) {
		o.AppURL = as.URL
		if mod != nil {
			mod(o)
		}
	})
	return f, app
}

func decodeUser(t *testing.T, h http.Header) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(h.Get("AUTHORIZATION-APP-API"))
	if err != nil {
		t.Fatalf("AUTHORIZATION-APP-API %q: %v", h.Get("AUTHORIZATION-APP-API"), err)
	}
	user, secret, _ := strings.Cut(string(raw), ":")
	if secret != testSecret {
		t.Errorf("delivery secret = %q, want the app secret", secret)
	}
	return user
}

func registerHook(t *testing.T, f *fixture, user, body string) ocsEnvelope {
	t.Helper()
	h := withHeader(appAPI(user), "Accept", "application/json", "Content-Type", "application/json")
	r := f.do(t, "POST", "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks", h, body)
	return decodeOCS(t, r)
}

func TestWebhookRegistration(t *testing.T) {
	f, _ := newAppFixture(t, nil)
	env := registerHook(t, f, "", `{"httpMethod": "POST", "uri": "/webhooks/calendar/CalendarObjectCreatedEvent", "event": "OCP\\Calendar\\Events\\CalendarObjectCreatedEvent", "headers": {"X-Lab-Webhook": "CalendarObjectCreatedEvent"}}`)
	want := `{"id":1,"appId":"ews_connector","userId":null,"httpMethod":"POST","uri":"/webhooks/calendar/CalendarObjectCreatedEvent","event":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent","eventFilter":[],"userIdFilter":"","headers":{"X-Lab-Webhook":"CalendarObjectCreatedEvent"},"authMethod":"none","authData":null}`
	if string(env.OCS.Data) != want {
		t.Errorf("register (0054) data = %s, want %s", env.OCS.Data, want)
	}
	env = registerHook(t, f, "", `{"httpMethod": "POST", "uri": "/webhooks/contacts/CardCreatedEvent", "event": "OCA\\DAV\\Events\\CardCreatedEvent"}`)
	if env.OCS.Meta.StatusCode != 400 || env.OCS.Meta.Message != `OCA\DAV\Events\CardCreatedEvent is not an event class compatible with webhooks` {
		t.Errorf("card event (0062) = %+v", env.OCS.Meta)
	}
	env = registerHook(t, f, "admin", `{"httpMethod": "POST", "uri": "/webhooks/calendar/filtered-by-alice", "event": "OCP\\Calendar\\Events\\CalendarObjectCreatedEvent", "userIdFilter": "alice"}`)
	if !strings.Contains(string(env.OCS.Data), `"userId":"admin"`) {
		t.Errorf("register as admin (0061) = %s", env.OCS.Data)
	}
	if env := registerHook(t, f, "alice", `{"httpMethod":"POST","uri":"/x","event":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent"}`); env.OCS.Meta.StatusCode != 403 {
		t.Errorf("register as non-admin = %+v, want 403", env.OCS.Meta)
	}
	if got := f.s.Webhooks(); len(got) != 2 || got[1].UserIDFilter != "alice" {
		t.Errorf("Webhooks() = %+v", got)
	}
	r := f.do(t, "GET", "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks?format=json&uri=/webhooks/calendar/filtered-by-alice", appAPI(""), "")
	var list []map[string]any
	_ = json.Unmarshal(decodeOCS(t, r).OCS.Data, &list)
	if len(list) != 1 {
		t.Errorf("list by uri = %s", r.body)
	}
	r = f.do(t, "DELETE", "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks/1?format=json", appAPI(""), "")
	if env := decodeOCS(t, r); string(env.OCS.Data) != "true" || len(f.s.Webhooks()) != 1 {
		t.Errorf("delete = %s", r.body)
	}
	r = f.do(t, "DELETE", "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks/byappid/ews_connector?format=json", appAPI(""), "")
	if env := decodeOCS(t, r); string(env.OCS.Data) != "1" || len(f.s.Webhooks()) != 0 {
		t.Errorf("delete by app = %s", r.body)
	}
}

func TestWebhooksAppDisabledOrListenersOff(t *testing.T) {
	f, app := newAppFixture(t, func(o *Options) { o.WebhookListenersDisabled = true })
	r := f.do(t, "GET", "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks?format=json", appAPI(""), "")
	if r.status != 404 || !strings.Contains(r.body, `"statuscode":998`) {
		t.Errorf("webhooks with the app off = %d %s, want 404/998", r.status, r.body)
	}
	f.do(t, "PUT", "/remote.php/dav/calendars/admin/personal/a.ics", appAPI("admin"), fmt.Sprintf(testEvent, "a", "a"))
	if n := f.s.PendingWebhooks(); n != 0 || len(app.requests()) != 0 {
		t.Errorf("pending = %d, want none", n)
	}
}
