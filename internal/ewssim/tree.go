package ewssim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// XML namespaces of EWS (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ews-xml-elements-in-exchange).
const (
	nsSoap     = "http://schemas.xmlsoap.org/soap/envelope/"
	nsTypes    = "http://schemas.microsoft.com/exchange/services/2006/types"
	nsMessages = "http://schemas.microsoft.com/exchange/services/2006/messages"
	nsErrors   = "http://schemas.microsoft.com/exchange/services/2006/errors"
	nsXML      = "http://www.w3.org/XML/1998/namespace"
	nsXSI      = "http://www.w3.org/2001/XMLSchema-instance"
)

// node is a generic XML element: items are stored this way so every property round-trips.
type node struct {
	Space, Local string // Space is "t", "m", "soap" or the raw namespace URI
	Attrs        []xml.Attr
	Kids         []*node
	Text         string
	Line, Col    int
}

// errBadXML marks a request that is not well-formed XML.
var errBadXML = errors.New("ewssim: malformed xml")

// errDTD marks a request that carries a DTD.
var errDTD = errors.New("ewssim: dtd not allowed")

func shortSpace(ns string) string {
	switch ns {
	case nsTypes:
		return "t"
	case nsMessages:
		return "m"
	case nsSoap:
		return "soap"
	}
	return ns
}

// maxDepth bounds element nesting; EWS requests need far less.
const maxDepth = 128

// parseTree parses one XML document strictly: a DTD or any directive is refused.
func parseTree(data []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var stack []*node
	var root *node
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errBadXML, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, errDTD
		case xml.StartElement:
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("%w: elements nested deeper than %d", errBadXML, maxDepth)
			}
			if root != nil && len(stack) == 0 {
				return nil, fmt.Errorf("%w: content after root element", errBadXML)
			}
			line, col := d.InputPos()
			n := &node{Space: shortSpace(t.Name.Space), Local: t.Name.Local, Line: line, Col: col}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				n.Attrs = append(n.Attrs, a)
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Kids = append(p.Kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
			text.Reset()
		case xml.CharData:
			if len(stack) > 0 {
				text.Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, fmt.Errorf("%w: text outside root", errBadXML)
			}
		case xml.EndElement:
			n := stack[len(stack)-1]
			if len(n.Kids) == 0 {
				n.Text = text.String()
			} else if strings.TrimSpace(text.String()) != "" {
				n.Text = text.String()
			}
			text.Reset()
			stack = stack[:len(stack)-1]
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: empty document", errBadXML)
	}
	return root, nil
}

func (n *node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

func (n *node) hasAttr(name string) bool {
	for _, a := range n.Attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return true
		}
	}
	return false
}

func (n *node) setAttr(name, value string) {
	for i, a := range n.Attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			n.Attrs[i].Value = value
			return
		}
	}
	n.Attrs = append(n.Attrs, xml.Attr{Name: xml.Name{Local: name}, Value: value})
}

// child returns the first child with the local name, or nil.
func (n *node) child(local string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.Kids {
		if k.Local == local {
			return k
		}
	}
	return nil
}

func (n *node) childText(local string) string {
	if c := n.child(local); c != nil {
		return strings.TrimSpace(c.Text)
	}
	return ""
}

func (n *node) removeChild(local string) {
	out := n.Kids[:0]
	for _, k := range n.Kids {
		if k.Local != local {
			out = append(out, k)
		}
	}
	n.Kids = out
}

// clone deep-copies the node.
func (n *node) clone() *node {
	if n == nil {
		return nil
	}
	c := *n
	c.Attrs = append([]xml.Attr(nil), n.Attrs...)
	c.Kids = make([]*node, len(n.Kids))
	for i, k := range n.Kids {
		c.Kids[i] = k.clone()
	}
	return &c
}

// el builds a t: element with text.
func el(local, text string, attrs ...string) *node {
	n := &node{Space: "t", Local: local, Text: text}
	for i := 0; i+1 < len(attrs); i += 2 {
		n.setAttr(attrs[i], attrs[i+1])
	}
	return n
}

func (n *node) add(kids ...*node) *node {
	n.Kids = append(n.Kids, kids...)
	return n
}

// write serializes the node with t:/m: prefixes; the root of a response declares them.
func (n *node) write(b *bytes.Buffer) {
	name := n.Local
	switch n.Space {
	case "t", "m":
		name = n.Space + ":" + n.Local
	}
	b.WriteByte('<')
	b.WriteString(name)
	for _, a := range n.Attrs {
		switch a.Name.Space {
		case "":
			b.WriteByte(' ')
		case nsXML, "xml":
			b.WriteString(" xml:")
		case nsXSI, "xsi":
			b.WriteString(" xsi:")
		default:
			continue // attributes of foreign namespaces are not echoed
		}
		b.WriteString(a.Name.Local)
		b.WriteString(`="`)
		xmlEscape(b, a.Value, true)
		b.WriteByte('"')
	}
	if len(n.Kids) == 0 && n.Text == "" {
		b.WriteString("/>")
		return
	}
	b.WriteByte('>')
	if len(n.Kids) == 0 {
		xmlEscape(b, n.Text, false)
	}
	for _, k := range n.Kids {
		k.write(b)
	}
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

func xmlEscape(b *bytes.Buffer, s string, attr bool) {
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			if attr {
				b.WriteString("&quot;")
			} else {
				b.WriteRune(r)
			}
		case '\r':
			b.WriteString("&#xD;")
		case '\n':
			if attr {
				b.WriteString("&#xA;")
			} else {
				b.WriteRune(r)
			}
		case '\t':
			if attr {
				b.WriteString("&#x9;")
			} else {
				b.WriteRune(r)
			}
		default:
			if r < 0x20 || r == 0xFFFE || r == 0xFFFF {
				continue
			}
			b.WriteRune(r)
		}
	}
}
