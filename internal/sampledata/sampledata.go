// Package sampledata makes the page's "test data": a new calendar and address book on both sides
// (an Exchange folder through EWS CreateFolder and CreateItem, a Nextcloud collection through CalDAV
// MKCALENDAR, RFC 4791 section 5.3.1, and CardDAV extended MKCOL, RFC 6352 section 6.3.1), filled with
// realistic items: contacts with several emails and phones, a photo and a birthday (vCard 3.0, RFC
// 2426); single, all-day and recurring events with a moved and a cancelled occurrence, attendees,
// reminders and categories (iCalendar, RFC 5545). Half of the items are written to each side, so
// the first sync has work in both directions.
package sampledata

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"time"

	"github.com/emersion/go-vcard"

	"github.com/ewsconnector/ews_connector/internal/contact"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/event"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// Mailbox is the part of *ews.Client test data needs.
type Mailbox interface {
	CreateFolder(ctx context.Context, parent wire.TargetFolder, kind, name string) (*wire.FolderId, error)
	DeleteFolder(ctx context.Context, id wire.TargetFolder, deleteType string) error
	CreateItems(ctx context.Context, folder *wire.TargetFolder, items wire.Items) ([]ews.ItemResult, error)
	CreateAttachments(ctx context.Context, parent wire.ItemId, atts []wire.Attachment) ([]ews.AttachmentResult, error)
}

// Collections is the part of *dav.Client test data needs.
type Collections interface {
	Discover(ctx context.Context) (dav.HomeSets, error)
	MakeCalendar(ctx context.Context, cal dav.Calendar) error
	MakeAddressBook(ctx context.Context, ab dav.AddressBook) error
	DeleteCollection(ctx context.Context, href string) error
	Put(ctx context.Context, pr dav.PutRequest) (string, error)
}

// Pair is one kind's two new collections.
type Pair struct {
	RemoteFolderID string // EWS FolderId
	RemoteName     string
	LocalHref      string // DAV collection path, ending in "/"
	LocalName      string
}

// Set is what Create made.
type Set struct {
	Calendar, Contacts Pair
	// Local and Remote count the items written to each side.
	Local, Remote int
}

// Names of the test collections (both sides).
const (
	CalendarName = "EWS Connector test calendar"
	ContactsName = "EWS Connector test contacts"
)

// Create makes the two pairs of collections and fills them; suffix (e.g. a random hex string) keeps
// the names and paths unique. On failure what was made is removed again (best effort).
func Create(ctx context.Context, mb Mailbox, dc Collections, suffix string, now time.Time) (*Set, error) {
	homes, err := dc.Discover(ctx)
	if err != nil {
		return nil, fmt.Errorf("sampledata: discover: %w", err)
	}
	if homes.Calendars == "" || homes.AddressBooks == "" {
		return nil, errors.New("sampledata: the user has no calendar or address book home")
	}
	set := &Set{
		Calendar: Pair{RemoteName: CalendarName + " " + suffix, LocalName: CalendarName + " " + suffix,
			LocalHref: strings.TrimSuffix(homes.Calendars, "/") + "/ews-test-calendar-" + suffix + "/"},
		Contacts: Pair{RemoteName: ContactsName + " " + suffix, LocalName: ContactsName + " " + suffix,
			LocalHref: strings.TrimSuffix(homes.AddressBooks, "/") + "/ews-test-contacts-" + suffix + "/"},
	}
	if err := set.fill(ctx, mb, dc, suffix, now); err != nil {
		return nil, errors.Join(err, Delete(context.WithoutCancel(ctx), mb, dc, set.Calendar, set.Contacts))
	}
	return set, nil
}

func (set *Set) fill(ctx context.Context, mb Mailbox, dc Collections, suffix string, now time.Time) error {
	if err := dc.MakeCalendar(ctx, dav.Calendar{Href: set.Calendar.LocalHref, DisplayName: set.Calendar.LocalName,
		Color: "#0082c9", Components: []string{"VEVENT"}}); err != nil {
		set.Calendar.LocalHref = ""
		return fmt.Errorf("sampledata: make calendar: %w", err)
	}
	if err := dc.MakeAddressBook(ctx, dav.AddressBook{Href: set.Contacts.LocalHref, DisplayName: set.Contacts.LocalName}); err != nil {
		set.Contacts.LocalHref = ""
		return fmt.Errorf("sampledata: make address book: %w", err)
	}
	cal, err := mb.CreateFolder(ctx, ews.Distinguished("msgfolderroot"), wire.FolderKindCalendar, set.Calendar.RemoteName)
	if err != nil {
		return fmt.Errorf("sampledata: create calendar folder: %w", err)
	}
	set.Calendar.RemoteFolderID = cal.Id
	con, err := mb.CreateFolder(ctx, ews.Distinguished("msgfolderroot"), wire.FolderKindContacts, set.Contacts.RemoteName)
	if err != nil {
		return fmt.Errorf("sampledata: create contacts folder: %w", err)
	}
	set.Contacts.RemoteFolderID = con.Id

	for _, c := range localCards(suffix, now) {
		if _, err := dc.Put(ctx, dav.PutRequest{Href: dav.ObjectHref(set.Contacts.LocalHref, c.uid, "vcf"), Data: c.data}); err != nil {
			return fmt.Errorf("sampledata: put %s: %w", c.uid, err)
		}
		set.Local++
	}
	for _, e := range localEvents(suffix, now) {
		if _, err := dc.Put(ctx, dav.PutRequest{Href: dav.ObjectHref(set.Calendar.LocalHref, e.uid, "ics"), Data: e.data}); err != nil {
			return fmt.Errorf("sampledata: put %s: %w", e.uid, err)
		}
		set.Local++
	}
	n, err := createContacts(ctx, mb, ews.FolderID(set.Contacts.RemoteFolderID), remoteCards(suffix, now))
	set.Remote += n
	if err != nil {
		return err
	}
	n, err = createEvents(ctx, mb, ews.FolderID(set.Calendar.RemoteFolderID), remoteEvents(suffix, now))
	set.Remote += n
	return err
}

