package contact

import (
	"bytes"
	"slices"
	"strings"

	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// MergeIntoVCard applies the state of an EWS contact (and its photo, nil
// when it has none) to the local card and returns the new card; existing
// is not modified. It is a three-way merge per mapped slot against base,
// the Canonical of the remote as it was at the last sync (the engine keeps
// Canonical.Bytes): only slots whose value changed between base and c are
// touched. A changed value is written into the property that holds the
// slot, keeping its group and parameters (and the parts EWS has no field
// for, such as the PO box of an ADR), when that property still holds the
// base value or is alone in its group; otherwise (a local edit, a value
// that moved there) the remote value is added beside it. A removed value
// deletes that property only if it still holds the base value (else the
// local edit wins). A value is never added more often than EWS holds it.
// Everything else stays exactly as it was: overflow values (a fourth email,
// a third work phone), X- properties, groups, parameters, unknown
// properties, property versions of what EWS cannot hold (GENDER:O, a BDAY
// that is text). With a nil base the merge is two-way (base = the card's
// own canonical form): every difference is applied.
//
// A nil existing card builds a new vCard 3.0 card (ToVCard). The UID is
// set from the contact's UID extended property when the card has none; the
// card's UID is never changed. REV and PRODID are not touched. The result
// depends only on the inputs: applying the same change twice gives the same
// card, and Encode gives the same bytes. RFC 6350 section 6 (properties),
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/contact
func MergeIntoVCard(existing vcard.Card, base Canonical, c *wire.Contact, photo *Photo) (vcard.Card, []Issue, error) {
	if c == nil {
		return nil, nil, ErrNoCard
	}
	var is issues
	n := canonicalEWS(c, photo, &is)
	var card vcard.Card
	if existing == nil {
		card = vcard.Card{vcard.FieldVersion: {newField("3.0", nil)}}
		base = Canonical{}
	} else {
		card = cloneCard(existing)
		if base == nil {
			base = canonicalVCard(card, nil, nil)
		}
	}
	version := strings.TrimSpace(card.Value(vcard.FieldVersion))
	v4 := strings.HasPrefix(version, "4")
	for _, k := range kinds {
		mergeKind(card, k, base, n, v4)
	}
	mergeCategories(card, splitList(base[keyCategories]), splitList(n[keyCategories]))
	mergeChildren(card, splitList(base[keyChildren]), splitList(n[keyChildren]), v4)
	mergePhoto(card, base[keyPhoto], n[keyPhoto], photo, v4, &is)
	if len(card[vcard.FieldFormattedName]) == 0 && n[keyFN] != "" {
		card[vcard.FieldFormattedName] = []*vcard.Field{newField(escape(n[keyFN]), nil)}
	}
	if CardUID(card) == "" {
		if uid := ContactUID(c); uid != "" {
			SetCardUID(card, uid)
		}
	}
	if strings.HasPrefix(version, "2") && existing != nil && !bytes.Equal(Encode(card), Encode(existing)) {
		// Parse already turned 2.1 into 3.0 syntax (TYPE parameters,
		// decoded quoted-printable) and the merge wrote 3.0 values.
		card[vcard.FieldVersion] = []*vcard.Field{newField("3.0", nil)}
	}
	return card, is, nil
}

// ToVCard builds a new vCard 3.0 card (RFC 2426) from an EWS contact and
// its photo: MergeIntoVCard(nil, nil, c, photo).
func ToVCard(c *wire.Contact, photo *Photo) (vcard.Card, []Issue, error) {
	return MergeIntoVCard(nil, nil, c, photo)
}

func cloneCard(card vcard.Card) vcard.Card {
	out := make(vcard.Card, len(card))
	for name, fields := range card {
		fs := make([]*vcard.Field, 0, len(fields))
		for _, f := range fields {
			if f == nil {
				continue
			}
			g := &vcard.Field{Value: f.Value, Group: f.Group, Params: make(vcard.Params, len(f.Params))}
			for k, v := range f.Params {
				g.Params[k] = slices.Clone(v)
			}
			fs = append(fs, g)
		}
		if len(fs) > 0 {
			out[name] = fs
		}
	}
	return out
}

// changedKeys reports whether any key of the slots differs between a and b.
func changedKeys(slots [][]string, a, b Canonical) bool {
	for _, keys := range slots {
		for _, k := range keys {
			if a[k] != b[k] {
				return true
			}
		}
	}
	return false
}

func partsOf(c Canonical, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = c[k]
	}
	return out
}

func allEmpty(p []string) bool {
	for _, v := range p {
		if v != "" {
			return false
		}
	}
	return true
}

