package ewssim

import "testing"

func TestIDsRoundTrip(t *testing.T) {
	m := newMailbox(7, "alice", "alice@example.com", "Alice")
	f := m.dist["calendar"]
	tests := []struct {
		id   string
		want decodedID
	}{
		{f.id, decodedID{kind: idFolder, mbox: 7, folder: f.num}},
		{itemID(m, f, 42), decodedID{kind: idItem, mbox: 7, folder: f.num, num: 42}},
		{encodeID(byte(idOccurrence), m.no, f.num, uint64(42), uint32(3)), decodedID{kind: idOccurrence, mbox: 7, folder: f.num, num: 42, index: 3}},
	}
	for _, tt := range tests {
		got, ok := decodeID(tt.id)
		if !ok || got != tt.want {
			t.Fatalf("decodeID(%s) = %+v %v, want %+v", tt.id, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"", "!!!", "AAAA", "AQMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdj"} {
		if _, ok := decodeID(bad); ok {
			t.Fatalf("decodeID(%q) = ok, want malformed", bad)
		}
	}
}

func TestChangeKeysAndMoves(t *testing.T) {
	m := newMailbox(1, "alice", "alice@example.com", "Alice")
	it := m.addItem(m.dist["calendar"], kindCalendar, el(kindCalendar, ""), testNow)
	ck1, id1 := it.changeKey, it.id
	m.touch(it, testNow)
	if it.changeKey == ck1 {
		t.Fatalf("touch kept ChangeKey %s", ck1)
	}
	num, ver, ok := changeKeyVersion(ck1)
	if !ok || num != it.num || ver != 1 {
		t.Fatalf("changeKeyVersion(%s) = %d %d %v, want %d 1", ck1, num, ver, ok, it.num)
	}
	dst := m.newFolder(m.dist["msgfolderroot"], "Other", "IPF.Appointment", "CalendarFolder")
	m.moveItem(it, dst, testNow)
	if it.id == id1 || m.items[id1] != nil || m.items[it.id] != it {
		t.Fatalf("moveItem: id %s -> %s, old id still resolves: %v", id1, it.id, m.items[id1] != nil)
	}
	if tb, ok := m.dist["calendar"].tombs[it.num]; !ok || tb.id != id1 {
		t.Fatalf("moveItem left no tombstone with the old id in the source folder")
	}
}
