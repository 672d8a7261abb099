package ewssim

import (
	"encoding/base64"
	"encoding/binary"
	"sort"
	"strings"
	"time"
)

// Item and folder kinds, by their EWS element name.
const (
	kindCalendar = "CalendarItem"
	kindContact  = "Contact"
	kindMessage  = "Message"
)

// mailbox is one user's store: folders and items in memory.
type mailbox struct {
	no       uint16
	user     string
	smtp     string
	name     string
	folders  map[string]*folder // by id
	dist     map[string]*folder // distinguished name -> folder
	items    map[string]*item   // by current id
	byNum    map[uint64]*item
	nextNum  uint64
	attByID  map[string]*attachment
	subs     map[string]*subscription
	clockSeq int64
}

// folder is a mailbox folder.
type folder struct {
	num       uint32
	id        string
	changeKey string
	parent    *folder
	name      string
	class     string // FolderClass, e.g. IPF.Appointment
	kind      string // Folder, CalendarFolder, ContactsFolder, TasksFolder
	dist      string
	items     map[uint64]*item
	tombs     map[uint64]tomb // deleted or moved-away item num -> last id
	deleted   bool
}

// item is a stored item; props holds the item element (t:CalendarItem, t:Contact, ...)
// without ItemId and ParentFolderId, which are computed on output.
type item struct {
	num         uint64
	id          string
	folder      *folder
	ver         uint64
	changeKey   string
	kind        string
	props       *node
	attachments []*attachment
	exceptions  map[int]*node // instance index -> override properties
	deletedOcc  map[int]bool
	created     time.Time
	modified    time.Time
	propVer     map[string]uint64 // property key -> item version that last wrote it (AutoResolve)
	lastChange  int64             // mailbox change sequence of the last non-read change
	readChange  int64
}

// attachment is a file or item attachment stored with its item.
type attachment struct {
	id     string
	parent *item
	props  *node // t:FileAttachment or t:ItemAttachment without AttachmentId
}

func encodeID(parts ...any) string {
	b := []byte{0x00, 0x03, 'S', 'I', 'M'}
	for _, p := range parts {
		switch v := p.(type) {
		case byte:
			b = append(b, v)
		case uint16:
			b = binary.BigEndian.AppendUint16(b, v)
		case uint32:
			b = binary.BigEndian.AppendUint32(b, v)
		case uint64:
			b = binary.BigEndian.AppendUint64(b, v)
		}
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Id kinds (byte 5 of a decoded id).
const (
	idItem       = 'I'
	idOccurrence = 'O'
	idFolder     = 'F'
	idAttachment = 'A'
)

// decodedID is the content of a simulator id.
type decodedID struct {
	kind   byte
	mbox   uint16
	folder uint32
	num    uint64
	index  uint32
}

func decodeID(s string) (decodedID, bool) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) < 8 || string(b[:5]) != "\x00\x03SIM" {
		return decodedID{}, false
	}
	d := decodedID{kind: b[5], mbox: binary.BigEndian.Uint16(b[6:8])}
	rest := b[8:]
	switch d.kind {
	case idFolder:
		if len(rest) != 4 {
			return decodedID{}, false
		}
		d.folder = binary.BigEndian.Uint32(rest)
	case idItem, idAttachment:
		if len(rest) < 12 {
			return decodedID{}, false
		}
		d.folder = binary.BigEndian.Uint32(rest)
		d.num = binary.BigEndian.Uint64(rest[4:12])
		if d.kind == idAttachment {
			if len(rest) != 16 {
				return decodedID{}, false
			}
			d.index = binary.BigEndian.Uint32(rest[12:])
		} else if len(rest) != 12 {
			return decodedID{}, false
		}
	case idOccurrence:
		if len(rest) != 16 {
			return decodedID{}, false
		}
		d.folder = binary.BigEndian.Uint32(rest)
		d.num = binary.BigEndian.Uint64(rest[4:12])
		d.index = binary.BigEndian.Uint32(rest[12:])
	default:
		return decodedID{}, false
	}
	return d, true
}

func (m *mailbox) folderID(num uint32) string { return encodeID(byte(idFolder), m.no, num) }

func itemID(m *mailbox, f *folder, num uint64) string {
	return encodeID(byte(idItem), m.no, f.num, num)
}

func occurrenceID(m *mailbox, it *item, index int) string {
	return encodeID(byte(idOccurrence), m.no, it.folder.num, it.num, uint32(index))
}

