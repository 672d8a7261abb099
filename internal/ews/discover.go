package ews

import (
	"context"
	"errors"
	"strings"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

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
