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
	types := typesOf(f)
	if types.has("fax") {
		switch {
		case types.has("work"):
			return "BusinessFax"
		case types.has("home"):
			return "HomeFax"
		}
		return "OtherFax"
	}
	for _, s := range phoneSpecial {
		for _, t := range s.types {
			if types.has(t) {
				return s.key
			}
		}
	}
	switch {
	case types.has("work"):
		return "BusinessPhone"
	case types.has("home"):
		return "HomePhone"
	}
	return "OtherTelephone"
}

// typeSet is the TYPE values of a property, comma lists split.
type typeSet []string

// typesOf returns the TYPE values of f.
func typesOf(f *vcard.Field) typeSet {
	var out typeSet
	for _, t := range f.Params[vcard.ParamType] {
		for t != "" {
			v, rest, _ := strings.Cut(t, ",")
			out = append(out, strings.TrimSpace(v))
			t = rest
		}
	}
	return out
}

// has reports whether the set holds t (ASCII case-insensitively).
func (ts typeSet) has(t string) bool {
	for _, v := range ts {
		if strings.EqualFold(v, t) {
			return true
		}
	}
	return false
}