// removeField deletes f (by identity) from card[name].
func removeField(card vcard.Card, name string, f *vcard.Field) {
	removeFields(card, name, map[*vcard.Field]bool{f: true})
}

// removeFields deletes the fields of set from card[name] in one pass.
func removeFields(card vcard.Card, name string, set map[*vcard.Field]bool) {
	if len(set) == 0 {
		return
	}
	fs := slices.DeleteFunc(card[name], func(x *vcard.Field) bool { return set[x] })
	if len(fs) == 0 {
		delete(card, name)
		return
	}
	card[name] = fs
}

// mergeKind applies the change base→n of every slot of one kind to the
// card. The property holding a slot is trusted (updated in place, deleted)
// only when it still holds the base value or is the only one of its group;
// otherwise the remote value is added beside it. A value is never added
// (or written in place into a multi-slot group) more often than the group
// holds it on EWS, so a value a deletion moved into another slot is not
// duplicated when the same change is applied again.
func mergeKind(card vcard.Card, k *vkind, base, n Canonical, v4 bool) {
	if !changedKeys(k.slots, base, n) {
		return
	}
	cands := k.candidates(card)
	slots, _ := k.assign(cands)
	groups := make([]int, len(cands))
	parts := make([][]string, len(cands))
	perGroup := make([]int, len(k.groups))
	for i, c := range cands {
		if k.group != nil {
			groups[i] = k.group(c.name, c.f)
		}
		parts[i] = k.get(c.name, c.f)
		perGroup[groups[i]]++
	}
	alive := make([]bool, len(cands))
	for i := range alive {
		alive[i] = true
	}
	var added [][]string // parts of created properties, by group below
	var addedGroup []int
	have := func(g int, p []string) int {
		h := 0
		for i := range cands {
			if alive[i] && groups[i] == g && slices.Equal(parts[i], p) {
				h++
			}
		}
		for i, a := range added {
			if addedGroup[i] == g && slices.Equal(a, p) {
				h++
			}
		}
		return h
	}
	want := func(g int, p []string) int {
		w := 0
		for _, s := range k.groups[g] {
			if slices.Equal(partsOf(n, k.slots[s]), p) {
				w++
			}
		}
		return w
	}
	setAll := func(ci int, np []string, changed []bool) {
		if changed == nil {
			changed = make([]bool, len(np))
			for i := range changed {
				changed[i] = true
			}
		}
		if cands[ci].f.Params == nil {
			cands[ci].f.Params = vcard.Params{}
		}
		k.set(cands[ci].name, cands[ci].f, np, changed, v4)
		parts[ci] = k.get(cands[ci].name, cands[ci].f)
	}
	type creation struct {
		slot   int
		parts  []string
		holder int // an empty property holding the slot, filled in place; -1 for none
	}
	var creates []creation
	drop := map[*vcard.Field]bool{}
	for s, keys := range k.slots {
		bp, np := partsOf(base, keys), partsOf(n, keys)
		if slices.Equal(bp, np) || isUnreadable(keys[0], np[0]) {
			continue
		}
		g := k.groupOf(s)
		ci := slots[s]
		if ci >= 0 && !alive[ci] {
			ci = -1 // removed as a copy of a value removed from another slot
		}
		if allEmpty(np) {
			// The value may still be wanted in another slot of the group
			// (it moved there): then the copy stays.
			if ci >= 0 && slices.Equal(parts[ci], bp) && have(g, bp) > want(g, bp) {
				drop[cands[ci].f] = true
				alive[ci] = false
				// Copies of the removed value beyond what EWS still holds
				// go too: else one would move into the slot and be taken
				// for the removed one by the next merge.
				for i := range cands {
					if have(g, bp) <= want(g, bp) {
						break
					}
					if alive[i] && groups[i] == g && slices.Equal(parts[i], bp) {
						drop[cands[i].f] = true
						alive[i] = false
					}
				}
			}
			continue
		}
		if ci < 0 {
			creates = append(creates, creation{s, np, -1})
			continue
		}
		cur := parts[ci]
		switch {
		case slices.Equal(cur, np):
		case allEmpty(cur):
			creates = append(creates, creation{s, np, ci})
		case !slices.Equal(cur, bp) && perGroup[g] > 1:
			// Edited locally, or a value that moved into this slot:
			// keep it, and add the remote value beside it.
			creates = append(creates, creation{s, np, -1})
		case len(k.groups[g]) > 1 && have(g, np) >= want(g, np):
			// The value already sits in another slot of the group.
		default:
			changed := make([]bool, len(keys))
			for i := range keys {
				changed[i] = bp[i] != np[i]
			}
			setAll(ci, np, changed)
		}
	}
	for _, name := range k.names {
		removeFields(card, name, drop)
	}
	for _, cr := range creates {
		g := k.groupOf(cr.slot)
		if have(g, cr.parts) >= want(g, cr.parts) {
			continue
		}
		if cr.holder >= 0 {
			setAll(cr.holder, cr.parts, nil)
			continue
		}
		name, f := k.create(cr.slot, cr.parts, v4)
		card[name] = append(card[name], f)
		added = append(added, cr.parts)
		addedGroup = append(addedGroup, g)
	}
}

