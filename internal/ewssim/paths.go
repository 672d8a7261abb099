package ewssim

import (
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Property paths: FieldURI, IndexedFieldURI and ExtendedFieldURI
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/fielduri,
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/indexedfielduri,
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/extendedfielduri).

// path is a parsed property path.
type path struct {
	node    *node  // the path element as sent
	kind    string // FieldURI, IndexedFieldURI, ExtendedFieldURI
	elem    string // element name for FieldURI; dictionary name for IndexedFieldURI
	index   string // FieldIndex
	sub     string // sub-element for PhysicalAddress:Street etc.
	extKey  string // identity of an extended property
	extType string // PropertyType
}

// indexed maps a dictionary FieldURI to its element, key type and sub-element.
var indexed = map[string]struct{ dict, keyType, sub string }{
	"contacts:EmailAddress":                    {"EmailAddresses", "t:EmailAddressKeyType", ""},
	"contacts:PhoneNumber":                     {"PhoneNumbers", "t:PhoneNumberKeyType", ""},
	"contacts:ImAddress":                       {"ImAddresses", "t:ImAddressKeyType", ""},
	"contacts:PhysicalAddress:Street":          {"PhysicalAddresses", "t:PhysicalAddressKeyType", "Street"},
	"contacts:PhysicalAddress:City":            {"PhysicalAddresses", "t:PhysicalAddressKeyType", "City"},
	"contacts:PhysicalAddress:State":           {"PhysicalAddresses", "t:PhysicalAddressKeyType", "State"},
	"contacts:PhysicalAddress:CountryOrRegion": {"PhysicalAddresses", "t:PhysicalAddressKeyType", "CountryOrRegion"},
	"contacts:PhysicalAddress:PostalCode":      {"PhysicalAddresses", "t:PhysicalAddressKeyType", "PostalCode"},
}

// distinguished property set GUIDs ([MS-OXPROPS] 1.3.2).
var distinguishedSets = map[string]string{
	"Meeting":           "6ed8da90-450b-101b-98da-00aa003f1305",
	"Appointment":       "00062002-0000-0000-c000-000000000046",
	"Common":            "00062008-0000-0000-c000-000000000046",
	"PublicStrings":     "00020329-0000-0000-c000-000000000046",
	"Address":           "00062004-0000-0000-c000-000000000046",
	"InternetHeaders":   "00020386-0000-0000-c000-000000000046",
	"CalendarAssistant": "11000e07-b51b-40d6-af21-caa85edab1d0",
	"UnifiedMessaging":  "4442858e-a9e3-4e80-b900-317a210cc15b",
	"Task":              "00062003-0000-0000-c000-000000000046",
	"Sharing":           "00062040-0000-0000-c000-000000000046",
}

// parsePath interprets a path element; invalid paths give ErrorInvalidPropertyRequest
// or ErrorInvalidExtendedProperty, as Exchange answers them.
func parsePath(n *node) (*path, *opError) {
	p := &path{node: n, kind: n.Local}
	switch n.Local {
	case "FieldURI":
		uri := n.attr("FieldURI")
		_, name, _ := strings.Cut(uri, ":")
		p.elem = name
		if uri == "calendar:UID" {
			p.elem = "UID"
		}
	case "IndexedFieldURI":
		uri := n.attr("FieldURI")
		d, ok := indexed[uri]
		if !ok {
			return nil, pathErr("ErrorInvalidPropertyRequest", n, "The property '%s' cannot be addressed by index.", uri)
		}
		p.elem, p.sub, p.index = d.dict, d.sub, n.attr("FieldIndex")
		if checkSimple(d.keyType, p.index) != "" {
			return nil, pathErr("ErrorInvalidPropertyRequest", n, "The FieldIndex '%s' is not valid for '%s'.", p.index, uri)
		}
	case "ExtendedFieldURI":
		key, err := extIdentity(n)
		if err != nil {
			return nil, err
		}
		p.elem, p.extKey, p.extType = "ExtendedProperty", key, n.attr("PropertyType")
	default:
		return nil, errf("ErrorInvalidPropertyRequest", "unsupported path %s", n.Local)
	}
	return p, nil
}

func pathErr(code string, n *node, format string, args ...any) *opError {
	e := errf(code, format, args...)
	e.XML = []*node{n.clone()}
	return e
}

