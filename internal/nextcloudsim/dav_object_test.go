package nextcloudsim

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func md5ETag(s string) string {
	sum := md5.Sum([]byte(s))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func TestDAVConditionalPut(t *testing.T) {
	f := newFixture(t, nil)
	path := "/remote.php/dav/calendars/admin/personal/ev1.ics"
	v1 := fmt.Sprintf(testEvent, "ev1", "v1")
	v2 := fmt.Sprintf(testEvent, "ev1", "v2")
	h := withHeader(appAPI("admin"), "Content-Type", "text/calendar; charset=utf-8")

	r := f.do(t, "PUT", path, withHeader(h, "If-None-Match", "*"), v1)
	if r.status != http.StatusCreated || r.header.Get("ETag") != md5ETag(v1) || r.header.Get("OC-ETag") != md5ETag(v1) {
		t.Fatalf("PUT create (0066) = %d ETag %q, want 201 %s", r.status, r.header.Get("ETag"), md5ETag(v1))
	}
	if r := f.do(t, "PUT", path, withHeader(h, "If-None-Match", "*"), v1); r.status != http.StatusPreconditionFailed {
		t.Errorf("second create with If-None-Match * = %d, want 412", r.status)
	}
	r = f.do(t, "PUT", path, withHeader(h, "If-Match", md5ETag(v1)), v2)
	if r.status != http.StatusNoContent || r.header.Get("ETag") != md5ETag(v2) {
		t.Fatalf("PUT update (0067) = %d ETag %q, want 204 %s", r.status, r.header.Get("ETag"), md5ETag(v2))
	}
	if r := f.do(t, "PUT", path, withHeader(h, "If-Match", md5ETag(v1)), v1); r.status != http.StatusPreconditionFailed {
		t.Errorf("PUT with a stale ETag = %d, want 412", r.status)
	}
	if r := f.do(t, "PUT", "/remote.php/dav/calendars/admin/personal/missing.ics", withHeader(h, "If-Match", "*"), fmt.Sprintf(testEvent, "m", "m")); r.status != http.StatusPreconditionFailed {
		t.Errorf("PUT If-Match * on a missing object = %d, want 412", r.status)
	}
	r = f.do(t, "GET", path, appAPI("admin"), "")
	if r.status != 200 || r.body != v2 || r.header.Get("ETag") != md5ETag(v2) || r.header.Get("Content-Type") != "text/calendar; charset=utf-8; component=vevent" {
		t.Errorf("GET (0068) = %d %q %v", r.status, r.body, r.header)
	}
	if r := f.do(t, "GET", path, withHeader(appAPI("admin"), "If-None-Match", md5ETag(v2)), ""); r.status != http.StatusNotModified {
		t.Errorf("GET If-None-Match current = %d, want 304", r.status)
	}
	if r := f.do(t, "DELETE", path, withHeader(appAPI("admin"), "If-Match", md5ETag(v1)), ""); r.status != http.StatusPreconditionFailed {
		t.Errorf("DELETE with a stale ETag = %d, want 412", r.status)
	}
	if r := f.do(t, "DELETE", path, withHeader(appAPI("admin"), "If-Match", md5ETag(v2)), ""); r.status != http.StatusNoContent {
		t.Errorf("DELETE (0070) = %d, want 204", r.status)
	}
	if r := f.do(t, "GET", path, appAPI("admin"), ""); r.status != http.StatusNotFound {
		t.Errorf("GET after DELETE = %d, want 404", r.status)
	}
}

func TestDAVPutValidation(t *testing.T) {
	f := newFixture(t, nil)
	h := appAPI("admin")
	if r := f.do(t, "PUT", "/remote.php/dav/calendars/admin/personal/a.ics", h, fmt.Sprintf(testEvent, "same-uid", "a")); r.status != 201 {
		t.Fatalf("PUT a = %d %s", r.status, r.body)
	}
	tests := []struct {
		name, path, body string
		want             int
	}{
		{"uid conflict", "/remote.php/dav/calendars/admin/personal/b.ics", fmt.Sprintf(testEvent, "same-uid", "b"), 400},
		{"not icalendar", "/remote.php/dav/calendars/admin/personal/c.ics", "hello", 415},
		{"vtodo in a VEVENT calendar", "/remote.php/dav/calendars/admin/personal/d.ics",
			"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t1\r\nDTSTAMP:20261123T120000Z\r\nSUMMARY:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", 403},
		{"missing calendar", "/remote.php/dav/calendars/admin/nope/e.ics", fmt.Sprintf(testEvent, "e", "e"), 404},
		{"no DTSTAMP", "/remote.php/dav/calendars/admin/personal/f.ics", strings.Replace(fmt.Sprintf(testEvent, "f", "f"), "DTSTAMP:20261123T120000Z\r\n", "", 1), 415},
		{"no PRODID", "/remote.php/dav/calendars/admin/personal/g.ics", strings.Replace(fmt.Sprintf(testEvent, "g", "g"), "PRODID:-//test//EN\r\n", "", 1), 415},
		{"not vcard", "/remote.php/dav/addressbooks/users/admin/contacts/x.vcf", "nope", 415},
		{"vcard without VERSION", "/remote.php/dav/addressbooks/users/admin/contacts/v.vcf", "BEGIN:VCARD\r\nUID:v\r\nFN:V\r\nEND:VCARD\r\n", 415},
		{"card uid conflict", "/remote.php/dav/addressbooks/users/admin/contacts/y.vcf", fmt.Sprintf(testCard, "c1", "Y", "Y"), 201},
		{"card uid conflict 2", "/remote.php/dav/addressbooks/users/admin/contacts/z.vcf", fmt.Sprintf(testCard, "c1", "Z", "Z"), 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := f.do(t, "PUT", tc.path, h, tc.body); r.status != tc.want {
				t.Errorf("PUT %s = %d %s, want %d", tc.path, r.status, r.body, tc.want)
			}
		})
	}
}

