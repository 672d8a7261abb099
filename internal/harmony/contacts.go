package harmony

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-vcard"

	"github.com/ewsconnector/ews_connector/internal/contact"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// kindFor returns the mapping of a link kind.
func kindFor(k store.LinkKind, o Options) kind {
	if k == store.KindContacts {
		return contacts{}
	}
	return events{opts: eventOptions(o)}
}

// contacts maps CardDAV vCards (RFC 6350) to EWS contacts with package
// contact; photos travel as contact photo attachments.
type contacts struct{}

func (contacts) ext() string         { return ".vcf" }
func (contacts) contentType() string { return "text/vcard; charset=utf-8" }

func (contacts) multiget(ctx context.Context, d DAV, coll string, hrefs []string) ([]dav.Object, error) {
	return d.MultiGetAddressBook(ctx, coll, hrefs)
}

func (contacts) parseLocal(o dav.Object) (*localItem, error) {
	card, _, err := contact.Parse(o.Data)
	if err != nil {
		return nil, err
	}
	uid := contact.CardUID(card)
	if uid == "" {
		return nil, fmt.Errorf("harmony: %s: vcard without UID", o.Href)
	}
	canon, _ := contact.CanonicalVCard(card)
	return &localItem{Href: o.Href, ETag: o.ETag, UID: uid, Hash: canon.Hash(),
		Fingerprint: contact.Fingerprint(canon), Modified: vcardREV(card), Card: card}, nil
}