// setDiff returns the items of a not in b.
func setDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// mergeCategories applies the change base→n of the category set: removed
// categories leave the CATEGORIES properties that hold them, added ones
// join the first CATEGORIES property.
func mergeCategories(card vcard.Card, base, n []string) {
	if slices.Equal(base, n) {
		return
	}
	removed, added := setDiff(base, n), setDiff(n, base)
	drop := map[*vcard.Field]bool{}
	for _, f := range card[vcard.FieldCategories] {
		if f == nil || len(removed) == 0 {
			continue
		}
		items := splitRaw(f.Value, ',')
		kept := slices.DeleteFunc(slices.Clone(items), func(it string) bool {
			return slices.Contains(removed, normItem(unescape(it)))
		})
		if len(kept) == len(items) {
			continue
		}
		if len(kept) == 0 || (len(kept) == 1 && strings.TrimSpace(kept[0]) == "") {
			drop[f] = true
			continue
		}
		f.Value = strings.Join(kept, ",")
	}
	removeFields(card, vcard.FieldCategories, drop)
	have := categoryValues(card)
	var add []string
	for _, a := range added {
		if !slices.Contains(have, a) {
			add = append(add, escape(a))
		}
	}
	if len(add) == 0 {
		return
	}
	if fs := card[vcard.FieldCategories]; len(fs) > 0 {
		if strings.TrimSpace(fs[0].Value) == "" {
			fs[0].Value = strings.Join(add, ",")
		} else {
			fs[0].Value += "," + strings.Join(add, ",")
		}
		return
	}
	card[vcard.FieldCategories] = []*vcard.Field{newField(strings.Join(add, ","), nil)}
}

// mergeChildren applies the change base→n of the children set: one
// property per child, RELATED;TYPE=child in 4.0 and X-CHILD in 3.0.
func mergeChildren(card vcard.Card, base, n []string, v4 bool) {
	if slices.Equal(base, n) {
		return
	}
	removed, added := setDiff(base, n), setDiff(n, base)
	drop := map[string]map[*vcard.Field]bool{}
	for _, c := range childFields(card) {
		if slices.Contains(removed, normItem(unescape(c.f.Value))) {
			if drop[c.name] == nil {
				drop[c.name] = map[*vcard.Field]bool{}
			}
			drop[c.name][c.f] = true
		}
	}
	for name, set := range drop {
		removeFields(card, name, set)
	}
	have := childValues(card)
	for i := range have {
		have[i] = normItem(have[i])
	}
	for _, a := range added {
		if slices.Contains(have, a) {
			continue
		}
		if v4 {
			card["RELATED"] = append(card["RELATED"], newField(escape(a), vcard.Params{vcard.ParamType: {"child"}, vcard.ParamValue: {"text"}}))
		} else {
			card["X-CHILD"] = append(card["X-CHILD"], newField(escape(a), nil))
		}
	}
}

// mergePhoto applies a photo change: the first PHOTO is replaced, added,
// or removed when it still is the base photo.
func mergePhoto(card vcard.Card, base, n string, photo *Photo, v4 bool, is *issues) {
	if base == n {
		return
	}
	var first *vcard.Field
	if fs := card[vcard.FieldPhoto]; len(fs) > 0 {
		first = fs[0]
	}
	cur := ""
	if first != nil {
		if p := readVCardPhoto(first, nil); p != nil {
			cur = p.digest()
		}
	}
	if n == "" {
		if first != nil && cur == base {
			removeField(card, vcard.FieldPhoto, first)
		}
		return
	}
	if cur == n {
		return
	}
	if photo == nil || len(photo.Data) > MaxPhotoBytes {
		is.add("PHOTO", "remote photo too large or missing; local photo left alone")
		return
	}
	if first != nil {
		card[vcard.FieldPhoto][0] = photoField(photo, v4, first.Group)
		return
	}
	card[vcard.FieldPhoto] = []*vcard.Field{photoField(photo, v4, "")}
}
