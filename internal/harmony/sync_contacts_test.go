package harmony

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/contact"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/store"
)

func vcardText(uid, fn, email string) []byte {
	given, family, _ := strings.Cut(fn, " ")
	s := "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:" + uid + "\r\nFN:" + fn + "\r\nN:" + family + ";" + given + ";;;\r\n"
	if email != "" {
		s += "EMAIL;TYPE=INTERNET:" + email + "\r\n"
	}
	return []byte(s + "END:VCARD\r\n")
}

// putLocal stores an object in Nextcloud (unconditionally) and returns its href.
func (e *env) putLocal(l store.Link, name string, data []byte) string {
	e.t.Helper()
	ext := ".vcf"
	if l.Kind == store.KindCalendar {
		ext = ".ics"
	}
	href := l.LocalHref + name + ext
	if _, err := e.ncSim.PutObject(e.ctx, href, data, ""); err != nil {
		e.t.Fatalf("PutObject(%s) = %v", href, err)
	}
	return href
}

// localByUID lists the Nextcloud objects of l by UID; a UID twice fails.
func (e *env) localByUID(l store.Link) map[string][]byte {
	e.t.Helper()
	objs, err := e.ncSim.Objects(l.LocalHref)
	if err != nil {
		e.t.Fatalf("Objects(%s) = %v", l.LocalHref, err)
	}
	out := map[string][]byte{}
	for _, o := range objs {
		if _, dup := out[o.UID]; dup {
			e.t.Fatalf("uid %q twice in Nextcloud", o.UID)
		}
		out[o.UID] = o.Data
	}
	return out
}

