package wire

import (
	"encoding/xml"
	"strings"
)

// Fault is a SOAP 1.1 Fault. Exchange sends them with HTTP 500 (grommunio
// with HTTP 200) for errors outside any response message, e.g.
// ErrorSchemaValidation or ErrorServerBusy. The EWS error code is in
// detail/ResponseCode, or else in faultcode ("a:ErrorServerBusy").
// https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/ews-throttling-in-exchange
type Fault struct {
	FaultCode   string      `xml:"faultcode"`
	FaultString string      `xml:"faultstring"`
	Detail      FaultDetail `xml:"detail"`
}

// FaultDetail is the detail element of an EWS SOAP fault.
type FaultDetail struct {
	ResponseCode string      `xml:"ResponseCode"`
	Message      string      `xml:"Message"`
	Line         int         `xml:"Line"`
	Position     int         `xml:"Position"`
	MessageXml   *MessageXml `xml:"MessageXml"`
}

// Code returns the EWS response code of the fault: the detail's
// ResponseCode, else the local part of faultcode.
func (f *Fault) Code() string {
	if c := strings.TrimSpace(f.Detail.ResponseCode); c != "" {
		return c
	}
	c := strings.TrimSpace(f.FaultCode)
	if i := strings.LastIndexByte(c, ':'); i >= 0 {
		c = c[i+1:]
	}
	return c
}

// Text returns the human-readable message of the fault.
func (f *Fault) Text() string {
	if m := strings.TrimSpace(f.Detail.Message); m != "" {
		return m
	}
	return strings.TrimSpace(f.FaultString)
}

// MessageXml carries machine-readable details of an error, as Value
// elements with a Name (BackOffMilliseconds for ErrorServerBusy) and any
// other elements (kept raw).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/messagexml
type MessageXml struct {
	Values []MessageXmlValue `xml:"Value"`
	Other  []AnyElement      `xml:",any"`
}

// MessageXmlValue is one named value of MessageXml.
type MessageXmlValue struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:",chardata"`
}

// Value returns the trimmed value named name, and whether it was present.
func (m *MessageXml) Value(name string) (string, bool) {
	if m == nil {
		return "", false
	}
	for _, v := range m.Values {
		if v.Name == name {
			return strings.TrimSpace(v.Value), true
		}
	}
	return "", false
}

// AnyElement keeps an element the decoder has no field for, verbatim.
type AnyElement struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   string     `xml:",innerxml"`
}
