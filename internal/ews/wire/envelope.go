// Package wire holds the EWS SOAP 1.1 wire types: the envelope, headers,
// request and response messages, folders, sync changes, notifications and
// items, as defined by Microsoft's EWS schema (messages.xsd, types.xsd):
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ews-xml-elements-in-exchange
//
// Simple types and enumerations are generated from the schema
// (schema_gen.go, see wsdl/README.md); everything with structure is written
// by hand. Struct tags carry no namespace, so responses decode by local name
// whatever prefix a server uses; MarshalRequest gives a request its
// namespaces by position.
package wire

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// NSSoap is the SOAP 1.1 envelope namespace. EWS speaks SOAP 1.1 only.
// https://www.w3.org/TR/2000/NOTE-SOAP-20000508/#_Toc478383494
const NSSoap = "http://schemas.xmlsoap.org/soap/envelope/"

// Errors of the envelope decoder.
var (
	// ErrDTD is returned for a document with a DTD (<!DOCTYPE ...>): EWS never
	// sends one, and entity expansion is a denial-of-service vector.
	ErrDTD = errors.New("wire: XML with a DTD refused")
	// ErrNotEnvelope is returned when the document is no SOAP 1.1 envelope
	// (wrong root element or namespace, SOAP 1.2, HTML error pages).
	ErrNotEnvelope = errors.New("wire: not a SOAP 1.1 envelope")
	// ErrNoBody is returned for an envelope without a Body child element.
	ErrNoBody = errors.New("wire: SOAP envelope without a body element")
	// ErrTruncated is returned when the input ends inside the envelope.
	ErrTruncated = fmt.Errorf("wire: truncated response: %w", io.ErrUnexpectedEOF)
	// ErrUnexpectedBody is returned when the body holds another element than
	// the expected response.
	ErrUnexpectedBody = errors.New("wire: unexpected SOAP body element")
)

// RequestHeader holds the SOAP headers of a request.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/requestserverversion
type RequestHeader struct {
	// Version is the RequestServerVersion Version attribute, e.g.
	// "Exchange2013_SP1" (ExchangeVersionType).
	Version string
	// ImpersonateSMTP, when set, adds ExchangeImpersonation with a
	// ConnectingSID PrimarySmtpAddress.
	// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/exchangeimpersonation
	ImpersonateSMTP string
	// TimeZoneID, when set, adds TimeZoneContext with a TimeZoneDefinition Id
	// (a Windows time zone name), Exchange2010 and later.
	// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/timezonecontext
	TimeZoneID string
}

// MarshalRequest writes a complete SOAP envelope for the request body (a
// struct whose XML element is the operation element, e.g. *GetItemRequest).
// Namespaces are given by position, whatever the body's types emit: headers
// are in the types namespace; the operation element and its direct children
// in the messages namespace (every request type in messages.xsd declares its
// children locally); everything deeper in the types namespace.
func MarshalRequest(h RequestHeader, body any) ([]byte, error) {
	raw, err := xml.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("wire: marshal request: %w", err)
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<soap:Envelope xmlns:soap="` + NSSoap + `" xmlns:t="` + NSTypes + `" xmlns:m="` + NSMessages + `">`)
	b.WriteString(`<soap:Header>`)
	if h.Version != "" {
		b.WriteString(`<t:RequestServerVersion Version="`)
		escapeAttr(&b, h.Version)
		b.WriteString(`"/>`)
	}
	if h.ImpersonateSMTP != "" {
		b.WriteString(`<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>`)
		escapeText(&b, h.ImpersonateSMTP)
		b.WriteString(`</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`)
	}
	if h.TimeZoneID != "" {
		b.WriteString(`<t:TimeZoneContext><t:TimeZoneDefinition Id="`)
		escapeAttr(&b, h.TimeZoneID)
		b.WriteString(`"/></t:TimeZoneContext>`)
	}
	b.WriteString(`</soap:Header><soap:Body>`)
	if err := renamespace(&b, raw); err != nil {
		return nil, err
	}
	b.WriteString(`</soap:Body></soap:Envelope>`)
	return b.Bytes(), nil
}

// renamespace copies the marshalled body, prefixing each element with m: or
// t: by its depth and dropping any namespace declaration the types emitted.
func renamespace(b *bytes.Buffer, raw []byte) error {
	d := xml.NewDecoder(bytes.NewReader(raw))
	depth := 0
	prefix := func() string {
		if depth <= 2 {
			return "m:"
		}
		return "t:"
	}
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("wire: marshal request: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			b.WriteString("<" + prefix() + t.Name.Local)
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" || a.Name.Space != "" {
					continue
				}
				b.WriteString(" " + a.Name.Local + `="`)
				escapeAttr(b, a.Value)
				b.WriteString(`"`)
			}
			b.WriteString(">")
		case xml.EndElement:
			b.WriteString("</" + prefix() + t.Name.Local + ">")
			depth--
		case xml.CharData:
			escapeText(b, string(t))
		}
	}
}