// vcardREV reads REV (RFC 6350 section 6.7.4), zero when absent or unreadable.
func vcardREV(card vcard.Card) time.Time {
	f := card.Get("REV")
	if f == nil {
		return time.Time{}
	}
	v := strings.TrimSpace(f.Value)
	for _, layout := range []string{"20060102T150405Z", "2006-01-02T15:04:05Z07:00", "20060102T150405Z0700", "2006-01-02T15:04:05Z", "20060102T150405"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func (contacts) syncPaths() wire.Paths { return nil }

func (contacts) feedItem(it *wire.Item) (string, bool, bool) {
	if it.Contact == nil {
		return "", false, false
	}
	uid := contact.ContactUID(it.Contact)
	return uid, uid != "", true
}

func contactShape() wire.ItemShape {
	return wire.ItemShape{BaseShape: "IdOnly", BodyType: wire.BodyTypeText,
		AdditionalProperties: append(contact.Properties(), wire.Field("item:LastModifiedTime"))}
}

func (contacts) fetch(ctx context.Context, c EWS, items []*remoteItem) []error {
	var attIDs []string
	attOwner := map[string]int{}
	errs := getEach(ctx, c, items, contactShape(), func(i int, it *remoteItem, ri *wire.Item) error {
		if ri == nil || ri.Contact == nil {
			return fmt.Errorf("harmony: %s is no contact", it.ID)
		}
		ct := ri.Contact
		it.Contact = ct
		if ct.ItemId != nil {
			it.ID, it.ChangeKey = ct.ItemId.Id, ct.ItemId.ChangeKey
		}
		uid := contact.ContactUID(ct)
		it.Tagged = uid != "" && uid == it.UID
		it.Modified = ewsTime(ct.LastModifiedTime)
		it.PhotoIDs = nil
		if ct.Attachments != nil {
			for _, a := range ct.Attachments.Attachment {
				if a.AttachmentId == nil || !a.IsFile() {
					continue
				}
				if (a.IsContactPhoto != nil && *a.IsContactPhoto) || strings.Contains(a.Name, "ContactPicture") {
					it.PhotoIDs = append(it.PhotoIDs, a.AttachmentId.Id)
					attIDs = append(attIDs, a.AttachmentId.Id)
					attOwner[a.AttachmentId.Id] = i
				}
			}
		}
		return nil
	})
	photos := map[int]*contact.Photo{}
	if len(attIDs) > 0 {
		ar, aerr := c.GetAttachments(ctx, attIDs)
		for j, id := range attIDs {
			i := attOwner[id]
			if j >= len(ar) || ar[j].Err != nil {
				if j < len(ar) {
					aerr = ar[j].Err
				}
				errs[i] = orErr(aerr, "getattachment: no result")
				continue
			}
			if p := contact.PhotoFromAttachment(ar[j].Attachment); p != nil && photos[i] == nil {
				photos[i] = p
			}
		}
	}
	for i, it := range items {
		if errs[i] != nil || it.Contact == nil {
			continue
		}
		it.Photo = photos[i]
		canon, _ := contact.CanonicalEWS(it.Contact, it.Photo)
		it.Hash, it.Fingerprint, it.Fetched = canon.Hash(), contact.Fingerprint(canon), true
	}
	return errs
}

func (contacts) toLocal(l *localItem, r *remoteItem, base []byte, uid string) ([]byte, string, []byte, error) {
	var existing vcard.Card
	if l != nil {
		existing = l.Card
	}
	var b contact.Canonical
	if len(base) > 0 && l != nil {
		if pb, err := contact.ParseCanonical(base); err == nil {
			b = pb
		}
	}
	card, _, err := contact.MergeIntoVCard(existing, b, r.Contact, r.Photo)
	if err != nil {
		return nil, "", nil, err
	}
	if l == nil || contact.CardUID(card) == "" {
		contact.SetCardUID(card, uid)
	}
	canonR, _ := contact.CanonicalEWS(r.Contact, r.Photo)
	return contact.Encode(card), contact.HashVCard(card), canonR.Bytes(), nil
}

func (contacts) baseOfLocal(l *localItem) []byte {
	if l == nil || l.Card == nil {
		return nil
	}
	c, _ := contact.CanonicalVCard(l.Card)
	return c.Bytes()
}

func (contacts) baseOfRemote(r *remoteItem) []byte {
	if r == nil || r.Contact == nil {
		return nil
	}
	c, _ := contact.CanonicalEWS(r.Contact, r.Photo)
	return c.Bytes()
}

func (contacts) tagItem(uid string) wire.Item {
	ct := &wire.Contact{}
	ct.SetExtended(wire.UIDProperty, uid)
	return wire.Item{Contact: ct}
}

func (contacts) create(ctx context.Context, c EWS, folder wire.TargetFolder, ws []*work) {
	var items wire.Items
	var iw []*work
	photos := map[*work]*contact.Photo{}
	for _, w := range ws {
		ct, photo, _, err := contact.FromVCard(w.local.Card)
		if err != nil {
			w.err = err
			continue
		}
		ct.SetExtended(wire.UIDProperty, w.uid)
		items = append(items, wire.Item{Contact: ct})
		iw = append(iw, w)
		photos[w] = photo
	}
	if len(items) == 0 {
		return
	}
	res, err := c.CreateItems(ctx, &folder, items)
	for i, w := range iw {
		id, ierr := createdID(res, err, i)
		if ierr != nil {
			w.err = ierr
			continue
		}
		w.remote = &remoteItem{ID: id.Id, ChangeKey: id.ChangeKey, UID: w.uid, Tagged: true, Fetched: true, Written: true,
			Hash: w.local.Hash, Contact: items[i].Contact, Photo: photos[w]}
		w.remoteGn = false
		if p := photos[w]; p != nil {
			if ck, err := addAttachments(ctx, c, *id, []wire.Attachment{p.Attachment()}); err != nil {
				w.err = err
			} else if ck != "" {
				w.remote.ChangeKey = ck
			}
		}
	}
}

func (contacts) update(ctx context.Context, c EWS, ws []*work) {
	var changes []wire.ItemChange
	var cw []*work
	news := map[*work]*contact.Photo{}
	for _, w := range ws {
		ct, photo, _, err := contact.FromVCard(w.local.Card)
		if err != nil {
			w.err = err
			continue
		}
		ct.SetExtended(wire.UIDProperty, w.uid)
		news[w] = photo
		ups := contact.Updates(w.remote.Contact, ct)
		if !w.remote.Tagged {
			ups = append(ups, wire.Update{Kind: wire.SetField, Path: wire.Extended(wire.UIDProperty), Item: contacts{}.tagItem(w.uid)})
		}
		if len(ups) == 0 {
			continue
		}
		changes = append(changes, wire.ItemChange{ItemId: &wire.ItemId{Id: w.remote.ID, ChangeKey: w.remote.ChangeKey}, Updates: ups})
		cw = append(cw, w)
	}
	if len(changes) > 0 {
		res, err := c.UpdateItems(ctx, changes, ews.NeverOverwrite)
		for i, w := range cw {
			applyUpdateResult(w, res, i, err)
		}
	}
	// Photos: replace the attachment when the picture changed.
	for _, w := range ws {
		if w.err != nil || w.stale {
			continue
		}
		newPhoto := news[w]
		if photoDigest(newPhoto) != photoDigest(w.remote.Photo) {
			if len(w.remote.PhotoIDs) > 0 {
				ar, err := c.DeleteAttachments(ctx, w.remote.PhotoIDs)
				if err != nil && len(ar) == 0 {
					w.err = err
					continue
				}
				for _, a := range ar {
					if a.Err != nil && !ews.IsNotFound(a.Err) {
						w.err = a.Err
					} else if a.RootItemId != nil && a.RootItemId.RootItemChangeKey != "" {
						w.remote.ChangeKey = a.RootItemId.RootItemChangeKey
					}
				}
				if w.err != nil {
					continue
				}
			}
			if newPhoto != nil {
				ck, err := addAttachments(ctx, c, wire.ItemId{Id: w.remote.ID, ChangeKey: w.remote.ChangeKey}, []wire.Attachment{newPhoto.Attachment()})
				if err != nil {
					w.err = err
					continue
				}
				if ck != "" {
					w.remote.ChangeKey = ck
				}
			}
		}
		w.remote.Hash, w.remote.Tagged, w.remote.Photo = w.local.Hash, true, newPhoto
	}
}

func photoDigest(p *contact.Photo) string {
	if p == nil {
		return ""
	}
	return contact.HashEWS(&wire.Contact{}, p)
}

// applyUpdateResult reads the i-th UpdateItem result into w: the new
// ChangeKey, or stale (a changed or vanished item: re-plan), or an error.
func applyUpdateResult(w *work, res []ews.ItemResult, i int, err error) {
	if i >= len(res) {
		w.err = orErr(err, "updateitem: no result")
		return
	}
	switch rerr := res[i].Err; {
	case rerr == nil:
		if id := itemIDOf(res[i].Item()); id != nil && id.ChangeKey != "" {
			w.remote.ChangeKey = id.ChangeKey
		}
		w.remote.Written = true
	case ews.IsConflict(rerr):
		w.stale = true
	case ews.IsNotFound(rerr):
		w.remote, w.remoteGn, w.stale = nil, true, true
	default:
		w.err = rerr
	}
}

// addAttachments creates attachments on an item and returns the item's new
// ChangeKey.
func addAttachments(ctx context.Context, c EWS, parent wire.ItemId, atts []wire.Attachment) (string, error) {
	ar, err := c.CreateAttachments(ctx, parent, atts)
	if err != nil && len(ar) == 0 {
		return "", err
	}
	ck := ""
	for _, a := range ar {
		if a.Err != nil {
			return "", a.Err
		}
		if a.RootItemId != nil && a.RootItemId.RootItemChangeKey != "" {
			ck = a.RootItemId.RootItemChangeKey
		}
	}
	return ck, nil
}

func itemIDOf(it *wire.Item) *wire.ItemId {
	if it == nil || it.Fields() == nil {
		return nil
	}
	return it.Fields().ItemId
}

func orErr(err error, msg string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("harmony: %s", msg)
}

// ewsTime parses an EWS dateTime leniently; zero when absent or unreadable.
func ewsTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _, err := wire.ParseDateTime(s)
	if err != nil {
		return time.Time{}
	}
	return t
}
