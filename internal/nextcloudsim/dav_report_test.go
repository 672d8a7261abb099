package nextcloudsim

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

func syncBody(token string, limit int) string {
	b := `<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>` + token + `</d:sync-token><d:sync-level>1</d:sync-level>`
	if limit > 0 {
		b += fmt.Sprintf("<d:limit><d:nresults>%d</d:nresults></d:limit>", limit)
	}
	return b + `<d:prop><d:getetag/></d:prop></d:sync-collection>`
}

func TestDAVSyncCollection(t *testing.T) {
	f := newFixture(t, nil)
	h := appAPI("alice")
	book := "/remote.php/dav/addressbooks/users/alice/contacts/"
	put := func(name string) {
		t.Helper()
		if r := f.do(t, "PUT", book+name+".vcf", h, fmt.Sprintf(testCard, name, name, name)); r.status/100 != 2 {
			t.Fatalf("PUT %s = %d %s", name, r.status, r.body)
		}
	}
	put("a")
	put("b")
	ms := decodeMS(t, f.do(t, "REPORT", book, h, syncBody("", 0)))
	if got := strings.Join(ms.hrefs(), " "); got != book+"a.vcf "+book+"b.vcf" || ms.SyncToken != "http://sabre.io/ns/sync/3" {
		t.Fatalf("initial sync (0091) = %s token %s", got, ms.SyncToken)
	}
	if !strings.Contains(ms.Responses[0].okProps(), "<d:getetag>&quot;") {
		t.Errorf("sync props = %s, want a quoted getetag", ms.Responses[0].okProps())
	}
	tok := ms.SyncToken
	// No change: empty delta, same token.
	ms = decodeMS(t, f.do(t, "REPORT", book, h, syncBody(tok, 0)))
	if len(ms.Responses) != 0 || ms.SyncToken != tok {
		t.Errorf("no-change delta = %v token %s", ms.hrefs(), ms.SyncToken)
	}
	put("c")
	put("a") // update
	f.do(t, "DELETE", book+"b.vcf", h, "")
	ms = decodeMS(t, f.do(t, "REPORT", book, h, syncBody(tok, 0)))
	var changed, deleted []string
	for _, r := range ms.Responses {
		if strings.Contains(r.Status, "404") {
			deleted = append(deleted, r.Href)
		} else {
			changed = append(changed, r.Href)
		}
	}
	sort.Strings(changed)
	if strings.Join(changed, " ") != book+"a.vcf "+book+"c.vcf" || strings.Join(deleted, " ") != book+"b.vcf" {
		t.Errorf("delta (0093) changed %v deleted %v", changed, deleted)
	}
	if ms.SyncToken != "http://sabre.io/ns/sync/6" {
		t.Errorf("delta token = %s, want http://sabre.io/ns/sync/6", ms.SyncToken)
	}
	for _, bad := range []string{"garbage", "http://sabre.io/ns/sync/99", "http://sabre.io/ns/sync/x"} {
		r := f.do(t, "REPORT", book, h, syncBody(bad, 0))
		if r.status != 403 || !strings.Contains(r.body, "<d:valid-sync-token/>") {
			t.Errorf("sync with token %q = %d %s, want 403 valid-sync-token", bad, r.status, r.body)
		}
	}
	f.s.PruneSyncHistory()
	if r := f.do(t, "REPORT", book, h, syncBody(tok, 0)); r.status != 403 {
		t.Errorf("sync with a pruned token = %d, want 403", r.status)
	}
	ms = decodeMS(t, f.do(t, "REPORT", book, h, syncBody("http://sabre.io/ns/sync/6", 0)))
	if len(ms.Responses) != 0 {
		t.Errorf("sync from the current token after prune = %v", ms.hrefs())
	}
}

