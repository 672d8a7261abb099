package dav

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/nextcloudsim"
)

// The fake Nextcloud (internal/nextcloudsim) is the second backend of the suite. Requests carry
// the AppAPI headers, signed by internal/appapi's DAVClient exactly as in production.
func init() {
	backends = append(backends, backend{name: "nextcloudsim", client: nextcloudClient})
}

const (
	ncAppID      = "ews_connector"
	ncAppVersion = "1.0.0"
	ncSecret     = "dav-test-secret-0123456789"
)

var (
	ncOnce   sync.Once
	ncServer *httptest.Server
	ncSim    *nextcloudsim.Server
)

func stopNextcloud() {
	if ncServer != nil {
		ncServer.Close()
		ncSim.Close()
	}
}

// nextcloudClient returns a Client acting as alice on the shared fake Nextcloud.
func nextcloudClient(t *testing.T) *Client {
	t.Helper()
	ncOnce.Do(func() {
		ncSim = nextcloudsim.New(nextcloudsim.Options{AppID: ncAppID, AppVersion: ncAppVersion, AppSecret: ncSecret})
		ncServer = httptest.NewServer(ncSim)
	})
	ac, err := appapi.NewClient(&http.Client{Timeout: 30 * time.Second}, appapi.Options{
		NextcloudURL: ncServer.URL, AppID: ncAppID, AppVersion: ncAppVersion, Secret: ncSecret,
	})
	if err != nil {
		t.Fatalf("appapi.NewClient() = %v", err)
	}
	dc, err := ac.DAV("alice")
	if err != nil {
		t.Fatalf("appapi.Client.DAV(alice) = %v", err)
	}
	c, err := NewClient(dc, ac.DAVURL(), nil)
	if err != nil {
		t.Fatalf("NewClient(%q) = %v", ac.DAVURL(), err)
	}
	return c
}

// The fake Nextcloud truncates limited sync-collection answers with a 507 response (RFC 6578
// section 3.6), as Nextcloud 32 does; SyncCollection pages through them.
func TestSyncCollectionPagingNextcloudsim(t *testing.T) {
	c := nextcloudClient(t)
	ctx := testContext(t)
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			coll := k.newColl(t, ctx, c)
			var reqs []PutRequest
			for i := range 7 {
				uid := "page-" + string(rune('a'+i))
				reqs = append(reqs, PutRequest{Href: coll + uid + k.ext, Data: k.body(uid, uid)})
			}
			etags := map[string]string{}
			for i, r := range c.PutMany(ctx, reqs, 3) {
				if r.Err != nil {
					t.Fatalf("PutMany()[%d] = %v", i, r.Err)
				}
				etags[r.Href] = r.ETag
			}
			initial, err := c.SyncCollection(ctx, coll, "", 3)
			if err != nil {
				t.Fatalf("SyncCollection(\"\", limit 3) = %v", err)
			}
			if initial.Pages < 3 || !maps.Equal(syncMap(initial.Changed), etags) {
				t.Fatalf("SyncCollection(\"\", limit 3) = %d pages, changed %v; want >= 3 pages and %v",
					initial.Pages, syncMap(initial.Changed), etags)
			}
			// A delta over pages: deletions and updates, including an item updated then deleted.
			if err := c.Delete(ctx, reqs[0].Href, etags[reqs[0].Href]); err != nil {
				t.Fatalf("Delete() = %v", err)
			}
			e1, err := c.Put(ctx, PutRequest{Href: reqs[1].Href, Data: k.body("page-b", "v2"), IfMatch: etags[reqs[1].Href]})
			if err != nil {
				t.Fatalf("Put(update) = %v", err)
			}
			e2, err := c.Put(ctx, PutRequest{Href: reqs[2].Href, Data: k.body("page-c", "v2"), IfMatch: etags[reqs[2].Href]})
			if err != nil {
				t.Fatalf("Put(update) = %v", err)
			}
			if err := c.Delete(ctx, reqs[2].Href, e2); err != nil {
				t.Fatalf("Delete() = %v", err)
			}
			delta, err := c.SyncCollection(ctx, coll, initial.Token, 1)
			if err != nil {
				t.Fatalf("SyncCollection(delta, limit 1) = %v", err)
			}
			if want := map[string]string{reqs[1].Href: e1}; !maps.Equal(syncMap(delta.Changed), want) {
				t.Errorf("SyncCollection(delta).Changed = %v, want %v", syncMap(delta.Changed), want)
			}
			deleted := map[string]bool{}
			for _, h := range delta.Deleted {
				deleted[h] = true
			}
			if len(deleted) != 2 || !deleted[reqs[0].Href] || !deleted[reqs[2].Href] {
				t.Errorf("SyncCollection(delta).Deleted = %v, want %s and %s", delta.Deleted, reqs[0].Href, reqs[2].Href)
			}
			quiet, err := c.SyncCollection(ctx, coll, delta.Token, 1)
			if err != nil || len(quiet.Changed)+len(quiet.Deleted) != 0 || quiet.Pages != 1 {
				t.Errorf("SyncCollection(quiet) = %+v, %v; want one empty page", quiet, err)
			}
		})
	}
}
