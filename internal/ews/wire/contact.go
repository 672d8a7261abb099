package wire

// Contact is an EWS contact item (ContactItemType): the base item fields,
// then the contact's own properties in the schema's sequence order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/contact
type Contact struct {
	ItemFields
	FileAs             string             `xml:"FileAs,omitempty"`
	FileAsMapping      string             `xml:"FileAsMapping,omitempty"`
	DisplayName        string             `xml:"DisplayName,omitempty"`
	GivenName          string             `xml:"GivenName,omitempty"`
	Initials           string             `xml:"Initials,omitempty"`
	MiddleName         string             `xml:"MiddleName,omitempty"`
	Nickname           string             `xml:"Nickname,omitempty"`
	CompleteName       *CompleteName      `xml:"CompleteName,omitempty"`
	CompanyName        string             `xml:"CompanyName,omitempty"`
	EmailAddresses     *EmailAddresses    `xml:"EmailAddresses,omitempty"`
	PhysicalAddresses  *PhysicalAddresses `xml:"PhysicalAddresses,omitempty"`
	PhoneNumbers       *PhoneNumbers      `xml:"PhoneNumbers,omitempty"`
	AssistantName      string             `xml:"AssistantName,omitempty"`
	Birthday           string             `xml:"Birthday,omitempty"`
	BusinessHomePage   string             `xml:"BusinessHomePage,omitempty"`
	Children           *Strings           `xml:"Children,omitempty"`
	Companies          *Strings           `xml:"Companies,omitempty"`
	ContactSource      string             `xml:"ContactSource,omitempty"`
	Department         string             `xml:"Department,omitempty"`
	Generation         string             `xml:"Generation,omitempty"`
	ImAddresses        *ImAddresses       `xml:"ImAddresses,omitempty"`
	JobTitle           string             `xml:"JobTitle,omitempty"`
	Manager            string             `xml:"Manager,omitempty"`
	Mileage            string             `xml:"Mileage,omitempty"`
	OfficeLocation     string             `xml:"OfficeLocation,omitempty"`
	PostalAddressIndex string             `xml:"PostalAddressIndex,omitempty"`
	Profession         string             `xml:"Profession,omitempty"`
	SpouseName         string             `xml:"SpouseName,omitempty"`
	Surname            string             `xml:"Surname,omitempty"`
	WeddingAnniversary string             `xml:"WeddingAnniversary,omitempty"`
	HasPicture         *bool              `xml:"HasPicture,omitempty"`
	PhoneticFullName   string             `xml:"PhoneticFullName,omitempty"`
	PhoneticFirstName  string             `xml:"PhoneticFirstName,omitempty"`
	PhoneticLastName   string             `xml:"PhoneticLastName,omitempty"`
	Alias              string             `xml:"Alias,omitempty"`
	Notes              string             `xml:"Notes,omitempty"`
	Photo              Base64             `xml:"Photo,omitempty"`
	ManagerMailbox     *SingleRecipient   `xml:"ManagerMailbox,omitempty"`
	DirectReports      *Recipients        `xml:"DirectReports,omitempty"`
	AccountName        string             `xml:"AccountName,omitempty"`
	Comment            string             `xml:"Comment,omitempty"`
	ContactType        string             `xml:"ContactType,omitempty"`
	Gender             string             `xml:"Gender,omitempty"`
}

// CompleteName is the read-only, server-computed name of a contact.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/completename
type CompleteName struct {
	Title         string `xml:"Title,omitempty"`
	FirstName     string `xml:"FirstName,omitempty"`
	MiddleName    string `xml:"MiddleName,omitempty"`
	LastName      string `xml:"LastName,omitempty"`
	Suffix        string `xml:"Suffix,omitempty"`
	Initials      string `xml:"Initials,omitempty"`
	FullName      string `xml:"FullName,omitempty"`
	Nickname      string `xml:"Nickname,omitempty"`
	YomiFirstName string `xml:"YomiFirstName,omitempty"`
	YomiLastName  string `xml:"YomiLastName,omitempty"`
}

// EmailAddresses is a contact's email dictionary (keys EmailAddress1..3).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/emailaddresses
type EmailAddresses struct {
	Entry []EmailAddressEntry `xml:"Entry"`
}

// EmailAddressEntry is one entry of EmailAddresses.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/entry-emailaddress
type EmailAddressEntry struct {
	Key         string `xml:"Key,attr"`
	Name        string `xml:"Name,attr,omitempty"`
	RoutingType string `xml:"RoutingType,attr,omitempty"`
	MailboxType string `xml:"MailboxType,attr,omitempty"`
	Value       string `xml:",chardata"`
}

// Email dictionary keys.
const (
	EmailAddress1 = "EmailAddress1"
	EmailAddress2 = "EmailAddress2"
	EmailAddress3 = "EmailAddress3"
)

// PhysicalAddresses is a contact's postal address dictionary (keys Business,
// Home, Other).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/physicaladdresses
type PhysicalAddresses struct {
	Entry []PhysicalAddressEntry `xml:"Entry"`
}

// PhysicalAddressEntry is one postal address.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/entry-physicaladdress
type PhysicalAddressEntry struct {
	Key             string `xml:"Key,attr"`
	Street          string `xml:"Street,omitempty"`
	City            string `xml:"City,omitempty"`
	State           string `xml:"State,omitempty"`
	CountryOrRegion string `xml:"CountryOrRegion,omitempty"`
	PostalCode      string `xml:"PostalCode,omitempty"`
}

// Physical address dictionary keys.
const (
	AddressBusiness = "Business"
	AddressHome     = "Home"
	AddressOther    = "Other"
)

// PhoneNumbers is a contact's phone dictionary.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/phonenumbers
type PhoneNumbers struct {
	Entry []PhoneNumberEntry `xml:"Entry"`
}

// PhoneNumberEntry is one phone number.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/entry-phonenumber
type PhoneNumberEntry struct {
	Key   string `xml:"Key,attr"`
	Value string `xml:",chardata"`
}

// PhoneKeys lists every PhoneNumberKeyType value, in the schema's order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/entry-phonenumber
var PhoneKeys = []string{
	"AssistantPhone", "BusinessFax", "BusinessPhone", "BusinessPhone2", "Callback", "CarPhone",
	"CompanyMainPhone", "HomeFax", "HomePhone", "HomePhone2", "Isdn", "MobilePhone", "OtherFax",
	"OtherTelephone", "Pager", "PrimaryPhone", "RadioPhone", "Telex", "TtyTddPhone",
}

// ImAddresses is a contact's instant messaging dictionary (ImAddress1..3).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/imaddresses
type ImAddresses struct {
	Entry []ImAddressEntry `xml:"Entry"`
}

// ImAddressEntry is one instant messaging address.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/entry-imaddress
type ImAddressEntry struct {
	Key   string `xml:"Key,attr"`
	Value string `xml:",chardata"`
}