// TestDAVSyncPaging pages an initial and a delta sync with DAV:limit: each
// truncated page carries a 507 for the collection and a continuation token.
func TestDAVSyncPaging(t *testing.T) {
	f := newFixture(t, nil)
	h := appAPI("alice")
	cal := "/remote.php/dav/calendars/alice/personal/"
	for i := 0; i < 5; i++ {
		name := fmt.Sprintf("e%d", i)
		f.do(t, "PUT", cal+name+".ics", h, fmt.Sprintf(testEvent, name, name))
	}
	collect := func(token string) (seen []string, final string, pages int) {
		t.Helper()
		for pages < 20 {
			pages++
			ms := decodeMS(t, f.do(t, "REPORT", cal, h, syncBody(token, 2)))
			truncated := false
			for _, r := range ms.Responses {
				if strings.Contains(r.Status, "507") {
					truncated = true
					if r.Href != cal {
						t.Errorf("507 href = %s, want %s", r.Href, cal)
					}
					continue
				}
				seen = append(seen, r.Href)
			}
			token = ms.SyncToken
			if !truncated {
				return seen, token, pages
			}
			if pages == 1 {
				// Changes made while paging must come in a later delta.
				f.do(t, "PUT", cal+"late.ics", h, fmt.Sprintf(testEvent, "late", "late"))
			}
		}
		t.Fatalf("sync did not finish")
		return nil, "", 0
	}
	seen, tok, pages := collect("")
	if pages != 3 || len(seen) < 5 {
		t.Fatalf("initial paged sync: %d pages, %v", pages, seen)
	}
	if tok != "http://sabre.io/ns/sync/6" {
		t.Errorf("token after initial paging = %s, want the token at start (http://sabre.io/ns/sync/6)", tok)
	}
	seen, _, _ = collect(tok)
	if len(seen) != 1 || !strings.HasSuffix(seen[0], "late.ics") {
		t.Errorf("delta after paging = %v, want late.ics", seen)
	}
}

func TestDAVMultiget(t *testing.T) {
	f := newFixture(t, nil)
	h := appAPI("alice")
	cal := "/remote.php/dav/calendars/alice/personal/"
	ev := fmt.Sprintf(testEvent, "m1", "multi & <get>")
	f.do(t, "PUT", cal+"m1.ics", h, ev)
	body := `<?xml version="1.0"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><d:href>` + cal + `m1.ics</d:href><d:href>` + cal + `nope.ics</d:href></c:calendar-multiget>`
	ms := decodeMS(t, f.do(t, "REPORT", cal, withHeader(h, "Depth", "1"), body))
	if len(ms.Responses) != 2 || !strings.Contains(ms.Responses[1].Status, "404") {
		t.Fatalf("multiget = %+v", ms)
	}
	if p := ms.Responses[0].okProps(); !strings.Contains(p, "SUMMARY:multi &amp; &lt;get&gt;") {
		t.Errorf("multiget calendar-data = %s", p)
	}
	book := "/remote.php/dav/addressbooks/users/alice/contacts/"
	f.do(t, "PUT", book+"c1.vcf", h, fmt.Sprintf(testCard, "c1", "Card One", "One"))
	body = `<?xml version="1.0"?><card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop><d:href>` + book + `c1.vcf</d:href></card:addressbook-multiget>`
	ms = decodeMS(t, f.do(t, "REPORT", book, withHeader(h, "Depth", "1"), body))
	if len(ms.Responses) != 1 || !strings.Contains(ms.Responses[0].okProps(), "FN:Card One") {
		t.Errorf("addressbook-multiget = %+v", ms)
	}
}

func TestDAVCalendarQuery(t *testing.T) {
	f := newFixture(t, nil)
	h := appAPI("alice")
	cal := "/remote.php/dav/calendars/alice/personal/"
	f.do(t, "PUT", cal+"in.ics", h, fmt.Sprintf(testEvent, "in", "in range"))
	out := strings.ReplaceAll(fmt.Sprintf(testEvent, "out", "out of range"), "20261201T", "20301201T")
	f.do(t, "PUT", cal+"out.ics", h, out)
	body := `<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260101T000000Z" end="20280101T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`
	ms := decodeMS(t, f.do(t, "REPORT", cal, withHeader(h, "Depth", "1"), body))
	if got := ms.hrefs(); len(got) != 1 || got[0] != cal+"in.ics" {
		t.Errorf("calendar-query (0048) = %v, want only in.ics", got)
	}
}
