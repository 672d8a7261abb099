package dav

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// countingClient counts requests by method.
type countingClient struct {
	next    HTTPClient
	reports atomic.Int64
	all     atomic.Int64
}

func (cc *countingClient) Do(r *http.Request) (*http.Response, error) {
	cc.all.Add(1)
	if r.Method == "REPORT" {
		cc.reports.Add(1)
	}
	return cc.next.Do(r)
}

// withBatch returns a copy of c that sends batch hrefs per multiget and counts its requests.
func withBatch(c *Client, batch int) (*Client, *countingClient) {
	cc := &countingClient{next: c.hc}
	cp := *c
	cp.hc = cc
	cp.opts.MultiGetBatch = batch
	return &cp, cc
}

func TestMultiGet(t *testing.T) {
	forEachBackend(t, func(t *testing.T, c *Client) {
		for _, k := range kinds {
			t.Run(k.name, func(t *testing.T) {
				ctx := testContext(t)
				coll := k.newColl(t, ctx, c)
				var reqs []PutRequest
				for i := range 5 {
					uid := fmt.Sprintf("mg %d", i) // a space: hrefs must round-trip percent-encoding
					reqs = append(reqs, PutRequest{Href: coll + uid + k.ext, Data: k.body(uid, "Multi "+uid)})
				}
				res := c.PutMany(ctx, reqs, 2)
				for i, r := range res {
					if r.Err != nil {
						t.Fatalf("PutMany()[%d] = %v", i, r.Err)
					}
				}
				missing := coll + "missing" + k.ext
				hrefs := []string{reqs[0].Href, missing, reqs[1].Href, reqs[2].Href, reqs[3].Href, reqs[4].Href, reqs[0].Href}
				tests := []struct {
					batch, reports int
				}{{2, 4}, {3, 3}, {100, 1}}
				for _, tc := range tests {
					t.Run(fmt.Sprintf("batch %d", tc.batch), func(t *testing.T) {
						bc, cc := withBatch(c, tc.batch)
						objs, err := k.multi(bc, ctx, coll, hrefs)
						if err != nil {
							t.Fatalf("multiget = %v", err)
						}
						if got := cc.reports.Load(); got != int64(tc.reports) {
							t.Errorf("multiget sent %d REPORTs, want %d", got, tc.reports)
						}
						if len(objs) != len(hrefs) {
							t.Fatalf("multiget returned %d objects, want %d", len(objs), len(hrefs))
						}
						for i, o := range objs {
							if o.Href != hrefs[i] {
								t.Errorf("multiget[%d].Href = %q, want %q", i, o.Href, hrefs[i])
							}
							if hrefs[i] == missing {
								if !IsNotFound(o.Err) || o.Data != nil {
									t.Errorf("multiget[%d] (missing) = %v, %q; want not found", i, o.Err, o.Data)
								}
								continue
							}
							j := slicesIndex(reqs, hrefs[i])
							if o.Err != nil {
								t.Errorf("multiget[%d] = %v", i, o.Err)
								continue
							}
							uid := strings.TrimSuffix(strings.TrimPrefix(hrefs[i], coll), k.ext)
							if !bytes.Contains(o.Data, []byte("Multi "+uid)) {
								t.Errorf("multiget[%d].Data = %q, want %q in it", i, o.Data, "Multi "+uid)
							}
							if o.ETag != res[j].ETag {
								t.Errorf("multiget[%d].ETag = %q, want %q", i, o.ETag, res[j].ETag)
							}
						}
					})
				}
			})
		}
	})
}

func slicesIndex(reqs []PutRequest, href string) int {
	for i, r := range reqs {
		if r.Href == href {
			return i
		}
	}
	return -1
}

// One failed REPORT fails only its batch; an href the server leaves out is reported per item.
func TestMultiGetBatchFailure(t *testing.T) {
	s, c := newScripted(t, func(w http.ResponseWriter, r *http.Request, n int, body string) {
		if strings.Contains(body, "/dav/cal/c.ics") {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		writeMultistatus(w, `<d:response><d:href>/dav/cal/a.ics</d:href><d:propstat><d:prop><d:getetag>"a"</d:getetag>`+
			`<cal:calendar-data>BEGIN:VCALENDAR&#13;
END:VCALENDAR&#13;
</cal:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`)
	})
	c.opts.MultiGetBatch = 2
	objs, err := c.MultiGetCalendar(testContext(t), "/dav/cal/", []string{"/dav/cal/a.ics", "/dav/cal/b.ics", "/dav/cal/c.ics", "/elsewhere/d.ics"})
	if HTTPCode(err) != http.StatusInternalServerError {
		t.Errorf("MultiGetCalendar() error = %v, want the batch's 500", err)
	}
	if s.count() != 2 {
		t.Errorf("MultiGetCalendar() sent %d REPORTs, want 2", s.count())
	}
	if o := objs[0]; o.Err != nil || string(o.Data) != "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" || o.ETag != `"a"` {
		t.Errorf("objs[0] = %+v %q, want data with CRLF and etag", o, o.Data)
	}
	if !errors.Is(objs[1].Err, ErrMissingFromResponse) {
		t.Errorf("objs[1].Err = %v, want ErrMissingFromResponse", objs[1].Err)
	}
	if HTTPCode(objs[2].Err) != http.StatusInternalServerError {
		t.Errorf("objs[2].Err = %v, want 500", objs[2].Err)
	}
	if !errors.Is(objs[3].Err, ErrOutsideEndpoint) {
		t.Errorf("objs[3].Err = %v, want ErrOutsideEndpoint", objs[3].Err)
	}
	if strings.Contains(s.body(1), "elsewhere") {
		t.Errorf("REPORT asked for an href outside the endpoint: %s", s.body(1))
	}
}
