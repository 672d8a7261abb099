package nextcloudsim

import (
	"encoding/xml"
	"strings"
	"testing"
)

// msResponse is a decoded <d:response> for assertions.
type msResponse struct {
	Href     string `xml:"href"`
	Status   string `xml:"status"`
	PropStat []struct {
		Prop struct {
			Inner []byte `xml:",innerxml"`
		} `xml:"prop"`
		Status string `xml:"status"`
	} `xml:"propstat"`
}

type multistatus struct {
	XMLName   xml.Name     `xml:"DAV: multistatus"`
	Responses []msResponse `xml:"response"`
	SyncToken string       `xml:"sync-token"`
}

func decodeMS(t *testing.T, r result) multistatus {
	t.Helper()
	if r.status != 207 {
		t.Fatalf("status = %d %s, want 207", r.status, r.body)
	}
	var ms multistatus
	if err := xml.Unmarshal([]byte(r.body), &ms); err != nil {
		t.Fatalf("decode multistatus: %v\n%s", err, r.body)
	}
	return ms
}

// okProps returns the inner XML of the 200 propstat.
func (r msResponse) okProps() string {
	for _, ps := range r.PropStat {
		if strings.Contains(ps.Status, "200") {
			return string(ps.Prop.Inner)
		}
	}
	return ""
}

func (ms multistatus) hrefs() []string {
	var out []string
	for _, r := range ms.Responses {
		out = append(out, r.Href)
	}
	return out
}

func TestDAVPrincipalDiscovery(t *testing.T) {
	f := newFixture(t, nil)
	body := `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:current-user-principal/><c:calendar-home-set/><card:addressbook-home-set/></d:prop></d:propfind>`
	// 0046: on the root only current-user-principal is found.
	ms := decodeMS(t, f.do(t, "PROPFIND", "/remote.php/dav/", withHeader(appAPI("admin"), "Depth", "0"), body))
	if len(ms.Responses) != 1 || !strings.Contains(ms.Responses[0].okProps(), "/remote.php/dav/principals/users/admin/") {
		t.Fatalf("root PROPFIND = %+v", ms)
	}
	if len(ms.Responses[0].PropStat) != 2 || !strings.Contains(ms.Responses[0].PropStat[1].Status, "404") {
		t.Errorf("root PROPFIND homes should be 404: %+v", ms.Responses[0].PropStat)
	}
	ms = decodeMS(t, f.do(t, "PROPFIND", "/remote.php/dav/principals/users/admin/", withHeader(appAPI("admin"), "Depth", "0"), body))
	props := ms.Responses[0].okProps()
	for _, want := range []string{"/remote.php/dav/calendars/admin/", "/remote.php/dav/addressbooks/users/admin/"} {
		if !strings.Contains(props, want) {
			t.Errorf("principal props %s lack %s", props, want)
		}
	}
}

func TestDAVHomes(t *testing.T) {
	f := newFixture(t, nil)
	body := `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:displayname/><d:resourcetype/><cs:getctag/><d:sync-token/><c:supported-calendar-component-set/></d:prop></d:propfind>`
	ms := decodeMS(t, f.do(t, "PROPFIND", "/remote.php/dav/calendars/alice/", withHeader(appAPI("alice"), "Depth", "1"), body))
	want := []string{"/remote.php/dav/calendars/alice/", "/remote.php/dav/calendars/alice/personal/", "/remote.php/dav/calendars/alice/inbox/",
		"/remote.php/dav/calendars/alice/outbox/", "/remote.php/dav/calendars/alice/trashbin/"}
	if got := strings.Join(ms.hrefs(), " "); got != strings.Join(want, " ") {
		t.Errorf("calendar home hrefs = %s, want %s", got, strings.Join(want, " "))
	}
	p := ms.Responses[1].okProps()
	for _, w := range []string{"<d:displayname>Personal</d:displayname>", "<cal:calendar/>", "<cs:getctag>http://sabre.io/ns/sync/1</cs:getctag>",
		"<d:sync-token>http://sabre.io/ns/sync/1</d:sync-token>", `<cal:comp name="VEVENT"/>`} {
		if !strings.Contains(p, w) {
			t.Errorf("personal props %s lack %s", p, w)
		}
	}
	ms = decodeMS(t, f.do(t, "PROPFIND", "/remote.php/dav/addressbooks/users/alice/", withHeader(appAPI("alice"), "Depth", "1"), body))
	if len(ms.Responses) != 2 || ms.Responses[1].Href != "/remote.php/dav/addressbooks/users/alice/contacts/" {
		t.Fatalf("address book home = %v", ms.hrefs())
	}
	if p := ms.Responses[1].okProps(); !strings.Contains(p, "<cs:getctag>1</cs:getctag>") || !strings.Contains(p, "<card:addressbook/>") {
		t.Errorf("contacts props = %s (0049: bare getctag)", p)
	}
}

// TestDAVCrossUser mirrors 0052: another user's home is not found.
func TestDAVCrossUser(t *testing.T) {
	f := newFixture(t, nil)
	paths := []struct{ method, path string }{
		{"PROPFIND", "/remote.php/dav/calendars/admin/"},
		{"PROPFIND", "/remote.php/dav/calendars/admin/personal/"},
		{"GET", "/remote.php/dav/calendars/admin/personal/x.ics"},
		{"PUT", "/remote.php/dav/calendars/admin/personal/x.ics"},
		{"REPORT", "/remote.php/dav/addressbooks/users/admin/contacts/"},
		{"MKCALENDAR", "/remote.php/dav/calendars/admin/evil/"},
	}
	for _, p := range paths {
		r := f.do(t, p.method, p.path, withHeader(appAPI("alice"), "Depth", "1"), "")
		if r.status != 404 || !strings.Contains(r.body, "Node with name 'admin' could not be found") {
			t.Errorf("%s %s as alice = %d %s, want 404", p.method, p.path, r.status, r.body)
		}
	}
}
