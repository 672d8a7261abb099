package dav

import (
	"bytes"
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
