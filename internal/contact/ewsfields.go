package contact

import (
	"strings"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// PrefixProperty is MAPI's PidTagDisplayNamePrefix (0x3A45, PT_UNICODE),
// the name prefix ("Dr."): ContactItemType has no writable element for it
// (CompleteName/Title is read-only).
// https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/pidtagdisplaynameprefix-canonical-property
var PrefixProperty = wire.ExtendedFieldURI{PropertyTag: "0x3a45", PropertyType: "String"}

// ewsField is one canonical key on the EWS side: its path for GetItem and
// UpdateItem, how to read it and how to write it into a contact.
type ewsField struct {
	key  string
	path wire.Path
	get  func(c *wire.Contact) string
	set  func(c *wire.Contact, v string)
}

func plain(key, uri string, ptr func(c *wire.Contact) *string) ewsField {
	return ewsField{key, wire.Field(uri),
		func(c *wire.Contact) string { return *ptr(c) },
		func(c *wire.Contact, v string) { *ptr(c) = v }}
}

// ewsFields is the mapping table of the EWS side, in canonical order.
var ewsFields = buildEWSFields()

func buildEWSFields() []ewsField {
	fs := []ewsField{
		plain(keyFN, "contacts:DisplayName", func(c *wire.Contact) *string { return &c.DisplayName }),
		plain(keyFamily, "contacts:Surname", func(c *wire.Contact) *string { return &c.Surname }),
		plain(keyGiven, "contacts:GivenName", func(c *wire.Contact) *string { return &c.GivenName }),
		plain(keyMiddle, "contacts:MiddleName", func(c *wire.Contact) *string { return &c.MiddleName }),
		{keyPrefix, wire.Extended(PrefixProperty),
			func(c *wire.Contact) string {
				if v, ok := c.Extended(PrefixProperty); ok {
					return v
				}
				if c.CompleteName != nil {
					return c.CompleteName.Title
				}
				return ""
			},
			func(c *wire.Contact, v string) { c.SetExtended(PrefixProperty, v) }},
		plain(keySuffix, "contacts:Generation", func(c *wire.Contact) *string { return &c.Generation }),
		plain(keyNickname, "contacts:Nickname", func(c *wire.Contact) *string { return &c.Nickname }),
		dateField(keyBday, "contacts:Birthday", func(c *wire.Contact) *string { return &c.Birthday }),
		dateField(keyAnniversary, "contacts:WeddingAnniversary", func(c *wire.Contact) *string { return &c.WeddingAnniversary }),
		{keyGender, wire.Extended(wire.GenderProperty), getGender, setGender},
		plain(keyCompany, "contacts:CompanyName", func(c *wire.Contact) *string { return &c.CompanyName }),
		plain(keyDepartment, "contacts:Department", func(c *wire.Contact) *string { return &c.Department }),
		plain(keyTitle, "contacts:JobTitle", func(c *wire.Contact) *string { return &c.JobTitle }),
		plain(keyRole, "contacts:Profession", func(c *wire.Contact) *string { return &c.Profession }),
		plain(keySpouse, "contacts:SpouseName", func(c *wire.Contact) *string { return &c.SpouseName }),
		plain(keyManager, "contacts:Manager", func(c *wire.Contact) *string { return &c.Manager }),
		plain(keyAssistant, "contacts:AssistantName", func(c *wire.Contact) *string { return &c.AssistantName }),
		plain(keyOffice, "contacts:OfficeLocation", func(c *wire.Contact) *string { return &c.OfficeLocation }),
		plain(keyURL, "contacts:BusinessHomePage", func(c *wire.Contact) *string { return &c.BusinessHomePage }),
		{keyNote, wire.Field("item:Body"), getNote, func(c *wire.Contact, v string) {
			c.Body = &wire.Body{BodyType: wire.BodyTypeText, Value: v}
		}},
		{keyCategories, wire.Field("item:Categories"),
			func(c *wire.Contact) string { return stringsList(c.Categories) },
			func(c *wire.Contact, v string) { c.Categories = &wire.Strings{String: splitList(v)} }},
		{keyChildren, wire.Field("contacts:Children"),
			func(c *wire.Contact) string { return stringsList(c.Children) },
			func(c *wire.Contact, v string) { c.Children = &wire.Strings{String: splitList(v)} }},
	}
	for _, k := range emailKeys {
		fs = append(fs, ewsField{"email." + k, wire.Indexed("contacts:EmailAddress", k),
			func(c *wire.Contact) string { return emailEntry(c, k) },
			func(c *wire.Contact, v string) {
				if c.EmailAddresses == nil {
					c.EmailAddresses = &wire.EmailAddresses{}
				}
				c.EmailAddresses.Entry = append(c.EmailAddresses.Entry, wire.EmailAddressEntry{Key: k, Value: v})
			}})
	}
	for _, k := range imKeys {
		fs = append(fs, ewsField{"im." + k, wire.Indexed("contacts:ImAddress", k),
			func(c *wire.Contact) string { return imEntry(c, k) },
			func(c *wire.Contact, v string) {
				if c.ImAddresses == nil {
					c.ImAddresses = &wire.ImAddresses{}
				}
				c.ImAddresses.Entry = append(c.ImAddresses.Entry, wire.ImAddressEntry{Key: k, Value: v})
			}})
	}
	for _, k := range phoneKeys {
		fs = append(fs, ewsField{"tel." + k, wire.Indexed("contacts:PhoneNumber", k),
			func(c *wire.Contact) string { return stripTel(phoneEntry(c, k)) },
			func(c *wire.Contact, v string) {
				if c.PhoneNumbers == nil {
					c.PhoneNumbers = &wire.PhoneNumbers{}
				}
				c.PhoneNumbers.Entry = append(c.PhoneNumbers.Entry, wire.PhoneNumberEntry{Key: k, Value: v})
			}})
	}
	for _, k := range adrKeys {
		for _, p := range adrParts {
			part := p.name
			uri := "contacts:PhysicalAddress:" + adrElement[part]
			fs = append(fs, ewsField{"adr." + k + "." + part, wire.Indexed(uri, k),
				func(c *wire.Contact) string {
					if e := addressEntry(c, k); e != nil {
						return *adrPart(e, part)
					}
					return ""
				},
				func(c *wire.Contact, v string) {
					e := addressEntry(c, k)
					if e == nil {
						if c.PhysicalAddresses == nil {
							c.PhysicalAddresses = &wire.PhysicalAddresses{}
						}
						c.PhysicalAddresses.Entry = append(c.PhysicalAddresses.Entry, wire.PhysicalAddressEntry{Key: k})
						e = &c.PhysicalAddresses.Entry[len(c.PhysicalAddresses.Entry)-1]
					}
					*adrPart(e, part) = v
				}})
		}
	}
	return fs
}

// adrElement is the EWS element of each canonical address part.
var adrElement = map[string]string{
	"street": "Street", "city": "City", "state": "State", "postal": "PostalCode", "country": "CountryOrRegion",
}

func adrPart(e *wire.PhysicalAddressEntry, part string) *string {
	switch part {
	case "street":
		return &e.Street
	case "city":
		return &e.City
	case "state":
		return &e.State
	case "postal":
		return &e.PostalCode
	}
	return &e.CountryOrRegion
}

func dateField(key, uri string, ptr func(c *wire.Contact) *string) ewsField {
	return ewsField{key, wire.Field(uri),
		func(c *wire.Contact) string {
			raw := *ptr(c)
			d, ok, err := readEWSDate(raw)
			switch {
			case err != nil:
				return unreadable + strings.TrimSpace(raw)
			case !ok:
				return ""
			}
			return d.String()
		},
		func(c *wire.Contact, v string) {
			if d, ok := parseCanonicalDate(v); ok {
				*ptr(c) = formatEWSDate(d)
			}
		}}
}

// getGender reads the Gender element when the server sends it, else the
// portable PidTagGender extended property (1 female, 2 male).
func getGender(c *wire.Contact) string {
	switch strings.ToLower(strings.TrimSpace(c.Gender)) {
	case "male":
		return "M"
	case "female":
		return "F"
	}
	if c.Gender == "" {
		switch v, _ := c.Extended(wire.GenderProperty); strings.TrimSpace(v) {
		case "1":
			return "F"
		case "2":
			return "M"
		}
	}
	return ""
}

// setGender writes the extended property, which every server accepts
// (contacts:Gender exists only from Exchange 2013's schema on).
func setGender(c *wire.Contact, v string) {
	switch v {
	case "M":
		c.SetExtended(wire.GenderProperty, "2")
	case "F":
		c.SetExtended(wire.GenderProperty, "1")
	}
}

// getNote reads the body as text; an HTML body is reduced to its text.
func getNote(c *wire.Contact) string {
	if c.Body == nil {
		return ""
	}
	if strings.EqualFold(c.Body.BodyType, wire.BodyTypeHTML) {
		return htmlToText(c.Body.Value)
	}
	return c.Body.Value
}

func stringsList(s *wire.Strings) string {
	if s == nil {
		return ""
	}
	return joinList(s.String)
}

func emailEntry(c *wire.Contact, key string) string {
	if c.EmailAddresses != nil {
		for _, e := range c.EmailAddresses.Entry {
			if e.Key == key {
				return e.Value
			}
		}
	}
	return ""
}

func imEntry(c *wire.Contact, key string) string {
	if c.ImAddresses != nil {
		for _, e := range c.ImAddresses.Entry {
			if e.Key == key {
				return e.Value
			}
		}
	}
	return ""
}

func phoneEntry(c *wire.Contact, key string) string {
	if c.PhoneNumbers != nil {
		for _, e := range c.PhoneNumbers.Entry {
			if e.Key == key {
				return e.Value
			}
		}
	}
	return ""
}

func addressEntry(c *wire.Contact, key string) *wire.PhysicalAddressEntry {
	if c.PhysicalAddresses != nil {
		for i := range c.PhysicalAddresses.Entry {
			if c.PhysicalAddresses.Entry[i].Key == key {
				return &c.PhysicalAddresses.Entry[i]
			}
		}
	}
	return nil
}

// stripTel drops a "tel:" URI scheme (RFC 3966) from a phone number, on
// both sides, so that the canonical form is the number.
func stripTel(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 4 && strings.EqualFold(v[:4], "tel:") {
		return v[4:]
	}
	return v
}
