package harmony

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/contact"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/nextcloudsim"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// The model test runs random sequences in the spirit of vdirsyncer's
// SyncMachine: random creates, updates and deletes on both sides, conflicting
// edits, server faults (throttling, 5xx, dropped connections) and crashes
// between requests; after each quiet sync both sides must hold exactly what
// the policy says survives, with no UID twice. HARMONY_MODEL_SEED and
// HARMONY_MODEL_SEQS reproduce or widen a run.

// mItem is the model's view of one UID.
type mItem struct {
	exists bool   // present on both sides after the last quiet sync
	email  string // its content then
	href   string // Nextcloud href
	rid    string // Exchange item id

	created     bool // created in this round
	createdMail string
	lMod, rMod  string // last email written this round per side ("" none)
	lDel, rDel  bool
}

type modelRun struct {
	e      *env
	t      *testing.T
	rng    *rand.Rand
	seq    int
	link   store.Link
	kind   store.LinkKind
	items  map[string]*mItem
	n      int
	policy store.ConflictPolicy
	log    []string
}

func modelSeed() uint64 {
	if s := os.Getenv("HARMONY_MODEL_SEED"); s != "" {
		if v, err := strconv.ParseUint(s, 10, 64); err == nil {
			return v
		}
	}
	return 20261124
}

func modelSeqs() int {
	if s := os.Getenv("HARMONY_MODEL_SEQS"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 {
			return v
		}
	}
	if testing.Short() {
		return 100
	}
	return 1000
}

func TestModelRandomSequences(t *testing.T) {
	runModel(t, store.KindContacts, modelSeqs())
}

// TestModelRandomSequencesCalendar runs the model on calendars, a fifth of
// the events recurring with a moved occurrence.
func TestModelRandomSequencesCalendar(t *testing.T) {
	runModel(t, store.KindCalendar, max(modelSeqs()/5, 20))
}

func runModel(t *testing.T, kind store.LinkKind, seqs int) {
	e := newEnv(t, pgtest.DSN(t), Options{DeleteShare: -1, NoEmptyGuard: true, RetryBase: time.Nanosecond, RetryMax: time.Nanosecond, PageSize: 4})
	var ncFault atomic.Int64 // fail the n-th next DAV request with the status stored in ncStatus
	var ncStatus atomic.Int64
	e.ncSim.SetFaults(func(r *http.Request) int {
		if ncFault.Load() > 0 && ncFault.Add(-1) == 0 {
			return int(ncStatus.Load())
		}
		return 0
	})
	seed := modelSeed()
	for seq := range seqs {
		m := &modelRun{e: e, t: t, kind: kind, rng: rand.New(rand.NewPCG(seed, uint64(seq))), seq: seq, items: map[string]*mItem{}}
		m.policy = []store.ConflictPolicy{store.PolicyNewest, store.PolicyExchange, store.PolicyNextcloud}[m.rng.IntN(3)]
		m.link = e.newLink(kind, fmt.Sprintf("M%s%d", kind[:3], seq), func(l *store.Link) { l.ConflictPolicy = m.policy })
		rounds := 1 + m.rng.IntN(3)
		for round := range rounds {
			ops := m.rng.IntN(5)
			if round == 0 {
				ops += 2
			}
			for range ops {
				m.op()
			}
			// Crashes and faults, then quiet syncs until nothing changes.
			if m.rng.IntN(2) == 0 {
				// Half the crashes kill the run (its context is cancelled at the
				// crash, so nothing after it is committed); the others only
				// cut the network, so the run records its failures.
				ctx, cancel := context.WithCancel(e.ctx)
				kill := m.rng.IntN(2) == 0
				if kill {
					e.onCrash.Store(&cancel)
				}
				e.requests.Store(0)
				e.failAfter.Store(int64(1 + m.rng.IntN(14)))
				_, err := e.eng.SyncLink(ctx, testUser, m.link.ID, RunOptions{})
				e.failAfter.Store(0)
				e.onCrash.Store(nil)
				cancel()
				m.log = append(m.log, fmt.Sprintf("crash (kill %v) after %d requests: %v", kill, e.requests.Load(), err != nil))
			}
			if m.rng.IntN(3) == 0 {
				switch m.rng.IntN(5) {
				case 0:
					e.ewsSim.Faults().ThrottleNext(1+m.rng.IntN(2), time.Millisecond)
				case 1:
					e.ewsSim.Faults().UnavailableNext(1, time.Millisecond)
				case 2:
					e.ewsSim.Faults().DropNext(1)
				case 3:
					ncStatus.Store(503)
					ncFault.Store(int64(1 + m.rng.IntN(4)))
				case 4:
					ncStatus.Store(nextcloudsim.FaultDrop)
					ncFault.Store(int64(1 + m.rng.IntN(4)))
				}
				_, err := e.eng.SyncLink(e.ctx, testUser, m.link.ID, RunOptions{})
				e.ewsSim.Faults().Reset()
				ncFault.Store(0)
				m.log = append(m.log, fmt.Sprintf("faulty sync: %v", err))
			}
			m.settle()
		}
	}
}

