package nextcloudsim

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// collKind tells calendars from address books.
type collKind int

const (
	kindCalendar collKind = iota
	kindAddressBook
)

// Change operations of the calendarchanges/addressbookchanges tables.
const (
	opAdd    = 1
	opModify = 2
	opDelete = 3
)

// syncTokenPrefix is sabre/dav's Sync plugin token prefix.
const syncTokenPrefix = "http://sabre.io/ns/sync/"

// davObject is one calendar object or vCard.
type davObject struct {
	id           int
	uri          string
	data         []byte
	etag         string // quoted
	uid          string
	component    string // "vevent", "vtodo", "vjournal" or "vcard"
	lastModified time.Time
	cal          *ical.Calendar // parsed calendar data (calendars only)
}

// change is one row of the change log of a collection.
type change struct {
	token int
	uri   string
	op    int
}

// davCollection is a calendar or an address book.
type davCollection struct {
	id          int
	kind        collKind
	owner       string
	uri         string
	displayName string
	color       string
	description string
	components  []string // supported calendar components (upper case)
	order       int
	syncToken   int
	minToken    int // tokens below it were pruned and are invalid
	changes     []change
	objects     map[string]*davObject
	byUID       map[string]string
}

// trashed is a calendar object in a user's trash bin.
type trashed struct {
	obj       *davObject
	calID     int
	calURI    string
	deletedAt time.Time
}

// davStore holds every user's collections.
type davStore struct {
	nextCalID, nextBookID, nextObjID, nextCardID int
	cals                                         map[string][]*davCollection
	books                                        map[string][]*davCollection
	trash                                        map[string][]*trashed
}

func newDAVStore() *davStore {
	return &davStore{
		nextCalID: 1, nextBookID: 1, nextObjID: 1, nextCardID: 1,
		cals: map[string][]*davCollection{}, books: map[string][]*davCollection{}, trash: map[string][]*trashed{},
	}
}

func (d *davStore) ensureUser(user string) {
	if _, ok := d.cals[user]; !ok {
		d.cals[user] = nil
		c := d.newCollection(kindCalendar, user, "personal", "Personal")
		c.color = "#00679e"
		c.components = []string{"VEVENT"}
	}
	if _, ok := d.books[user]; !ok {
		d.books[user] = nil
		d.newCollection(kindAddressBook, user, "contacts", "Contacts")
	}
}

func (d *davStore) deleteUser(user string) {
	delete(d.cals, user)
	delete(d.books, user)
	delete(d.trash, user)
}

func (d *davStore) newCollection(kind collKind, owner, uri, name string) *davCollection {
	c := &davCollection{kind: kind, owner: owner, uri: uri, displayName: name, syncToken: 1, minToken: 1,
		objects: map[string]*davObject{}, byUID: map[string]string{}}
	if kind == kindCalendar {
		c.id = d.nextCalID
		d.nextCalID++
		c.components = []string{"VEVENT", "VTODO"}
		d.cals[owner] = append(d.cals[owner], c)
	} else {
		c.id = d.nextBookID
		d.nextBookID++
		d.books[owner] = append(d.books[owner], c)
	}
	return c
}

func (d *davStore) list(kind collKind, owner string) []*davCollection {
	if kind == kindCalendar {
		return d.cals[owner]
	}
	return d.books[owner]
}

func (d *davStore) collection(kind collKind, owner, uri string) *davCollection {
	for _, c := range d.list(kind, owner) {
		if c.uri == uri {
			return c
		}
	}
	return nil
}

func (d *davStore) removeCollection(c *davCollection) {
	l := d.list(c.kind, c.owner)
	for i, x := range l {
		if x == c {
			l = append(l[:i], l[i+1:]...)
			break
		}
	}
	if c.kind == kindCalendar {
		d.cals[c.owner] = l
	} else {
		d.books[c.owner] = l
	}
}

