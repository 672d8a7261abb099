package harmony

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/contact"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// Contact photos travel as Exchange contact photo attachments, both ways,
// and a changed picture replaces the attachment.
func TestContactPhotos(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.DSN(t), Options{})
	l := e.newLink(store.KindContacts, "Photos", nil)
	jpeg1 := append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("one"), 40)...)
	jpeg2 := append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("two"), 50)...)
	withPhoto := func(uid, fn string, img []byte) []byte {
		s := string(vcardText(uid, fn, ""))
		return []byte(strings.Replace(s, "END:VCARD", "PHOTO;ENCODING=b;TYPE=JPEG:"+base64.StdEncoding.EncodeToString(img)+"\r\nEND:VCARD", 1))
	}
	e.putLocal(l, "p", withPhoto("p-uid", "Paula P", jpeg1))
	// A remote contact with a photo, made as Outlook would.
	id := e.createRemoteContact(l, "Quinn", "Q", "q@example.org", "q-uid")
	if _, err := addAttachments(e.ctx, e.ews, id, []wire.Attachment{(&contact.Photo{Data: jpeg2, ContentType: "image/jpeg"}).Attachment()}); err != nil {
		t.Fatalf("CreateAttachments() = %v", err)
	}
	if res := e.sync(l); res.Local.Created != 1 || res.Remote.Created != 1 || len(res.Errors) != 0 {
		t.Fatalf("sync = %+v", res)
	}
	local, remote := e.assertHarmony(l)
	if p := remote["p-uid"].Photo; p == nil || !bytes.Equal(p.Data, jpeg1) {
		t.Errorf("Exchange photo of p = %v, want the vCard's", p)
	}
	if !strings.Contains(string(local["q-uid"]), base64.StdEncoding.EncodeToString(jpeg2)[:40]) {
		t.Errorf("Nextcloud q lacks the Exchange photo:\n%s", local["q-uid"])
	}
	// A new picture in Nextcloud replaces the attachment.
	e.putLocal(l, "p", withPhoto("p-uid", "Paula P", jpeg2))
	if res := e.sync(l); res.Remote.Updated != 1 || len(res.Errors) != 0 {
		t.Fatalf("photo change sync = %+v", res)
	}
	_, remote = e.assertHarmony(l)
	if p := remote["p-uid"].Photo; p == nil || !bytes.Equal(p.Data, jpeg2) || len(remote["p-uid"].PhotoIDs) != 1 {
		t.Errorf("Exchange photo of p after the change = %v (%d attachments), want the new one only", p, len(remote["p-uid"].PhotoIDs))
	}
}
