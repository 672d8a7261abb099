package nextcloudsim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestObjectHelpers(t *testing.T) {
	f, app := newAppFixture(t, nil)
	ctx := context.Background()
	registerHook(t, f, "", `{"httpMethod":"POST","uri":"/webhooks/created","event":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent"}`)
	href := "/remote.php/dav/calendars/alice/personal/h1.ics"
	etag, err := f.s.PutObject(ctx, href, []byte(fmt.Sprintf(testEvent, "h1", "helper")), "")
	if err != nil || etag == "" {
		t.Fatalf("PutObject() = %q, %v", etag, err)
	}
	if _, err := f.s.PutObject(ctx, href, []byte(fmt.Sprintf(testEvent, "h1", "x")), `"stale"`); !isStatus(err, 412) {
		t.Errorf("PutObject(stale If-Match) = %v, want 412", err)
	}
	objs, err := f.s.Objects("/remote.php/dav/calendars/alice/personal/")
	if err != nil || len(objs) != 1 || objs[0].UID != "h1" || objs[0].ETag != etag || objs[0].Href != href {
		t.Fatalf("Objects() = %+v, %v", objs, err)
	}
	colls, err := f.s.Collections("alice")
	if err != nil || len(colls) != 2 || colls[0].SyncToken != "http://sabre.io/ns/sync/2" || colls[0].Objects != 1 || !colls[1].AddressBook {
		t.Errorf("Collections() = %+v, %v", colls, err)
	}
	if ds := f.s.DeliverWebhooks(ctx); len(ds) != 1 || ds[0].User != "alice" || len(app.requests()) != 1 {
		t.Errorf("helper edit deliveries = %+v", ds)
	}
	if n := f.s.RequestCount("", ClassDAV); n != 0 {
		t.Errorf("helper calls were counted: %d", n)
	}
	if err := f.s.DeleteObject(ctx, href); err != nil {
		t.Errorf("DeleteObject() = %v", err)
	}
	if err := f.s.DeleteObject(ctx, href); !isStatus(err, 404) {
		t.Errorf("DeleteObject(missing) = %v, want 404", err)
	}
	if err := f.s.CreateCalendar("alice", "work", "Work", nil); err != nil {
		t.Errorf("CreateCalendar() = %v", err)
	}
	if err := f.s.CreateCalendar("alice", "work", "Work", nil); !errors.Is(err, ErrExists) {
		t.Errorf("CreateCalendar(again) = %v, want ErrExists", err)
	}
	if err := f.s.CreateAddressBook("nobody", "x", "X"); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("CreateAddressBook(unknown user) = %v", err)
	}
	if err := f.s.DeleteCollection(ctx, "/remote.php/dav/calendars/alice/work/"); err != nil {
		t.Errorf("DeleteCollection() = %v", err)
	}
	f.s.AddUser(User{ID: "bob", DisplayName: "Bob"})
	if colls, err := f.s.Collections("bob"); err != nil || len(colls) != 2 {
		t.Errorf("new user collections = %+v, %v", colls, err)
	}
	if err := f.s.DeleteUser("bob"); err != nil {
		t.Errorf("DeleteUser() = %v", err)
	}
	if _, err := f.s.Collections("bob"); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("Collections(deleted user) = %v", err)
	}
}

func isStatus(err error, code int) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == code
}

func TestFaults(t *testing.T) {
	f := newFixture(t, nil)
	n := 0
	f.s.SetFaults(func(r *http.Request) int {
		n++
		switch n {
		case 1:
			return http.StatusServiceUnavailable
		case 2:
			return FaultDrop
		}
		return 0
	})
	h := appAPI("alice")
	r := f.do(t, "GET", "/ocs/v1.php/apps/app_api/ex-app/state", h, "")
	if r.status != 503 || r.header.Get("Retry-After") != "1" {
		t.Errorf("first request = %d, want 503 with Retry-After", r.status)
	}
	// POST: Go's client would transparently retry a dropped idempotent GET.
	req, _ := http.NewRequest("POST", f.ts.URL+"/ocs/v1.php/apps/app_api/api/v1/log", nil)
	if resp, err := f.ts.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("dropped request answered %d, want a transport error", resp.StatusCode)
	}
	if r := f.do(t, "GET", "/ocs/v1.php/apps/app_api/ex-app/state", h, ""); r.status != 200 {
		t.Errorf("third request = %d, want 200", r.status)
	}
	f.s.SetFaults(nil)
}

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
