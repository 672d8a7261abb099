package wire

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// ExtendedFieldURI addresses a MAPI property: by a property set and a name or
// id, or by a tag. PropertyType is always required.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/extendedfielduri
type ExtendedFieldURI struct {
	DistinguishedPropertySetId string `xml:"DistinguishedPropertySetId,attr,omitempty"`
	PropertySetId              string `xml:"PropertySetId,attr,omitempty"`
	PropertyTag                string `xml:"PropertyTag,attr,omitempty"`
	PropertyName               string `xml:"PropertyName,attr,omitempty"`
	PropertyId                 string `xml:"PropertyId,attr,omitempty"`
	PropertyType               string `xml:"PropertyType,attr"`
}

// Same reports whether two URIs address the same property. Set ids and tags
// compare case-insensitively, since servers echo GUIDs and hex tags in
// either case; names compare exactly.
func (u ExtendedFieldURI) Same(o ExtendedFieldURI) bool {
	return strings.EqualFold(u.DistinguishedPropertySetId, o.DistinguishedPropertySetId) &&
		strings.EqualFold(u.PropertySetId, o.PropertySetId) &&
		sameTag(u.PropertyTag, o.PropertyTag) &&
		u.PropertyName == o.PropertyName &&
		u.PropertyId == o.PropertyId
}

func sameTag(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		s = strings.TrimPrefix(s, "0x")
		return strings.TrimLeft(s, "0")
	}
	return norm(a) == norm(b)
}

// ExtendedProperty is an extended property with its value (or values, for
// the multi-valued types).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/extendedproperty
type ExtendedProperty struct {
	ExtendedFieldURI ExtendedFieldURI `xml:"ExtendedFieldURI"`
	Value            *string          `xml:"Value,omitempty"`
	Values           *PropertyValues  `xml:"Values,omitempty"`
}

// PropertyValues holds a multi-valued property's values.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/values
type PropertyValues struct {
	Value []string `xml:"Value"`
}

// UIDPropertySetID is the private property set of the connector's own
// properties. It is a fixed GUID: changing it would orphan every tag ever
// written.
const UIDPropertySetID = "6e9f4bd2-61c8-4f6b-9a37-ecd0c0f1a7e5"

// UIDProperty is the connector's UID tag on every item it correlates: a named
// String property in the connector's private set, addressed by set and name,
// never by tag (a tag id is assigned per mailbox). It holds the iCalendar or
// vCard UID verbatim.
var UIDProperty = ExtendedFieldURI{
	PropertySetId: UIDPropertySetID,
	PropertyName:  "ews_connector.uid",
	PropertyType:  "String",
}

// GenderProperty is MAPI's PidTagGender (0x3A4D, PT_SHORT): 0 unspecified,
// 1 female, 2 male. It is portable to servers whose schema has no Contact
// Gender element.
// https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/pidtaggender-canonical-property
var GenderProperty = ExtendedFieldURI{
	PropertyTag:  "0x3a4d",
	PropertyType: "Short",
}

// Path is one property path: a FieldURI, an IndexedFieldURI (a dictionary
// entry, FieldIndex set) or an ExtendedFieldURI (Extended set).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/path
type Path struct {
	FieldURI   string
	FieldIndex string
	Extended   *ExtendedFieldURI
}

// Field returns the path of a property by its FieldURI ("item:Subject").
func Field(uri string) Path { return Path{FieldURI: uri} }

// Indexed returns the path of a dictionary entry ("contacts:EmailAddress",
// "EmailAddress1").
func Indexed(uri, index string) Path { return Path{FieldURI: uri, FieldIndex: index} }

// Extended returns the path of an extended property.
func Extended(u ExtendedFieldURI) Path { return Path{Extended: &u} }

// String renders the path for logs and errors.
func (p Path) String() string {
	switch {
	case p.Extended != nil:
		u := p.Extended
		set := u.PropertySetId
		if set == "" {
			set = u.DistinguishedPropertySetId
		}
		name := u.PropertyName
		if name == "" {
			name = u.PropertyId
		}
		if u.PropertyTag != "" {
			return "extended:" + u.PropertyTag
		}
		return "extended:" + set + "/" + name
	case p.FieldIndex != "":
		return p.FieldURI + "[" + p.FieldIndex + "]"
	}
	return p.FieldURI
}

type fieldURIElement struct {
	FieldURI string `xml:"FieldURI,attr"`
}

type indexedFieldURIElement struct {
	FieldURI   string `xml:"FieldURI,attr"`
	FieldIndex string `xml:"FieldIndex,attr"`
}

// MarshalXML writes the path as FieldURI, IndexedFieldURI or
// ExtendedFieldURI in the types namespace.
func (p Path) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	switch {
	case p.Extended != nil:
		return e.EncodeElement(p.Extended, typesStart("ExtendedFieldURI"))
	case p.FieldIndex != "":
		return e.EncodeElement(indexedFieldURIElement{p.FieldURI, p.FieldIndex}, typesStart("IndexedFieldURI"))
	case p.FieldURI != "":
		return e.EncodeElement(fieldURIElement{p.FieldURI}, typesStart("FieldURI"))
	}
	return fmt.Errorf("wire: empty path")
}

// decodePath decodes one path element by its local name; ok is false for an
// element that is no path (it is then consumed and skipped).
func decodePath(d *xml.Decoder, start xml.StartElement) (p Path, ok bool, err error) {
	switch start.Name.Local {
	case "FieldURI":
		var f fieldURIElement
		err = d.DecodeElement(&f, &start)
		return Path{FieldURI: f.FieldURI}, true, err
	case "IndexedFieldURI":
		var f indexedFieldURIElement
		err = d.DecodeElement(&f, &start)
		return Path{FieldURI: f.FieldURI, FieldIndex: f.FieldIndex}, true, err
	case "ExtendedFieldURI":
		var u ExtendedFieldURI
		err = d.DecodeElement(&u, &start)
		return Path{Extended: &u}, true, err
	}
	return Path{}, false, d.Skip()
}

// Paths is an ordered list of paths (AdditionalProperties,
// NonEmptyArrayOfPathsToElementType).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/additionalproperties
type Paths []Path

// MarshalXML writes the container element given by start, then each path.
func (ps Paths) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, p := range ps {
		if err := p.MarshalXML(e, xml.StartElement{}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// UnmarshalXML reads every path child in order.
func (ps *Paths) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return eachChild(d, func(child xml.StartElement) error {
		p, ok, err := decodePath(d, child)
		if err != nil {
			return fmt.Errorf("wire: path: %w", err)
		}
		if ok {
			*ps = append(*ps, p)
		}
		return nil
	})
}
