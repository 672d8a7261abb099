package dav

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// scripted is an httptest server that answers request n (from 0) with handle; it records the
// request bodies.
type scripted struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []string
	reqs   []*http.Request
}

func newScripted(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int, body string)) (*scripted, *Client) {
	t.Helper()
	s := &scripted{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		n := len(s.bodies)
		s.bodies = append(s.bodies, string(b))
		s.reqs = append(s.reqs, r)
		s.mu.Unlock()
		handle(w, r, n, string(b))
	}))
	t.Cleanup(s.srv.Close)
	c, err := NewClient(s.srv.Client(), s.srv.URL+"/dav", nil)
	if err != nil {
		t.Fatalf("NewClient() = %v", err)
	}
	return s, c
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

func (s *scripted) body(i int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bodies[i]
}

func writeMultistatus(w http.ResponseWriter, inner string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	io.WriteString(w, `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav">`+inner+`</d:multistatus>`)
}

func okResp(href, etag string) string {
	return `<d:response><d:href>` + href + `</d:href><d:propstat><d:prop><d:getetag>&quot;` + etag +
		`&quot;</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`
}

func goneResp(href string) string {
	return `<d:response><d:href>` + href + `</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>`
}

const truncatedResp = `<d:response><d:href>/dav/cal/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status>` +
	`<d:error><d:number-of-matches-within-limits/></d:error></d:response>`

func TestSyncCollectionPaging(t *testing.T) {
	s, c := newScripted(t, func(w http.ResponseWriter, r *http.Request, n int, body string) {
		switch n {
		case 0:
			writeMultistatus(w, okResp("/dav/cal/a.ics", "a1")+okResp("/dav/cal/b%20x.ics", "b1")+truncatedResp+
				`<d:sync-token>tok-1</d:sync-token>`)
		case 1:
			writeMultistatus(w, goneResp("/dav/cal/b%20x.ics")+okResp("/dav/cal/c.ics", "c1")+okResp("/dav/cal/a.ics", "a2")+
				truncatedResp+`<d:sync-token>tok-2</d:sync-token>`)
		default:
			writeMultistatus(w, `<d:sync-token>tok-3</d:sync-token>`)
		}
	})
	ctx := testContext(t)
	res, err := c.SyncCollection(ctx, "/dav/cal/", "tok-0", 2)
	if err != nil {
		t.Fatalf("SyncCollection() = %v", err)
	}
	if res.Token != "tok-3" || res.Pages != 3 {
		t.Errorf("SyncCollection() token %q pages %d, want tok-3 and 3", res.Token, res.Pages)
	}
	want := []SyncItem{{"/dav/cal/a.ics", `"a2"`}, {"/dav/cal/c.ics", `"c1"`}}
	if len(res.Changed) != len(want) || res.Changed[0] != want[0] || res.Changed[1] != want[1] {
		t.Errorf("SyncCollection().Changed = %v, want %v", res.Changed, want)
	}
	if len(res.Deleted) != 1 || res.Deleted[0] != "/dav/cal/b x.ics" {
		t.Errorf("SyncCollection().Deleted = %v, want [/dav/cal/b x.ics]", res.Deleted)
	}
	for i, tok := range []string{"tok-0", "tok-1", "tok-2"} {
		b := s.body(i)
		if !strings.Contains(b, "<d:sync-token>"+tok+"</d:sync-token>") || !strings.Contains(b, "<d:nresults>2</d:nresults>") {
			t.Errorf("request %d = %s, want token %s and limit 2", i, b, tok)
		}
	}
}

