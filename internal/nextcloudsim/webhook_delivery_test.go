package nextcloudsim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAutoDeliver(t *testing.T) {
	f, app := newAppFixture(t, func(o *Options) { o.AutoDeliverWebhooks = 20 * time.Millisecond })
	registerHook(t, f, "", `{"httpMethod":"POST","uri":"/webhooks/created","event":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent"}`)
	f.do(t, "PUT", "/remote.php/dav/calendars/alice/personal/a.ics", appAPI("alice"), fmt.Sprintf(testEvent, "a", "a"))
	deadline := time.Now().Add(5 * time.Second)
	for len(app.requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if len(app.requests()) != 1 {
		t.Errorf("auto delivery sent %d requests, want 1", len(app.requests()))
	}
}

func TestWebhookDelivery(t *testing.T) {
	f, app := newAppFixture(t, nil)
	for _, ev := range []string{"CalendarObjectCreatedEvent", "CalendarObjectUpdatedEvent", "CalendarObjectMovedToTrashEvent", "CalendarObjectDeletedEvent", "CalendarObjectRestoredEvent"} {
		registerHook(t, f, "", fmt.Sprintf(`{"httpMethod":"POST","uri":"/webhooks/calendar/%s","event":"OCP\\Calendar\\Events\\%s","headers":{"X-Hook":"%s"}}`, ev, ev, ev))
	}
	registerHook(t, f, "admin", `{"httpMethod":"POST","uri":"/webhooks/only-admin","event":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent","userIdFilter":"admin"}`)
	registerHook(t, f, "", `{"httpMethod":"POST","uri":"/webhooks/filtered","event":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent","eventFilter":{"event.calendarData.principaluri":"/^principals\\/users\\/(bob)$/"}}`)
	h := appAPI("alice")
	cal := "/remote.php/dav/calendars/alice/personal/"
	ev := fmt.Sprintf(testEvent, "w1", "webhook")
	put := f.do(t, "PUT", cal+"w1.ics", h, ev)
	if got := len(app.requests()); got != 0 {
		t.Fatalf("app got %d requests before background jobs ran", got)
	}
	if n := f.s.PendingWebhooks(); n != 1 {
		t.Fatalf("PendingWebhooks() = %d, want 1 (filters exclude two)", n)
	}
	ds := f.s.DeliverWebhooks(context.Background())
	if len(ds) != 1 || ds[0].Status != 200 || ds[0].User != "alice" {
		t.Fatalf("DeliverWebhooks() = %+v", ds)
	}
	reqs := app.requests()
	if len(reqs) != 1 {
		t.Fatalf("app requests = %d, want 1", len(reqs))
	}
	r := reqs[0]
	if r.method != "POST" || r.path != "/webhooks/calendar/CalendarObjectCreatedEvent" {
		t.Errorf("delivery = %s %s", r.method, r.path)
	}
	if u := decodeUser(t, r.header); u != "alice" {
		t.Errorf("delivery AppAPI user = %q, want the acting user alice (0097)", u)
	}
	for k, want := range map[string]string{"EX-APP-ID": testAppID, "EX-APP-VERSION": "1.0.0", "AA-REQUEST-ID": "CLI", "X-Hook": "CalendarObjectCreatedEvent", "User-Agent": "Nextcloud Server Crawler", "Content-Type": ""} {
		if got := r.header.Get(k); got != want {
			t.Errorf("delivery header %s = %q, want %q", k, got, want)
		}
	}
	var body struct {
		Event struct {
			Class        string         `json:"class"`
			CalendarID   int            `json:"calendarId"`
			CalendarData map[string]any `json:"calendarData"`
			ObjectData   map[string]any `json:"objectData"`
		} `json:"event"`
		User struct {
			UID         string `json:"uid"`
			DisplayName string `json:"displayName"`
		} `json:"user"`
		Time int64 `json:"time"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatalf("delivery body: %v\n%s", err, r.body)
	}
	if body.Event.Class != evCreated || body.User.UID != "alice" || body.Time == 0 ||
		body.Event.ObjectData["etag"] != put.header.Get("ETag") || body.Event.ObjectData["calendardata"] != ev ||
		body.Event.CalendarData["principaluri"] != "principals/users/alice" || body.Event.ObjectData["uri"] != "w1.ics" {
		t.Errorf("delivery body = %s", r.body)
	}
	if !strings.Contains(r.body, `"principaluri":"principals\/users\/alice"`) {
		t.Errorf("delivery body is not PHP-style JSON (escaped slashes): %s", r.body)
	}
	// Delivered once, never again.
	if ds := f.s.DeliverWebhooks(context.Background()); len(ds) != 0 {
		t.Errorf("second DeliverWebhooks() = %+v, want none", ds)
	}

	// DELETE fires MovedToTrash (not Deleted); purge fires Deleted with -deleted.ics.
	f.do(t, "DELETE", cal+"w1.ics", h, "")
	ds = f.s.DeliverWebhooks(context.Background())
	if len(ds) != 1 || ds[0].Event != evMovedToTrash {
		t.Fatalf("after DELETE deliveries = %+v, want MovedToTrash", ds)
	}
	q := `<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop></c:calendar-query>`
	ms := decodeMS(t, f.do(t, "REPORT", "/remote.php/dav/calendars/alice/trashbin/objects/", h, q))
	trashHref := ms.Responses[0].Href
	name := trashHref[strings.LastIndex(trashHref, "/")+1:]
	f.do(t, "MOVE", trashHref, withHeader(h, "Destination", f.ts.URL+"/remote.php/dav/calendars/alice/trashbin/restore/"+name), "")
	ds = f.s.DeliverWebhooks(context.Background())
	if len(ds) != 1 || ds[0].Event != evRestored || ds[0].Err == "" || ds[0].Status != 0 {
		t.Errorf("restore deliveries = %+v, want one broken job (PostgreSQL bug)", ds)
	}
	f.do(t, "DELETE", cal+"w1.ics", h, "")
	ms = decodeMS(t, f.do(t, "REPORT", "/remote.php/dav/calendars/alice/trashbin/objects/", h, q))
	f.do(t, "DELETE", ms.Responses[0].Href, h, "")
	ds = f.s.DeliverWebhooks(context.Background())
	if len(ds) != 2 || ds[1].Event != evDeleted || !strings.Contains(string(ds[1].Body), `-deleted.ics`) {
		t.Errorf("purge deliveries = %+v, want MovedToTrash then Deleted", ds)
	}
	if n := len(app.requests()); n != 4 {
		t.Errorf("app got %d webhook requests, want 4", n)
	}
	if n := f.s.RequestCount("POST", ClassWebhook); n != 4 {
		t.Errorf("RequestCount(POST, webhook) = %d, want 4", n)
	}
}

func TestWebhookAbsoluteAndTimeout(t *testing.T) {
	old := webhookDeliveryTimeout
	webhookDeliveryTimeout = 200 * time.Millisecond
	t.Cleanup(func() { webhookDeliveryTimeout = old })
	f, app := newAppFixture(t, nil)
	app.handler = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/slow" {
			time.Sleep(time.Second)
			return false
		}
		return false
	}
	base := f.s.opts.AppURL
	registerHook(t, f, "", `{"httpMethod":"POST","uri":"`+base+`/absolute","event":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent","authMethod":"header","authData":{"X-Token":"tok"}}`)
	registerHook(t, f, "", `{"httpMethod":"POST","uri":"/slow","event":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent"}`)
	f.do(t, "PUT", "/remote.php/dav/calendars/admin/personal/a.ics", appAPI("admin"), fmt.Sprintf(testEvent, "a", "a"))
	ds := f.s.DeliverWebhooks(context.Background())
	if len(ds) != 2 || ds[0].Status != 200 || ds[1].Err == "" {
		t.Fatalf("deliveries = %+v, want absolute ok and slow timed out", ds)
	}
	reqs := app.requests()
	abs := reqs[0]
	if abs.path != "/absolute" || abs.header.Get("X-Token") != "tok" || abs.header.Get("AUTHORIZATION-APP-API") != "" {
		t.Errorf("absolute delivery (0084) = %s %v", abs.path, abs.header)
	}
	if ds := f.s.DeliverWebhooks(context.Background()); len(ds) != 0 {
		t.Errorf("timed-out job was retried: %+v", ds)
	}
}