func TestDAVTrashAndMove(t *testing.T) {
	f := newFixture(t, nil)
	h := appAPI("admin")
	ev := fmt.Sprintf(testEvent, "tr1", "trash me")
	f.do(t, "PUT", "/remote.php/dav/calendars/admin/personal/tr1.ics", h, ev)
	f.do(t, "DELETE", "/remote.php/dav/calendars/admin/personal/tr1.ics", h, "")
	q := `<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:nc="http://nextcloud.com/ns"><d:prop><d:getetag/><nc:calendar-uri/><nc:deleted-at/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>`
	ms := decodeMS(t, f.do(t, "REPORT", "/remote.php/dav/calendars/admin/trashbin/objects/", withHeader(h, "Depth", "1"), q))
	if len(ms.Responses) != 1 || !strings.Contains(ms.Responses[0].okProps(), ">personal<") {
		t.Fatalf("trash REPORT (0075) = %+v", ms)
	}
	name := ms.Responses[0].Href[strings.LastIndex(ms.Responses[0].Href, "/")+1:]
	r := f.do(t, "MOVE", "/remote.php/dav/calendars/admin/trashbin/objects/"+name,
		withHeader(h, "Destination", f.ts.URL+"/remote.php/dav/calendars/admin/trashbin/restore/"+name), "")
	if r.status != 201 {
		t.Fatalf("restore (0076) = %d %s", r.status, r.body)
	}
	if r := f.do(t, "GET", "/remote.php/dav/calendars/admin/personal/tr1.ics", h, ""); r.status != 200 || r.body != ev {
		t.Errorf("GET restored = %d", r.status)
	}
	if r := f.do(t, "MKCALENDAR", "/remote.php/dav/calendars/admin/second/", h, ""); r.status != 201 {
		t.Fatalf("MKCALENDAR = %d", r.status)
	}
	r = f.do(t, "MOVE", "/remote.php/dav/calendars/admin/personal/tr1.ics",
		withHeader(h, "Destination", f.ts.URL+"/remote.php/dav/calendars/admin/second/tr1.ics", "Overwrite", "F"), "")
	if r.status != 201 {
		t.Fatalf("MOVE between calendars (0079) = %d %s", r.status, r.body)
	}
	if r := f.do(t, "GET", "/remote.php/dav/calendars/admin/second/tr1.ics", h, ""); r.status != 200 {
		t.Errorf("GET moved = %d", r.status)
	}
	if r := f.do(t, "GET", "/remote.php/dav/calendars/admin/personal/tr1.ics", h, ""); r.status != 404 {
		t.Errorf("GET old place = %d, want 404", r.status)
	}
	if r := f.do(t, "PROPFIND", "/remote.php/dav/calendars/admin/trashbin/objects/", withHeader(h, "Depth", "1"), ""); r.status != 501 {
		t.Errorf("PROPFIND trashbin objects = %d, want 501", r.status)
	}
}

// TestDAVCardRepair: sabre repairs a vCard without FN or UID, stores the
// repaired card and answers the PUT without an ETag.
func TestDAVCardRepair(t *testing.T) {
	f := newFixture(t, nil)
	h := appAPI("admin")
	path := "/remote.php/dav/addressbooks/users/admin/contacts/r.vcf"
	sent := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Green;Leon;;;\r\nEMAIL:leon@example.invalid\r\nEND:VCARD\r\n"
	r := f.do(t, "PUT", path, withHeader(h, "If-None-Match", "*"), sent)
	if r.status != 201 || r.header.Get("ETag") != "" {
		t.Fatalf("PUT repaired card = %d ETag %q, want 201 without ETag", r.status, r.header.Get("ETag"))
	}
	r = f.do(t, "GET", path, h, "")
	if !strings.Contains(r.body, "FN:Leon Green\r\n") || !strings.Contains(r.body, "UID:") || r.header.Get("ETag") == md5ETag(sent) {
		t.Errorf("stored card = %q ETag %s, want FN and UID added", r.body, r.header.Get("ETag"))
	}
}
