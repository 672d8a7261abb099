package harmony

import (
	"strings"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// The first link of two non-empty collections pairs items by UID, then by
// fingerprint: nothing is duplicated, and the remote copy takes the local UID.
func TestFirstLinkMatchesByUIDThenFingerprint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	l := e.newLink(store.KindContacts, "Shared", nil)
	e.putLocal(l, "a", vcardText("a-uid", "Ada Lovelace", "ada@example.org"))
	e.putLocal(l, "b", vcardText("b-uid", "Bob Smith", "bob@example.org"))
	e.createRemoteContact(l, "Ada", "Lovelace", "ada@example.org", "a-uid")
	e.createRemoteContact(l, "Bob", "Smith", "bob@example.org", "") // same person, no UID
	e.createRemoteContact(l, "Carol", "Jones", "carol@example.org", "")

	res := e.sync(l)
	if res.Matched != 2 || res.Local.Created != 1 || res.Remote.Created != 0 || len(res.Errors) != 0 {
		t.Fatalf("first link = %+v; want 2 matched, 1 created in Nextcloud", res)
	}
	_, remote := e.assertHarmony(l)
	if remote["b-uid"] == nil {
		t.Errorf("the remote Bob did not take the local UID: %v", keys(remote))
	}
	if len(remote) != 3 {
		t.Errorf("remote items = %d, want 3", len(remote))
	}
}

// Deleting a link and linking the same pair again rebuilds the
// correlations from the UIDs: nothing is created, nothing is duplicated.
func TestRelinkRecreatesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	for _, k := range []store.LinkKind{store.KindContacts, store.KindCalendar} {
		t.Run(string(k), func(t *testing.T) {
			l := e.newLink(k, "Relink"+string(k), nil)
			if k == store.KindContacts {
				e.putLocal(l, "x", vcardText("x-uid", "Xavier X", "x@example.org"))
				e.createRemoteContact(l, "Yvonne", "Y", "y@example.org", "")
			} else {
				e.putLocal(l, "x", weeklyICS("x-uid", "Series", []string{"20260112T090000Z"}, map[string]string{"20260119T090000Z": "Moved"}))
				e.createRemoteEvent(l, singleICS("y-uid", "Single", "20260112T140000Z", "20260112T150000Z"))
			}
			if res := e.sync(l); res.Local.Created != 1 || res.Remote.Created != 1 {
				t.Fatalf("first sync = %+v", res)
			}
			if err := e.st.DeleteLink(e.ctx, testUser, l.ID); err != nil {
				t.Fatal(err)
			}
			l2 := e.linkPair(k, l.RemoteFolderID, l.LocalHref, nil)
			res := e.sync(l2)
			if res.Local.Created+res.Remote.Created+res.Local.Deleted+res.Remote.Deleted != 0 || res.Matched != 2 {
				t.Fatalf("relink sync = %+v; want 2 matched and nothing written", res)
			}
			e.assertHarmony(l2)
			full, err := e.eng.SyncLink(e.ctx, testUser, l2.ID, RunOptions{FullResync: true})
			if err != nil || full.Changed() {
				t.Fatalf("full resync = %+v, %v; want no change", full, err)
			}
		})
	}
}

// A side emptied, or a large share deleted, pauses the link until the user
// confirms; the confirmed run then deletes and clears the override.
func TestGuardsPauseUntilConfirmed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{DeleteMin: 3})
	l := e.newLink(store.KindContacts, "Guarded", nil)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		e.putLocal(l, n, vcardText(n+"-uid", "Person "+strings.ToUpper(n), n+"@example.org"))
	}
	if res := e.sync(l); res.Remote.Created != 5 {
		t.Fatalf("first sync = %+v", res)
	}
	// Three of five deleted: over half.
	for _, n := range []string{"a", "b", "c"} {
		if err := e.ncSim.DeleteObject(e.ctx, l.LocalHref+n+".vcf"); err != nil {
			t.Fatal(err)
		}
	}
	res := e.sync(l)
	if !res.Paused || res.Remote.Deleted != 0 || !strings.Contains(res.PauseReason, "3 of 5") {
		t.Fatalf("mass deletion sync = %+v; want paused, nothing deleted", res)
	}
	if got := len(e.remoteByUID(l)); got != 5 {
		t.Errorf("remote items after the guard = %d, want 5", got)
	}
	if again := e.sync(l); !again.Paused {
		t.Errorf("a paused link ran: %+v", again)
	}
	// The user confirms.
	link, _ := e.st.Link(e.ctx, testUser, l.ID)
	link.Paused, link.PauseReason, link.GuardOverride = false, "", true
	if err := e.st.UpdateLink(e.ctx, &link); err != nil {
		t.Fatal(err)
	}
	res = e.sync(l)
	if res.Paused || res.Remote.Deleted != 3 {
		t.Fatalf("confirmed sync = %+v; want 3 deleted", res)
	}
	if link, _ = e.st.Link(e.ctx, testUser, l.ID); link.GuardOverride {
		t.Errorf("GuardOverride still set after the confirmed run")
	}
	// Exchange emptied: paused too.
	for _, it := range e.remoteByUID(l) {
		e.deleteRemote(it.ID)
	}
	if res := e.sync(l); !res.Paused || !strings.Contains(res.PauseReason, "Exchange folder is empty") {
		t.Fatalf("emptied folder sync = %+v; want paused", res)
	}
	if got := len(e.localByUID(l)); got != 2 {
		t.Errorf("local items after the guard = %d, want 2", got)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
