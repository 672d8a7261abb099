package dav

import (
	"maps"
	"slices"
	"testing"
)

func TestSyncCollection(t *testing.T) {
	forEachBackend(t, func(t *testing.T, c *Client) {
		for _, k := range kinds {
			t.Run(k.name, func(t *testing.T) {
				ctx := testContext(t)
				coll := k.newColl(t, ctx, c)

				initial, err := c.SyncCollection(ctx, coll, "", 0)
				if err != nil {
					t.Fatalf("SyncCollection(initial) = %v", err)
				}
				if initial.Token == "" || len(initial.Changed)+len(initial.Deleted) != 0 {
					t.Fatalf("SyncCollection(initial, empty collection) = %+v, want a token and nothing else", initial)
				}

				etags := map[string]string{}
				for _, uid := range []string{"s1", "s2", "s3"} {
					href := coll + uid + k.ext
					e, err := c.Put(ctx, PutRequest{Href: href, Data: k.body(uid, uid)})
					if err != nil {
						t.Fatalf("Put(%s) = %v", href, err)
					}
					etags[href] = e
				}
				delta, err := c.SyncCollection(ctx, coll, initial.Token, 0)
				if err != nil {
					t.Fatalf("SyncCollection(delta) = %v", err)
				}
				if delta.Token == initial.Token {
					t.Errorf("SyncCollection(delta).Token unchanged: %q", delta.Token)
				}
				if got := syncMap(delta.Changed); !maps.Equal(got, etags) || len(delta.Deleted) != 0 {
					t.Errorf("SyncCollection(delta) = changed %v deleted %v, want changed %v", got, delta.Deleted, etags)
				}

				quiet, err := c.SyncCollection(ctx, coll, delta.Token, 0)
				if err != nil {
					t.Fatalf("SyncCollection(quiet) = %v", err)
				}
				if len(quiet.Changed)+len(quiet.Deleted) != 0 {
					t.Errorf("SyncCollection(quiet) = %+v, want no changes", quiet)
				}

				upd, del := coll+"s1"+k.ext, coll+"s2"+k.ext
				newETag, err := c.Put(ctx, PutRequest{Href: upd, Data: k.body("s1", "changed"), IfMatch: etags[upd]})
				if err != nil {
					t.Fatalf("Put(update %s) = %v", upd, err)
				}
				if err := c.Delete(ctx, del, etags[del]); err != nil {
					t.Fatalf("Delete(%s) = %v", del, err)
				}
				d2, err := c.SyncCollection(ctx, coll, quiet.Token, 0)
				if err != nil {
					t.Fatalf("SyncCollection(after update and delete) = %v", err)
				}
				if want := map[string]string{upd: newETag}; !maps.Equal(syncMap(d2.Changed), want) {
					t.Errorf("SyncCollection().Changed = %v, want %v", syncMap(d2.Changed), want)
				}
				if !slices.Equal(d2.Deleted, []string{del}) {
					t.Errorf("SyncCollection().Deleted = %v, want [%s]", d2.Deleted, del)
				}

				// From scratch with a small limit: every present item exactly once, whatever the
				// server's paging; deletions of never-seen items may be reported or not.
				full, err := c.SyncCollection(ctx, coll, "", 1)
				if err != nil {
					t.Fatalf("SyncCollection(\"\", limit 1) = %v", err)
				}
				want := map[string]string{upd: newETag, coll + "s3" + k.ext: etags[coll+"s3"+k.ext]}
				if got := syncMap(full.Changed); !maps.Equal(got, want) {
					t.Errorf("SyncCollection(\"\", limit 1).Changed = %v, want %v", got, want)
				}
				t.Logf("limit 1 took %d page(s)", full.Pages)
			})
		}
	})
}

func TestSyncCollectionInvalidToken(t *testing.T) {
	forEachBackend(t, func(t *testing.T, c *Client) {
		ctx := testContext(t)
		coll := newCalendar(t, ctx, c)
		for _, token := range []string{"http://invalid.example/ns/sync/42", "garbage"} {
			_, err := c.SyncCollection(ctx, coll, token, 0)
			if !IsInvalidSyncToken(err) {
				t.Errorf("SyncCollection(token %q) = %v, want an invalid-sync-token error", token, err)
			}
		}
	})
}

func syncMap(items []SyncItem) map[string]string {
	m := map[string]string{}
	for _, it := range items {
		m[it.Href] = it.ETag
	}
	return m
}
