package ewssim

import (
	"crypto/rand"
	"encoding/base64"
	"sort"
	"strconv"
	"sync"
)

// known is what a sync state knows about one item.
type known struct {
	id         string
	lastChange int64
	readChange int64
}

// snap is the server side of an opaque SyncState: the items the client has seen.
type snap struct {
	box    *mailbox
	folder *folder
	items  map[uint64]known
}

// snapStore keeps sync states, evicting the oldest beyond a limit (the client then gets
// ErrorInvalidSyncStateData and must resync, as with an expired Exchange state).
type snapStore struct {
	mu         sync.Mutex
	max        int // most states kept
	maxEntries int // most item entries kept over all states (bounds memory)
	entries    int
	byTok      map[string]*snap
	order      []string
}

func newSnapStore(max int) *snapStore {
	return &snapStore{max: max, maxEntries: 4 << 20, byTok: map[string]*snap{}}
}

func (s *snapStore) put(sn *snap) string {
	b := make([]byte, 24)
	rand.Read(b)
	tok := "H4sIAAAAAAAEAO29B2AcSZYlJi" + base64.StdEncoding.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byTok[tok] = sn
	s.order = append(s.order, tok)
	s.entries += len(sn.items)
	for len(s.order) > 1 && (len(s.order) > s.max || s.entries > s.maxEntries) {
		s.entries -= len(s.byTok[s.order[0]].items)
		delete(s.byTok, s.order[0])
		s.order = s.order[1:]
	}
	return tok
}

func (s *snapStore) get(tok string) *snap {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byTok[tok]
}

// change is one pending SyncFolderItems change.
type change struct {
	kind string // Create, Update, Delete, ReadFlagChange
	seq  int64
	num  uint64
	it   *item
	id   string
}

// opSyncFolderItems implements SyncFolderItems: every page replays exactly the changes
// since its SyncState, oldest first, at most MaxChangesReturned (1..512, enforced by the schema)
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitems-operation).
func opSyncFolderItems(c *opCtx) *node {
	req := c.env.Body
	m := c.box
	fail := func(e *opError) *node {
		msg := errMsg("SyncFolderItemsResponseMessage", e)
		msg.add(&node{Space: "m", Local: "SyncState"}, &node{Space: "m", Local: "IncludesLastItemInRange", Text: "true"})
		return response("SyncFolderItems", msg)
	}
	f, err := firstFolder(m, req.child("SyncFolderId"))
	if err != nil {
		return fail(err)
	}
	sh, err := parseShape(req.child("ItemShape"))
	if err != nil {
		return fail(err)
	}
	prev := map[uint64]known{}
	if tok := req.childText("SyncState"); tok != "" {
		sn := c.s.snaps.get(tok)
		if sn == nil || sn.box != m || sn.folder != f {
			return fail(errf("ErrorInvalidSyncStateData", ""))
		}
		prev = sn.items
	}
	limit, _ := strconv.Atoi(req.childText("MaxChangesReturned"))
	ignore := map[string]bool{}
	if ig := req.child("Ignore"); ig != nil {
		for _, k := range ig.Kids {
			ignore[k.attr("Id")] = true
		}
	}
	var changes []change
	for num, it := range f.items {
		k, ok := prev[num]
		switch {
		case !ok:
			changes = append(changes, change{kind: "Create", seq: it.lastChange, num: num, it: it})
		case k.lastChange != it.lastChange:
			changes = append(changes, change{kind: "Update", seq: it.lastChange, num: num, it: it})
		case k.readChange != it.readChange:
			changes = append(changes, change{kind: "ReadFlagChange", seq: it.readChange, num: num, it: it})
		}
	}
	for num, k := range prev {
		if _, ok := f.items[num]; !ok {
			seq := int64(0)
			if t, ok := f.tombs[num]; ok {
				seq = t.seq
			}
			changes = append(changes, change{kind: "Delete", seq: seq, num: num, id: k.id})
		}
	}
	sort.Slice(changes, func(i, j int) bool {
		if changes[i].seq != changes[j].seq {
			return changes[i].seq < changes[j].seq
		}
		return changes[i].num < changes[j].num
	})
	last := len(changes) <= limit
	if !last {
		changes = changes[:limit]
	}
	next := make(map[uint64]known, len(prev)+len(changes))
	for k, v := range prev {
		next[k] = v
	}
	out := &node{Space: "m", Local: "Changes"}
	for _, ch := range changes {
		switch ch.kind {
		case "Delete":
			delete(next, ch.num)
			out.add(el("Delete", "").add(el("ItemId", "", "Id", ch.id)))
			continue
		}
		next[ch.num] = known{id: ch.it.id, lastChange: ch.it.lastChange, readChange: ch.it.readChange}
		if ignore[ch.it.id] {
			continue
		}
		switch ch.kind {
		case "ReadFlagChange":
			read := ch.it.props.childText("IsRead")
			if read == "" {
				read = "false"
			}
			out.add(el("ReadFlagChange", "").add(itemIDNode(ch.it.id, ch.it.changeKey), el("IsRead", read)))
		default:
			out.add(el(ch.kind, "").add(project(fullItem(m, ch.it), ch.it.kind, sh)))
		}
	}
	tok := c.s.snaps.put(&snap{box: m, folder: f, items: next})
	msg := respMsg("SyncFolderItemsResponseMessage", "NoError", "")
	msg.add(&node{Space: "m", Local: "SyncState", Text: tok},
		&node{Space: "m", Local: "IncludesLastItemInRange", Text: strconv.FormatBool(last)}, out)
	return response("SyncFolderItems", msg)
}
