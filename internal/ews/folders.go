package ews

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// FolderResult is the outcome for one folder of a batch.
type FolderResult struct {
	Folder *wire.Folder // set on success
	Err    error        // an *Error on failure
}

// GetFolders gets folders by id with the given base shape (IdOnly,
// Default, AllProperties); one result per id, in order.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getfolder-operation
func (c *Client) GetFolders(ctx context.Context, ids wire.FolderIds, shape string) ([]FolderResult, error) {
	req := &wire.GetFolderRequest{FolderShape: wire.FolderShape{BaseShape: shape}, FolderIds: ids}
	var resp wire.Response
	if err := c.call(ctx, "GetFolder", req, &resp, true); err != nil {
		return nil, err
	}
	ms, err := messages("GetFolder", &resp, len(ids))
	if err != nil {
		return nil, err
	}
	out := make([]FolderResult, len(ids))
	for i := range ids {
		m := &ms[i]
		if err := messageError("GetFolder", m); err != nil {
			out[i].Err = err
			continue
		}
		if m.Folders == nil || len(m.Folders.Folder) == 0 {
			out[i].Err = fmt.Errorf("ews: getfolder: %w: no folder in the response message", ErrNoResponseMessage)
			continue
		}
		out[i].Folder = &m.Folders.Folder[0]
	}
	return out, nil
}

// GetFolder gets one folder with all its properties.
func (c *Client) GetFolder(ctx context.Context, id wire.TargetFolder) (*wire.Folder, error) {
	rs, err := c.GetFolders(ctx, wire.FolderIds{id}, "AllProperties")
	if err != nil {
		return nil, err
	}
	return rs[0].Folder, rs[0].Err
}

// findPageSize is the FindFolder page size.
const findPageSize = 200

// FindFolders lists the folders below parent (all levels when deep), with
// all their properties, paging until the last one.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/findfolder-operation
func (c *Client) FindFolders(ctx context.Context, parent wire.TargetFolder, deep bool) ([]wire.Folder, error) {
	traversal := "Shallow"
	if deep {
		traversal = "Deep"
	}
	var out []wire.Folder
	for offset := 0; ; {
		req := &wire.FindFolderRequest{
			Traversal:             traversal,
			FolderShape:           wire.FolderShape{BaseShape: "AllProperties"},
			IndexedPageFolderView: &wire.IndexedPageView{MaxEntriesReturned: findPageSize, Offset: offset, BasePoint: "Beginning"},
			ParentFolderIds:       wire.FolderIds{parent},
		}
		var resp wire.Response
		if err := c.call(ctx, "FindFolder", req, &resp, true); err != nil {
			return nil, err
		}
		ms, err := messages("FindFolder", &resp, 1)
		if err != nil {
			return nil, err
		}
		if err := messageError("FindFolder", &ms[0]); err != nil {
			return nil, err
		}
		root := ms[0].RootFolder
		if root == nil {
			return nil, fmt.Errorf("ews: findfolder: %w: no RootFolder", ErrNoResponseMessage)
		}
		out = append(out, root.Folders.Folder...)
		n := len(root.Folders.Folder)
		if root.IncludesLastItemInRange || n == 0 {
			return out, nil
		}
		offset += n
	}
}

// Folder kinds of FolderInfo.
const (
	KindCalendar = "calendar"
	KindContacts = "contacts"
)

// FolderInfo is a calendar or contact folder found by DiscoverFolders.
type FolderInfo struct {
	Id, ChangeKey string
	Name          string
	Class         string // FolderClass, e.g. IPF.Appointment
	Kind          string // KindCalendar or KindContacts
	Distinguished string // "calendar" or "contacts" for the default folders
	Total         int    // item count (TotalCount)
}

