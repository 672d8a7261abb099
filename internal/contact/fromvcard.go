package contact

import (
	"errors"

	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// ErrNoCard is returned for a nil card (FromVCard) or a nil contact
// (MergeIntoVCard, ToVCard).
var ErrNoCard = errors.New("contact: no card")

// FromVCard builds the EWS contact to create from a card: every mapped
// field (see Canonical), FileAs set to the display name, and the card's UID
// in the connector's UID extended property. The photo, when the card has
// one that can be sent, is returned apart: the engine creates it with
// CreateAttachment (Photo.Attachment) once the contact exists. Issues list
// what stays local (overflow, oversized or broken photo, unreadable date).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createitem
func FromVCard(card vcard.Card) (*wire.Contact, *Photo, []Issue, error) {
	if card == nil {
		return nil, nil, nil, ErrNoCard
	}
	var is issues
	var photo *Photo
	canon := canonicalVCard(card, &is, &photo)
	c := toContact(canon)
	if uid := CardUID(card); uid != "" {
		c.SetExtended(wire.UIDProperty, uid)
	}
	return c, photo, is, nil
}

// toContact writes every canonical value into a new contact.
func toContact(canon Canonical) *wire.Contact {
	c := &wire.Contact{}
	for _, f := range ewsFields {
		if v := canon[f.key]; v != "" {
			f.set(c, v)
		}
	}
	c.FileAs = c.DisplayName
	return c
}
