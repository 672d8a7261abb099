package ewssim

import (
	"strings"
	"testing"
)

const uidSet = `PropertySetId="c11ff724-aa03-4555-9952-8fa248a11c3e" PropertyName="NextcloudUID" PropertyType="String"`

const contactItem = `<t:Contact><t:ExtendedProperty><t:ExtendedFieldURI ` + uidSet + `/><t:Value>uid-123</t:Value></t:ExtendedProperty><t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId="PublicStrings" PropertyName="Color" PropertyType="Integer"/><t:Value>7</t:Value></t:ExtendedProperty><t:GivenName>Ada</t:GivenName><t:CompanyName>Analytical Engines</t:CompanyName><t:EmailAddresses><t:Entry Key="EmailAddress1">ada@example.org</t:Entry></t:EmailAddresses><t:PhysicalAddresses><t:Entry Key="Home"><t:Street>12 St James's Square</t:Street><t:City>London</t:City></t:Entry></t:PhysicalAddresses><t:PhoneNumbers><t:Entry Key="MobilePhone">+44 20 1234</t:Entry><t:Entry Key="BusinessPhone">+44 20 5678</t:Entry></t:PhoneNumbers><t:Surname>Lovelace</t:Surname></t:Contact>`

func createContact(t *testing.T, call2 func(string) *node) (string, string) {
	t.Helper()
	resp := call2(`<m:CreateItem><m:SavedItemFolderId><t:DistinguishedFolderId Id="contacts"/></m:SavedItemFolderId><m:Items>` + contactItem + `</m:Items></m:CreateItem>`)
	wantCodes(t, resp, "NoError")
	id := find(resp, "ItemId")
	return id.attr("Id"), id.attr("ChangeKey")
}

