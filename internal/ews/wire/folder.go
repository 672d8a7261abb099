package wire

import (
	"encoding/xml"
	"errors"
)

// Folder is one folder of any kind (Folder, CalendarFolder, ContactsFolder,
// TasksFolder, SearchFolder); XMLName keeps its element name. Fields follow
// BaseFolderType's sequence order, then FolderType's UnreadCount.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/folder
type Folder struct {
	XMLName          xml.Name
	FolderId         *FolderId          `xml:"FolderId,omitempty"`
	ParentFolderId   *FolderId          `xml:"ParentFolderId,omitempty"`
	FolderClass      string             `xml:"FolderClass,omitempty"`
	DisplayName      string             `xml:"DisplayName,omitempty"`
	TotalCount       *int               `xml:"TotalCount,omitempty"`
	ChildFolderCount *int               `xml:"ChildFolderCount,omitempty"`
	ExtendedProperty []ExtendedProperty `xml:"ExtendedProperty,omitempty"`
	// DistinguishedFolderId names a well-known folder (Exchange 2013+ sends
	// it for them).
	DistinguishedFolderId string `xml:"DistinguishedFolderId,omitempty"`
	UnreadCount           *int   `xml:"UnreadCount,omitempty"`
}

// Folder element names.
const (
	FolderKindFolder   = "Folder"
	FolderKindCalendar = "CalendarFolder"
	FolderKindContacts = "ContactsFolder"
	FolderKindTasks    = "TasksFolder"
	FolderKindSearch   = "SearchFolder"
)

// Folders keeps every folder element in order (ArrayOfFoldersType).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/folders-ex15websvcsotherref
type Folders struct {
	Folder []Folder `xml:",any"`
}

// FindFolderParent is the RootFolder of a FindFolder response.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/rootfolder-findfolderresponsemessage
type FindFolderParent struct {
	TotalItemsInView        int     `xml:"TotalItemsInView,attr"`
	IncludesLastItemInRange bool    `xml:"IncludesLastItemInRange,attr"`
	IndexedPagingOffset     int     `xml:"IndexedPagingOffset,attr"`
	Folders                 Folders `xml:"Folders"`
	// Items is set instead of Folders in a FindItem response.
	Items Items `xml:"Items"`
}

// DistinguishedFolderId names a well-known folder ("calendar", "contacts",
// "msgfolderroot"), optionally in another mailbox.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/distinguishedfolderid
type DistinguishedFolderId struct {
	Id      string   `xml:"Id,attr"`
	Mailbox *Mailbox `xml:"Mailbox,omitempty"`
}

// TargetFolder is a choice of FolderId and DistinguishedFolderId
// (TargetFolderIdType, and one entry of NonEmptyArrayOfBaseFolderIdsType).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/parentfolderid
type TargetFolder struct {
	Id            *FolderId
	Distinguished *DistinguishedFolderId
}

// ErrEmptyFolderId is returned when a TargetFolder with nothing set is
// marshalled.
var ErrEmptyFolderId = errors.New("wire: folder id has no kind set")

// MarshalXML writes the element given by start holding the chosen id.
func (f TargetFolder) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := f.marshalChoice(e); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

func (f TargetFolder) marshalChoice(e *xml.Encoder) error {
	switch {
	case f.Id != nil:
		return e.EncodeElement(f.Id, xml.StartElement{Name: xml.Name{Local: "FolderId"}})
	case f.Distinguished != nil:
		return e.EncodeElement(f.Distinguished, xml.StartElement{Name: xml.Name{Local: "DistinguishedFolderId"}})
	}
	return ErrEmptyFolderId
}

// FolderIds is an ordered NonEmptyArrayOfBaseFolderIdsType.
type FolderIds []TargetFolder

// MarshalXML writes the container element and each id in order.
func (ids FolderIds) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, f := range ids {
		if err := f.marshalChoice(e); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// FolderShape selects the folder properties to return.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/foldershape
type FolderShape struct {
	BaseShape            string `xml:"BaseShape"` // IdOnly, Default, AllProperties
	AdditionalProperties *Paths `xml:"AdditionalProperties,omitempty"`
}

// GetFolderRequest is the GetFolder operation.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getfolder-operation
type GetFolderRequest struct {
	XMLName     xml.Name    `xml:"GetFolder"`
	FolderShape FolderShape `xml:"FolderShape"`
	FolderIds   FolderIds   `xml:"FolderIds"`
}

// IndexedPageView pages a FindFolder result.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/indexedpagefolderview
type IndexedPageView struct {
	MaxEntriesReturned int    `xml:"MaxEntriesReturned,attr,omitempty"`
	Offset             int    `xml:"Offset,attr"`
	BasePoint          string `xml:"BasePoint,attr"` // Beginning, End
}

// FindFolderRequest is the FindFolder operation.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/findfolder-operation
type FindFolderRequest struct {
	XMLName               xml.Name         `xml:"FindFolder"`
	Traversal             string           `xml:"Traversal,attr"` // Shallow, Deep, SoftDeleted
	FolderShape           FolderShape      `xml:"FolderShape"`
	IndexedPageFolderView *IndexedPageView `xml:"IndexedPageFolderView,omitempty"`
	ParentFolderIds       FolderIds        `xml:"ParentFolderIds"`
}

// CreateFolderRequest is the CreateFolder operation.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createfolder-operation
type CreateFolderRequest struct {
	XMLName        xml.Name     `xml:"CreateFolder"`
	ParentFolderId TargetFolder `xml:"ParentFolderId"`
	Folders        []Folder     `xml:"Folders>Folder"`
}

// MarshalXML writes the request keeping each folder's own element name.
func (r CreateFolderRequest) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Local: "CreateFolder"}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeElement(r.ParentFolderId, xml.StartElement{Name: xml.Name{Local: "ParentFolderId"}}); err != nil {
		return err
	}
	fs := xml.StartElement{Name: xml.Name{Local: "Folders"}}
	if err := e.EncodeToken(fs); err != nil {
		return err
	}
	for _, f := range r.Folders {
		name := f.XMLName.Local
		if name == "" {
			name = FolderKindFolder
		}
		f.XMLName = xml.Name{}
		if err := e.EncodeElement(f, xml.StartElement{Name: xml.Name{Local: name}}); err != nil {
			return err
		}
	}
	if err := e.EncodeToken(fs.End()); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// DeleteFolderRequest is the DeleteFolder operation.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deletefolder-operation
type DeleteFolderRequest struct {
	XMLName    xml.Name  `xml:"DeleteFolder"`
	DeleteType string    `xml:"DeleteType,attr"` // HardDelete, SoftDelete, MoveToDeletedItems
	FolderIds  FolderIds `xml:"FolderIds"`
}
