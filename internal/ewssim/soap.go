package ewssim

import (
	"bytes"
	"fmt"
	"strings"
)

// envelope is a parsed SOAP 1.1 request (https://www.w3.org/TR/2000/NOTE-SOAP-20000508/).
type envelope struct {
	Headers []*node
	Body    *node // the operation element, e.g. m:GetItem
}

// soapFault is answered as a SOAP 1.1 Fault in HTTP 500, as Exchange does
// (https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/handling-throttling-in-exchange).
type soapFault struct {
	Code       string // EWS response code, e.g. ErrorSchemaValidation
	FaultCode  string // faultcode text; "a:"+Code when empty
	Message    string
	Line, Col  int
	Violation  string
	BackOff    int // BackOffMilliseconds, 0 = none
	HTTPStatus int // 500 when 0
}

func (f *soapFault) Error() string { return "ewssim: fault " + f.Code + ": " + f.Message }

// parseEnvelope parses and validates a request against the generated schema model.
func parseEnvelope(data []byte) (*envelope, *soapFault) {
	root, err := parseTree(data)
	if err != nil {
		msg := "The request failed schema validation: " + err.Error()
		if err == errDTD {
			msg = "The request failed schema validation: For security reasons DTD is prohibited in this XML document."
		}
		return nil, &soapFault{Code: "ErrorSchemaValidation", Message: msg, Violation: strings.TrimPrefix(err.Error(), "ewssim: ")}
	}
	if root.Space != "soap" || root.Local != "Envelope" {
		return nil, &soapFault{Code: "ErrorSchemaValidation", FaultCode: "a:ErrorSchemaValidation",
			Message: "The request failed schema validation: the root element is not a SOAP 1.1 Envelope.", Line: root.Line, Col: root.Col,
			Violation: fmt.Sprintf("The root element '%s' is not '{%s}Envelope'.", root.Local, nsSoap)}
	}
	env := &envelope{}
	i := 0
	kids := root.Kids
	if i < len(kids) && kids[i].Space == "soap" && kids[i].Local == "Header" {
		for _, h := range kids[i].Kids {
			if h.Space != "t" && h.Space != "m" {
				continue // foreign headers (WS-Addressing etc.) are ignored
			}
			typ, ok := schemaRoots[qualified(h)]
			if !ok {
				return nil, schemaFault(violationf(h, "The element '%s' is not declared as a SOAP header.", qualifiedLong(qualified(h))))
			}
			if e := validateElement(h, typ); e != nil {
				return nil, schemaFault(e)
			}
			env.Headers = append(env.Headers, h)
		}
		i++
	}
	if i >= len(kids) || kids[i].Space != "soap" || kids[i].Local != "Body" {
		n := root
		if i < len(kids) {
			n = kids[i]
		}
		return nil, schemaFault(violationf(n, "The element 'Envelope' in namespace '%s' has invalid content; 'Body' expected.", nsSoap))
	}
	if i+1 < len(kids) {
		return nil, schemaFault(violationf(kids[i+1], "The element 'Envelope' has invalid child element '%s' after Body.", kids[i+1].Local))
	}
	body := kids[i]
	if len(body.Kids) != 1 {
		return nil, schemaFault(violationf(body, "The SOAP Body must contain exactly one operation element, found %d.", len(body.Kids)))
	}
	op := body.Kids[0]
	typ, ok := schemaRoots[qualified(op)]
	if !ok || op.Space != "m" {
		return nil, schemaFault(violationf(op, "The element '%s' is not a supported request element.", qualifiedLong(qualified(op))))
	}
	if e := validateElement(op, typ); e != nil {
		return nil, schemaFault(e)
	}
	env.Body = op
	return env, nil
}

func schemaFault(e *schemaError) *soapFault {
	return &soapFault{Code: "ErrorSchemaValidation", Message: "The request failed schema validation: " + e.Violation,
		Line: e.Line, Col: e.Col, Violation: e.Violation}
}

// header returns the request header with the local name.
func (e *envelope) header(local string) *node {
	for _, h := range e.Headers {
		if h.Local == local {
			return h
		}
	}
	return nil
}

// serverVersionHeader renders ServerVersionInfo
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/serverversioninfo).
func serverVersionHeader(attrs string) string {
	return `<h:ServerVersionInfo ` + attrs + ` xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types" xmlns="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>`
}

// writeResponse renders a response envelope of the simulated version.
func (s *Server) writeResponse(op *node) []byte {
	return renderResponse(op, s.opts.Version.info().header)
}

// writeResponse renders a response envelope of Exchange 2019.
func writeResponse(op *node) []byte { return renderResponse(op, versions[Exchange2019].header) }

