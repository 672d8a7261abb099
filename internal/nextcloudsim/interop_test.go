package nextcloudsim

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/emersion/go-webdav/carddav"
)

// appAPITransport signs every request like an ExApp does.
type appAPITransport struct {
	user string
}

func (t appAPITransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range appAPI(t.user) {
		r.Header[k] = v
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestInteropGoWebDAVCalDAV(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	hc := &http.Client{Transport: appAPITransport{user: "alice"}}
	wc, err := webdav.NewClient(hc, f.ts.URL+"/remote.php/dav")
	if err != nil {
		t.Fatal(err)
	}
	principal, err := wc.FindCurrentUserPrincipal(ctx)
	if err != nil || principal != "/remote.php/dav/principals/users/alice/" {
		t.Fatalf("FindCurrentUserPrincipal() = %q, %v", principal, err)
	}
	cc, err := caldav.NewClient(hc, f.ts.URL+"/remote.php/dav")
	if err != nil {
		t.Fatal(err)
	}
	home, err := cc.FindCalendarHomeSet(ctx, principal)
	if err != nil || home != "/remote.php/dav/calendars/alice/" {
		t.Fatalf("FindCalendarHomeSet() = %q, %v", home, err)
	}
	cals, err := cc.FindCalendars(ctx, home)
	if err != nil || len(cals) != 1 || cals[0].Name != "Personal" || strings.Join(cals[0].SupportedComponentSet, ",") != "VEVENT" {
		t.Fatalf("FindCalendars() = %+v, %v", cals, err)
	}
	cal, err := ical.NewDecoder(strings.NewReader(fmt.Sprintf(testEvent, "interop-1", "Interop"))).Decode()
	if err != nil {
		t.Fatal(err)
	}
	obj, err := cc.PutCalendarObject(ctx, cals[0].Path+"interop-1.ics", cal)
	if err != nil {
		t.Fatalf("PutCalendarObject() = %v", err)
	}
	got, err := cc.GetCalendarObject(ctx, obj.Path)
	if err != nil || got.ETag == "" || got.Data.Children[0].Props.Get(ical.PropSummary).Value != "Interop" {
		t.Fatalf("GetCalendarObject() = %+v, %v", got, err)
	}
	objs, err := cc.QueryCalendar(ctx, cals[0].Path, &caldav.CalendarQuery{
		CompRequest: caldav.CalendarCompRequest{Name: "VCALENDAR", AllProps: true, AllComps: true},
		CompFilter: caldav.CompFilter{Name: "VCALENDAR", Comps: []caldav.CompFilter{{Name: "VEVENT",
			Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}}},
	})
	if err != nil || len(objs) != 1 || objs[0].Path != obj.Path {
		t.Fatalf("QueryCalendar() = %+v, %v", objs, err)
	}
	mg, err := cc.MultiGetCalendar(ctx, cals[0].Path, &caldav.CalendarMultiGet{Paths: []string{obj.Path},
		CompRequest: caldav.CalendarCompRequest{Name: "VCALENDAR", AllProps: true, AllComps: true}})
	if err != nil || len(mg) != 1 || mg[0].Data == nil {
		t.Fatalf("MultiGetCalendar() = %+v, %v", mg, err)
	}
	if err := wc.RemoveAll(ctx, obj.Path); err != nil {
		t.Errorf("RemoveAll() = %v", err)
	}
}

func TestInteropGoWebDAVCardDAV(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	hc := &http.Client{Transport: appAPITransport{user: "alice"}}
	cc, err := carddav.NewClient(hc, f.ts.URL+"/remote.php/dav")
	if err != nil {
		t.Fatal(err)
	}
	home, err := cc.FindAddressBookHomeSet(ctx, "/remote.php/dav/principals/users/alice/")
	if err != nil || home != "/remote.php/dav/addressbooks/users/alice/" {
		t.Fatalf("FindAddressBookHomeSet() = %q, %v", home, err)
	}
	books, err := cc.FindAddressBooks(ctx, home)
	if err != nil || len(books) != 1 || books[0].Name != "Contacts" {
		t.Fatalf("FindAddressBooks() = %+v, %v", books, err)
	}
	sync0, err := cc.SyncCollection(ctx, books[0].Path, &carddav.SyncQuery{})
	if err != nil || len(sync0.Updated) != 0 || sync0.SyncToken == "" {
		t.Fatalf("initial SyncCollection() = %+v, %v", sync0, err)
	}
	card, err := vcard.NewDecoder(strings.NewReader(fmt.Sprintf(testCard, "card-1", "Card One", "One"))).Decode()
	if err != nil {
		t.Fatal(err)
	}
	obj, err := cc.PutAddressObject(ctx, books[0].Path+"card-1.vcf", card)
	if err != nil {
		t.Fatalf("PutAddressObject() = %v", err)
	}
	sync1, err := cc.SyncCollection(ctx, books[0].Path, &carddav.SyncQuery{SyncToken: sync0.SyncToken})
	if err != nil || len(sync1.Updated) != 1 || sync1.Updated[0].Path != obj.Path || sync1.Updated[0].ETag == "" {
		t.Fatalf("delta SyncCollection() = %+v, %v", sync1, err)
	}
	mg, err := cc.MultiGetAddressBook(ctx, books[0].Path, &carddav.AddressBookMultiGet{Paths: []string{obj.Path},
		DataRequest: carddav.AddressDataRequest{AllProp: true}})
	if err != nil || len(mg) != 1 || mg[0].Card.Value(vcard.FieldFormattedName) != "Card One" {
		t.Fatalf("MultiGetAddressBook() = %+v, %v", mg, err)
	}
	wc, _ := webdav.NewClient(hc, f.ts.URL+"/remote.php/dav")
	if err := wc.RemoveAll(ctx, obj.Path); err != nil {
		t.Fatalf("RemoveAll() = %v", err)
	}
	sync2, err := cc.SyncCollection(ctx, books[0].Path, &carddav.SyncQuery{SyncToken: sync1.SyncToken})
	if err != nil || len(sync2.Deleted) != 1 || sync2.Deleted[0] != obj.Path {
		t.Fatalf("deletion SyncCollection() = %+v, %v", sync2, err)
	}
}
