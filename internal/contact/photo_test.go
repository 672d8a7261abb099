package contact

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

func TestPhotoAttachment(t *testing.T) {
	p := &Photo{Data: []byte("\xff\xd8\xffjpeg"), ContentType: "image/jpeg"}
	a := p.Attachment()
	if !a.IsFile() || a.Name != PhotoAttachmentName || a.IsContactPhoto == nil || !*a.IsContactPhoto {
		t.Fatalf("Attachment() = %+v", a)
	}
	b, err := xml.Marshal(wire.Attachments{Attachment: []wire.Attachment{a}})
	if err != nil || !bytes.Contains(b, []byte("<IsContactPhoto>true</IsContactPhoto>")) {
		t.Errorf("xml.Marshal = %s, %v", b, err)
	}
	if got := PhotoFromAttachment(&a); got == nil || !bytes.Equal(got.Data, p.Data) || got.ContentType != "image/jpeg" {
		t.Errorf("PhotoFromAttachment(Attachment()) = %+v", got)
	}
	old := wire.NewFileAttachment("ContactPicture.jpg", "", []byte("\x89PNGdata"))
	if got := PhotoFromAttachment(&old); got == nil || got.ContentType != "image/png" {
		t.Errorf("PhotoFromAttachment(named ContactPicture) = %+v", got)
	}
	other := wire.NewFileAttachment("report.pdf", "application/pdf", []byte("%PDF"))
	if got := PhotoFromAttachment(&other); got != nil {
		t.Errorf("PhotoFromAttachment(report.pdf) = %+v, want nil", got)
	}
	if PhotoFromAttachment(nil) != nil {
		t.Errorf("PhotoFromAttachment(nil) != nil")
	}
}

func TestVCardPhotoForms(t *testing.T) {
	img := []byte("\xff\xd8\xff\xe0photo-bytes")
	forms := [][]string{
		{"VERSION:3.0", "PHOTO;ENCODING=b;TYPE=JPEG:" + b64(img)},
		{"VERSION:2.1", "PHOTO;TYPE=JPEG;ENCODING=BASE64:", " " + b64(img)[:10], " " + b64(img)[10:], ""},
		{"VERSION:4.0", "PHOTO:data:image/jpeg;base64," + b64(img)},
	}
	var digests []string
	for _, f := range forms {
		lines := append(append([]string{"BEGIN:VCARD"}, f...), "FN:P", "END:VCARD")
		card := mustParseString(t, lines...)
		_, p, is, _ := FromVCard(card)
		if p == nil || !bytes.Equal(p.Data, img) || p.ContentType != "image/jpeg" {
			t.Fatalf("%s: photo = %+v, issues %v", f[0], p, is)
		}
		c, _ := CanonicalVCard(card)
		digests = append(digests, c[keyPhoto])
	}
	if digests[0] != digests[1] || digests[1] != digests[2] || digests[0] == "" {
		t.Errorf("photo digests differ by encoding: %v", digests)
	}
}
