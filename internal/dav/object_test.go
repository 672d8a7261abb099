package dav

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
)

// kind is a collection flavour the object tests run for.
type kind struct {
	name    string
	newColl func(t *testing.T, ctx context.Context, c *Client) string
	ext     string
	body    func(uid, text string) []byte
	multi   func(c *Client, ctx context.Context, coll string, hrefs []string) ([]Object, error)
}

var kinds = []kind{
	{"calendar", newCalendar, ".ics", event, (*Client).MultiGetCalendar},
	{"addressbook", newAddressBook, ".vcf", card, (*Client).MultiGetAddressBook},
}

func TestPutGetDelete(t *testing.T) {
	forEachBackend(t, func(t *testing.T, c *Client) {
		for _, k := range kinds {
			t.Run(k.name, func(t *testing.T) {
				ctx := testContext(t)
				coll := k.newColl(t, ctx, c)
				href := coll + "obj-1" + k.ext
				v1, v2 := k.body("obj-1", "Version one"), k.body("obj-1", "Version two")

				etag1, err := c.Put(ctx, PutRequest{Href: href, Data: v1})
				if err != nil || etag1 == "" {
					t.Fatalf("Put(create %s) = %q, %v; want an etag", href, etag1, err)
				}
				obj, err := c.Get(ctx, href)
				if err != nil {
					t.Fatalf("Get(%s) = %v", href, err)
				}
				if obj.ETag != etag1 {
					t.Errorf("Get().ETag = %q, want the PUT's %q", obj.ETag, etag1)
				}
				if !bytes.Contains(obj.Data, []byte("Version one")) {
					t.Errorf("Get().Data = %q, want version one", obj.Data)
				}

				// Creating again must not overwrite.
				if _, err := c.Put(ctx, PutRequest{Href: href, Data: v2}); !IsPreconditionFailed(err) {
					t.Errorf("Put(create existing) = %v, want 412", err)
				}
				etag2, err := c.Put(ctx, PutRequest{Href: href, Data: v2, IfMatch: etag1})
				if err != nil || etag2 == "" || etag2 == etag1 {
					t.Fatalf("Put(update If-Match %s) = %q, %v; want a new etag", etag1, etag2, err)
				}
				// A stale ETag loses.
				if _, err := c.Put(ctx, PutRequest{Href: href, Data: v1, IfMatch: etag1}); !IsPreconditionFailed(err) {
					t.Errorf("Put(stale If-Match) = %v, want 412", err)
				}
				if got, err := c.ETag(ctx, href); err != nil || got != etag2 {
					t.Errorf("ETag(%s) = %q, %v; want %q", href, got, err, etag2)
				}
				// Updating a missing object is not a create.
				if _, err := c.Put(ctx, PutRequest{Href: coll + "missing" + k.ext, Data: v1, IfMatch: etag2}); !IsPreconditionFailed(err) {
					t.Errorf("Put(update missing) = %v, want 412", err)
				}

				if err := c.Delete(ctx, href, etag1); !IsPreconditionFailed(err) {
					t.Errorf("Delete(stale If-Match) = %v, want 412", err)
				}
				if _, err := c.Get(ctx, href); err != nil {
					t.Errorf("Get() after refused delete = %v, want the object", err)
				}
				if err := c.Delete(ctx, href, etag2); err != nil {
					t.Fatalf("Delete(If-Match %s) = %v", etag2, err)
				}
				if _, err := c.Get(ctx, href); !IsNotFound(err) {
					t.Errorf("Get() after delete = %v, want not found", err)
				}
				if err := c.Delete(ctx, href, ""); !IsNotFound(err) {
					t.Errorf("Delete() twice = %v, want not found", err)
				}
			})
		}
	})
}

