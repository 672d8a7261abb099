package harmony

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// setRemoteEmail changes a contact's first email in Exchange, as Outlook would.
func (e *env) setRemoteEmail(id, email string) {
	e.t.Helper()
	c := &wire.Contact{EmailAddresses: &wire.EmailAddresses{Entry: []wire.EmailAddressEntry{{Key: "EmailAddress1", Value: email}}}}
	res, err := e.ews.UpdateItems(e.ctx, []wire.ItemChange{{ItemId: &wire.ItemId{Id: id},
		Updates: wire.Updates{{Kind: wire.SetField, Path: wire.Indexed("contacts:EmailAddress", "EmailAddress1"), Item: wire.Item{Contact: c}}}}}, ews.AlwaysOverwrite)
	if err != nil || res[0].Err != nil {
		e.t.Fatalf("UpdateItems(%s) = %v, %v", id, err, res)
	}
}

func remoteEmail(r *remoteItem) string {
	if r == nil || r.Contact == nil || r.Contact.EmailAddresses == nil || len(r.Contact.EmailAddresses.Entry) == 0 {
		return ""
	}
	return r.Contact.EmailAddresses.Entry[0].Value
}

// Both sides change the same contact: the link's policy picks the winner,
// and the other side is overwritten with it.
func TestConflictPolicies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	tests := []struct {
		policy    store.ConflictPolicy
		localREV  string // vCard REV of the local edit
		wantLocal bool
	}{
		{store.PolicyNextcloud, "", true},
		{store.PolicyExchange, "", false},
		{store.PolicyNewest, "20990101T000000Z", true}, // local edit newer than Exchange's
		{store.PolicyNewest, "20000101T000000Z", false},
	}
	for i, tt := range tests {
		t.Run(string(tt.policy)+tt.localREV, func(t *testing.T) {
			l := e.newLink(store.KindContacts, "Conflict"+string(rune('A'+i)), func(l *store.Link) { l.ConflictPolicy = tt.policy })
			e.putLocal(l, "p", vcardText("p-uid", "Pat Doe", "pat@example.org"))
			e.sync(l)
			card := string(vcardText("p-uid", "Pat Doe", "local@example.org"))
			if tt.localREV != "" {
				card = strings.Replace(card, "END:VCARD", "REV:"+tt.localREV+"\r\nEND:VCARD", 1)
			}
			e.putLocal(l, "p", []byte(card))
			e.setRemoteEmail(e.remoteByUID(l)["p-uid"].ID, "remote@example.org")
			res := e.sync(l)
			if res.Conflicts != 1 {
				t.Fatalf("sync = %+v; want one conflict", res)
			}
			local, remote := e.assertHarmony(l)
			want := "remote@example.org"
			if tt.wantLocal {
				want = "local@example.org"
			}
			if got := remoteEmail(remote["p-uid"]); got != want {
				t.Errorf("Exchange email = %q, want %q", got, want)
			}
			if !strings.Contains(string(local["p-uid"]), want) {
				t.Errorf("Nextcloud card lacks %q:\n%s", want, local["p-uid"])
			}
		})
	}
}

// A deletion against a modification: the modification wins, the item is
// recreated on the side that deleted it.
func TestModificationBeatsDeletion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	l := e.newLink(store.KindContacts, "DelMod", nil)
	e.putLocal(l, "a", vcardText("a-uid", "Ann A", "a@example.org"))
	e.putLocal(l, "b", vcardText("b-uid", "Ben B", "b@example.org"))
	e.sync(l)
	remote := e.remoteByUID(l)
	// a: deleted in Nextcloud, modified in Exchange. b: the reverse.
	if err := e.ncSim.DeleteObject(e.ctx, l.LocalHref+"a.vcf"); err != nil {
		t.Fatal(err)
	}
	e.setRemoteEmail(remote["a-uid"].ID, "a2@example.org")
	e.putLocal(l, "b", vcardText("b-uid", "Ben B", "b2@example.org"))
	e.deleteRemote(remote["b-uid"].ID)
	res := e.sync(l)
	if res.Local.Created != 1 || res.Remote.Created != 1 || res.Conflicts != 2 {
		t.Fatalf("sync = %+v; want one recreated per side, two conflicts", res)
	}
	local, remote := e.assertHarmony(l)
	if !strings.Contains(string(local["a-uid"]), "a2@example.org") || remoteEmail(remote["b-uid"]) != "b2@example.org" {
		t.Errorf("the modifications were not kept: a %s, b %q", local["a-uid"], remoteEmail(remote["b-uid"]))
	}
}