// changeKeyFor renders a ChangeKey that differs on every write of the item.
func changeKeyFor(kind string, num, ver uint64) string {
	b := []byte{0x0F, 0, 0, 0, 0x16, 0, 0, 0}
	switch kind {
	case kindContact:
		b[0] = 0x0E
	case kindMessage:
		b[0] = 0x09
	}
	b = binary.BigEndian.AppendUint64(b, num)
	b = binary.BigEndian.AppendUint64(b, ver)
	return base64.StdEncoding.EncodeToString(b)
}

func newMailbox(no uint16, user, smtp, name string) *mailbox {
	m := &mailbox{no: no, user: user, smtp: smtp, name: name, folders: map[string]*folder{},
		dist: map[string]*folder{}, items: map[string]*item{}, byNum: map[uint64]*item{},
		attByID: map[string]*attachment{}, subs: map[string]*subscription{}}
	root := m.newFolder(nil, "Top of Information Store", "", "Folder")
	root.dist = "msgfolderroot"
	m.dist["msgfolderroot"] = root
	m.dist["root"] = root
	for _, d := range []struct{ dist, name, class, kind string }{
		{"inbox", "Inbox", "IPF.Note", "Folder"},
		{"calendar", "Calendar", "IPF.Appointment", "CalendarFolder"},
		{"contacts", "Contacts", "IPF.Contact", "ContactsFolder"},
		{"tasks", "Tasks", "IPF.Task", "TasksFolder"},
		{"deleteditems", "Deleted Items", "IPF.Note", "Folder"},
		{"drafts", "Drafts", "IPF.Note", "Folder"},
		{"sentitems", "Sent Items", "IPF.Note", "Folder"},
	} {
		f := m.newFolder(root, d.name, d.class, d.kind)
		f.dist = d.dist
		m.dist[d.dist] = f
	}
	return m
}

func (m *mailbox) newFolder(parent *folder, name, class, kind string) *folder {
	num := uint32(len(m.folders) + 1)
	f := &folder{num: num, parent: parent, name: name, class: class, kind: kind,
		items: map[uint64]*item{}, tombs: map[uint64]tomb{}}
	f.id = m.folderID(num)
	f.changeKey = base64.StdEncoding.EncodeToString([]byte{1, 0, 0, 0, byte(num)})
	m.folders[f.id] = f
	return f
}

// children lists the live subfolders of f in creation order.
func (m *mailbox) children(f *folder) []*folder {
	var out []*folder
	for _, c := range m.folders {
		if c.parent == f && !c.deleted {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].num < out[j].num })
	return out
}

// tick advances the mailbox change sequence.
func (m *mailbox) tick() int64 {
	m.clockSeq++
	return m.clockSeq
}

// addItem stores a new item in f.
func (m *mailbox) addItem(f *folder, kind string, props *node, now time.Time) *item {
	m.nextNum++
	it := &item{num: m.nextNum, folder: f, kind: kind, props: props, created: now, modified: now,
		exceptions: map[int]*node{}, deletedOcc: map[int]bool{}, propVer: map[string]uint64{}}
	it.id = itemID(m, f, it.num)
	it.ver = 1
	it.changeKey = changeKeyFor(kind, it.num, it.ver)
	it.lastChange = m.tick()
	f.items[it.num] = it
	m.items[it.id] = it
	m.byNum[it.num] = it
	return it
}

// touch records a write: new ChangeKey, new change sequence.
func (m *mailbox) touch(it *item, now time.Time) {
	it.ver++
	it.changeKey = changeKeyFor(it.kind, it.num, it.ver)
	it.lastChange = m.tick()
	it.modified = now
}

func (m *mailbox) removeItem(it *item) {
	delete(it.folder.items, it.num)
	it.folder.tombs[it.num] = tomb{id: it.id, seq: m.tick()}
	delete(m.items, it.id)
	delete(m.byNum, it.num)
	for _, a := range it.attachments {
		delete(m.attByID, a.id)
	}
}

// moveItem moves it into dst; the item gets a new id, as in Exchange.
func (m *mailbox) moveItem(it *item, dst *folder, now time.Time) {
	delete(it.folder.items, it.num)
	it.folder.tombs[it.num] = tomb{id: it.id, seq: m.tick()}
	delete(m.items, it.id)
	it.folder = dst
	it.id = itemID(m, dst, it.num)
	delete(dst.tombs, it.num)
	dst.items[it.num] = it
	m.items[it.id] = it
	m.touch(it, now)
}

// tomb remembers an item that left a folder, for SyncFolderItems Delete changes.
type tomb struct {
	id  string
	seq int64
}
