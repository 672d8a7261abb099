package ewssim

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// schemaError is a request that fails validation against types.xsd/messages.xsd;
// Exchange answers it with a SOAP fault ErrorSchemaValidation
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsecode).
type schemaError struct {
	Line, Col int
	Violation string
}

func (e *schemaError) Error() string {
	return fmt.Sprintf("ewssim: schema validation: line %d position %d: %s", e.Line, e.Col, e.Violation)
}

func qualified(n *node) string {
	switch n.Space {
	case "t", "m":
		return n.Space + ":" + n.Local
	}
	return "{" + n.Space + "}" + n.Local
}

func nsOf(q string) string {
	switch {
	case strings.HasPrefix(q, "t:"):
		return nsTypes
	case strings.HasPrefix(q, "m:"):
		return nsMessages
	}
	return ""
}

func localOf(q string) string {
	if i := strings.IndexByte(q, ':'); i >= 0 {
		return q[i+1:]
	}
	return q
}

func violationf(n *node, format string, args ...any) *schemaError {
	return &schemaError{Line: n.Line, Col: n.Col, Violation: fmt.Sprintf(format, args...)}
}

type effectiveType struct {
	ct      *complexType
	content *particle
	attrs   []attrDef
}

var effectiveCache sync.Map // type name -> effectiveType

// effective returns the flattened content particle and attributes of a complex type.
func effective(typ string) (*complexType, *particle, []attrDef) {
	if e, ok := effectiveCache.Load(typ); ok {
		e := e.(effectiveType)
		return e.ct, e.content, e.attrs
	}
	ct, content, attrs := computeEffective(typ)
	effectiveCache.Store(typ, effectiveType{ct, content, attrs})
	return ct, content, attrs
}

func computeEffective(typ string) (*complexType, *particle, []attrDef) {
	ct := schemaComplex[typ]
	if ct == nil {
		return nil, nil, nil
	}
	var chain []*complexType
	for c := ct; c != nil; c = schemaComplex[c.Base] {
		chain = append([]*complexType{c}, chain...)
		if c.Base == "" {
			break
		}
	}
	var parts []*particle
	var attrs []attrDef
	simple := ""
	for _, c := range chain {
		if c.Content != nil {
			parts = append(parts, c.Content)
		}
		attrs = append(attrs, c.Attrs...)
		if c.Simple != "" {
			simple = c.Simple
		}
	}
	out := *ct
	out.Simple = simple
	switch len(parts) {
	case 0:
		return &out, nil, attrs
	case 1:
		return &out, parts[0], attrs
	}
	return &out, &particle{K: pSeq, Min: 1, Max: 1, Kids: parts}, attrs
}

// validateElement validates n (and its subtree) against type typ.
func validateElement(n *node, typ string) *schemaError {
	if strings.HasPrefix(typ, "xs:") || schemaSimple[typ] != nil {
		if len(n.Kids) > 0 {
			return violationf(n, "The element '%s' cannot contain child element '%s' because the parent element's content model is text only.", n.Local, n.Kids[0].Local)
		}
		if typ == "xs:anyType" {
			return nil
		}
		if err := checkSimple(typ, n.Text); err != "" {
			return violationf(n, "The '%s' element is invalid - The value '%s' is invalid according to its datatype '%s' - %s", qualifiedLong(qualified(n)), n.Text, qualifiedLong(typ), err)
		}
		return nil
	}
	ct, content, attrs := effective(typ)
	if ct == nil {
		return violationf(n, "The type '%s' of element '%s' is not declared.", typ, n.Local)
	}
	if err := checkAttrs(n, attrs); err != nil {
		return err
	}
	if ct.Simple != "" {
		if len(n.Kids) > 0 {
			return violationf(n, "The element '%s' cannot contain child element '%s' because the parent element's content model is text only.", n.Local, n.Kids[0].Local)
		}
		if e := checkSimple(ct.Simple, n.Text); e != "" {
			return violationf(n, "The '%s' element is invalid - The value '%s' is invalid according to its datatype '%s' - %s", qualifiedLong(qualified(n)), n.Text, qualifiedLong(ct.Simple), e)
		}
		return nil
	}
	if !ct.Mixed && strings.TrimSpace(n.Text) != "" {
		return violationf(n, "The element '%s' cannot contain text. Content model is not text only.", qualifiedLong(qualified(n)))
	}
	if content == nil {
		if len(n.Kids) > 0 {
			return violationf(n.Kids[0], "The element '%s' has invalid child element '%s'.", qualifiedLong(qualified(n)), qualifiedLong(qualified(n.Kids[0])))
		}
		return nil
	}
	m := &matcher{kids: n.Kids}
	ends := m.match(content, 0)
	ok := false
	for _, e := range ends {
		if e == len(n.Kids) {
			ok = true
		}
	}
	if !ok {
		if m.maxPos < len(n.Kids) {
			bad := n.Kids[m.maxPos]
			exp := expected(content)
			return violationf(bad, "The element '%s' has invalid child element '%s'. List of possible elements expected: '%s'.", qualifiedLong(qualified(n)), qualifiedLong(qualified(bad)), exp)
		}
		return violationf(n, "The element '%s' has incomplete content. List of possible elements expected: '%s'.", qualifiedLong(qualified(n)), expected(content))
	}
	for _, k := range n.Kids {
		p := findElem(content, qualified(k))
		if p == nil { // matched by xs:any
			continue
		}
		if err := validateElement(k, p.T); err != nil {
			return err
		}
	}
	return nil
}