// One-way links never write to the receiving side; its own edits stay
// until the source changes the item.
func TestOneWayLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	l := e.newLink(store.KindContacts, "OneWay", func(l *store.Link) { l.Direction = store.ToNextcloud })
	e.createRemoteContact(l, "Rita", "R", "rita@example.org", "r-uid")
	e.createRemoteContact(l, "Umar", "U", "umar@example.org", "") // no UID: not tagged on a one-way link
	e.putLocal(l, "n", vcardText("n-uid", "Nora N", "nora@example.org"))
	e.ewsSim.ResetCounts()
	res := e.sync(l)
	if res.Local.Created != 2 || res.Remote.Created != 0 || res.Tagged != 0 {
		t.Fatalf("to-nextcloud first sync = %+v; want only local creates", res)
	}
	for op, n := range e.ewsSim.Counts() {
		if op != "SyncFolderItems" && op != "GetItem" && n > 0 {
			t.Errorf("to-nextcloud sync sent %d %s to Exchange", n, op)
		}
	}
	if got := len(e.remoteByUID(l)); got != 2 {
		t.Errorf("Exchange items = %d, want 2 (nothing sent)", got)
	}
	// Linking again finds the untagged item by its derived UID.
	if err := e.st.DeleteLink(e.ctx, testUser, l.ID); err != nil {
		t.Fatal(err)
	}
	l = e.linkPair(store.KindContacts, l.RemoteFolderID, l.LocalHref, func(l *store.Link) { l.Direction = store.ToNextcloud })
	if res := e.sync(l); res.Local.Created != 0 || res.Matched != 2 {
		t.Fatalf("to-nextcloud relink = %+v; want the two Exchange items matched", res)
	}
	// A local edit stays local; a later remote edit overwrites it.
	e.putLocal(l, "n", vcardText("n-uid", "Nora N", "nora2@example.org"))
	local := e.localByUID(l)
	var rhref string
	objs, _ := e.ncSim.Objects(l.LocalHref)
	for _, o := range objs {
		if o.UID == "r-uid" {
			rhref = o.Href
		}
	}
	if _, err := e.ncSim.PutObject(e.ctx, rhref, []byte(strings.Replace(string(local["r-uid"]), "rita@example.org", "local-edit@example.org", 1)), ""); err != nil {
		t.Fatal(err)
	}
	if res := e.sync(l); res.Remote != (Counts{}) {
		t.Fatalf("to-nextcloud sync wrote to Exchange: %+v", res)
	}
	e.setRemoteEmail(e.remoteByUID(l)["r-uid"].ID, "rita2@example.org")
	if res := e.sync(l); res.Local.Updated != 1 || res.Remote != (Counts{}) {
		t.Fatalf("to-nextcloud remote edit = %+v; want one local update", res)
	}
	if got := string(e.localByUID(l)["r-uid"]); !strings.Contains(got, "rita2@example.org") {
		t.Errorf("local rita = %s, want the Exchange edit", got)
	}
}

// A dry run reads and plans, and writes nothing anywhere.
func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	l := e.newLink(store.KindContacts, "Dry", nil)
	e.putLocal(l, "a", vcardText("a-uid", "Ann A", "a@example.org"))
	e.createRemoteContact(l, "Bea", "B", "b@example.org", "")
	e.ewsSim.ResetCounts()
	e.ncSim.ResetRequestCounts()
	res, err := e.eng.SyncLink(e.ctx, testUser, l.ID, RunOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Local.Created != 1 || res.Remote.Created != 1 || len(res.Planned) != 2 {
		t.Fatalf("dry run = %+v; want one create per side planned", res)
	}
	for op, n := range e.ewsSim.Counts() {
		if op != "SyncFolderItems" && op != "GetItem" && op != "GetAttachment" && n > 0 {
			t.Errorf("dry run sent %d %s", n, op)
		}
	}
	for k, n := range e.ncSim.RequestCounts() {
		if strings.HasPrefix(k, "PUT") || strings.HasPrefix(k, "DELETE") {
			t.Errorf("dry run sent %d %s", n, k)
		}
	}
	if n, _ := e.st.CorrelationCount(e.ctx, l.ID); n != 0 {
		t.Errorf("dry run stored %d correlations", n)
	}
	link, _ := e.st.Link(e.ctx, testUser, l.ID)
	if link.LocalSyncToken != "" || link.RemoteSyncState != "" || !link.LastRunAt.IsZero() {
		t.Errorf("dry run stored sync state: %+v", link)
	}
}

// racyEWS changes an item in Exchange just before the engine's first
// UpdateItem, as a user in Outlook would: the stale ChangeKey is refused,
// and the engine re-fetches and re-plans that item only.
type racyEWS struct {
	EWS
	once  atomic.Bool
	touch func()
}

func (r *racyEWS) UpdateItems(ctx context.Context, changes []wire.ItemChange, conflict string) ([]ews.ItemResult, error) {
	if r.once.CompareAndSwap(false, true) {
		r.touch()
	}
	return r.EWS.UpdateItems(ctx, changes, conflict)
}

