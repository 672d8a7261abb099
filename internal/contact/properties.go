package contact

import "github.com/ewsconnector/ews_connector/internal/ews/wire"

// Properties returns the GetItem AdditionalProperties the mapping needs,
// with BaseShape IdOnly. Dictionaries are asked per entry with
// IndexedFieldURI (contacts:EmailAddress + EmailAddress1..3,
// contacts:PhysicalAddress:Street.. + Business/Home/Other,
// contacts:PhoneNumber + each key, contacts:ImAddress + ImAddress1..3):
// grommunio ignores the whole-dictionary FieldURIs and would silently
// return no address (ews-server-quirks.md). It also lists
// item:Attachments (to find the contact photo), contacts:FileAs, and the
// UID, gender and prefix extended properties. The list is a fresh copy.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/additionalproperties
func Properties() wire.Paths {
	ps := make(wire.Paths, 0, len(ewsFields)+4)
	ps = append(ps, wire.Field("item:Attachments"), wire.Field("contacts:FileAs"))
	for _, f := range ewsFields {
		ps = append(ps, f.path)
	}
	ps = append(ps, wire.Extended(wire.UIDProperty))
	return ps
}