func escapeText(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

func escapeAttr(b *bytes.Buffer, s string) {
	// EscapeText escapes quotes, tabs and newlines too, so it is safe for
	// attribute values.
	_ = xml.EscapeText(b, []byte(s))
}

// ServerVersionInfo is the response header naming the server's build and
// schema version.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/serverversioninfo
type ServerVersionInfo struct {
	MajorVersion     int    `xml:"MajorVersion,attr"`
	MinorVersion     int    `xml:"MinorVersion,attr"`
	MajorBuildNumber int    `xml:"MajorBuildNumber,attr"`
	MinorBuildNumber int    `xml:"MinorBuildNumber,attr"`
	Version          string `xml:"Version,attr"`
}

// String returns the build as "15.2.1748.10 (V2017_07_11)".
func (v ServerVersionInfo) String() string {
	s := fmt.Sprintf("%d.%d.%d.%d", v.MajorVersion, v.MinorVersion, v.MajorBuildNumber, v.MinorBuildNumber)
	if v.Version != "" {
		s += " (" + v.Version + ")"
	}
	return s
}

// NewDecoder returns an XML decoder for EWS responses: strict, with no
// entity map and no charset conversion beyond UTF-8 and US-ASCII.
func NewDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.Strict = true
	d.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return input, nil
		}
		return nil, fmt.Errorf("wire: unsupported charset %q", charset)
	}
	return d
}

// DecodeEnvelope reads the next SOAP envelope from d. If the body holds a
// SOAP Fault it is decoded and returned as fault; otherwise the body's first
// element, which must have the local name want (any namespace), is decoded
// into into. The ServerVersionInfo header is returned when present. At the
// end of the input before any envelope, DecodeEnvelope returns io.EOF.
func DecodeEnvelope(d *xml.Decoder, want string, into any) (hdr *ServerVersionInfo, fault *Fault, err error) {
	start, err := nextStart(d, true)
	if err != nil {
		return nil, nil, err
	}
	if start.Name.Local != "Envelope" || start.Name.Space != NSSoap {
		return nil, nil, fmt.Errorf("%w: root element {%s}%s", ErrNotEnvelope, start.Name.Space, start.Name.Local)
	}
	for {
		child, err := nextStart(d, false)
		if err != nil {
			return hdr, nil, err
		}
		if child == nil {
			return hdr, nil, ErrNoBody
		}
		switch {
		case child.Name.Local == "Header" && child.Name.Space == NSSoap:
			if hdr, err = decodeHeader(d); err != nil {
				return nil, nil, err
			}
		case child.Name.Local == "Body" && child.Name.Space == NSSoap:
			el, err := nextStart(d, false)
			if err != nil {
				return hdr, nil, err
			}
			if el == nil {
				return hdr, nil, ErrNoBody
			}
			if el.Name.Local == "Fault" {
				f := new(Fault)
				if err := d.DecodeElement(f, el); err != nil {
					return hdr, nil, decodeErr("SOAP fault", err)
				}
				return hdr, f, finish(d, 2)
			}
			if el.Name.Local != want {
				return hdr, nil, fmt.Errorf("%w: got %s, want %s", ErrUnexpectedBody, el.Name.Local, want)
			}
			if err := d.DecodeElement(into, el); err != nil {
				return hdr, nil, decodeErr(want, err)
			}
			return hdr, nil, finish(d, 2)
		default:
			if err := d.Skip(); err != nil {
				return hdr, nil, fmt.Errorf("wire: %w", err)
			}
		}
	}
}

// decodeHeader reads the SOAP Header's children, keeping ServerVersionInfo.
func decodeHeader(d *xml.Decoder) (*ServerVersionInfo, error) {
	var hdr *ServerVersionInfo
	for {
		el, err := nextStart(d, false)
		if err != nil {
			return nil, err
		}
		if el == nil {
			return hdr, nil
		}
		if el.Name.Local == "ServerVersionInfo" && hdr == nil {
			hdr = new(ServerVersionInfo)
			if err := d.DecodeElement(hdr, el); err != nil {
				return nil, fmt.Errorf("wire: decode ServerVersionInfo: %w", err)
			}
			continue
		}
		if err := d.Skip(); err != nil {
			return nil, fmt.Errorf("wire: %w", err)
		}
	}
}

// nextStart returns the next start element, or nil at the end of the
// current element. At top level (top=true) io.EOF is returned as is.
// Directives (DTDs) are refused.
func nextStart(d *xml.Decoder, top bool) (*xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				if top {
					return nil, io.EOF
				}
				return nil, ErrTruncated
			}
			return nil, malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return &t, nil
		case xml.EndElement:
			if top {
				return nil, fmt.Errorf("%w: unexpected end element %s", ErrNotEnvelope, t.Name.Local)
			}
			return nil, nil
		case xml.Directive:
			return nil, ErrDTD
		case xml.CharData:
			if top && len(bytes.TrimSpace(t)) > 0 {
				return nil, fmt.Errorf("%w: text before the root element", ErrNotEnvelope)
			}
		}
	}
}

// finish consumes the rest of the envelope: depth open elements (Body and
// Envelope) and whatever else they still contain.
func finish(d *xml.Decoder, depth int) error {
	for depth > 0 {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return ErrTruncated
			}
			return malformed(err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		case xml.Directive:
			return ErrDTD
		}
	}
	return nil
}

// decodeErr wraps a decoding error, marking an early end of input as
// ErrTruncated.
func decodeErr(what string, err error) error {
	var se *xml.SyntaxError
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &se) && se.Msg == "unexpected EOF" {
		return fmt.Errorf("wire: decode %s: %w", what, ErrTruncated)
	}
	return fmt.Errorf("wire: decode %s: %w", what, err)
}

// malformed wraps a token error; an early end of input is ErrTruncated.
func malformed(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) && se.Msg == "unexpected EOF" {
		return ErrTruncated
	}
	return fmt.Errorf("wire: malformed response: %w", err)
}