func qualifiedLong(q string) string {
	if ns := nsOf(q); ns != "" {
		return localOf(q) + "' in namespace '" + ns
	}
	return q
}

func expected(p *particle) string {
	var names []string
	var walk func(p *particle)
	walk = func(p *particle) {
		if p.K == pElem {
			names = append(names, localOf(p.N))
		}
		for _, k := range p.Kids {
			walk(k)
		}
	}
	walk(p)
	if len(names) > 12 {
		names = append(names[:12], "...")
	}
	return strings.Join(names, ", ")
}

func findElem(p *particle, name string) *particle {
	if p.K == pElem {
		if p.N == name {
			return p
		}
		return nil
	}
	for _, k := range p.Kids {
		if f := findElem(k, name); f != nil {
			return f
		}
	}
	return nil
}

func checkAttrs(n *node, defs []attrDef) *schemaError {
	anyAttr := false
	for _, d := range defs {
		if d.Name == "*" {
			anyAttr = true
		}
	}
	for _, a := range n.Attrs {
		if a.Name.Space != "" {
			// xsi:type, xml:lang and soap attributes are allowed where the schema says so;
			// namespaced attributes are tolerated as Exchange does for xsi and soap.
			continue
		}
		var def *attrDef
		for i := range defs {
			if defs[i].Name == a.Name.Local {
				def = &defs[i]
			}
		}
		if def == nil {
			if anyAttr {
				continue
			}
			return violationf(n, "The '%s' attribute is not declared.", a.Name.Local)
		}
		if e := checkSimple(def.Type, a.Value); e != "" {
			return violationf(n, "The '%s' attribute is invalid - The value '%s' is invalid according to its datatype '%s' - %s", a.Name.Local, a.Value, qualifiedLong(def.Type), e)
		}
	}
	for _, d := range defs {
		if d.Required && !n.hasAttr(d.Name) {
			return violationf(n, "The required attribute '%s' is missing.", d.Name)
		}
	}
	return nil
}

var (
	patternMu    sync.Mutex
	patternCache = map[string]*regexp.Regexp{}
)