func etagOf(data []byte) string {
	sum := md5.Sum(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// addChange appends a change log row and bumps the sync token, as
// CalDavBackend::addChange does.
func (c *davCollection) addChange(uri string, op int) {
	c.changes = append(c.changes, change{token: c.syncToken, uri: uri, op: op})
	c.syncToken++
}

// put stores data under uri (creating or replacing) and logs the change.
func (d *davStore) put(c *davCollection, uri string, data []byte, uid, comp string, cal *ical.Calendar) (*davObject, bool) {
	now := time.Now()
	if o, ok := c.objects[uri]; ok {
		if o.uid != uid {
			delete(c.byUID, o.uid)
		}
		o.data, o.etag, o.uid, o.component, o.lastModified, o.cal = data, etagOf(data), uid, comp, now, cal
		c.byUID[uid] = uri
		c.addChange(uri, opModify)
		return o, false
	}
	o := &davObject{uri: uri, data: data, etag: etagOf(data), uid: uid, component: comp, lastModified: now, cal: cal}
	if c.kind == kindCalendar {
		o.id = d.nextObjID
		d.nextObjID++
	} else {
		o.id = d.nextCardID
		d.nextCardID++
	}
	c.objects[uri] = o
	c.byUID[uid] = uri
	c.addChange(uri, opAdd)
	return o, true
}

// attach inserts an existing object (restore or move) and logs an add.
func (c *davCollection) attach(o *davObject) {
	c.objects[o.uri] = o
	c.byUID[o.uid] = o.uri
	c.addChange(o.uri, opAdd)
}

// detach removes an object and logs a delete.
func (c *davCollection) detach(uri string) *davObject {
	o, ok := c.objects[uri]
	if !ok {
		return nil
	}
	delete(c.objects, uri)
	if c.byUID[o.uid] == uri {
		delete(c.byUID, o.uid)
	}
	c.addChange(uri, opDelete)
	return o
}

func (c *davCollection) sortedObjects() []*davObject {
	out := make([]*davObject, 0, len(c.objects))
	for _, o := range c.objects {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// syncResult is the outcome of a sync-collection query.
type syncResult struct {
	changed   []string
	deleted   []string
	token     string
	truncated bool
}

// errInvalidSyncToken maps to sabre's InvalidSyncToken (403 valid-sync-token).
var errInvalidSyncToken = fmt.Errorf("nextcloudsim: invalid or unknown sync token")

// changesSince answers RFC 6578 sync-collection for token (the full token
// string, empty for the initial sync) with at most limit items (0 = all).
//
// An initial sync lists the objects in id order. When a limit truncates it,
// the continuation token is "init_<last id>_<token at start>"; continuing
// ends with the token at the start of the initial sync, so changes made while
// paging come back in the next delta.
func (c *davCollection) changesSince(token string, limit int) (syncResult, error) {
	if token == "" {
		return c.initialSync(0, c.syncToken, limit), nil
	}
	rest, ok := strings.CutPrefix(token, syncTokenPrefix)
	if !ok {
		return syncResult{}, errInvalidSyncToken
	}
	if init, ok := strings.CutPrefix(rest, "init_"); ok {
		a, b, ok := strings.Cut(init, "_")
		last, err1 := strconv.Atoi(a)
		snap, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || snap < c.minToken || snap > c.syncToken || last < 0 {
			return syncResult{}, errInvalidSyncToken
		}
		return c.initialSync(last, snap, limit), nil
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < c.minToken || n > c.syncToken {
		return syncResult{}, errInvalidSyncToken
	}
	res := syncResult{token: syncTokenPrefix + strconv.Itoa(c.syncToken)}
	last := map[string]int{}
	var uris []string
	start := sort.Search(len(c.changes), func(i int) bool { return c.changes[i].token >= n })
	for _, ch := range c.changes[start:] {
		if _, seen := last[ch.uri]; !seen {
			if limit > 0 && len(uris) == limit {
				res.truncated = true
				res.token = syncTokenPrefix + strconv.Itoa(ch.token)
				break
			}
			uris = append(uris, ch.uri)
		}
		last[ch.uri] = ch.op
	}
	for _, u := range uris {
		if _, exists := c.objects[u]; exists {
			res.changed = append(res.changed, u)
		} else {
			res.deleted = append(res.deleted, u)
		}
	}
	return res, nil
}

func (c *davCollection) initialSync(afterID, snap, limit int) syncResult {
	res := syncResult{token: syncTokenPrefix + strconv.Itoa(snap)}
	for _, o := range c.sortedObjects() {
		if o.id <= afterID {
			continue
		}
		if limit > 0 && len(res.changed) == limit {
			res.truncated = true
			last := c.objects[res.changed[len(res.changed)-1]].id
			res.token = fmt.Sprintf("%sinit_%d_%d", syncTokenPrefix, last, snap)
			break
		}
		res.changed = append(res.changed, o.uri)
	}
	return res
}

// pruneChanges forgets the change log before the current token, so older
// tokens become invalid (like Nextcloud's dav:prune-changes... job).
func (c *davCollection) pruneChanges() {
	c.changes = nil
	c.minToken = c.syncToken
}

// PruneSyncHistory forgets every collection's change log, so every sync
// token but the current one becomes invalid (403 valid-sync-token, RFC 6578
// section 3.2), as after
// Nextcloud prunes its calendarchanges/addressbookchanges tables.
func (s *Server) PruneSyncHistory() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range []map[string][]*davCollection{s.dav.cals, s.dav.books} {
		for _, l := range m {
			for _, c := range l {
				c.pruneChanges()
			}
		}
	}
}
