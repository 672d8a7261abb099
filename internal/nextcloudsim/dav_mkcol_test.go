package nextcloudsim

import (
	"strings"
	"testing"
)

func TestDAVMkcol(t *testing.T) {
	f := newFixture(t, nil)
	h := appAPI("alice")
	mkcal := `<?xml version="1.0"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>Work</d:displayname><a:calendar-color>#ff0000</a:calendar-color><c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>`
	mkbook := `<?xml version="1.0"?><d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype><d:displayname>Exchange</d:displayname></d:prop></d:set></d:mkcol>`
	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"mkcalendar (0078)", "MKCALENDAR", "/remote.php/dav/calendars/alice/work/", mkcal, 201},
		{"mkcalendar again", "MKCALENDAR", "/remote.php/dav/calendars/alice/work/", mkcal, 405},
		{"mkcalendar reserved", "MKCALENDAR", "/remote.php/dav/calendars/alice/inbox/", mkcal, 405},
		{"extended mkcol address book", "MKCOL", "/remote.php/dav/addressbooks/users/alice/exchange/", mkbook, 201},
		{"mkcol without resourcetype", "MKCOL", "/remote.php/dav/addressbooks/users/alice/plain/", "", 403},
		{"mkcalendar in address books", "MKCALENDAR", "/remote.php/dav/addressbooks/users/alice/x/", mkcal, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := f.do(t, tc.method, tc.path, h, tc.body); r.status != tc.want {
				t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, r.status, r.body, tc.want)
			}
		})
	}
	ms := decodeMS(t, f.do(t, "PROPFIND", "/remote.php/dav/calendars/alice/work/", withHeader(h, "Depth", "0"), ""))
	p := ms.Responses[0].okProps()
	for _, w := range []string{"<d:displayname>Work</d:displayname>", "#ff0000", `<cal:comp name="VEVENT"/>`} {
		if !strings.Contains(p, w) {
			t.Errorf("new calendar props %s lack %s", p, w)
		}
	}
	ms = decodeMS(t, f.do(t, "PROPFIND", "/remote.php/dav/addressbooks/users/alice/exchange/", withHeader(h, "Depth", "0"), ""))
	if p := ms.Responses[0].okProps(); !strings.Contains(p, "<d:displayname>Exchange</d:displayname>") {
		t.Errorf("new address book props = %s", p)
	}
	pp := `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Renamed</d:displayname></d:prop></d:set></d:propertyupdate>`
	decodeMS(t, f.do(t, "PROPPATCH", "/remote.php/dav/calendars/alice/work/", h, pp))
	ms = decodeMS(t, f.do(t, "PROPFIND", "/remote.php/dav/calendars/alice/work/", withHeader(h, "Depth", "0"), ""))
	if p := ms.Responses[0].okProps(); !strings.Contains(p, "Renamed") {
		t.Errorf("PROPPATCH did not rename: %s", p)
	}
	if r := f.do(t, "DELETE", "/remote.php/dav/calendars/alice/work/", h, ""); r.status != 204 {
		t.Errorf("DELETE calendar = %d", r.status)
	}
	if r := f.do(t, "PROPFIND", "/remote.php/dav/calendars/alice/work/", withHeader(h, "Depth", "0"), ""); r.status != 404 {
		t.Errorf("PROPFIND deleted calendar = %d, want 404", r.status)
	}
}
