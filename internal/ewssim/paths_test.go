package ewssim

import "testing"

func pathNode(t *testing.T, x string) *node {
	t.Helper()
	n, err := parseTree([]byte(`<r xmlns:t="` + nsTypes + `">` + x + `</r>`))
	if err != nil {
		t.Fatal(err)
	}
	return n.Kids[0]
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		name, xml, key, code string
	}{
		{"field", `<t:FieldURI FieldURI="item:Subject"/>`, "Subject", ""},
		{"indexed email", `<t:IndexedFieldURI FieldURI="contacts:EmailAddress" FieldIndex="EmailAddress3"/>`, "EmailAddresses#EmailAddress3#", ""},
		{"indexed address part", `<t:IndexedFieldURI FieldURI="contacts:PhysicalAddress:City" FieldIndex="Business"/>`, "PhysicalAddresses#Business#City", ""},
		{"bad index", `<t:IndexedFieldURI FieldURI="contacts:EmailAddress" FieldIndex="EmailAddress4"/>`, "", "ErrorInvalidPropertyRequest"},
		{"address key on phone", `<t:IndexedFieldURI FieldURI="contacts:PhoneNumber" FieldIndex="Home"/>`, "", "ErrorInvalidPropertyRequest"},
		{"named by guid", `<t:ExtendedFieldURI PropertySetId="{00020329-0000-0000-C000-000000000046}" PropertyName="X" PropertyType="String"/>`, "name:00020329-0000-0000-c000-000000000046:X:String", ""},
		{"named by distinguished set", `<t:ExtendedFieldURI DistinguishedPropertySetId="PublicStrings" PropertyName="X" PropertyType="String"/>`, "name:00020329-0000-0000-c000-000000000046:X:String", ""},
		{"tag hex and decimal agree", `<t:ExtendedFieldURI PropertyTag="0x3A45" PropertyType="String"/>`, "tag:14917:String", ""},
		{"tag decimal", `<t:ExtendedFieldURI PropertyTag="14917" PropertyType="String"/>`, "tag:14917:String", ""},
		{"tag with set", `<t:ExtendedFieldURI PropertyTag="0x3A45" PropertySetId="00020329-0000-0000-C000-000000000046" PropertyType="String"/>`, "", "ErrorInvalidExtendedProperty"},
		{"name and id", `<t:ExtendedFieldURI DistinguishedPropertySetId="Common" PropertyName="X" PropertyId="5" PropertyType="String"/>`, "", "ErrorInvalidExtendedProperty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parsePath(pathNode(t, tt.xml))
			if tt.code != "" {
				if err == nil || err.Code != tt.code {
					t.Fatalf("parsePath = %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("parsePath = %v", err)
			}
			if p.key() != tt.key {
				t.Fatalf("key = %q, want %q", p.key(), tt.key)
			}
		})
	}
}

func TestSchemaOrder(t *testing.T) {
	o := schemaOrder("t:CalendarItemType")
	// ItemType properties come before CalendarItemType's own, in schema order.
	for _, pair := range [][2]string{{"ItemId", "Subject"}, {"Subject", "ExtendedProperty"}, {"ExtendedProperty", "Start"}, {"Start", "End"}, {"Recurrence", "ModifiedOccurrences"}, {"DeletedOccurrences", "StartTimeZone"}} {
		if o[pair[0]] >= o[pair[1]] {
			t.Fatalf("schemaOrder: %s (%d) not before %s (%d)", pair[0], o[pair[0]], pair[1], o[pair[1]])
		}
	}
}