// DiscoverFolders finds the calendar and contact folders of the mailbox:
// the distinguished "calendar" and "contacts", then every folder below
// msgfolderroot (FindFolder Deep) whose FolderClass starts with
// IPF.Appointment or IPF.Contact, with item counts. Default folders come
// first.
func (c *Client) DiscoverFolders(ctx context.Context) ([]FolderInfo, error) {
	rs, err := c.GetFolders(ctx, wire.FolderIds{Distinguished(KindCalendar), Distinguished(KindContacts)}, "AllProperties")
	if err != nil {
		return nil, err
	}
	var out []FolderInfo
	seen := map[string]bool{}
	add := func(f *wire.Folder, dist string) {
		if f.FolderId == nil || seen[f.FolderId.Id] {
			return
		}
		kind := folderKind(f)
		if kind == "" {
			return
		}
		seen[f.FolderId.Id] = true
		fi := FolderInfo{Id: f.FolderId.Id, ChangeKey: f.FolderId.ChangeKey, Name: f.DisplayName, Class: f.FolderClass, Kind: kind, Distinguished: dist}
		if f.TotalCount != nil {
			fi.Total = *f.TotalCount
		}
		out = append(out, fi)
	}
	var errs []error
	for i, dist := range []string{KindCalendar, KindContacts} {
		if rs[i].Err != nil {
			errs = append(errs, rs[i].Err)
			continue
		}
		f := rs[i].Folder
		if f.FolderClass == "" { // IdOnly servers: trust the distinguished name
			if dist == KindCalendar {
				f.FolderClass = "IPF.Appointment"
			} else {
				f.FolderClass = "IPF.Contact"
			}
		}
		add(f, dist)
	}
	all, err := c.FindFolders(ctx, Distinguished("msgfolderroot"), true)
	if err != nil {
		if len(out) == 0 {
			return nil, errors.Join(append(errs, err)...)
		}
		c.log.Warn("ews: findfolder deep failed, using the default folders only", "error", err)
	}
	for i := range all {
		add(&all[i], "")
	}
	if len(out) == 0 && len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func folderKind(f *wire.Folder) string {
	switch {
	case strings.HasPrefix(f.FolderClass, "IPF.Appointment"):
		return KindCalendar
	case strings.HasPrefix(f.FolderClass, "IPF.Contact"):
		return KindContacts
	}
	return ""
}

// CreateFolder creates a folder below parent (for test data). kind is a
// folder element name (wire.FolderKindCalendar, wire.FolderKindContacts,
// wire.FolderKindFolder); the new folder's id is returned.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createfolder-operation
func (c *Client) CreateFolder(ctx context.Context, parent wire.TargetFolder, kind, name string) (*wire.FolderId, error) {
	f := wire.Folder{DisplayName: name}
	f.XMLName.Local = kind
	req := &wire.CreateFolderRequest{ParentFolderId: parent, Folders: []wire.Folder{f}}
	var resp wire.Response
	if err := c.call(ctx, "CreateFolder", req, &resp, false); err != nil {
		return nil, err
	}
	ms, err := messages("CreateFolder", &resp, 1)
	if err != nil {
		return nil, err
	}
	if err := messageError("CreateFolder", &ms[0]); err != nil {
		return nil, err
	}
	if ms[0].Folders == nil || len(ms[0].Folders.Folder) == 0 || ms[0].Folders.Folder[0].FolderId == nil {
		return nil, fmt.Errorf("ews: createfolder: %w: no folder id", ErrNoResponseMessage)
	}
	return ms[0].Folders.Folder[0].FolderId, nil
}

// DeleteFolder deletes a folder (HardDelete, SoftDelete or
// MoveToDeletedItems).
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deletefolder-operation
func (c *Client) DeleteFolder(ctx context.Context, id wire.TargetFolder, deleteType string) error {
	req := &wire.DeleteFolderRequest{DeleteType: deleteType, FolderIds: wire.FolderIds{id}}
	var resp wire.Response
	if err := c.call(ctx, "DeleteFolder", req, &resp, false); err != nil {
		return err
	}
	ms, err := messages("DeleteFolder", &resp, 1)
	if err != nil {
		return err
	}
	return messageError("DeleteFolder", &ms[0])
}
