package contact

import (
	"slices"
	"strings"

	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// Canonical keys of the single fields (see Canonical).
const (
	keyFN          = "fn"
	keyFamily      = "n.family"
	keyGiven       = "n.given"
	keyMiddle      = "n.middle"
	keyPrefix      = "n.prefix"
	keySuffix      = "n.suffix"
	keyNickname    = "nickname"
	keyBday        = "bday"
	keyAnniversary = "anniversary"
	keyGender      = "gender"
	keyCompany     = "org.company"
	keyDepartment  = "org.department"
	keyTitle       = "title"
	keyRole        = "role"
	keySpouse      = "spouse"
	keyManager     = "manager"
	keyAssistant   = "assistant"
	keyOffice      = "office"
	keyURL         = "url"
	keyNote        = "note"
	keyCategories  = "categories"
	keyChildren    = "children"
	keyPhoto       = "photo"
)

// unreadable prefixes the canonical value of an EWS date that does not
// parse: it differs from every vCard value, and a merge leaves the local
// property alone.
const unreadable = "?"

// isUnreadable reports whether v is the canonical value of an EWS date
// that did not parse.
func isUnreadable(key, v string) bool {
	return (key == keyBday || key == keyAnniversary) && strings.HasPrefix(v, unreadable)
}

// adrParts are the canonical address parts and their ADR component index
// (RFC 6350 section 6.3.1: PO box, extended, street, locality, region,
// postal code, country). PO box and extended address have no EWS field.
var adrParts = []struct {
	name string
	comp int
}{{"street", 2}, {"city", 3}, {"state", 4}, {"postal", 5}, {"country", 6}}

var adrKeys = []string{wire.AddressBusiness, wire.AddressHome, wire.AddressOther}

var emailKeys = []string{wire.EmailAddress1, wire.EmailAddress2, wire.EmailAddress3}

var imKeys = []string{"ImAddress1", "ImAddress2", "ImAddress3"}

// cand is one property that can carry a mapped value.
type cand struct {
	name string
	f    *vcard.Field
}

// vkind describes how one kind of vCard property carries canonical keys.
// A kind has slots (one per EWS dictionary entry or field); each slot is
// held by at most one property and may span several keys (the parts of N,
// ORG or ADR). Candidates are assigned to slots in card order within their
// group; a candidate left without a slot is overflow and stays local.
type vkind struct {
	id     string
	names  []string                                                // property names, by priority
	accept func(card vcard.Card, name string, f *vcard.Field) bool // optional filter
	slots  [][]string                                              // canonical keys of each slot
	group  func(name string, f *vcard.Field) int                   // nil: group 0
	groups [][]int                                                 // slot indexes of each group, in fill order
	get    func(name string, f *vcard.Field) []string
	set    func(name string, f *vcard.Field, parts []string, changed []bool, v4 bool)
	create func(slot int, parts []string, v4 bool) (string, *vcard.Field)
}

func (k *vkind) candidates(card vcard.Card) []cand {
	var out []cand
	for _, n := range k.names {
		for _, f := range card[n] {
			if f == nil {
				continue
			}
			if k.accept == nil || k.accept(card, n, f) {
				out = append(out, cand{n, f})
			}
		}
	}
	return out
}

// assign returns, for each slot, the index of the candidate holding it or
// -1, and the number of overflow candidates.
func (k *vkind) assign(cands []cand) (slots []int, overflow int) {
	slots = make([]int, len(k.slots))
	for i := range slots {
		slots[i] = -1
	}
	for ci, c := range cands {
		g := 0
		if k.group != nil {
			g = k.group(c.name, c.f)
		}
		placed := false
		for _, s := range k.groups[g] {
			if slots[s] < 0 {
				slots[s] = ci
				placed = true
				break
			}
		}
		if !placed {
			overflow++
		}
	}
	return slots, overflow
}

// groupOf returns the group index of slot s.
func (k *vkind) groupOf(s int) int {
	for g, ss := range k.groups {
		for _, x := range ss {
			if x == s {
				return g
			}
		}
	}
	return 0
}

func oneGroup(n int) [][]int {
	g := make([]int, n)
	for i := range g {
		g[i] = i
	}
	return [][]int{g}
}

func newField(value string, params vcard.Params) *vcard.Field {
	if params == nil {
		params = vcard.Params{}
	}
	return &vcard.Field{Value: value, Params: params}
}

// textKind is a kind of one slot holding one text value.
func textKind(id, key string, names []string, name3, name4 string) *vkind {
	return &vkind{
		id:     id,
		names:  names,
		slots:  [][]string{{key}},
		groups: oneGroup(1),
		get: func(_ string, f *vcard.Field) []string {
			return []string{normText(unescape(f.Value))}
		},
		set: func(_ string, f *vcard.Field, parts []string, _ []bool, _ bool) {
			f.Value = escape(parts[0])
			delete(f.Params, "ENCODING")
		},
		create: func(_ int, parts []string, v4 bool) (string, *vcard.Field) {
			n := name3
			if v4 {
				n = name4
			}
			return n, newField(escape(parts[0]), nil)
		},
	}
}

// relatedKind is a text kind that is RELATED;TYPE=<typ> in vCard 4.0 and an
// X- property in 3.0.
func relatedKind(id, key, typ string, xnames []string) *vkind {
	k := textKind(id, key, append(append([]string{"RELATED"}, xnames...), appleRelated), xnames[0], "RELATED")
	k.accept = func(card vcard.Card, name string, f *vcard.Field) bool {
		switch name {
		case "RELATED":
			return typesOf(f).has(typ)
		case appleRelated:
			return appleLabel(card, f) == typ
		}
		return true
	}
	k.get = func(name string, f *vcard.Field) []string {
		v := normText(unescape(f.Value))
		if name == "X-MS-SPOUSE" && strings.Contains(f.Value, ";") {
			// Outlook: X-MS-SPOUSE;N:Last;First
			c := components(f.Value)
			slices.Reverse(c)
			v = normText(strings.Join(c, " "))
		}
		if name == "RELATED" && (strings.EqualFold(f.Params.Get(vcard.ParamValue), "uri") || looksLikeURI(v)) {
			return []string{""}
		}
		return []string{v}
	}
	k.set = func(name string, f *vcard.Field, parts []string, _ []bool, _ bool) {
		f.Value = escape(parts[0])
		if name == "RELATED" {
			f.Params.Set(vcard.ParamValue, "text")
		}
	}
	create := k.create
	k.create = func(s int, parts []string, v4 bool) (string, *vcard.Field) {
		n, f := create(s, parts, v4)
		if v4 {
			f.Params.Set(vcard.ParamType, typ)
			f.Params.Set(vcard.ParamValue, "text")
		}
		return n, f
	}
	return k
}

func looksLikeURI(v string) bool {
	l := strings.ToLower(v)
	for _, p := range []string{"urn:", "http:", "https:", "mailto:", "tel:", "sip:", "xmpp:"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// structKind is a kind of one property whose components carry keys.
func structKind(id, name string, keys []string, comps []int) *vkind {
	return &vkind{
		id:     id,
		names:  []string{name},
		slots:  [][]string{keys},
		groups: oneGroup(1),
		get: func(_ string, f *vcard.Field) []string {
			c := components(f.Value)
			out := make([]string, len(comps))
			for i, ci := range comps {
				if ci < len(c) {
					out[i] = normText(c[ci])
				}
			}
			return out
		},
		set: func(_ string, f *vcard.Field, parts []string, changed []bool, _ bool) {
			for i, ci := range comps {
				if changed[i] {
					f.Value = setComponent(f.Value, ci, parts[i])
				}
			}
		},
		create: func(_ int, parts []string, _ bool) (string, *vcard.Field) {
			raw := ""
			for i, ci := range comps {
				raw = setComponent(raw, ci, parts[i])
			}
			return name, newField(raw, nil)
		},
	}
}

// dateKind is BDAY or ANNIVERSARY.
func dateKind(id, key string, names []string, name3, name4 string) *vkind {
	k := textKind(id, key, names, name3, name4)
	k.get = func(_ string, f *vcard.Field) []string {
		if d, ok := parseVCardDate(f); ok {
			return []string{d.String()}
		}
		return []string{""}
	}
	k.set = func(_ string, f *vcard.Field, parts []string, _ []bool, v4 bool) {
		d, ok := parseCanonicalDate(parts[0])
		if !ok {
			return
		}
		v, omit := formatVCardDate(d, v4)
		f.Value = v
		delete(f.Params, vcard.ParamValue)
		delete(f.Params, "X-APPLE-OMIT-YEAR")
		if omit {
			f.Params.Set("X-APPLE-OMIT-YEAR", "1604")
		}
	}
	k.create = func(_ int, parts []string, v4 bool) (string, *vcard.Field) {
		n := name3
		if v4 {
			n = name4
		}
		f := newField("", nil)
		k.set(n, f, parts, nil, v4)
		return n, f
	}
	return k
}

// listKey returns the dictionary slot keys "prefix.key" for keys.
func slotKeys(prefix string, keys []string) [][]string {
	out := make([][]string, len(keys))
	for i, k := range keys {
		out[i] = []string{prefix + "." + k}
	}
	return out
}

// kinds is the mapping table of the vCard side, in canonical order.
var kinds = buildKinds()

func buildKinds() []*vkind {
	var ks []*vkind
	ks = append(ks,
		textKind("fn", keyFN, []string{"FN"}, "FN", "FN"),
		structKind("n", "N", []string{keyFamily, keyGiven, keyMiddle, keyPrefix, keySuffix}, []int{0, 1, 2, 3, 4}),
		textKind("nickname", keyNickname, []string{"NICKNAME"}, "NICKNAME", "NICKNAME"),
		dateKind("bday", keyBday, []string{"BDAY"}, "BDAY", "BDAY"),
		appleKind(dateKind("anniversary", keyAnniversary, []string{"ANNIVERSARY", "X-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-KADDRESSBOOK-X-ANNIVERSARY", appleDate}, "X-ANNIVERSARY", "ANNIVERSARY"), appleDate, "anniversary"),
		genderKind(),
		structKind("org", "ORG", []string{keyCompany, keyDepartment}, []int{0, 1}),
		textKind("title", keyTitle, []string{"TITLE"}, "TITLE", "TITLE"),
		textKind("role", keyRole, []string{"ROLE"}, "ROLE", "ROLE"),
		relatedKind("spouse", keySpouse, "spouse", []string{"X-SPOUSE", "X-EVOLUTION-SPOUSE", "X-KADDRESSBOOK-X-SPOUSESNAME", "X-MS-SPOUSE"}),
		appleKind(textKind("manager", keyManager, []string{"X-MANAGER", "X-MANAGERSNAME", "X-EVOLUTION-MANAGER", "X-KADDRESSBOOK-X-MANAGERSNAME", "X-MS-MANAGER", appleRelated}, "X-MANAGER", "X-MANAGER"), appleRelated, "manager"),
		appleKind(textKind("assistant", keyAssistant, []string{"X-ASSISTANT", "X-ASSISTANTNAME", "X-EVOLUTION-ASSISTANT", "X-KADDRESSBOOK-X-ASSISTANTSNAME", "X-MS-ASSISTANT", appleRelated}, "X-ASSISTANT", "X-ASSISTANT"), appleRelated, "assistant"),
		textKind("office", keyOffice, []string{"X-OFFICE-LOCATION", "X-KADDRESSBOOK-X-OFFICE"}, "X-OFFICE-LOCATION", "X-OFFICE-LOCATION"),
		urlKind(),
		textKind("note", keyNote, []string{"NOTE"}, "NOTE", "NOTE"),
		emailKind(),
		imKind(),
		telKind(),
		adrKind(),
	)
	return ks
}

func genderKind() *vkind {
	k := textKind("gender", keyGender, []string{"GENDER", "X-GENDER"}, "GENDER", "GENDER")
	k.get = func(_ string, f *vcard.Field) []string {
		c := components(f.Value)
		switch strings.ToUpper(strings.TrimSpace(c[0])) {
		case "M", "MALE":
			return []string{"M"}
		case "F", "FEMALE":
			return []string{"F"}
		}
		return []string{""}
	}
	k.set = func(_ string, f *vcard.Field, parts []string, _ []bool, _ bool) {
		f.Value = setComponent(f.Value, 0, parts[0])
	}
	return k
}

func urlKind() *vkind {
	k := textKind("url", keyURL, []string{"URL"}, "URL", "URL")
	k.set = func(_ string, f *vcard.Field, parts []string, _ []bool, _ bool) {
		f.Value = strings.ReplaceAll(parts[0], "\n", "")
	}
	k.create = func(_ int, parts []string, _ bool) (string, *vcard.Field) {
		return "URL", newField(strings.ReplaceAll(parts[0], "\n", ""), nil)
	}
	return k
}

func emailKind() *vkind {
	k := textKind("email", "", []string{"EMAIL"}, "EMAIL", "EMAIL")
	k.slots = slotKeys("email", emailKeys)
	k.groups = oneGroup(3)
	return k
}

func imKind() *vkind {
	k := textKind("im", "", []string{"IMPP", "X-MS-IMADDRESS"}, "IMPP", "IMPP")
	k.slots = slotKeys("im", imKeys)
	k.groups = oneGroup(3)
	k.set = func(_ string, f *vcard.Field, parts []string, _ []bool, _ bool) {
		f.Value = strings.ReplaceAll(parts[0], "\n", "")
	}
	k.create = func(_ int, parts []string, _ bool) (string, *vcard.Field) {
		return "IMPP", newField(strings.ReplaceAll(parts[0], "\n", ""), nil)
	}
	return k
}

func telKind() *vkind {
	k := textKind("tel", "", []string{"TEL"}, "TEL", "TEL")
	k.slots = slotKeys("tel", phoneKeys)
	slotOf := make(map[string]int, len(phoneKeys))
	for i, key := range phoneKeys {
		slotOf[key] = i
	}
	groupOf := make(map[string]int, len(phoneKeys))
	for _, key := range phoneKeys {
		switch key {
		case "BusinessPhone2", "HomePhone2":
			continue
		case "BusinessPhone":
			k.groups = append(k.groups, []int{slotOf["BusinessPhone"], slotOf["BusinessPhone2"]})
		case "HomePhone":
			k.groups = append(k.groups, []int{slotOf["HomePhone"], slotOf["HomePhone2"]})
		default:
			k.groups = append(k.groups, []int{slotOf[key]})
		}
		groupOf[key] = len(k.groups) - 1
	}
	k.group = func(_ string, f *vcard.Field) int { return groupOf[phoneKeyOf(f)] }
	k.get = func(_ string, f *vcard.Field) []string {
		return []string{normText(stripTel(normText(unescape(f.Value))))}
	}
	k.set = func(_ string, f *vcard.Field, parts []string, _ []bool, _ bool) {
		v := escape(parts[0])
		if strings.HasPrefix(strings.ToLower(f.Value), "tel:") || strings.EqualFold(f.Params.Get(vcard.ParamValue), "uri") {
			v = "tel:" + v
		}
		f.Value = v
	}
	k.create = func(s int, parts []string, _ bool) (string, *vcard.Field) {
		return "TEL", newField(escape(parts[0]), vcard.Params{vcard.ParamType: append([]string(nil), phoneTypes[phoneKeys[s]]...)})
	}
	return k
}

func adrKind() *vkind {
	comps := make([]int, len(adrParts))
	for i, p := range adrParts {
		comps[i] = p.comp
	}
	var slots [][]string
	for _, key := range adrKeys {
		var ks []string
		for _, p := range adrParts {
			ks = append(ks, "adr."+key+"."+p.name)
		}
		slots = append(slots, ks)
	}
	k := structKind("adr", "ADR", nil, comps)
	k.slots = slots
	k.groups = [][]int{{0}, {1}, {2}}
	k.group = func(_ string, f *vcard.Field) int {
		t := typesOf(f)
		switch {
		case t.has("work"):
			return 0
		case t.has("home"):
			return 1
		}
		return 2
	}
	create := k.create
	k.create = func(s int, parts []string, v4 bool) (string, *vcard.Field) {
		n, f := create(s, parts, v4)
		f.Params.Set(vcard.ParamType, []string{"work", "home", "other"}[s])
		return n, f
	}
	return k
}

// Apple's labelled properties: item1.X-ABRELATEDNAMES:Jane with
// item1.X-ABLabel:_$!<Spouse>!$_ in the same group (iOS, macOS Contacts).
const (
	appleRelated = "X-ABRELATEDNAMES"
	appleDate    = "X-ABDATE"
)

// appleLabel returns the lower-cased label of a grouped Apple property
// ("spouse" for _$!<Spouse>!$_), or "".
func appleLabel(card vcard.Card, f *vcard.Field) string {
	if f.Group == "" {
		return ""
	}
	for _, l := range card["X-ABLABEL"] {
		if l != nil && strings.EqualFold(l.Group, f.Group) {
			v := strings.TrimSpace(unescape(l.Value))
			v = strings.TrimSuffix(strings.TrimPrefix(v, "_$!<"), ">!$_")
			return strings.ToLower(v)
		}
	}
	return ""
}

// appleKind makes k accept the Apple property name only with the label.
func appleKind(k *vkind, name, label string) *vkind {
	accept := k.accept
	k.accept = func(card vcard.Card, n string, f *vcard.Field) bool {
		if n == name {
			return appleLabel(card, f) == label
		}
		return accept == nil || accept(card, n, f)
	}
	return k
}