func TestPutMany(t *testing.T) {
	forEachBackend(t, func(t *testing.T, c *Client) {
		for _, k := range kinds {
			t.Run(k.name, func(t *testing.T) {
				ctx := testContext(t)
				coll := k.newColl(t, ctx, c)
				existing := coll + "existing" + k.ext
				if _, err := c.Put(ctx, PutRequest{Href: existing, Data: k.body("existing", "Old")}); err != nil {
					t.Fatalf("Put(%s) = %v", existing, err)
				}
				var reqs []PutRequest
				for i := range 9 {
					uid := "many-" + string(rune('a'+i))
					reqs = append(reqs, PutRequest{Href: coll + uid + k.ext, Data: k.body(uid, "Item "+uid)})
				}
				const bad = 4
				reqs[bad] = PutRequest{Href: existing, Data: k.body("existing", "New")} // create over existing: 412
				res := c.PutMany(ctx, reqs, 3)
				if len(res) != len(reqs) {
					t.Fatalf("PutMany() returned %d results, want %d", len(res), len(reqs))
				}
				for i, r := range res {
					if r.Href != reqs[i].Href {
						t.Errorf("PutMany()[%d].Href = %q, want %q", i, r.Href, reqs[i].Href)
					}
					if i == bad {
						if !IsPreconditionFailed(r.Err) {
							t.Errorf("PutMany()[%d].Err = %v, want 412", i, r.Err)
						}
						continue
					}
					if r.Err != nil || r.ETag == "" {
						t.Errorf("PutMany()[%d] = %+v, want an etag", i, r)
					}
				}
				// Every good item is stored with the reported ETag; the existing one is unchanged.
				var hrefs []string
				for _, r := range reqs {
					hrefs = append(hrefs, r.Href)
				}
				objs, err := k.multi(c, ctx, coll, hrefs)
				if err != nil {
					t.Fatalf("multiget = %v", err)
				}
				for i, o := range objs {
					if o.Err != nil {
						t.Errorf("multiget[%d] %s = %v", i, o.Href, o.Err)
						continue
					}
					if i == bad {
						if !bytes.Contains(o.Data, []byte("Old")) {
							t.Errorf("existing object = %q, want it unchanged", o.Data)
						}
						continue
					}
					if o.ETag != res[i].ETag {
						t.Errorf("multiget[%d].ETag = %q, want PutMany's %q", i, o.ETag, res[i].ETag)
					}
				}
			})
		}
	})
}

func TestPutManyCancelled(t *testing.T) {
	c, err := NewClient(nil, "http://127.0.0.1:1/dav", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := c.PutMany(ctx, []PutRequest{{Href: "/dav/a.ics"}, {Href: "/dav/b.ics"}}, 0)
	for i, r := range res {
		if r.Err == nil || r.Href == "" {
			t.Errorf("PutMany(cancelled)[%d] = %+v, want a context error", i, r)
		}
	}
}

// A server that rewrites the body answers PUT without an ETag (SabreDAV does so); the client asks
// for it with a PROPFIND of the href.
func TestPutETagFollowUp(t *testing.T) {
	tests := []struct {
		name     string
		header   string // ETag header of the PUT response
		want     string
		requests int
	}{
		{"header", `"abc"`, `"abc"`, 1},
		{"no header", "", `"from-propfind"`, 2},
		{"weak header", `W/"weak"`, `"from-propfind"`, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, c := newScripted(t, func(w http.ResponseWriter, r *http.Request, n int, body string) {
				switch r.Method {
				case http.MethodPut:
					if r.Header.Get("If-None-Match") != "*" || r.Header.Get("If-Match") != "" {
						t.Errorf("PUT headers = %v, want If-None-Match: * only", r.Header)
					}
					if ct := r.Header.Get("Content-Type"); ct != "text/vcard; charset=utf-8" {
						t.Errorf("PUT Content-Type = %q, want text/vcard", ct)
					}
					if tc.header != "" {
						w.Header().Set("ETag", tc.header)
					}
					w.WriteHeader(http.StatusCreated)
				case "PROPFIND":
					if r.Header.Get("Depth") != "0" || !strings.Contains(body, "getetag") {
						t.Errorf("PROPFIND Depth %q body %q, want depth 0 for getetag", r.Header.Get("Depth"), body)
					}
					writeMultistatus(w, okResp("/dav/book/a%40b.vcf", "from-propfind"))
				default:
					t.Errorf("unexpected %s", r.Method)
					w.WriteHeader(http.StatusMethodNotAllowed)
				}
			})
			etag, err := c.Put(testContext(t), PutRequest{Href: "/dav/book/a@b.vcf", Data: card("a@b", "A B")})
			if err != nil || etag != tc.want {
				t.Fatalf("Put() = %q, %v; want %q", etag, err, tc.want)
			}
			if s.count() != tc.requests {
				t.Errorf("Put() sent %d requests, want %d", s.count(), tc.requests)
			}
		})
	}
}

func TestContentTypeOf(t *testing.T) {
	tests := []struct{ data, want string }{
		{"BEGIN:VCALENDAR\r\n", "text/calendar; charset=utf-8"},
		{"\r\nbegin:vcard\r\n", "text/vcard; charset=utf-8"},
		{"", "text/calendar; charset=utf-8"},
	}
	for _, tc := range tests {
		if got := contentTypeOf([]byte(tc.data)); got != tc.want {
			t.Errorf("contentTypeOf(%q) = %q, want %q", tc.data, got, tc.want)
		}
	}
}
