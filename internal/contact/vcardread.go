package contact

import (
	"fmt"
	"strings"

	"github.com/emersion/go-vcard"
)

// CanonicalVCard returns the canonical form of what the card maps to EWS
// (exactly what FromVCard sends), with an Issue for each value that stays
// local: overflow beyond the EWS slots, a date that is no date, a photo
// that is a link, does not decode or is too large. A card without FN gets
// the display name deriveFN builds (FN is required, RFC 6350 section
// 6.2.1). It never fails and never panics.
func CanonicalVCard(card vcard.Card) (Canonical, []Issue) {
	var is issues
	c := canonicalVCard(card, &is, nil)
	return c, is
}

// canonicalVCard is CanonicalVCard; photo, when not nil, receives the
// decoded photo.
func canonicalVCard(card vcard.Card, is *issues, photo **Photo) Canonical {
	c := make(Canonical, 24)
	for _, k := range kinds {
		cands := k.candidates(card)
		if len(cands) == 0 {
			continue
		}
		slots, overflow := k.assign(cands)
		for s, ci := range slots {
			if ci < 0 {
				continue
			}
			parts := k.get(cands[ci].name, cands[ci].f)
			for j, key := range k.slots[s] {
				c.set(key, parts[j])
			}
		}
		if overflow > 0 {
			is.add(strings.ToUpper(k.id), fmt.Sprintf("%d value(s) beyond what EWS holds; kept locally, not sent", overflow))
		}
		if k.id == "bday" || k.id == "anniversary" {
			for _, cd := range cands {
				if _, ok := parseVCardDate(cd.f); !ok && strings.TrimSpace(cd.f.Value) != "" {
					is.add(cd.name, fmt.Sprintf("%q is no full or year-less date; kept locally, not sent", truncate(cd.f.Value, 30)))
				}
			}
		}
	}
	for _, l := range lists {
		c.set(l.key, joinList(l.values(card)))
	}
	if fs := card[vcard.FieldPhoto]; len(fs) > 0 && fs[0] != nil {
		if p := readVCardPhoto(fs[0], is); p != nil {
			c[keyPhoto] = p.digest()
			if photo != nil {
				*photo = p
			}
		}
	}
	if c[keyFN] == "" {
		if fn := deriveFN(c); fn != "" {
			c[keyFN] = fn
			is.add("FN", "missing; display name derived from the other fields")
		} else {
			is.add("FN", "missing, and nothing to derive a display name from")
		}
	}
	return c
}

// listKind is a list-valued mapping (CATEGORIES, children): the whole set
// of values is one canonical key, merged as a set.
type listKind struct {
	key    string
	values func(card vcard.Card) []string
}

var lists = []listKind{
	{keyCategories, categoryValues},
	{keyChildren, childValues},
}

func categoryValues(card vcard.Card) []string {
	var out []string
	for _, f := range card[vcard.FieldCategories] {
		if f == nil {
			continue
		}
		for _, v := range listValues(f.Value) {
			if v = normItem(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// childNames are the properties that carry one child each: RELATED with
// TYPE=child (vCard 4.0) and X-CHILD (3.0).
func childFields(card vcard.Card) []cand {
	var out []cand
	for _, f := range card["RELATED"] {
		if f != nil && typesOf(f).has("child") {
			if v := normText(unescape(f.Value)); v != "" && !looksLikeURI(v) {
				out = append(out, cand{"RELATED", f})
			}
		}
	}
	for _, f := range card["X-CHILD"] {
		if f != nil {
			out = append(out, cand{"X-CHILD", f})
		}
	}
	for _, f := range card[appleRelated] {
		if f != nil && appleLabel(card, f) == "child" {
			out = append(out, cand{appleRelated, f})
		}
	}
	return out
}

func childValues(card vcard.Card) []string {
	var out []string
	for _, c := range childFields(card) {
		out = append(out, unescape(c.f.Value))
	}
	return out
}
