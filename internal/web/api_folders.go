package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

// localView is a Nextcloud calendar or address book.
type localView struct {
	Href string `json:"href"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// foldersResponse is GET /api/v1/accounts/:id/folders: both sides' collections and the account's links.
type foldersResponse struct {
	Account      accountView   `json:"account"`
	Folders      []folderView  `json:"folders"`
	FoldersError *connectError `json:"folders_error,omitempty"`
	Local        []localView   `json:"local"`
	Links        []linkView    `json:"links"`
}

func (s *Server) accountFolders(c echo.Context) error {
	p, a, err := s.userAccount(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	out := foldersResponse{Account: viewOf(&a), Folders: []folderView{}}
	mb, err := s.mailboxOf(ctx, p, &a)
	if err == nil {
		var list = []folderView{}
		f, derr := mb.DiscoverFolders(ctx)
		if derr == nil {
			list = foldersView(f)
		}
		out.Folders, err = list, derr
	}
	if err != nil {
		code, msg := classifyConnect(err)
		out.FoldersError = &connectError{code, msg}
	}
	if out.Local, err = localCollections(ctx, p, userOf(c)); err != nil {
		return err
	}
	links, err := p.Store.AccountLinks(ctx, a.UserID, a.ID)
	if err != nil {
		return err
	}
	out.Links = make([]linkView, 0, len(links))
	for i := range links {
		out.Links = append(out.Links, s.linkViewOf(ctx, p, &links[i]))
	}
	return c.JSON(http.StatusOK, out)
}

// localCollections lists the user's calendars (with events) and address books.
func localCollections(ctx context.Context, p *PageDeps, user string) ([]localView, error) {
	dc, err := p.Collections(ctx, user)
	if err != nil {
		return nil, err
	}
	homes, err := dc.Discover(ctx)
	if err != nil {
		return nil, err
	}
	out := []localView{}
	if homes.Calendars != "" {
		cals, err := dc.Calendars(ctx, homes.Calendars)
		if err != nil {
			return nil, err
		}
		for _, cal := range cals {
			if len(cal.Components) > 0 && !cal.SupportsComponent("VEVENT") {
				continue
			}
			out = append(out, localView{Href: cal.Href, Name: nameOr(cal.DisplayName, cal.Href), Kind: "calendar"})
		}
	}
	if homes.AddressBooks != "" {
		abs, err := dc.AddressBooks(ctx, homes.AddressBooks)
		if err != nil {
			return nil, err
		}
		for _, ab := range abs {
			if ab.SyncToken == "" {
				continue // read-only app-generated books (system address book)
			}
			out = append(out, localView{Href: ab.Href, Name: nameOr(ab.DisplayName, ab.Href), Kind: "contacts"})
		}
	}
	return out, nil
}

func nameOr(name, href string) string {
	if name != "" {
		return name
	}
	return href
}
