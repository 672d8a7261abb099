package wire

import "encoding/xml"

// Attachment is one element of an attachments array: a FileAttachment,
// ItemAttachment or ReferenceAttachment (XMLName tells which). The fields are
// AttachmentType's, then FileAttachmentType's, in schema order. An
// ItemAttachment's embedded item is not decoded.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/fileattachment
type Attachment struct {
	XMLName          xml.Name
	AttachmentId     *AttachmentId `xml:"AttachmentId,omitempty"`
	Name             string        `xml:"Name,omitempty"`
	ContentType      string        `xml:"ContentType,omitempty"`
	ContentId        string        `xml:"ContentId,omitempty"`
	ContentLocation  string        `xml:"ContentLocation,omitempty"`
	Size             *int64        `xml:"Size,omitempty"`
	LastModifiedTime string        `xml:"LastModifiedTime,omitempty"`
	IsInline         *bool         `xml:"IsInline,omitempty"`
	IsContactPhoto   *bool         `xml:"IsContactPhoto,omitempty"` // FileAttachment only
	Content          Base64        `xml:"Content,omitempty"`        // FileAttachment only, base64 on the wire
}

// IsFile reports whether the attachment is a FileAttachment.
func (a *Attachment) IsFile() bool { return a.XMLName.Local == "FileAttachment" }

// NewFileAttachment returns a FileAttachment with the given content.
func NewFileAttachment(name, contentType string, content []byte) Attachment {
	return Attachment{
		XMLName:     xml.Name{Space: NSTypes, Local: "FileAttachment"},
		Name:        name,
		ContentType: contentType,
		Content:     content,
	}
}

// AttachmentId identifies an attachment.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/attachmentid
type AttachmentId struct {
	Id                string `xml:"Id,attr"`
	RootItemId        string `xml:"RootItemId,attr,omitempty"`
	RootItemChangeKey string `xml:"RootItemChangeKey,attr,omitempty"`
}

// Attachments is an ordered array of attachments (an item's Attachments, or
// CreateAttachment's and GetAttachment's).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/attachments-ex15websvcsotherref
type Attachments struct {
	Attachment []Attachment `xml:",any"`
}

// MarshalXML writes the container given by start and each attachment in the
// types namespace.
func (as Attachments) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, a := range as.Attachment {
		name := a.XMLName.Local
		if name == "" {
			name = "FileAttachment"
		}
		a.XMLName = xml.Name{}
		if err := e.EncodeElement(a, typesStart(name)); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}
