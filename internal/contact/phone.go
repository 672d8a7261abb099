package contact

import (
	"strings"

	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// phoneKeys are the EWS PhoneNumberKeyType values in canonical order.
var phoneKeys = wire.PhoneKeys

// phoneTypes is the TEL TYPE list written for a new number of each EWS key
// (docs/mapping-contacts.md has the table both ways). The X- types are the
// ones DAVx5 and Outlook exports use for what vCard has no word for.
var phoneTypes = map[string][]string{
	"BusinessPhone":    {"work", "voice"},
	"BusinessPhone2":   {"work", "voice"},
	"HomePhone":        {"home", "voice"},
	"HomePhone2":       {"home", "voice"},
	"MobilePhone":      {"cell"},
	"BusinessFax":      {"work", "fax"},
	"HomeFax":          {"home", "fax"},
	"OtherFax":         {"fax"},
	"OtherTelephone":   {"other"},
	"Pager":            {"pager"},
	"CarPhone":         {"car"},
	"Isdn":             {"isdn"},
	"AssistantPhone":   {"x-assistant"},
	"Callback":         {"x-callback"},
	"CompanyMainPhone": {"x-company-main"},
	"PrimaryPhone":     {"x-primary"},
	"RadioPhone":       {"x-radio"},
	"Telex":            {"x-telex"},
	"TtyTddPhone":      {"textphone"},
}

// phoneSpecial maps a TEL type to the EWS key it alone decides, checked
// after fax and before work/home.
var phoneSpecial = []struct {
	types []string
	key   string
}{
	{[]string{"cell", "mobile", "iphone", "x-mobile"}, "MobilePhone"},
	{[]string{"pager", "x-pager"}, "Pager"},
	{[]string{"car", "x-car"}, "CarPhone"},
	{[]string{"isdn", "x-isdn"}, "Isdn"},
	{[]string{"x-assistant", "assistant"}, "AssistantPhone"},
	{[]string{"x-callback", "callback"}, "Callback"},
	{[]string{"x-company-main", "x-company_main", "x-companymain", "main", "company"}, "CompanyMainPhone"},
	{[]string{"x-primary", "primary"}, "PrimaryPhone"},
	{[]string{"x-radio", "radio"}, "RadioPhone"},
	{[]string{"x-telex", "telex", "tlx"}, "Telex"},
	{[]string{"textphone", "tty", "ttytdd", "x-ttytdd", "x-tty"}, "TtyTddPhone"},
}

// phoneKeyOf classifies a TEL by its TYPE values: fax first (work, home or
// other fax), then the special kinds (cell, pager, car, ...), then work and
// home voice, else OtherTelephone. Work and home return the first key of
// their two (BusinessPhone, HomePhone); the assignment fills the second.
func phoneKeyOf(f *vcard.Field) string {
	types := typeSet(f)
	if types["fax"] {
		switch {
		case types["work"]:
			return "BusinessFax"
		case types["home"]:
			return "HomeFax"
		}
		return "OtherFax"
	}
	for _, s := range phoneSpecial {
		for _, t := range s.types {
			if types[t] {
				return s.key
			}
		}
	}
	switch {
	case types["work"]:
		return "BusinessPhone"
	case types["home"]:
		return "HomePhone"
	}
	return "OtherTelephone"
}

// typeSet returns the lower-cased TYPE values of f, comma lists split.
func typeSet(f *vcard.Field) map[string]bool {
	m := make(map[string]bool, 4)
	for _, t := range f.Params[vcard.ParamType] {
		for _, v := range strings.Split(t, ",") {
			m[strings.ToLower(strings.TrimSpace(v))] = true
		}
	}
	return m
}