func (m *modelRun) fail(format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("seed %d %s sequence %d (policy %s): %s\nlog:\n%v", modelSeed(), m.kind, m.seq, m.policy, fmt.Sprintf(format, args...), m.log)
}

// live returns the UIDs present on both sides at the last quiet sync and
// not deleted on side local (or remote) since.
func (m *modelRun) live(local bool) []string {
	var out []string
	for u, it := range m.items {
		if it.exists && ((local && !it.lDel) || (!local && !it.rDel)) {
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out
}

func (m *modelRun) ext() string {
	if m.kind == store.KindCalendar {
		return ".ics"
	}
	return ".vcf"
}

func (m *modelRun) mail() string {
	m.n++
	return fmt.Sprintf("v%d@example.org", m.n)
}

// localData is the object a user writes in Nextcloud for uid with content
// c: a contact whose email is c, or an event whose summary is c (a weekly
// series with a moved occurrence when recurring).
func (m *modelRun) localData(uid, c string, recurring bool) []byte {
	if m.kind == store.KindContacts {
		return vcardText(uid, "Person "+uid, c)
	}
	if recurring {
		return weeklyICS(uid, c, []string{"20260119T090000Z"}, map[string]string{"20260126T090000Z": c + " (moved)"})
	}
	return singleICS(uid, c, "20260110T120000Z", "20260110T130000Z")
}

// createRemote creates an item in Exchange as another client would and
// returns its UID (derived when it has none) and id.
func (m *modelRun) createRemote(uid, c string, tagged bool) (string, string) {
	e := m.e
	if m.kind == store.KindContacts {
		id := e.createRemoteContact(m.link, "Person", uid, c, map[bool]string{true: uid}[tagged])
		if !tagged {
			uid = derivedUID(id.Id)
		}
		return uid, id.Id
	}
	// Exchange keeps the iCalendar UID in t:UID, so an untagged event keeps it.
	id := e.createRemoteEvent(m.link, m.localData(uid, c, m.rng.IntN(5) == 0))
	return uid, id.Id
}

// updateRemote changes an Exchange item's content to c, as Outlook would.
func (m *modelRun) updateRemote(id, c string) error {
	var up wire.Update
	if m.kind == store.KindContacts {
		ct := &wire.Contact{EmailAddresses: &wire.EmailAddresses{Entry: []wire.EmailAddressEntry{{Key: "EmailAddress1", Value: c}}}}
		up = wire.Update{Kind: wire.SetField, Path: wire.Indexed("contacts:EmailAddress", "EmailAddress1"), Item: wire.Item{Contact: ct}}
	} else {
		ci := &wire.CalendarItem{ItemFields: wire.ItemFields{Subject: c}}
		up = wire.Update{Kind: wire.SetField, Path: wire.Field("item:Subject"), Item: wire.Item{CalendarItem: ci}}
	}
	res, err := m.e.ews.UpdateItems(m.e.ctx, []wire.ItemChange{{ItemId: &wire.ItemId{Id: id}, Updates: wire.Updates{up}}}, ews.AlwaysOverwrite)
	if err == nil && res[0].Err != nil {
		err = res[0].Err
	}
	return err
}

// localContent and remoteContent read the content back.
func (m *modelRun) localContent(li *localItem) string {
	if m.kind == store.KindContacts {
		c, _ := contact.CanonicalVCard(li.Card)
		return c["email.EmailAddress1"]
	}
	for _, c := range li.Cal.Children {
		if c.Name == "VEVENT" && c.Props.Get("RECURRENCE-ID") == nil {
			if p := c.Props.Get("SUMMARY"); p != nil {
				return p.Value
			}
		}
	}
	return ""
}

func (m *modelRun) remoteContent(r *remoteItem) string {
	if m.kind == store.KindContacts {
		c, _ := contact.CanonicalEWS(r.Contact, r.Photo)
		return c["email.EmailAddress1"]
	}
	return r.Master.Subject
}

// op applies one random user operation.
func (m *modelRun) op() {
	e := m.e
	switch m.rng.IntN(6) {
	case 0: // create in Nextcloud
		m.n++
		uid := fmt.Sprintf("l%d-%d", m.seq, m.n)
		it := &mItem{created: true, createdMail: m.mail(), href: m.link.LocalHref + "c" + strconv.Itoa(m.n) + m.ext()}
		if _, err := e.ncSim.PutObject(e.ctx, it.href, m.localData(uid, it.createdMail, m.rng.IntN(5) == 0), ""); err != nil {
			m.fail("PutObject = %v", err)
		}
		m.items[uid] = it
		m.log = append(m.log, "create local "+uid)
	case 1: // create in Exchange, with or without the UID property
		m.n++
		uid := fmt.Sprintf("r%d-%d", m.seq, m.n)
		tagged := m.rng.IntN(2) == 0
		it := &mItem{created: true, createdMail: m.mail()}
		uid, it.rid = m.createRemote(uid, it.createdMail, tagged)
		m.items[uid] = it
		m.log = append(m.log, "create remote "+uid)
	case 2: // update in Nextcloud
		if uids := m.live(true); len(uids) > 0 {
			uid := uids[m.rng.IntN(len(uids))]
			it := m.items[uid]
			it.lMod = m.mail()
			if _, err := e.ncSim.PutObject(e.ctx, it.href, m.localData(uid, it.lMod, m.rng.IntN(5) == 0), ""); err != nil {
				m.fail("PutObject(%s) = %v", it.href, err)
			}
			m.log = append(m.log, "update local "+uid+" "+it.lMod)
		}
	case 3: // update in Exchange
		if uids := m.live(false); len(uids) > 0 {
			uid := uids[m.rng.IntN(len(uids))]
			it := m.items[uid]
			it.rMod = m.mail()
			if err := m.updateRemote(it.rid, it.rMod); err != nil {
				m.fail("update remote %s = %v", uid, err)
			}
			m.log = append(m.log, "update remote "+uid+" "+it.rMod)
		}
	case 4: // delete in Nextcloud
		if uids := m.live(true); len(uids) > 0 {
			uid := uids[m.rng.IntN(len(uids))]
			it := m.items[uid]
			if err := e.ncSim.DeleteObject(e.ctx, it.href); err != nil {
				m.fail("DeleteObject(%s) = %v", it.href, err)
			}
			it.lDel, it.lMod = true, ""
			m.log = append(m.log, "delete local "+uid)
		}
	case 5: // delete in Exchange
		if uids := m.live(false); len(uids) > 0 {
			uid := uids[m.rng.IntN(len(uids))]
			it := m.items[uid]
			res, err := e.ews.DeleteItems(e.ctx, wire.ItemRefs{ews.ItemRef(wire.ItemId{Id: it.rid})}, "HardDelete")
			if err != nil || res[0].Err != nil {
				m.fail("DeleteItems(%s) = %v %v", uid, err, res)
			}
			it.rDel, it.rMod = true, ""
			m.log = append(m.log, "delete remote "+uid)
		}
	}
}

// expected returns what must survive the round and with which email.
func (m *modelRun) expected() map[string]string {
	out := map[string]string{}
	for u, it := range m.items {
		switch {
		case it.created:
			out[u] = it.createdMail
		case !it.exists:
		case it.lDel && it.rDel:
		case it.lDel && it.rMod != "":
			out[u] = it.rMod
		case it.rDel && it.lMod != "":
			out[u] = it.lMod
		case it.lDel || it.rDel:
		case it.lMod != "" && it.rMod != "":
			if m.policy == store.PolicyNextcloud {
				out[u] = it.lMod
			} else {
				out[u] = it.rMod // newest: our test cards carry no REV, so Exchange's time wins
			}
		case it.lMod != "":
			out[u] = it.lMod
		case it.rMod != "":
			out[u] = it.rMod
		default:
			out[u] = it.email
		}
	}
	return out
}

// settle syncs until quiet and checks both sides against the model.
func (m *modelRun) settle() {
	e := m.e
	var last Result
	for i := 0; ; i++ {
		res, err := e.eng.SyncLink(e.ctx, testUser, m.link.ID, RunOptions{})
		if err != nil {
			m.fail("quiet sync %d = %v", i, err)
		}
		last = res
		if !res.Changed() && len(res.Errors) == 0 {
			break
		}
		if i == 4 {
			m.fail("no quiet sync after 5 runs: last %+v", last)
		}
	}
	want := m.expected()
	local := map[string]string{}
	hashes := map[string]string{}
	objs, err := e.ncSim.Objects(m.link.LocalHref)
	if err != nil {
		m.fail("Objects = %v", err)
	}
	for _, o := range objs {
		li, err := kindFor(m.kind, Options{}).parseLocal(dav.Object{Href: o.Href, Data: o.Data})
		if err != nil {
			m.fail("parse %s = %v", o.Href, err)
		}
		if _, dup := local[li.UID]; dup {
			m.fail("uid %s twice in Nextcloud", li.UID)
		}
		local[li.UID] = m.localContent(li)
		hashes[li.UID] = li.Hash
	}
	remote := map[string]string{}
	for u, it := range e.remoteByUID(m.link) {
		remote[u] = m.remoteContent(it)
		if hashes[u] != it.Hash {
			m.fail("uid %s: Nextcloud and Exchange hold different content (hash %s vs %s)", u, hashes[u], it.Hash)
		}
	}
	if fmt.Sprint(local) != fmt.Sprint(want) || fmt.Sprint(remote) != fmt.Sprint(want) {
		m.fail("after a quiet sync:\nNextcloud %v\nExchange  %v\nwant      %v", local, remote, want)
	}
	// The new round starts from what the engine correlated.
	corrs, err := e.st.Correlations(context.Background(), m.link.ID)
	if err != nil {
		m.fail("Correlations = %v", err)
	}
	m.items = map[string]*mItem{}
	for _, c := range corrs {
		if c.LocalHref == "" || c.RemoteID == "" {
			m.fail("correlation %s has one side only after a quiet sync: %+v", c.UID, c)
		}
		m.items[c.UID] = &mItem{exists: true, email: want[c.UID], href: c.LocalHref, rid: c.RemoteID}
	}
	if len(m.items) != len(want) {
		m.fail("correlations = %d, want %d", len(m.items), len(want))
	}
	m.log = append(m.log, "settled")
}
