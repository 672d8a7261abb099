package contact

import (
	"strings"

	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// CardUID returns the card's UID (RFC 6350 section 6.7.6) unescaped and
// trimmed, or "" when it has none.
func CardUID(card vcard.Card) string {
	if f := card.Get(vcard.FieldUID); f != nil {
		return strings.TrimSpace(unescape(f.Value))
	}
	return ""
}

// ContactUID returns the vCard UID an EWS contact carries in the
// connector's UID extended property (wire.UIDProperty), or "".
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/extendedproperty
func ContactUID(c *wire.Contact) string {
	if c == nil {
		return ""
	}
	v, _ := c.Extended(wire.UIDProperty)
	return strings.TrimSpace(v)
}

// SetCardUID sets the card's UID (RFC 6350 section 6.7.6) to uid,
// replacing any other.
func SetCardUID(card vcard.Card, uid string) {
	card[vcard.FieldUID] = []*vcard.Field{{Value: escape(uid), Params: vcard.Params{}}}
}