// remoteByUID lists the Exchange items of l with their content, by the
// app's UID property; an item without one or a UID twice fails.
func (e *env) remoteByUID(l store.Link) map[string]*remoteItem {
	e.t.Helper()
	var items []*remoteItem
	_, err := e.ews.SyncFolderItems(e.ctx, ews.FolderID(l.RemoteFolderID), "", nil, func(_ context.Context, p ews.SyncPage) error {
		for _, c := range p.Changes {
			if id := c.Id(); id != nil && c.Kind == wire.ChangeCreate {
				items = append(items, &remoteItem{ID: id.Id})
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatalf("SyncFolderItems() = %v", err)
	}
	k := kindFor(l.Kind, Options{})
	for i, err := range k.fetch(e.ctx, e.ews, items) {
		if err != nil {
			e.t.Fatalf("fetch %s = %v", items[i].ID, err)
		}
	}
	out := map[string]*remoteItem{}
	for _, it := range items {
		var uid string
		if it.Contact != nil {
			uid = contact.ContactUID(it.Contact)
		} else {
			uid, _ = it.Master.Extended(wire.UIDProperty)
		}
		if uid == "" {
			uid = "<untagged " + it.ID + ">" // fails any comparison with the expected UIDs
		}
		if _, dup := out[uid]; dup {
			e.t.Fatalf("uid %q twice in Exchange", uid)
		}
		out[uid] = it
	}
	return out
}

func (e *env) createRemoteContact(l store.Link, given, family, email string, uid string) wire.ItemId {
	e.t.Helper()
	c := &wire.Contact{GivenName: given, Surname: family, DisplayName: given + " " + family, FileAs: given + " " + family}
	if email != "" {
		c.EmailAddresses = &wire.EmailAddresses{Entry: []wire.EmailAddressEntry{{Key: "EmailAddress1", Value: email}}}
	}
	if uid != "" {
		c.SetExtended(wire.UIDProperty, uid)
	}
	f := ews.FolderID(l.RemoteFolderID)
	res, err := e.ews.CreateItems(e.ctx, &f, wire.Items{{Contact: c}})
	if err != nil || res[0].Err != nil {
		e.t.Fatalf("CreateItems() = %v, %v", err, res)
	}
	return *res[0].Item().Fields().ItemId
}

// assertHarmony checks that both sides hold the same UIDs with the same
// mapped content, and that the correlations match.
func (e *env) assertHarmony(l store.Link) (map[string][]byte, map[string]*remoteItem) {
	e.t.Helper()
	local, remote := e.localByUID(l), e.remoteByUID(l)
	k := kindFor(l.Kind, Options{})
	var lu, ru []string
	for u, data := range local {
		lu = append(lu, u)
		li, err := k.parseLocal(dav.Object{Href: "x", Data: data})
		if err != nil {
			e.t.Fatalf("parse local %s: %v", u, err)
		}
		if r := remote[u]; r != nil && r.Hash != li.Hash {
			e.t.Errorf("uid %s: local hash %s != remote hash %s\nlocal:\n%s", u, li.Hash, r.Hash, data)
		}
	}
	for u := range remote {
		ru = append(ru, u)
	}
	sort.Strings(lu)
	sort.Strings(ru)
	if fmt.Sprint(lu) != fmt.Sprint(ru) {
		e.t.Fatalf("UIDs differ:\nNextcloud %v\nExchange  %v", lu, ru)
	}
	n, err := e.st.CorrelationCount(e.ctx, l.ID)
	if err != nil || n != len(lu) {
		e.t.Errorf("CorrelationCount = %d, %v; want %d", n, err, len(lu))
	}
	return local, remote
}

func TestSyncContactsEndToEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	l := e.newLink(store.KindContacts, "Friends", nil)
	e.createRemoteContact(l, "Ada", "Lovelace", "ada@example.org", "")
	e.createRemoteContact(l, "Alan", "Turing", "alan@example.org", "alan-uid")
	e.putLocal(l, "grace", vcardText("grace-uid", "Grace Hopper", "grace@example.org"))

	res := e.sync(l)
	if res.Local.Created != 2 || res.Remote.Created != 1 || len(res.Errors) != 0 {
		t.Fatalf("first sync = %+v; want 2 local and 1 remote created", res)
	}
	if res.Tagged != 1 {
		t.Errorf("first sync Tagged = %d, want 1 (Ada had no UID)", res.Tagged)
	}
	local, _ := e.assertHarmony(l)
	if len(local) != 3 {
		t.Fatalf("local items = %d, want 3", len(local))
	}

	// A quiet cycle: one SyncFolderItems, one sync-collection, no write.
	e.ewsSim.ResetCounts()
	e.ncSim.ResetRequestCounts()
	if res := e.sync(l); res.Changed() || res.Conflicts != 0 {
		t.Fatalf("quiet sync = %+v, want no change", res)
	}
	if got := e.ewsSim.Counts(); len(got) != 1 || got["SyncFolderItems"] != 1 {
		t.Errorf("quiet cycle EWS requests = %v, want one SyncFolderItems", got)
	}
	if got := e.ncSim.RequestCounts(); sumCounts(got) != 1 {
		t.Errorf("quiet cycle DAV requests = %v, want one REPORT", got)
	}

	// A local edit goes to Exchange; a remote edit comes to Nextcloud.
	e.putLocal(l, "grace", vcardText("grace-uid", "Grace B. Hopper", "grace@navy.mil"))
	r := e.remoteByUID(l)["alan-uid"]
	upd := &wire.Contact{GivenName: "Alan M."}
	ures, err := e.ews.UpdateItems(e.ctx, []wire.ItemChange{{ItemId: &wire.ItemId{Id: r.ID, ChangeKey: r.ChangeKey},
		Updates: wire.Updates{{Kind: wire.SetField, Path: wire.Field("contacts:GivenName"), Item: wire.Item{Contact: upd}}}}}, ews.AutoResolve)
	if err != nil || ures[0].Err != nil {
		t.Fatalf("UpdateItems() = %v, %v", err, ures)
	}
	res = e.sync(l)
	if res.Local.Updated != 1 || res.Remote.Updated != 1 || len(res.Errors) != 0 {
		t.Fatalf("edit sync = %+v; want one update per side", res)
	}
	local, remote := e.assertHarmony(l)
	if !strings.Contains(string(local["alan-uid"]), "Alan M.") {
		t.Errorf("local alan = %s, want the remote given name", local["alan-uid"])
	}
	if got := remote["grace-uid"].Contact.EmailAddresses; got == nil || got.Entry[0].Value != "grace@navy.mil" {
		t.Errorf("remote grace emails = %+v, want grace@navy.mil", got)
	}

	// Deletions travel both ways.
	if err := e.ncSim.DeleteObject(e.ctx, l.LocalHref+"grace.vcf"); err != nil {
		t.Fatal(err)
	}
	dres, err := e.ews.DeleteItems(e.ctx, wire.ItemRefs{ews.ItemRef(wire.ItemId{Id: remote["alan-uid"].ID})}, "HardDelete")
	if err != nil || dres[0].Err != nil {
		t.Fatalf("DeleteItems() = %v, %v", err, dres)
	}
	res = e.sync(l)
	if res.Local.Deleted != 1 || res.Remote.Deleted != 1 {
		t.Fatalf("delete sync = %+v; want one delete per side", res)
	}
	local, _ = e.assertHarmony(l)
	if len(local) != 1 {
		t.Errorf("items left = %d, want 1", len(local))
	}
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func (e *env) deleteRemote(id string) {
	e.t.Helper()
	res, err := e.ews.DeleteItems(e.ctx, wire.ItemRefs{ews.ItemRef(wire.ItemId{Id: id})}, "HardDelete")
	if err != nil || res[0].Err != nil {
		e.t.Fatalf("DeleteItems(%s) = %v, %v", id, err, res)
	}
}
