package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/appapi"
)

// hookNC keeps webhooks like webhook_listeners does (list filtered by uri, create, delete by id).
type hookNC struct {
	mu    sync.Mutex
	next  int64
	hooks map[int64]appapi.Webhook
	posts int
}

func (n *hookNC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	defer n.mu.Unlock()
	const base = "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks"
	var data any = []any{}
	switch {
	case r.Method == "GET" && r.URL.Path == base:
		list := []appapi.Webhook{}
		for _, h := range n.hooks {
			if u := r.URL.Query().Get("uri"); u == "" || u == h.URI {
				list = append(list, h)
			}
		}
		data = list
	case r.Method == "POST" && r.URL.Path == base:
		var h appapi.Webhook
		_ = json.NewDecoder(r.Body).Decode(&h)
		n.next++
		n.posts++
		h.ID, h.AppID = n.next, r.Header.Get(appapi.HeaderAppID)
		n.hooks[h.ID] = h
		data = h
	case r.Method == "DELETE" && strings.HasPrefix(r.URL.Path, base+"/"):
		var id int64
		fmt.Sscan(strings.TrimPrefix(r.URL.Path, base+"/"), &id)
		delete(n.hooks, id)
		data = true
	default:
		w.WriteHeader(404)
		io.WriteString(w, `{"ocs":{"meta":{"status":"failure","statuscode":404,"message":"x"},"data":[]}}`)
		return
	}
	b, _ := json.Marshal(data)
	fmt.Fprintf(w, `{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":%s}}`, b)
}

func TestWebhookRegistrationIdempotent(t *testing.T) {
	n := &hookNC{hooks: map[int64]appapi.Webhook{}}
	srv := httptest.NewServer(n)
	defer srv.Close()
	nc, _ := appapi.NewClient(nil, appapi.Options{NextcloudURL: srv.URL, AppID: testAppID, AppVersion: "1", Secret: testSecret})
	reg := WebhookRegistration(nc, appapi.Webhook{HTTPMethod: "POST", URI: "/webhooks/calendar",
		Event: `OCP\Calendar\Events\CalendarObjectCreatedEvent`})
	other := WebhookRegistration(nc, appapi.Webhook{HTTPMethod: "POST", URI: "/webhooks/calendar",
		Event: `OCP\Calendar\Events\CalendarObjectUpdatedEvent`})
	ctx := t.Context()
	for range 2 {
		if err := reg.Register(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Register(ctx); err != nil {
		t.Fatal(err)
	}
	if len(n.hooks) != 2 || n.posts != 2 {
		t.Fatalf("after registering twice: %d hooks, %d creates, want 2 and 2", len(n.hooks), n.posts)
	}
	if err := reg.Unregister(ctx); err != nil {
		t.Fatal(err)
	}
	if len(n.hooks) != 1 {
		t.Fatalf("after unregister: %d hooks, want 1 (the other event)", len(n.hooks))
	}
	for _, h := range n.hooks {
		if !strings.HasSuffix(h.Event, "UpdatedEvent") {
			t.Errorf("remaining hook = %+v, want the Updated one", h)
		}
	}
}