// checkSimple returns "" when v is valid for the simple type, else a reason.
func checkSimple(typ, v string) string {
	if strings.HasPrefix(typ, "xs:") {
		return checkBuiltin(typ, v)
	}
	st := schemaSimple[typ]
	if st == nil {
		return ""
	}
	if st.List != "" {
		for _, f := range strings.Fields(v) {
			if e := checkSimple(st.List, f); e != "" {
				return e
			}
		}
		return ""
	}
	if len(st.Union) > 0 {
		for _, m := range st.Union {
			if checkSimple(m, v) == "" {
				return ""
			}
		}
		return "The value is not valid for any member type of the union."
	}
	base := st.Base
	if base == "" {
		base = "xs:string"
	}
	if e := checkSimple(base, v); e != "" {
		return e
	}
	tv := v
	if !isStringType(base) {
		tv = strings.TrimSpace(v)
	}
	if len(st.Enum) > 0 {
		found := false
		for _, e := range st.Enum {
			if e == tv {
				found = true
				break
			}
		}
		if !found {
			return "The Enumeration constraint failed."
		}
	}
	if st.MinIncl != "" || st.MaxIncl != "" {
		x, ok := new(big.Float).SetString(strings.TrimSpace(v))
		if !ok {
			return "The string is not a valid number."
		}
		if st.MinIncl != "" {
			lo, _ := new(big.Float).SetString(st.MinIncl)
			if x.Cmp(lo) < 0 {
				return "The MinInclusive constraint failed."
			}
		}
		if st.MaxIncl != "" {
			hi, _ := new(big.Float).SetString(st.MaxIncl)
			if x.Cmp(hi) > 0 {
				return "The MaxInclusive constraint failed."
			}
		}
	}
	if st.MinLen > 0 && len([]rune(v)) < st.MinLen {
		return "The actual length is less than the MinLength value."
	}
	if st.Len > 0 && len([]rune(v)) != st.Len {
		return "The actual length is not equal to the specified length."
	}
	if st.Pattern != "" {
		patternMu.Lock()
		re, ok := patternCache[st.Pattern]
		if !ok {
			re, _ = regexp.Compile(`^(?:` + st.Pattern + `)$`)
			patternCache[st.Pattern] = re
		}
		patternMu.Unlock()
		if re != nil && !re.MatchString(v) {
			return "The Pattern constraint failed."
		}
	}
	return ""
}

func isStringType(t string) bool {
	for t != "" {
		if t == "xs:string" {
			return true
		}
		if strings.HasPrefix(t, "xs:") {
			return false
		}
		st := schemaSimple[t]
		if st == nil {
			return false
		}
		t = st.Base
	}
	return false
}

var durationRe = regexp.MustCompile(`^-?P(\d+Y)?(\d+M)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$`)

func checkBuiltin(typ, v string) string {
	t := strings.TrimSpace(v)
	switch typ {
	case "xs:boolean":
		switch t {
		case "true", "false", "1", "0":
			return ""
		}
		return "The string '" + v + "' is not a valid Boolean value."
	case "xs:int", "xs:long", "xs:short", "xs:integer", "xs:byte":
		bits := map[string]int{"xs:int": 32, "xs:long": 64, "xs:short": 16, "xs:integer": 64, "xs:byte": 8}[typ]
		if _, err := strconv.ParseInt(t, 10, bits); err != nil {
			return "The string '" + v + "' is not a valid " + localOf(typ) + " value."
		}
	case "xs:unsignedInt", "xs:unsignedShort", "xs:unsignedLong", "xs:nonNegativeInteger", "xs:unsignedByte":
		bits := map[string]int{"xs:unsignedInt": 32, "xs:unsignedShort": 16, "xs:unsignedLong": 64, "xs:nonNegativeInteger": 64, "xs:unsignedByte": 8}[typ]
		if _, err := strconv.ParseUint(t, 10, bits); err != nil {
			return "The string '" + v + "' is not a valid " + localOf(typ) + " value."
		}
	case "xs:double", "xs:float", "xs:decimal":
		if _, err := strconv.ParseFloat(t, 64); err != nil && t != "INF" && t != "-INF" && t != "NaN" {
			return "The string '" + v + "' is not a valid " + localOf(typ) + " value."
		}
	case "xs:dateTime":
		if _, ok := parseDateTime(t); !ok {
			return "The string '" + v + "' is not a valid AllXsd value."
		}
	case "xs:date":
		if _, ok := parseDate(t); !ok {
			return "The string '" + v + "' is not a valid AllXsd value."
		}
	case "xs:time":
		if _, err := time.Parse("15:04:05", strings.TrimSuffix(t[:min(len(t), 8)], "Z")); err != nil {
			return "The string '" + v + "' is not a valid AllXsd value."
		}
	case "xs:duration":
		if !durationRe.MatchString(t) || t == "P" || strings.HasSuffix(t, "T") {
			return "The string '" + v + "' is not a valid TimeSpan value."
		}
	case "xs:base64Binary":
		if _, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), "")); err != nil {
			return "Invalid Base64 data."
		}
	}
	return ""
}

