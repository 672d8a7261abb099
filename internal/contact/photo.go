package contact

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// Photo is a contact picture: the decoded image and its media type
// ("image/jpeg"). On EWS it is a FileAttachment with IsContactPhoto set.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/iscontactphoto
type Photo struct {
	Data        []byte
	ContentType string
}

// PhotoAttachmentName is the attachment name Outlook and Exchange use for
// a contact picture.
// https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/how-to-set-contact-photos-by-using-ews-in-exchange
const PhotoAttachmentName = "ContactPicture.jpg"

// Attachment returns the photo as the FileAttachment to create with
// CreateAttachment (IsContactPhoto=true).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createattachment
func (p *Photo) Attachment() wire.Attachment {
	a := wire.NewFileAttachment(PhotoAttachmentName, p.ContentType, p.Data)
	yes := true
	a.IsContactPhoto = &yes
	return a
}

// PhotoFromAttachment returns the photo held by an attachment fetched with
// GetAttachment, or nil if it is no contact photo (IsContactPhoto, or a
// name containing "ContactPicture" as older servers send).
func PhotoFromAttachment(a *wire.Attachment) *Photo {
	if a == nil || len(a.Content) == 0 {
		return nil
	}
	isPhoto := a.IsContactPhoto != nil && *a.IsContactPhoto
	if !isPhoto && !strings.Contains(strings.ToLower(a.Name), "contactpicture") {
		return nil
	}
	ct := a.ContentType
	if ct == "" || ct == "application/octet-stream" {
		ct = sniffImage(a.Content)
	}
	return &Photo{Data: a.Content, ContentType: ct}
}

// digest is the canonical form of a photo: the SHA-256 of its bytes, so
// that the encoding (base64 flavour, data URI or ENCODING=b) never counts.
func (p *Photo) digest() string {
	sum := sha256.Sum256(p.Data)
	return hex.EncodeToString(sum[:])
}

// sniffImage names the image type from its magic bytes.
func sniffImage(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG")):
		return "image/png"
	case bytes.HasPrefix(b, []byte("GIF8")):
		return "image/gif"
	case len(b) > 12 && string(b[8:12]) == "WEBP":
		return "image/webp"
	}
	return "image/jpeg"
}

// readVCardPhoto decodes a PHOTO property: a data: URI (4.0), ENCODING=b
// or BASE64 (3.0, 2.1). A link, a base64 text that does not decode and an
// image above MaxPhotoBytes give an issue and no photo.
func readVCardPhoto(f *vcard.Field, is *issues) *Photo {
	v := strings.TrimSpace(f.Value)
	var ct, b64 string
	enc := strings.ToLower(f.Params.Get("ENCODING"))
	switch {
	case strings.HasPrefix(strings.ToLower(v), "data:"):
		head, data, ok := strings.Cut(v[5:], ",")
		if !ok || !strings.Contains(strings.ToLower(head), ";base64") {
			is.add("PHOTO", "data URI is not base64; kept locally, not sent")
			return nil
		}
		ct, _, _ = strings.Cut(head, ";")
		b64 = data
	case enc == "b" || enc == "base64":
		b64 = v
		if t := f.Params.Get(vcard.ParamType); t != "" {
			ct = "image/" + strings.ToLower(t)
			if ct == "image/jpg" {
				ct = "image/jpeg"
			}
		}
		if mt := f.Params.Get(vcard.ParamMediaType); mt != "" {
			ct = mt
		}
	default:
		is.add("PHOTO", "photo is a link, not inline data; kept locally, not sent")
		return nil
	}
	data, err := decodeBase64(b64)
	if err != nil {
		is.add("PHOTO", fmt.Sprintf("base64 does not decode (%v); kept locally, not sent", err))
		return nil
	}
	if len(data) == 0 {
		return nil
	}
	if len(data) > MaxPhotoBytes {
		is.add("PHOTO", fmt.Sprintf("photo is %d bytes, limit %d; kept locally, not sent", len(data), MaxPhotoBytes))
		return nil
	}
	if ct == "" || !strings.HasPrefix(ct, "image/") {
		ct = sniffImage(data)
	}
	return &Photo{Data: data, ContentType: strings.ToLower(ct)}
}

// decodeBase64 decodes standard or URL base64, padded or not, ignoring
// whitespace and a stray escaped line break.
func decodeBase64(s string) ([]byte, error) {
	s = strings.ReplaceAll(s, `\n`, "")
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// photoField returns a PHOTO field holding p in the form of the version.
func photoField(p *Photo, v4 bool, group string) *vcard.Field {
	b64 := base64.StdEncoding.EncodeToString(p.Data)
	if v4 {
		return &vcard.Field{Value: "data:" + p.ContentType + ";base64," + b64, Params: vcard.Params{}, Group: group}
	}
	t := strings.ToUpper(strings.TrimPrefix(p.ContentType, "image/"))
	return &vcard.Field{Value: b64, Params: vcard.Params{"ENCODING": {"b"}, vcard.ParamType: {t}}, Group: group}
}