// racyDAV changes an object in Nextcloud just before the engine's first
// PUT: the If-Match fails (412) and the engine re-plans.
type racyDAV struct {
	DAV
	once  atomic.Bool
	touch func()
}

func (r *racyDAV) PutMany(ctx context.Context, reqs []dav.PutRequest, parallel int) []dav.PutResult {
	if r.once.CompareAndSwap(false, true) {
		r.touch()
	}
	return r.DAV.PutMany(ctx, reqs, parallel)
}

func TestConcurrentEditsReplan(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	l := e.newLink(store.KindContacts, "Racy", func(l *store.Link) { l.ConflictPolicy = store.PolicyExchange })
	e.putLocal(l, "a", vcardText("a-uid", "Ann A", "a@example.org"))
	e.putLocal(l, "b", vcardText("b-uid", "Ben B", "b@example.org"))
	e.sync(l)
	remote := e.remoteByUID(l)
	// Exchange side races: a local edit of a meets a concurrent Outlook edit.
	deps := e.eng.deps
	e.eng.deps.EWS = func(ctx context.Context, a store.Account) (EWS, error) {
		c, err := deps.EWS(ctx, a)
		return &racyEWS{EWS: c, touch: func() { e.setRemoteEmail(remote["a-uid"].ID, "outlook@example.org") }}, err
	}
	e.eng.deps.DAV = func(ctx context.Context, u string) (DAV, error) {
		c, err := deps.DAV(ctx, u)
		return &racyDAV{DAV: c, touch: func() { e.putLocal(l, "b", vcardText("b-uid", "Ben B", "phone-edit@example.org")) }}, err
	}
	defer func() { e.eng.deps = deps }()
	e.putLocal(l, "a", vcardText("a-uid", "Ann A", "nextcloud@example.org"))
	e.setRemoteEmail(remote["b-uid"].ID, "b-outlook@example.org")
	res := e.sync(l)
	if len(res.Errors) != 0 {
		t.Fatalf("racy sync = %+v", res)
	}
	e.eng.deps = deps
	local, remote := e.assertHarmony(l)
	// a: Outlook's concurrent edit was not lost (exchange wins the conflict).
	if got := remoteEmail(remote["a-uid"]); got != "outlook@example.org" {
		t.Errorf("a in Exchange = %q, want the concurrent Outlook edit", got)
	}
	// b: the concurrent phone edit met Outlook's edit: a conflict, Exchange wins.
	if got := remoteEmail(remote["b-uid"]); got != "b-outlook@example.org" || !strings.Contains(string(local["b-uid"]), "b-outlook@example.org") {
		t.Errorf("b = %q / %s, want b-outlook everywhere", got, local["b-uid"])
	}
}

// A per-item failure is recorded with back-off and blocks nothing else.
func TestItemFailureRecordedAndRetried(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	var clock atomic.Int64
	clock.Store(now.UnixNano())
	e := newEnv(t, pgtest.DSN(t), Options{Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	l := e.newLink(store.KindCalendar, "Failing", nil)
	// An RRULE Exchange cannot hold (every minute) stays local and fails.
	bad := strings.Replace(string(singleICS("bad-uid", "Every minute", "20260110T120000Z", "20260110T120030Z")),
		"DTEND:", "RRULE:FREQ=MINUTELY;COUNT=5\r\nDTEND:", 1)
	e.putLocal(l, "bad", []byte(bad))
	e.putLocal(l, "good", singleICS("good-uid", "Fine", "20260111T120000Z", "20260111T130000Z"))
	res := e.sync(l)
	if res.Remote.Created != 1 || len(res.Errors) != 1 || res.Errors[0].UID != "bad-uid" {
		t.Fatalf("sync = %+v; want the good one created and one error for bad-uid", res)
	}
	c, err := e.st.CorrelationByUID(e.ctx, l.ID, "bad-uid")
	if err != nil || c.Failures != 1 || c.LastError == "" || !c.NextRetryAt.After(now) {
		t.Fatalf("failed correlation = %+v, %v; want one failure with a retry time", c, err)
	}
	// Not due yet: a quiet run does not touch it.
	if res := e.sync(l); len(res.Errors) != 0 {
		t.Errorf("early run retried: %+v", res)
	}
	clock.Store(c.NextRetryAt.Add(time.Second).UnixNano())
	res = e.sync(l)
	if len(res.Errors) != 1 {
		t.Fatalf("due run = %+v; want the retry to fail again", res)
	}
	c2, _ := e.st.CorrelationByUID(e.ctx, l.ID, "bad-uid")
	if c2.Failures != 2 || c2.NextRetryAt.Sub(c.NextRetryAt) < time.Minute {
		t.Errorf("second failure = %+v; want 2 failures and a longer back-off", c2)
	}
}
