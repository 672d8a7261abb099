package contact

import (
	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// HashVCard is the content hash of the card's mapped fields
// (CanonicalVCard(card).Hash()). It equals HashEWS of the same contact on
// EWS, and ignores REV, PRODID, property order, parameters, photo encoding
// and everything the mapping does not carry (RFC 6350 section 6.7.4 REV
// and 6.7.3 PRODID are metadata, not content).
func HashVCard(card vcard.Card) string {
	return canonicalVCard(card, nil, nil).Hash()
}

// HashEWS is the content hash of an EWS contact's mapped fields and its
// photo (nil when it has none): CanonicalEWS(c, photo).Hash().
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/contact
func HashEWS(c *wire.Contact, photo *Photo) string {
	return canonicalEWS(c, photo, nil).Hash()
}