// renderResponse renders a response envelope whose body element is op (an m: element).
func renderResponse(op *node, version string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>`)
	b.WriteString(serverVersionHeader(version))
	b.WriteString(`</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">`)
	// The operation element declares both prefixes, as Exchange does.
	op.Attrs = append(op.Attrs[:0:0], op.Attrs...)
	var inner bytes.Buffer
	op.write(&inner)
	s := inner.String()
	name := "m:" + op.Local
	decl := ` xmlns:m="` + nsMessages + `" xmlns:t="` + nsTypes + `"`
	s = "<" + name + decl + s[len(name)+1:]
	b.WriteString(s)
	b.WriteString(`</s:Body></s:Envelope>`)
	return b.Bytes()
}

// writeFault renders a SOAP fault the way Exchange 2013+ does.
func writeFault(f *soapFault) []byte {
	var b bytes.Buffer
	code := f.FaultCode
	if code == "" {
		code = "a:" + f.Code
	}
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>`)
	b.WriteString(`<faultcode xmlns:a="` + nsTypes + `">`)
	xmlEscape(&b, code, false)
	b.WriteString(`</faultcode><faultstring xml:lang="en-US">`)
	xmlEscape(&b, f.Message, false)
	b.WriteString(`</faultstring><detail><e:ResponseCode xmlns:e="` + nsErrors + `">`)
	xmlEscape(&b, f.Code, false)
	b.WriteString(`</e:ResponseCode><e:Message xmlns:e="` + nsErrors + `">`)
	xmlEscape(&b, f.Message, false)
	b.WriteString(`</e:Message>`)
	if f.Violation != "" || f.BackOff > 0 {
		b.WriteString(`<t:MessageXml xmlns:t="` + nsTypes + `">`)
		if f.BackOff > 0 {
			fmt.Fprintf(&b, `<t:Value Name="BackOffMilliseconds">%d</t:Value>`, f.BackOff)
		}
		if f.Violation != "" {
			fmt.Fprintf(&b, `<t:LineNumber>%d</t:LineNumber><t:LinePosition>%d</t:LinePosition><t:Violation>`, f.Line, f.Col)
			xmlEscape(&b, f.Violation, false)
			b.WriteString(`</t:Violation>`)
		}
		b.WriteString(`</t:MessageXml>`)
	}
	b.WriteString(`</detail></s:Fault></s:Body></s:Envelope>`)
	return b.Bytes()
}

// respMsg builds a response message element (m:XResponseMessage) with the given code.
func respMsg(name, code, text string) *node {
	n := &node{Space: "m", Local: name}
	if code == "NoError" {
		n.setAttr("ResponseClass", "Success")
		n.add(&node{Space: "m", Local: "ResponseCode", Text: "NoError"})
		return n
	}
	cls := "Error"
	if code == "ErrorServerBusy" {
		cls = "Error"
	}
	n.setAttr("ResponseClass", cls)
	if text == "" {
		text = errorText(code)
	}
	n.add(&node{Space: "m", Local: "MessageText", Text: text},
		&node{Space: "m", Local: "ResponseCode", Text: code},
		&node{Space: "m", Local: "DescriptiveLinkKey", Text: "0"})
	return n
}

// opError is a per-item failure rendered as an error response message.
type opError struct {
	Code string
	Text string
	XML  []*node // MessageXml children
}

func (e *opError) Error() string { return "ewssim: " + e.Code + ": " + e.Text }

func errf(code, format string, args ...any) *opError {
	return &opError{Code: code, Text: fmt.Sprintf(format, args...)}
}

func errMsg(name string, e *opError) *node {
	n := respMsg(name, e.Code, e.Text)
	if len(e.XML) > 0 {
		mx := &node{Space: "m", Local: "MessageXml"}
		mx.add(e.XML...)
		n.add(mx)
	}
	// Exchange sends the required (empty) result container even with an error.
	if r := requiredEmpty[name]; r != "" {
		n.add(&node{Space: "m", Local: r})
	}
	return n
}

// requiredEmpty names the container a response message type requires (messages.xsd).
var requiredEmpty = map[string]string{
	"GetItemResponseMessage": "Items", "CreateItemResponseMessage": "Items", "UpdateItemResponseMessage": "Items",
	"MoveItemResponseMessage": "Items", "GetFolderResponseMessage": "Folders", "CreateFolderResponseMessage": "Folders",
	"CreateAttachmentResponseMessage": "Attachments", "GetAttachmentResponseMessage": "Attachments",
}

func errorText(code string) string {
	switch code {
	case "ErrorItemNotFound":
		return "The specified object was not found in the store."
	case "ErrorFolderNotFound":
		return "The specified folder could not be found in the store."
	case "ErrorIrresolvableConflict":
		return "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item."
	case "ErrorInvalidSyncStateData":
		return "Synchronization state data is corrupt or otherwise invalid."
	case "ErrorServerBusy":
		return "The server cannot service this request right now. Try again later."
	}
	return code
}