func TestContactPathsAndExtendedProperties(t *testing.T) {
	_, ts := testServer(t)
	do := func(body string) *node { _, r := call(t, ts, body); return r }
	id, ck := createContact(t, do)

	get := func(props string) *node {
		return do(`<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>` + props + `</t:AdditionalProperties></m:ItemShape><m:ItemIds><t:ItemId Id="` + id + `"/></m:ItemIds></m:GetItem>`)
	}
	resp := get(`<t:IndexedFieldURI FieldURI="contacts:EmailAddress" FieldIndex="EmailAddress1"/><t:IndexedFieldURI FieldURI="contacts:PhysicalAddress:City" FieldIndex="Home"/><t:ExtendedFieldURI ` + uidSet + `/><t:ExtendedFieldURI PropertySetId="00020329-0000-0000-C000-000000000046" PropertyName="Color" PropertyType="Integer"/><t:FieldURI FieldURI="contacts:DisplayName"/>`)
	wantCodes(t, resp, "NoError")
	if got := find(find(resp, "EmailAddresses"), "Entry").Text; got != "ada@example.org" {
		t.Fatalf("EmailAddress1 = %q", got)
	}
	pa := find(resp, "PhysicalAddresses")
	if find(pa, "City").Text != "London" || find(pa, "Street") != nil {
		t.Fatalf("PhysicalAddress:City Home = %+v, want only City London", pa)
	}
	ext := findAll(resp, "ExtendedProperty")
	if len(ext) != 2 || find(ext[0], "Value").Text != "uid-123" || find(ext[1], "Value").Text != "7" {
		t.Fatalf("extended properties = %d, want uid-123 and 7 (PublicStrings by name and by GUID)", len(ext))
	}
	if got := find(resp, "DisplayName").Text; got != "Ada Lovelace" {
		t.Fatalf("DisplayName = %q, want computed Ada Lovelace", got)
	}
	// AllProperties never includes extended properties.
	all := do(`<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="` + id + `"/></m:ItemIds></m:GetItem>`)
	if find(all, "ExtendedProperty") != nil {
		t.Fatalf("AllProperties returned an ExtendedProperty")
	}

	update := func(ck, updates string) *node {
		return do(`<m:UpdateItem ConflictResolution="NeverOverwrite"><m:ItemChanges><t:ItemChange><t:ItemId Id="` + id + `" ChangeKey="` + ck + `"/><t:Updates>` + updates + `</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)
	}
	resp = update(ck, `<t:SetItemField><t:IndexedFieldURI FieldURI="contacts:EmailAddress" FieldIndex="EmailAddress2"/><t:Contact><t:EmailAddresses><t:Entry Key="EmailAddress2">ada@work.example</t:Entry></t:EmailAddresses></t:Contact></t:SetItemField><t:DeleteItemField><t:IndexedFieldURI FieldURI="contacts:PhoneNumber" FieldIndex="MobilePhone"/></t:DeleteItemField><t:SetItemField><t:ExtendedFieldURI `+uidSet+`/><t:Contact><t:ExtendedProperty><t:ExtendedFieldURI `+uidSet+`/><t:Value>uid-456</t:Value></t:ExtendedProperty></t:Contact></t:SetItemField><t:SetItemField><t:IndexedFieldURI FieldURI="contacts:PhysicalAddress:PostalCode" FieldIndex="Home"/><t:Contact><t:PhysicalAddresses><t:Entry Key="Home"><t:PostalCode>SW1Y 4LE</t:PostalCode></t:Entry></t:PhysicalAddresses></t:Contact></t:SetItemField>`)
	wantCodes(t, resp, "NoError")
	ck = find(resp, "ItemId").attr("ChangeKey")
	resp = get(`<t:FieldURI FieldURI="contacts:EmailAddresses"/><t:FieldURI FieldURI="contacts:PhoneNumbers"/><t:FieldURI FieldURI="contacts:PhysicalAddresses"/><t:ExtendedFieldURI ` + uidSet + `/>`)
	var emails []string
	for _, e := range find(resp, "EmailAddresses").Kids {
		emails = append(emails, e.attr("Key")+"="+e.Text)
	}
	if strings.Join(emails, ",") != "EmailAddress1=ada@example.org,EmailAddress2=ada@work.example" {
		t.Fatalf("emails = %v", emails)
	}
	if ph := find(resp, "PhoneNumbers"); len(ph.Kids) != 1 || ph.Kids[0].attr("Key") != "BusinessPhone" {
		t.Fatalf("phones after delete = %+v, want BusinessPhone only", ph.Kids)
	}
	home := find(resp, "PhysicalAddresses").Kids[0]
	var parts []string
	for _, k := range home.Kids {
		parts = append(parts, k.Local)
	}
	if strings.Join(parts, ",") != "Street,City,PostalCode" {
		t.Fatalf("address parts = %v, want schema order Street,City,PostalCode", parts)
	}
	if got := find(find(resp, "ExtendedProperty"), "Value").Text; got != "uid-456" {
		t.Fatalf("UID property = %q, want uid-456", got)
	}

	tests := []struct {
		name, updates, code string
	}{
		{"bad FieldIndex", `<t:SetItemField><t:IndexedFieldURI FieldURI="contacts:EmailAddress" FieldIndex="EmailAddress4"/><t:Contact><t:EmailAddresses><t:Entry Key="EmailAddress1">x@example.org</t:Entry></t:EmailAddresses></t:Contact></t:SetItemField>`, "ErrorInvalidPropertyRequest"},
		{"key mismatch", `<t:SetItemField><t:IndexedFieldURI FieldURI="contacts:EmailAddress" FieldIndex="EmailAddress3"/><t:Contact><t:EmailAddresses><t:Entry Key="EmailAddress1">x@example.org</t:Entry></t:EmailAddresses></t:Contact></t:SetItemField>`, "ErrorUpdatePropertyMismatch"},
		{"two properties", `<t:SetItemField><t:FieldURI FieldURI="contacts:GivenName"/><t:Contact><t:GivenName>A</t:GivenName><t:Surname>B</t:Surname></t:Contact></t:SetItemField>`, "ErrorIncorrectUpdatePropertyCount"},
		{"wrong item type", `<t:SetItemField><t:FieldURI FieldURI="contacts:GivenName"/><t:CalendarItem><t:Subject>A</t:Subject></t:CalendarItem></t:SetItemField>`, "ErrorObjectTypeChanged"},
		{"bad extended value", `<t:SetItemField><t:ExtendedFieldURI DistinguishedPropertySetId="PublicStrings" PropertyName="Color" PropertyType="Integer"/><t:Contact><t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId="PublicStrings" PropertyName="Color" PropertyType="Integer"/><t:Value>seven</t:Value></t:ExtendedProperty></t:Contact></t:SetItemField>`, "ErrorInvalidExtendedPropertyValue"},
		{"name without set", `<t:DeleteItemField><t:ExtendedFieldURI PropertyName="X" PropertyType="String"/></t:DeleteItemField>`, "ErrorInvalidExtendedProperty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCodes(t, update(ck, tt.updates), tt.code)
		})
	}
	// An invalid dictionary key inside the item is a schema error (SOAP fault), as in Microsoft's sample.
	st, f := call(t, ts, `<m:UpdateItem ConflictResolution="NeverOverwrite"><m:ItemChanges><t:ItemChange><t:ItemId Id="`+id+`"/><t:Updates><t:SetItemField><t:IndexedFieldURI FieldURI="contacts:EmailAddress" FieldIndex="EmailAddress4"/><t:Contact><t:EmailAddresses><t:Entry Key="EmailAddress4">x@example.org</t:Entry></t:EmailAddresses></t:Contact></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)
	if st != 500 || !strings.Contains(find(f, "faultstring").Text, "Enumeration") {
		t.Fatalf("invalid Entry Key: status %d, want 500 schema fault", st)
	}
	// Creating a contact in the calendar folder fails like Exchange.
	resp = do(`<m:CreateItem><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId><m:Items>` + contactItem + `</m:Items></m:CreateItem>`)
	wantCodes(t, resp, "ErrorCannotCreateContactInNonContactFolder")
}

func TestExtendedPropertyInSync(t *testing.T) {
	_, ts := testServer(t)
	do := func(body string) *node { _, r := call(t, ts, body); return r }
	id, _ := createContact(t, do)
	resp := do(`<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:ExtendedFieldURI ` + uidSet + `/></t:AdditionalProperties></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="contacts"/></m:SyncFolderId><m:MaxChangesReturned>100</m:MaxChangesReturned></m:SyncFolderItems>`)
	wantCodes(t, resp, "NoError")
	c := find(resp, "Create")
	if c == nil || find(c, "ItemId").attr("Id") != id || find(find(c, "ExtendedProperty"), "Value").Text != "uid-123" {
		t.Fatalf("sync Create lacks the UID extended property")
	}
}

func TestAttachments(t *testing.T) {
	_, ts := testServer(t)
	do := func(body string) *node { _, r := call(t, ts, body); return r }
	id, ck := createContact(t, do)
	resp := do(`<m:CreateAttachment><m:ParentItemId Id="` + id + `" ChangeKey="` + ck + `"/><m:Attachments><t:FileAttachment><t:Name>ContactPicture.jpg</t:Name><t:ContentType>image/jpeg</t:ContentType><t:IsContactPhoto>true</t:IsContactPhoto><t:Content>/9j/4AAQSkZJRg==</t:Content></t:FileAttachment></m:Attachments></m:CreateAttachment>`)
	wantCodes(t, resp, "NoError")
	aid := find(resp, "AttachmentId")
	if aid.attr("RootItemChangeKey") == ck {
		t.Fatalf("ChangeKey did not change after CreateAttachment")
	}
	resp = do(`<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="contacts:HasPicture"/><t:FieldURI FieldURI="item:Attachments"/></t:AdditionalProperties></m:ItemShape><m:ItemIds><t:ItemId Id="` + id + `"/></m:ItemIds></m:GetItem>`)
	if find(resp, "HasPicture").Text != "true" || find(resp, "Content") != nil || find(resp, "Size").Text != "10" {
		t.Fatalf("HasPicture/attachment summary wrong")
	}
	resp = do(`<m:GetAttachment><m:AttachmentIds><t:AttachmentId Id="` + aid.attr("Id") + `"/></m:AttachmentIds></m:GetAttachment>`)
	wantCodes(t, resp, "NoError")
	if got := find(resp, "Content").Text; got != "/9j/4AAQSkZJRg==" {
		t.Fatalf("Content = %q", got)
	}
	resp = do(`<m:DeleteAttachment><m:AttachmentIds><t:AttachmentId Id="` + aid.attr("Id") + `"/><t:AttachmentId Id="` + aid.attr("Id") + `"/></m:AttachmentIds></m:DeleteAttachment>`)
	wantCodes(t, resp, "NoError", "ErrorInvalidAttachmentId")
}
