package nextcloudsim

import (
	"context"
	"errors"
	"fmt"
	"testing"
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