// parseDateTime accepts xs:dateTime with or without zone and fraction.
func parseDateTime(s string) (time.Time, bool) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseDate accepts xs:date with an optional zone ("2025-07-02", "2025-07-02Z", "2025-07-02+02:00").
func parseDate(s string) (time.Time, bool) {
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s[:10])
	if err != nil {
		return time.Time{}, false
	}
	rest := s[10:]
	if rest == "" || rest == "Z" {
		return t, true
	}
	if _, err := time.Parse("-07:00", rest); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// matcher matches a child list against a content model by position sets.
type matcher struct {
	kids   []*node
	maxPos int
	memo   map[memoKey][]int
}

type memoKey struct {
	p *particle
	i int
}

func (m *matcher) note(i int) {
	if i > m.maxPos {
		m.maxPos = i
	}
}

// match returns every end position reachable by matching p (with its bounds) from i.
func (m *matcher) match(p *particle, i int) []int {
	k := memoKey{p, i}
	if r, ok := m.memo[k]; ok {
		return r
	}
	if m.memo == nil {
		m.memo = map[memoKey][]int{}
	}
	r := m.matchUncached(p, i)
	m.memo[k] = r
	return r
}

func (m *matcher) matchUncached(p *particle, i int) []int {
	min, max := p.Min, p.Max
	n := len(m.kids) + 1
	result := make([]bool, n)
	if min == 0 {
		result[i] = true
	}
	seen := make([]bool, n)
	cur := []int{i}
	for count := 1; (max < 0 || count <= max) && len(cur) > 0 && count <= len(m.kids)+min+1; count++ {
		nextSet := make([]bool, n)
		for _, s := range cur {
			for _, e := range m.once(p, s) {
				nextSet[e] = true
			}
		}
		var next []int
		for e, ok := range nextSet {
			if !ok {
				continue
			}
			if count >= min {
				result[e] = true
				if seen[e] {
					continue
				}
				seen[e] = true
			}
			next = append(next, e)
		}
		cur = next
	}
	var out []int
	for e, ok := range result {
		if ok {
			out = append(out, e)
		}
	}
	return out
}

func (m *matcher) once(p *particle, i int) []int {
	m.note(i)
	switch p.K {
	case pElem:
		if i < len(m.kids) && qualified(m.kids[i]) == p.N {
			m.note(i + 1)
			return []int{i + 1}
		}
		return nil
	case pAny:
		if i >= len(m.kids) {
			return nil
		}
		k := m.kids[i]
		if p.N == "##other" && (k.Space == "t" || k.Space == "m") {
			return nil
		}
		m.note(i + 1)
		return []int{i + 1}
	case pSeq:
		cur := []int{i}
		n := len(m.kids) + 1
		for _, k := range p.Kids {
			set := make([]bool, n)
			for _, s := range cur {
				for _, e := range m.match(k, s) {
					set[e] = true
				}
			}
			cur = cur[:0:0]
			for e, ok := range set {
				if ok {
					cur = append(cur, e)
				}
			}
			if len(cur) == 0 {
				return nil
			}
		}
		return cur
	case pChoice:
		set := make([]bool, len(m.kids)+1)
		for _, k := range p.Kids {
			for _, e := range m.match(k, i) {
				set[e] = true
			}
		}
		var out []int
		for e, ok := range set {
			if ok {
				out = append(out, e)
			}
		}
		return out
	case pAll:
		used := map[*particle]bool{}
		j := i
		for j < len(m.kids) {
			var hit *particle
			for _, k := range p.Kids {
				if !used[k] && k.K == pElem && k.N == qualified(m.kids[j]) {
					hit = k
				}
			}
			if hit == nil {
				break
			}
			used[hit] = true
			j++
			m.note(j)
		}
		for _, k := range p.Kids {
			if k.Min > 0 && !used[k] {
				return nil
			}
		}
		return []int{j}
	}
	return nil
}
