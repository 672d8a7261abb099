package contact

import (
	"encoding/xml"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/reference"
)

type createItemRequest struct {
	XMLName           xml.Name   `xml:"http://schemas.microsoft.com/exchange/services/2006/messages CreateItem"`
	SavedItemFolderId savedIn    `xml:"http://schemas.microsoft.com/exchange/services/2006/messages SavedItemFolderId"`
	Items             wire.Items `xml:"http://schemas.microsoft.com/exchange/services/2006/messages Items"`
}

type savedIn struct {
	Folder struct {
		Id string `xml:"Id,attr"`
	} `xml:"http://schemas.microsoft.com/exchange/services/2006/types DistinguishedFolderId"`
}

type updateItemRequest struct {
	XMLName            xml.Name    `xml:"http://schemas.microsoft.com/exchange/services/2006/messages UpdateItem"`
	ConflictResolution string      `xml:"ConflictResolution,attr"`
	ItemChanges        itemChanges `xml:"http://schemas.microsoft.com/exchange/services/2006/messages ItemChanges"`
}

type itemChanges struct {
	Change []wire.ItemChange `xml:"http://schemas.microsoft.com/exchange/services/2006/types ItemChange"`
}

type getItemRequest struct {
	XMLName xml.Name `xml:"http://schemas.microsoft.com/exchange/services/2006/messages GetItem"`
	Shape   struct {
		BaseShape  string     `xml:"http://schemas.microsoft.com/exchange/services/2006/types BaseShape"`
		Additional wire.Paths `xml:"http://schemas.microsoft.com/exchange/services/2006/types AdditionalProperties"`
	} `xml:"http://schemas.microsoft.com/exchange/services/2006/messages ItemShape"`
	Ids struct {
		ItemId wire.ItemId `xml:"http://schemas.microsoft.com/exchange/services/2006/types ItemId"`
	} `xml:"http://schemas.microsoft.com/exchange/services/2006/messages ItemIds"`
}

func validateRequest(t *testing.T, body any) {
	t.Helper()
	b, err := xml.Marshal(body)
	if err != nil {
		t.Fatalf("xml.Marshal = %v", err)
	}
	env := []byte(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><RequestServerVersion xmlns="` + wire.NSTypes + `" Version="Exchange2010_SP2"/></soap:Header><soap:Body>`)
	env = append(env, b...)
	env = append(env, "</soap:Body></soap:Envelope>"...)
	reference.ValidateEnvelope(t, env)
}

// TestRequestsValidate: what the mapping produces for CreateItem, UpdateItem
// and GetItem is valid against Microsoft's schema.
func TestRequestsValidate(t *testing.T) {
	reference.Require(t, "ews-schema", "ews-envelope.xsd")
	items := wire.Items{{Contact: fullContact()}}
	cards := corpus(t)
	for _, name := range sortedNames(cards) {
		c, _, _, err := FromVCard(mustParse(t, cards[name]))
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, wire.Item{Contact: c})
	}
	req := createItemRequest{Items: items}
	req.SavedItemFolderId.Folder.Id = "contacts"
	validateRequest(t, req)

	old := fullContact()
	nw, _, _, _ := FromVCard(mustParse(t, cards["nextcloud-30.vcf"]))
	us := Updates(old, nw)
	if len(us) < 10 {
		t.Fatalf("Updates = %d, want many", len(us))
	}
	validateRequest(t, updateItemRequest{ConflictResolution: "AlwaysOverwrite",
		ItemChanges: itemChanges{[]wire.ItemChange{{ItemId: &wire.ItemId{Id: "AAMk", ChangeKey: "CQAA"}, Updates: us}}}})

	get := getItemRequest{}
	get.Shape.BaseShape = "IdOnly"
	get.Shape.Additional = Properties()
	get.Ids.ItemId = wire.ItemId{Id: "AAMk"}
	validateRequest(t, get)
}