// extIdentity returns a canonical key of an extended property (set + name/id or tag),
// independent of whether the set was given as GUID or distinguished name.
func extIdentity(n *node) (string, *opError) {
	set := strings.ToLower(strings.Trim(n.attr("PropertySetId"), "{}"))
	if d := n.attr("DistinguishedPropertySetId"); d != "" {
		if set != "" {
			return "", pathErr("ErrorInvalidExtendedProperty", n, "Both DistinguishedPropertySetId and PropertySetId were given.")
		}
		set = distinguishedSets[d]
	}
	tag, name, id := n.attr("PropertyTag"), n.attr("PropertyName"), n.attr("PropertyId")
	typ := n.attr("PropertyType")
	switch {
	case tag != "":
		if set != "" || name != "" || id != "" {
			return "", pathErr("ErrorInvalidExtendedProperty", n, "PropertyTag cannot be combined with a property set, name or id.")
		}
		v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(tag), "0x"), 16, 16)
		if strings.HasPrefix(strings.ToLower(tag), "0x") && err == nil {
			return "tag:" + strconv.FormatUint(v, 10) + ":" + typ, nil
		}
		d, err := strconv.ParseUint(tag, 10, 16)
		if err != nil {
			return "", pathErr("ErrorInvalidExtendedProperty", n, "PropertyTag '%s' is invalid.", tag)
		}
		return "tag:" + strconv.FormatUint(d, 10) + ":" + typ, nil
	case set == "":
		return "", pathErr("ErrorInvalidExtendedProperty", n, "A named property needs a property set.")
	case name != "" && id != "":
		return "", pathErr("ErrorInvalidExtendedProperty", n, "PropertyName and PropertyId are exclusive.")
	case name != "":
		return "name:" + set + ":" + name + ":" + typ, nil
	case id != "":
		return "id:" + set + ":" + id + ":" + typ, nil
	}
	return "", pathErr("ErrorInvalidExtendedProperty", n, "The extended property needs a PropertyName or PropertyId.")
}

// itemTypeName maps an item element to its schema type.
func itemTypeName(kind string) string {
	switch kind {
	case kindCalendar:
		return "t:CalendarItemType"
	case kindContact:
		return "t:ContactItemType"
	case kindMessage:
		return "t:MessageType"
	case "Task":
		return "t:TaskType"
	case "DistributionList":
		return "t:DistributionListType"
	}
	return "t:ItemType"
}

var (
	orderMu    sync.Mutex
	orderCache = map[string]map[string]int{}
)

// schemaOrder maps each child element name of a complex type to its schema position.
func schemaOrder(typ string) map[string]int {
	orderMu.Lock()
	defer orderMu.Unlock()
	if o, ok := orderCache[typ]; ok {
		return o
	}
	o := map[string]int{}
	_, content, _ := effective(typ)
	var walk func(p *particle)
	walk = func(p *particle) {
		if p == nil {
			return
		}
		if p.K == pElem {
			if _, ok := o[localOf(p.N)]; !ok {
				o[localOf(p.N)] = len(o)
			}
		}
		for _, k := range p.Kids {
			walk(k)
		}
	}
	walk(content)
	orderCache[typ] = o
	return o
}

// elemType returns the schema type of child element local in complex type typ.
func elemType(typ, local string) string {
	_, content, _ := effective(typ)
	if content == nil {
		return ""
	}
	if p := findElem(content, "t:"+local); p != nil {
		return p.T
	}
	return ""
}

// sortKids orders n's children in schema order of typ (stable for repeated elements).
func sortKids(n *node, typ string) {
	o := schemaOrder(typ)
	sort.SliceStable(n.Kids, func(i, j int) bool {
		a, okA := o[n.Kids[i].Local]
		b, okB := o[n.Kids[j].Local]
		if !okA {
			a = 1 << 20
		}
		if !okB {
			b = 1 << 20
		}
		return a < b
	})
}

// entry finds a dictionary entry by Key.
func entry(dict *node, key string) *node {
	if dict == nil {
		return nil
	}
	for _, e := range dict.Kids {
		if e.attr("Key") == key {
			return e
		}
	}
	return nil
}

// extProps returns the ExtendedProperty children matching key.
func extMatch(props *node, key string) []*node {
	var out []*node
	for _, k := range props.Kids {
		if k.Local != "ExtendedProperty" {
			continue
		}
		if uri := k.child("ExtendedFieldURI"); uri != nil {
			if id, err := extIdentity(uri); err == nil && id == key {
				out = append(out, k)
			}
		}
	}
	return out
}

// extract returns the part of full (a rendered item) addressed by p, or nil.
func (p *path) extract(full *node) *node {
	switch p.kind {
	case "FieldURI":
		return full.child(p.elem)
	case "IndexedFieldURI":
		dict := full.child(p.elem)
		e := entry(dict, p.index)
		if e == nil {
			return nil
		}
		c := e.clone()
		if p.sub != "" {
			s := e.child(p.sub)
			if s == nil {
				return nil
			}
			c.Kids = []*node{s.clone()}
		}
		return (&node{Space: "t", Local: p.elem}).add(c)
	case "ExtendedFieldURI":
		if m := extMatch(full, p.extKey); len(m) > 0 {
			return m[0]
		}
	}
	return nil
}

// mergeInto adds part (from extract) to out, merging dictionaries.
func mergeInto(out, part *node) {
	if part == nil {
		return
	}
	if part.Local == "ExtendedProperty" {
		out.add(part.clone())
		return
	}
	ex := out.child(part.Local)
	if ex == nil {
		out.add(part.clone())
		return
	}
	if len(part.Kids) > 0 && part.Kids[0].Local == "Entry" {
		for _, e := range part.Kids {
			have := entry(ex, e.attr("Key"))
			if have == nil {
				ex.add(e.clone())
				continue
			}
			for _, sub := range e.Kids {
				if have.child(sub.Local) == nil {
					have.add(sub.clone())
				}
			}
			sortKids(have, "t:PhysicalAddressDictionaryEntryType")
		}
	}
}
