package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Operations lists the EWS operations the connector calls. The pruner keeps
// these operations, their messages and the schema components they reach.
var Operations = []string{
	"GetFolder", "FindFolder", "CreateFolder", "DeleteFolder",
	"SyncFolderItems", "GetItem", "CreateItem", "UpdateItem", "DeleteItem",
	"CreateAttachment", "GetAttachment", "DeleteAttachment",
	"Subscribe", "Unsubscribe", "GetEvents", "GetStreamingEvents",
}

// span is one top-level (or, in a WSDL portType/binding, second-level)
// component of a schema or WSDL file, located by byte offsets.
type span struct {
	kind  string // local name: element, complexType, simpleType, group, attributeGroup, attribute, message, operation
	name  string // its name attribute
	start int64
	end   int64
	refs  []symbol // the components it references
	subst *symbol  // the substitutionGroup head, for elements
}

// symbol names a schema component: its namespace, its symbol space and its
// local name. complexType and simpleType share the "type" space.
type symbol struct {
	ns, space, name string
}

// parsedFile is one XML file cut into components.
type parsedFile struct {
	data  []byte
	tns   string
	spans []span
}

func space(kind string) string {
	switch kind {
	case "complexType", "simpleType":
		return "type"
	}
	return kind
}

// parseComponents cuts a schema or WSDL file into components. Components are
// the children of the root element; for WSDL portType and binding elements the
// operations inside them are components too.
func parseComponents(data []byte) (*parsedFile, error) {
	pf := &parsedFile{data: data}
	d := xml.NewDecoder(bytes.NewReader(data))
	prefixes := map[string]string{}
	depth := 0
	var cur *span
	var container string
	for {
		off := d.InputOffset()
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("prune: parse: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				for _, a := range t.Attr {
					if a.Name.Space == "xmlns" {
						prefixes[a.Name.Local] = a.Value
					}
					if a.Name.Space == "" && a.Name.Local == "targetNamespace" {
						pf.tns = a.Value
					}
				}
				continue
			}
			if depth == 2 {
				container = t.Name.Local
			}
			isOp := depth == 3 && t.Name.Local == "operation" && (container == "portType" || container == "binding")
			if depth == 2 && container != "portType" && container != "binding" || isOp {
				pf.spans = append(pf.spans, span{kind: t.Name.Local, name: attr(t, "name"), start: off})
				cur = &pf.spans[len(pf.spans)-1]
			}
			if cur != nil {
				collectRefs(cur, t, prefixes, pf.tns)
			}
		case xml.EndElement:
			if cur != nil && (depth == 2 && cur.kind == t.Name.Local && container != "portType" && container != "binding" || depth == 3 && cur.kind == "operation" && t.Name.Local == "operation") {
				cur.end = d.InputOffset()
				cur = nil
			}
			depth--
		}
	}
	return pf, nil
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// resolve turns a QName attribute value into a symbol. Names in namespaces
// the file does not declare (xs:, xml:) resolve to ok=false.
func resolve(qname, sp string, prefixes map[string]string) (symbol, bool) {
	prefix, local, found := strings.Cut(qname, ":")
	if !found {
		return symbol{}, false
	}
	ns, ok := prefixes[prefix]
	if !ok || ns == "http://www.w3.org/2001/XMLSchema" {
		return symbol{}, false
	}
	return symbol{ns: ns, space: sp, name: local}, true
}

func collectRefs(s *span, t xml.StartElement, prefixes map[string]string, tns string) {
	add := func(v, sp string) {
		if sym, ok := resolve(v, sp, prefixes); ok {
			s.refs = append(s.refs, sym)
		}
	}
	for _, a := range t.Attr {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "type", "base", "itemType":
			add(a.Value, "type")
		case "memberTypes":
			for _, v := range strings.Fields(a.Value) {
				add(v, "type")
			}
		case "ref":
			add(a.Value, t.Name.Local)
		case "substitutionGroup":
			if sym, ok := resolve(a.Value, "element", prefixes); ok {
				s.subst = &sym
			}
		case "element":
			add(a.Value, "element") // wsdl:part
		case "message":
			add(a.Value, "message") // wsdl:input, wsdl:output, soap:header
		}
	}
}

// pruneSchemas keeps, in the given schema files, the components reachable
// from roots, plus every element that can substitute for a kept element.
// It returns the pruned files in the same order.
func pruneSchemas(files []*parsedFile, roots []symbol) [][]byte {
	defs := map[symbol]*span{}
	var members = map[symbol][]symbol{}
	for _, f := range files {
		for i := range f.spans {
			s := &f.spans[i]
			if s.name == "" {
				continue
			}
			sym := symbol{ns: f.tns, space: space(s.kind), name: s.name}
			defs[sym] = s
			if s.subst != nil {
				members[*s.subst] = append(members[*s.subst], sym)
			}
		}
	}
	keep := map[*span]bool{}
	queue := slices.Clone(roots)
	seen := map[symbol]bool{}
	for len(queue) > 0 {
		sym := queue[0]
		queue = queue[1:]
		if seen[sym] {
			continue
		}
		seen[sym] = true
		s, ok := defs[sym]
		if !ok {
			continue
		}
		keep[s] = true
		queue = append(queue, s.refs...)
		if s.subst != nil {
			queue = append(queue, *s.subst)
		}
		queue = append(queue, members[sym]...)
	}
	out := make([][]byte, len(files))
	for i, f := range files {
		out[i] = cut(f, func(s *span) bool {
			// Unnamed top-level nodes (imports, annotations) stay.
			return s.name == "" || keep[s]
		})
	}
	return out
}

// cut returns the file's bytes without the components keepFn rejects.
func cut(f *parsedFile, keepFn func(*span) bool) []byte {
	var b bytes.Buffer
	var pos int64
	for i := range f.spans {
		s := &f.spans[i]
		if keepFn(s) {
			continue
		}
		b.Write(f.data[pos:s.start])
		pos = s.end
	}
	b.Write(f.data[pos:])
	return b.Bytes()
}

// pruneWSDL keeps the wsdl:message, portType operation and binding operation
// entries of the given operations. It returns the pruned WSDL and the schema
// elements its kept messages name.
func pruneWSDL(f *parsedFile, ops []string) ([]byte, []symbol) {
	keepMsg := map[string]bool{}
	for _, op := range ops {
		keepMsg[op+"SoapIn"] = true
		keepMsg[op+"SoapOut"] = true
	}
	var roots []symbol
	data := cut(f, func(s *span) bool {
		switch s.kind {
		case "message":
			if keepMsg[s.name] {
				for _, r := range s.refs {
					if r.space == "element" {
						roots = append(roots, r)
					}
				}
				return true
			}
			return false
		case "operation":
			return slices.Contains(ops, s.name)
		}
		return true
	})
	return data, roots
}