func TestSyncCollectionPageErrors(t *testing.T) {
	tests := []struct {
		name    string
		handle  func(w http.ResponseWriter, r *http.Request, n int, body string)
		check   func(err error) bool
		wantReq int
	}{
		{
			name: "truncated without progress",
			handle: func(w http.ResponseWriter, _ *http.Request, _ int, _ string) {
				writeMultistatus(w, okResp("/dav/cal/a.ics", "a")+truncatedResp+`<d:sync-token>tok-0</d:sync-token>`)
			},
			check:   func(err error) bool { return errors.Is(err, ErrSyncNoProgress) },
			wantReq: 1,
		},
		{
			name: "sabre invalid token 403",
			handle: func(w http.ResponseWriter, _ *http.Request, _ int, _ string) {
				w.Header().Set("Content-Type", "application/xml; charset=utf-8")
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, `<?xml version="1.0" encoding="utf-8"?><d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">`+
					`<s:exception>Sabre\DAV\Exception\InvalidSyncToken</s:exception><s:message>Invalid or unknown sync token</s:message>`+
					`<d:valid-sync-token/></d:error>`)
			},
			check:   IsInvalidSyncToken,
			wantReq: 1,
		},
		{
			name: "invalid token 409",
			handle: func(w http.ResponseWriter, _ *http.Request, _ int, _ string) {
				w.Header().Set("Content-Type", "text/xml")
				w.WriteHeader(http.StatusConflict)
				io.WriteString(w, `<D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>`)
			},
			check:   IsInvalidSyncToken,
			wantReq: 1,
		},
		{
			name: "403 without the condition is not an invalid token",
			handle: func(w http.ResponseWriter, _ *http.Request, _ int, _ string) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, "Access to collection forbidden")
			},
			check:   func(err error) bool { return HTTPCode(err) == 403 && !IsInvalidSyncToken(err) },
			wantReq: 1,
		},
		{
			name: "no sync-token in response",
			handle: func(w http.ResponseWriter, _ *http.Request, _ int, _ string) {
				writeMultistatus(w, okResp("/dav/cal/a.ics", "a"))
			},
			check:   func(err error) bool { return err != nil && strings.Contains(err.Error(), "without sync-token") },
			wantReq: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, c := newScripted(t, tc.handle)
			_, err := c.SyncCollection(testContext(t), "/dav/cal/", "tok-0", 10)
			if !tc.check(err) {
				t.Errorf("SyncCollection() = %v, want the %s error", err, tc.name)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "dav: ") {
				t.Errorf("error %q does not start with \"dav: \"", err)
			}
			if got := s.count(); got != tc.wantReq {
				t.Errorf("SyncCollection() sent %d requests, want %d", got, tc.wantReq)
			}
		})
	}
}

// Nextcloud before 32 refused a limit on an initial sync with a top-level 507
// (UnsupportedLimitOnInitialSyncException); the page is asked again without a limit.
func TestSyncCollectionLimitRefused(t *testing.T) {
	s, c := newScripted(t, func(w http.ResponseWriter, r *http.Request, n int, body string) {
		if strings.Contains(body, "<d:limit>") {
			w.Header().Set("Content-Type", "application/xml; charset=utf-8")
			w.WriteHeader(http.StatusInsufficientStorage)
			io.WriteString(w, `<?xml version="1.0" encoding="utf-8"?><d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">`+
				`<s:exception>OCA\DAV\Exception\UnsupportedLimitOnInitialSyncException</s:exception><s:message/>`+
				`<d:number-of-matches-within-limits/></d:error>`)
			return
		}
		writeMultistatus(w, okResp("/dav/cal/a.ics", "a")+`<d:sync-token>tok-1</d:sync-token>`)
	})
	res, err := c.SyncCollection(testContext(t), "/dav/cal/", "", 50)
	if err != nil {
		t.Fatalf("SyncCollection() = %v", err)
	}
	if res.Token != "tok-1" || len(res.Changed) != 1 {
		t.Errorf("SyncCollection() = %+v, want one item and tok-1", res)
	}
	if s.count() != 2 || strings.Contains(s.body(1), "<d:limit>") {
		t.Errorf("requests = %d, second %q; want a retry without limit", s.count(), s.body(1))
	}
}