type object struct {
	uid  string
	data []byte
}

func createContacts(ctx context.Context, mb Mailbox, folder wire.TargetFolder, cards []object) (int, error) {
	var items wire.Items
	var photos []*contact.Photo
	for _, o := range cards {
		card, err := vcard.NewDecoder(bytes.NewReader(o.data)).Decode()
		if err != nil {
			return 0, fmt.Errorf("sampledata: %s: %w", o.uid, err)
		}
		c, photo, _, err := contact.FromVCard(card)
		if err != nil {
			return 0, fmt.Errorf("sampledata: %s: %w", o.uid, err)
		}
		items = append(items, wire.Item{Contact: c})
		photos = append(photos, photo)
	}
	res, err := mb.CreateItems(ctx, &folder, items)
	if err != nil {
		return 0, fmt.Errorf("sampledata: create contacts: %w", err)
	}
	n := 0
	var errs []error
	for i, r := range res {
		if r.Err != nil {
			errs = append(errs, r.Err)
			continue
		}
		n++
		it := r.Item()
		if photos[i] == nil || it == nil || it.Fields().ItemId == nil {
			continue
		}
		ar, err := mb.CreateAttachments(ctx, *it.Fields().ItemId, []wire.Attachment{photos[i].Attachment()})
		if err != nil {
			errs = append(errs, err)
		}
		for _, a := range ar {
			if a.Err != nil {
				errs = append(errs, a.Err)
			}
		}
	}
	return n, wrapAll("create contacts", errs)
}

func createEvents(ctx context.Context, mb Mailbox, folder wire.TargetFolder, events []object) (int, error) {
	var items wire.Items
	for _, o := range events {
		cal, err := event.Parse(o.data)
		if err != nil {
			return 0, fmt.Errorf("sampledata: %s: %w", o.uid, err)
		}
		s, _, err := event.FromICal(cal, event.Options{})
		if err != nil {
			return 0, fmt.Errorf("sampledata: %s: %w", o.uid, err)
		}
		items = append(items, wire.Item{CalendarItem: s.Master})
	}
	res, err := mb.CreateItems(ctx, &folder, items)
	if err != nil {
		return 0, fmt.Errorf("sampledata: create events: %w", err)
	}
	n := 0
	var errs []error
	for _, r := range res {
		if r.Err != nil {
			errs = append(errs, r.Err)
			continue
		}
		n++
	}
	return n, wrapAll("create events", errs)
}

func wrapAll(op string, errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("sampledata: %s: %w", op, errors.Join(errs...))
}

// Delete removes the collections of the given pairs on both sides (the Exchange folders hard-deleted,
// the Nextcloud ones moved to Nextcloud's trash bin); empty ids are skipped, missing ones are no error.
func Delete(ctx context.Context, mb Mailbox, dc Collections, pairs ...Pair) error {
	var errs []error
	for _, p := range pairs {
		if p.RemoteFolderID != "" {
			if err := mb.DeleteFolder(ctx, ews.FolderID(p.RemoteFolderID), "HardDelete"); err != nil && !ews.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("sampledata: delete folder %q: %w", p.RemoteName, err))
			}
		}
		if p.LocalHref != "" {
			if err := dc.DeleteCollection(ctx, p.LocalHref); err != nil && !dav.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("sampledata: delete collection %s: %w", p.LocalHref, err))
			}
		}
	}
	return errors.Join(errs...)
}

// photo is a small generated PNG portrait (a coloured disc), different per hue.
func photo(hue uint8) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 48, 48))
	bg := color.RGBA{R: 240, G: 240, B: 240, A: 255}
	fg := color.RGBA{R: hue, G: 130, B: 255 - hue, A: 255}
	for y := 0; y < 48; y++ {
		for x := 0; x < 48; x++ {
			dx, dy := x-24, y-24
			if dx*dx+dy*dy < 22*22 {
				img.Set(x, y, fg)
			} else {
				img.Set(x, y, bg)
			}
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // never fails on an in-memory RGBA
	return b.Bytes()
}
