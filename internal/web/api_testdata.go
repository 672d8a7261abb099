package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ewsconnector/ews_connector/internal/sampledata"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// testDataResponse answers POST and DELETE /api/v1/accounts/:id/testdata.
type testDataResponse struct {
	Links   []linkView `json:"links"`
	Local   int        `json:"local_items,omitempty"`
	Remote  int        `json:"remote_items,omitempty"`
	Removed int        `json:"removed,omitempty"`
}

// createTestData makes a new calendar and address book on both sides, fills them (sampledata),
// links them two-way, records them as test data and syncs them once.
func (s *Server) createTestData(c echo.Context) error {
	p, a, err := s.userAccount(c)
	if err != nil {
		return err
	}
	ctx, user := c.Request().Context(), userOf(c)
	mb, err := s.mailboxOf(ctx, p, &a)
	if err != nil {
		return err
	}
	dc, err := p.Collections(ctx, user)
	if err != nil {
		return err
	}
	rnd := make([]byte, 3)
	rand.Read(rnd)
	set, err := sampledata.Create(ctx, mb, dc, hex.EncodeToString(rnd), time.Now())
	if err != nil {
		code, msg := classifyConnect(err)
		s.log.Warn("create test data failed", "user", user, "account_id", a.ID, "error", err.Error())
		if code == "not_ews" {
			msg = "Creating the test data failed; see the app's log."
		}
		return echo.NewHTTPError(http.StatusBadGateway, msg)
	}
	out := testDataResponse{Links: []linkView{}, Local: set.Local, Remote: set.Remote}
	for _, pr := range []struct {
		kind store.LinkKind
		pair sampledata.Pair
	}{{store.KindCalendar, set.Calendar}, {store.KindContacts, set.Contacts}} {
		tc := &store.TestCollection{AccountID: a.ID, UserID: user, Kind: pr.kind, RemoteFolderID: pr.pair.RemoteFolderID, LocalHref: pr.pair.LocalHref}
		if err := p.Store.AddTestCollection(ctx, tc); err != nil {
			return errors.Join(err, sampledata.Delete(context.WithoutCancel(ctx), mb, dc, set.Calendar, set.Contacts))
		}
		l := &store.Link{AccountID: a.ID, UserID: user, Kind: pr.kind, RemoteFolderID: pr.pair.RemoteFolderID,
			RemoteName: pr.pair.RemoteName, LocalHref: pr.pair.LocalHref, LocalName: pr.pair.LocalName}
		if err := p.Store.CreateLink(ctx, l); err != nil {
			return err
		}
		if p.Sync != nil {
			if err := p.Sync.SyncNow(ctx, user, l.ID, false); err != nil {
				s.log.Warn("test data: first sync failed", "link_id", l.ID, "error", err.Error())
			}
			if fresh, err := p.Store.Link(ctx, user, l.ID); err == nil {
				l = &fresh
			}
		}
		out.Links = append(out.Links, s.linkViewOf(ctx, p, l))
	}
	s.accountsChanged(ctx, user)
	return c.JSON(http.StatusCreated, out)
}

// deleteTestData removes exactly the collections "Create test data" made for this account (both
// sides) and their links; nothing else.
func (s *Server) deleteTestData(c echo.Context) error {
	p, a, err := s.userAccount(c)
	if err != nil {
		return err
	}
	ctx, user := c.Request().Context(), userOf(c)
	tcs, err := p.Store.TestCollections(ctx, user, a.ID)
	if err != nil {
		return err
	}
	out := testDataResponse{Links: []linkView{}}
	if len(tcs) == 0 {
		return c.JSON(http.StatusOK, out)
	}
	mb, err := s.mailboxOf(ctx, p, &a)
	if err != nil {
		return err
	}
	dc, err := p.Collections(ctx, user)
	if err != nil {
		return err
	}
	links, err := p.Store.AccountLinks(ctx, user, a.ID)
	if err != nil {
		return err
	}
	for _, tc := range tcs {
		for _, l := range links {
			if l.RemoteFolderID == tc.RemoteFolderID && l.LocalHref == tc.LocalHref {
				if err := p.Store.DeleteLink(ctx, user, l.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
		}
		if err := sampledata.Delete(ctx, mb, dc, sampledata.Pair{RemoteFolderID: tc.RemoteFolderID, LocalHref: tc.LocalHref}); err != nil {
			s.log.Warn("delete test data", "user", user, "error", err.Error())
			return echo.NewHTTPError(http.StatusBadGateway, "Some test data could not be deleted; try again.")
		}
		if err := p.Store.DeleteTestCollection(ctx, user, tc.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		out.Removed++
	}
	s.accountsChanged(ctx, user)
	return c.JSON(http.StatusOK, out)
}
