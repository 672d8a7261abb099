package contact

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Canonical is the normalized form of the mapped fields of one contact,
// built from either side: CanonicalVCard reads a card, CanonicalEWS reads an
// EWS contact, and the same contact gives the same Canonical on both. Keys
// name the EWS field (see docs/mapping-contacts.md): "fn", "n.family",
// "n.given", "n.middle", "n.prefix", "n.suffix", "nickname", "bday",
// "anniversary", "gender" (M or F), "org.company", "org.department",
// "title", "role", "spouse", "manager", "assistant", "office", "url",
// "note", "categories", "children" (lists: sorted, unique, joined by U+001F),
// "email.EmailAddress1".."3", "im.ImAddress1".."3", "tel.<PhoneNumberKey>",
// "adr.<Business|Home|Other>.<street|city|state|postal|country>", and
// "photo" (the SHA-256 of the image bytes). Empty values are absent. The
// UID is no content and is not part of it. docs/mapping-contacts.md has the
// table with the vCard (RFC 6350 section 6) and EWS
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/contact)
// side of every key.
type Canonical map[string]string

// listSep joins the items of a list value (categories, children).
const listSep = "\x1f"

// Hash returns the hex SHA-256 of the sorted key/value pairs: equal hashes
// mean no mapped field differs. Gaps in the positional groups do not count
// (EmailAddress2 alone on EWS hashes like one EMAIL, which a card always
// puts in EmailAddress1): see compactGroups. REV, PRODID, property order, parameters,
// photo encoding and everything unmapped do not count.
func (c Canonical) Hash() string {
	h := sha256.New()
	var buf []byte
	cc := c.compacted()
	for _, k := range cc.sortedKeys() {
		buf = append(buf[:0], k...)
		buf = append(buf, 0)
		buf = append(buf, cc[k]...)
		buf = append(buf, 0)
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// compactGroups are the slot groups a vCard fills in order, so that only
// the order of their values, not their slot numbers, is content.
var compactGroups = [][]string{
	{"email.EmailAddress1", "email.EmailAddress2", "email.EmailAddress3"},
	{"im.ImAddress1", "im.ImAddress2", "im.ImAddress3"},
	{"tel.BusinessPhone", "tel.BusinessPhone2"},
	{"tel.HomePhone", "tel.HomePhone2"},
}

// compacted returns c with the values of each compact group moved to its
// first slots, in slot order (c itself when there is no gap).
func (c Canonical) compacted() Canonical {
	var out Canonical // a copy, made when a group has a gap
	for _, g := range compactGroups {
		need, empty := false, false
		var vals []string
		for _, k := range g {
			if v := c[k]; v == "" {
				empty = true
			} else {
				need = need || empty
				vals = append(vals, v)
			}
		}
		if !need {
			continue
		}
		if out == nil {
			out = make(Canonical, len(c))
			for k, v := range c {
				out[k] = v
			}
		}
		for _, k := range g {
			delete(out, k)
		}
		for i, v := range vals {
			out[g[i]] = v
		}
	}
	if out == nil {
		return c
	}
	return out
}

func (c Canonical) sortedKeys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Bytes is the deterministic JSON encoding of c (an object, keys sorted),
// what the engine stores as the base of the next MergeIntoVCard.
func (c Canonical) Bytes() []byte {
	b := []byte{'{'}
	for i, k := range c.sortedKeys() {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, c[k])
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string (RFC 8259 section 7);
// invalid UTF-8 becomes U+FFFD as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xF])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

// ParseCanonical reads Bytes' output back.
func ParseCanonical(b []byte) (Canonical, error) {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("contact: canonical: %w", err)
	}
	return Canonical(m), nil
}

// Diff returns the sorted keys whose values differ between c and o, for
// logs and tests.
func (c Canonical) Diff(o Canonical) []string {
	var keys []string
	for k, v := range c {
		if o[k] != v {
			keys = append(keys, k)
		}
	}
	for k := range o {
		if _, ok := c[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// set stores v under key after normalization; empty values are dropped.
func (c Canonical) set(key, v string) {
	v = normText(v)
	if v == "" {
		delete(c, key)
		return
	}
	c[key] = v
}

// normText trims a value and unifies its line ends.
func normText(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return strings.TrimSpace(s)
}

// joinList is the canonical form of a list: normalized, unique, sorted.
func joinList(items []string) string {
	seen := make(map[string]bool, len(items))
	out := make([]string, 0, len(items))
	for _, it := range items {
		it = normItem(it)
		if it != "" && !seen[it] {
			seen[it] = true
			out = append(out, it)
		}
	}
	sort.Strings(out)
	return strings.Join(out, listSep)
}

// normItem normalizes a list item; the separator cannot occur in one.
func normItem(s string) string {
	if strings.Contains(s, listSep) {
		s = strings.ReplaceAll(s, listSep, "")
	}
	return normText(s)
}

// splitList reads joinList's output.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, listSep)
}

// deriveFN returns the display name a contact without one gets, the same
// on both sides: the name parts, else the nickname, the company, the first
// email, the first phone.
func deriveFN(c Canonical) string {
	var parts []string
	for _, k := range []string{keyPrefix, keyGiven, keyMiddle, keyFamily, keySuffix} {
		if v := c[k]; v != "" {
			parts = append(parts, v)
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, " ")
	}
	for _, k := range []string{keyNickname, keyCompany, "email.EmailAddress1", "email.EmailAddress2", "email.EmailAddress3"} {
		if v := c[k]; v != "" {
			return v
		}
	}
	for _, k := range phoneKeys {
		if v := c["tel."+k]; v != "" {
			return v
		}
	}
	return ""
}

// Fingerprint identifies a contact for the first link of two collections
// (before any UID correlation exists): the normalized display name plus the
// first email, or the digits of the first phone when there is no email.
// Two contacts with the same fingerprint are most probably the same person
// (the heuristic Outlook CalDav Synchronizer and vdirsyncer use for a first
// pairing; see original-and-peers.md).
// Empty when the contact has no display name.
func Fingerprint(c Canonical) string {
	name := strings.Join(strings.FieldsFunc(strings.ToLower(c[keyFN]), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
	var id string
	for _, k := range []string{"email.EmailAddress1", "email.EmailAddress2", "email.EmailAddress3"} {
		if v := c[k]; v != "" {
			id = strings.ToLower(v)
			break
		}
	}
	if id == "" {
		for _, k := range phoneKeys {
			if v := c["tel."+k]; v != "" {
				id = strings.Map(func(r rune) rune {
					if r >= '0' && r <= '9' {
						return r
					}
					return -1
				}, v)
				break
			}
		}
	}
	if name == "" {
		return ""
	}
	return name + "|" + id
}
