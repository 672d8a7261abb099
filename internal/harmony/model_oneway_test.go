package harmony

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/contact"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// TestModelOneWay runs random sequences on one-way links. The invariants:
// the engine never writes to the source side (it holds exactly what the
// model wrote there); what the source created or changed in a round is on
// the receiving side with the source's content after a quiet sync; what the
// source deleted is gone from the receiving side unless that side changed
// it in the same round; and no UID is ever twice on either side.
func TestModelOneWay(t *testing.T) {
	e := newEnv(t, pgtest.DSN(t), Options{DeleteShare: -1, NoEmptyGuard: true, PageSize: 3, RetryBase: time.Nanosecond, RetryMax: time.Nanosecond})
	seqs := max(modelSeqs()/20, 20)
	for seq := range seqs {
		rng := rand.New(rand.NewPCG(modelSeed()+1, uint64(seq)))
		dir := []store.Direction{store.ToNextcloud, store.ToExchange}[seq%2]
		l := e.newLink(store.KindContacts, fmt.Sprintf("OW%d", seq), func(l *store.Link) { l.Direction = dir })
		m := &oneWay{e: e, t: t, rng: rng, l: l, dir: dir, seq: seq, source: map[string]string{}}
		for range 1 + rng.IntN(3) {
			m.round()
		}
	}
}

type oneWay struct {
	e      *env
	t      *testing.T
	rng    *rand.Rand
	l      store.Link
	dir    store.Direction
	seq, n int
	source map[string]string // UID → email on the source side, as the model wrote it
	log    []string
}

func (m *oneWay) fail(format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("seed %d one-way %s sequence %d: %s\nlog: %v", modelSeed()+1, m.dir, m.seq, fmt.Sprintf(format, args...), m.log)
}

// side lists one side's contacts: UID → email, and UID → href or item id.
func (m *oneWay) side(local bool) (map[string]string, map[string]string) {
	content, where := map[string]string{}, map[string]string{}
	if local {
		objs, err := m.e.ncSim.Objects(m.l.LocalHref)
		if err != nil {
			m.fail("Objects = %v", err)
		}
		for _, o := range objs {
			li, err := contacts{}.parseLocal(dav.Object{Href: o.Href, Data: o.Data})
			if err != nil {
				m.fail("parse = %v", err)
			}
			if _, dup := content[li.UID]; dup {
				m.fail("uid %s twice in Nextcloud", li.UID)
			}
			c, _ := contact.CanonicalVCard(li.Card)
			content[li.UID], where[li.UID] = c["email.EmailAddress1"], o.Href
		}
		return content, where
	}
	for u, it := range m.e.remoteByUID(m.l) {
		c, _ := contact.CanonicalEWS(it.Contact, it.Photo)
		content[u], where[u] = c["email.EmailAddress1"], it.ID
	}
	return content, where
}

func (m *oneWay) write(local bool, uid, where, email string) {
	if local {
		href := where
		if href == "" {
			href = m.l.LocalHref + uid + ".vcf"
		}
		if _, err := m.e.ncSim.PutObject(m.e.ctx, href, vcardText(uid, "Person "+uid, email), ""); err != nil {
			m.fail("PutObject = %v", err)
		}
		return
	}
	if where == "" {
		m.e.createRemoteContact(m.l, "Person", uid, email, uid)
		return
	}
	m.e.setRemoteEmail(where, email)
}

func (m *oneWay) remove(local bool, where string) {
	if local {
		if err := m.e.ncSim.DeleteObject(m.e.ctx, where); err != nil {
			m.fail("DeleteObject = %v", err)
		}
		return
	}
	m.e.deleteRemote(where)
}

func (m *oneWay) round() {
	srcLocal := m.dir == store.ToExchange
	_, srcWhere := m.side(srcLocal)
	_, rcvWhere := m.side(!srcLocal)
	changed := map[string]bool{} // source created or updated
	deleted := map[string]bool{} // source deleted
	rcvTouched := map[string]bool{}
	pick := func(w map[string]string) (string, string, bool) {
		if len(w) == 0 {
			return "", "", false
		}
		uids := make([]string, 0, len(w))
		for u := range w {
			uids = append(uids, u)
		}
		sort.Strings(uids)
		u := uids[m.rng.IntN(len(uids))]
		return u, w[u], true
	}
	for range 1 + m.rng.IntN(5) {
		m.n++
		email := fmt.Sprintf("w%d@example.org", m.n)
		switch m.rng.IntN(6) {
		case 0, 1: // source creates or updates
			uid, where, ok := pick(srcWhere)
			if !ok || m.rng.IntN(2) == 0 {
				uid, where = fmt.Sprintf("s%d-%d", m.seq, m.n), ""
			}
			m.write(srcLocal, uid, where, email)
			m.source[uid], changed[uid] = email, true
			delete(deleted, uid)
			m.log = append(m.log, "source write "+uid)
		case 2: // source deletes
			if uid, where, ok := pick(srcWhere); ok {
				m.remove(srcLocal, where)
				delete(srcWhere, uid)
				delete(m.source, uid)
				delete(changed, uid)
				deleted[uid] = true
				m.log = append(m.log, "source delete "+uid)
			}
		case 3, 4: // the receiving side edits or creates
			uid, where, ok := pick(rcvWhere)
			if !ok || m.rng.IntN(3) == 0 {
				uid, where = fmt.Sprintf("x%d-%d", m.seq, m.n), ""
			}
			m.write(!srcLocal, uid, where, email)
			rcvTouched[uid] = true
			m.log = append(m.log, "receiver write "+uid)
		case 5: // the receiving side deletes
			if uid, where, ok := pick(rcvWhere); ok {
				m.remove(!srcLocal, where)
				delete(rcvWhere, uid)
				rcvTouched[uid] = true
				m.log = append(m.log, "receiver delete "+uid)
			}
		}
		_, srcWhere = m.side(srcLocal)
		_, rcvWhere = m.side(!srcLocal)
	}
	if m.rng.IntN(2) == 0 { // a crash on the way
		m.e.requests.Store(0)
		m.e.failAfter.Store(int64(1 + m.rng.IntN(10)))
		_, _ = m.e.eng.SyncLink(context.Background(), testUser, m.l.ID, RunOptions{})
		m.e.failAfter.Store(0)
	}
	for i := 0; ; i++ {
		res, err := m.e.eng.SyncLink(m.e.ctx, testUser, m.l.ID, RunOptions{})
		if err != nil {
			m.fail("sync = %v", err)
		}
		if (m.dir == store.ToNextcloud && res.Remote != (Counts{})) || (m.dir == store.ToExchange && res.Local != (Counts{})) || res.Tagged > 0 && m.dir == store.ToNextcloud {
			m.fail("the engine wrote to the source side: %+v", res)
		}
		if !res.Changed() && len(res.Errors) == 0 {
			break
		}
		if i == 4 {
			m.fail("no quiet sync: %+v", res)
		}
	}
	src, _ := m.side(srcLocal)
	rcv, _ := m.side(!srcLocal)
	if fmt.Sprint(src) != fmt.Sprint(m.source) {
		m.fail("source side = %v, want exactly what was written %v", src, m.source)
	}
	for u := range changed {
		if rcv[u] != m.source[u] {
			m.fail("uid %s: receiver has %q, want the source's %q (receiver %v)", u, rcv[u], m.source[u], rcv)
		}
	}
	for u := range deleted {
		if _, ok := rcv[u]; ok && !rcvTouched[u] {
			m.fail("uid %s deleted at the source is still on the receiving side", u)
		}
	}
	m.log = append(m.log, "settled")
}
