package harmony

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"

	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// An expired Nextcloud sync token and an unusable EWS SyncState make the
// run list both sides from scratch: the changes made meanwhile are found,
// and nothing is duplicated or deleted.
func TestInvalidSyncStatesRelist(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	l := e.newLink(store.KindContacts, "Relist", nil)
	e.putLocal(l, "a", vcardText("a-uid", "Ann A", "a@example.org"))
	e.putLocal(l, "b", vcardText("b-uid", "Ben B", "b@example.org"))
	e.createRemoteContact(l, "Cy", "C", "c@example.org", "c-uid")
	e.sync(l)
	e.putLocal(l, "a", vcardText("a-uid", "Ann A", "a2@example.org"))
	e.ncSim.PruneSyncHistory()
	link, _ := e.st.Link(e.ctx, testUser, l.ID)
	if err := e.st.SetRemoteSyncState(e.ctx, l.ID, "bm90IGEgc3luYyBzdGF0ZQ=="); err != nil {
		t.Fatal(err)
	}
	res := e.sync(l)
	if res.Remote.Updated != 1 || res.Local != (Counts{}) || res.Remote.Created+res.Remote.Deleted != 0 || len(res.Errors) != 0 {
		t.Fatalf("relist sync = %+v; want only the one remote update", res)
	}
	_, remote := e.assertHarmony(l)
	if got := remoteEmail(remote["a-uid"]); got != "a2@example.org" {
		t.Errorf("a in Exchange = %q, want a2@example.org", got)
	}
	after, _ := e.st.Link(e.ctx, testUser, l.ID)
	if after.LocalSyncToken == link.LocalSyncToken || after.RemoteSyncState == "bm90IGEgc3luYyBzdGF0ZQ==" {
		t.Errorf("sync state not renewed: token %q, state %q", after.LocalSyncToken, after.RemoteSyncState)
	}
	if res := e.sync(l); res.Changed() {
		t.Errorf("quiet sync after the relist = %+v", res)
	}
}

// Two runs of one link at once in this process are serialized: the second
// sees what the first recorded and creates nothing again.
func TestConcurrentRunsOfOneLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	l := e.newLink(store.KindContacts, "Twice", nil)
	for _, n := range []string{"a", "b", "c"} {
		e.putLocal(l, n, vcardText(n+"-uid", "Person "+n, n+"@example.org"))
	}
	results := make(chan Result, 2)
	for range 2 {
		go func() {
			res, err := e.eng.SyncLink(e.ctx, testUser, l.ID, RunOptions{})
			if err != nil {
				t.Errorf("SyncLink() = %v", err)
			}
			results <- res
		}()
	}
	created := (<-results).Remote.Created + (<-results).Remote.Created
	if created != 3 {
		t.Errorf("remote creates over both runs = %d, want 3", created)
	}
	e.assertHarmony(l)
}

// An object whose UID is rewritten in place is a deletion of the old UID
// and a creation of the new one, even with one item per page.
func TestLocalUIDRewritten(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{PageSize: 1})
	l := e.newLink(store.KindContacts, "Rewrite", nil)
	e.putLocal(l, "a", vcardText("old-uid", "Ann A", "a@example.org"))
	e.sync(l)
	e.putLocal(l, "a", vcardText("new-uid", "Ann A", "a@example.org"))
	res := e.sync(l)
	if res.Remote.Created != 1 || res.Remote.Deleted != 1 || len(res.Errors) != 0 {
		t.Fatalf("sync = %+v; want the old UID deleted and the new one created in Exchange", res)
	}
	if _, remote := e.assertHarmony(l); remote["new-uid"] == nil || len(remote) != 1 {
		t.Errorf("Exchange UIDs = %v, want [new-uid]", keys(remote))
	}
}

// Exchange copies keep the UID property: a copy becomes an item of its own
// (a UID derived from its ItemId), whether it is found with its original in
// one feed or after the original was synced.
func TestExchangeCopiesGetTheirOwnUID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	l := e.newLink(store.KindContacts, "Copies", nil)
	e.createRemoteContact(l, "Dora", "D", "d@example.org", "dup-uid")
	e.createRemoteContact(l, "Dora", "D", "d@example.org", "dup-uid")
	if res := e.sync(l); res.Local.Created != 2 || len(res.Errors) != 0 {
		t.Fatalf("sync = %+v; want both items in Nextcloud", res)
	}
	e.assertHarmony(l)
	e.createRemoteContact(l, "Dora", "D", "d@example.org", "dup-uid") // a later copy
	if res := e.sync(l); res.Local.Created != 1 || len(res.Errors) != 0 {
		t.Fatalf("sync of the later copy = %+v; want one more item", res)
	}
	if local, _ := e.assertHarmony(l); len(local) != 3 || local["dup-uid"] == nil {
		t.Errorf("Nextcloud UIDs = %v, want dup-uid and two derived ones", keys(local))
	}
	if res := e.sync(l); res.Changed() {
		t.Errorf("quiet sync = %+v", res)
	}
}

// failingAttachments fails CreateAttachment once, after CreateItem worked.
type failingAttachments struct {
	EWS
	failed atomic.Bool
}

func (f *failingAttachments) CreateAttachments(ctx context.Context, parent wire.ItemId, atts []wire.Attachment) ([]ews.AttachmentResult, error) {
	if f.failed.CompareAndSwap(false, true) {
		return []ews.AttachmentResult{{Err: &ews.Error{Op: "CreateAttachment", ResponseCode: "ErrorInternalServerError"}}}, nil
	}
	return f.EWS.CreateAttachments(ctx, parent, atts)
}

// A create whose second step (the photo) fails keeps the item it made:
// the retry completes it and creates no second one.
func TestPartialCreateIsCompletedNotDuplicated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{RetryBase: time.Nanosecond, RetryMax: time.Nanosecond})
	deps := e.eng.deps
	fa := &failingAttachments{}
	e.eng.deps.EWS = func(ctx context.Context, a store.Account) (EWS, error) {
		c, err := deps.EWS(ctx, a)
		fa.EWS = c
		return fa, err
	}
	l := e.newLink(store.KindContacts, "Partial", nil)
	img := base64.StdEncoding.EncodeToString(append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("x"), 60)...))
	card := strings.Replace(string(vcardText("p-uid", "Pia P", "p@example.org")), "END:VCARD", "PHOTO;ENCODING=b;TYPE=JPEG:"+img+"\r\nEND:VCARD", 1)
	e.putLocal(l, "p", []byte(card))
	res := e.sync(l)
	if len(res.Errors) != 1 || res.Errors[0].UID != "p-uid" {
		t.Fatalf("first sync = %+v; want the photo failure", res)
	}
	res = e.sync(l)
	if len(res.Errors) != 0 || res.Remote.Created != 0 || res.Remote.Updated != 1 {
		t.Fatalf("retry = %+v; want the item completed by an update, not created again", res)
	}
	_, remote := e.assertHarmony(l)
	if len(remote) != 1 || remote["p-uid"].Photo == nil {
		t.Errorf("Exchange = %v items, photo %v; want one item with its photo", len(remote), remote["p-uid"].Photo)
	}
}
