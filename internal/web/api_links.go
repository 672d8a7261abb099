package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// linkView is a link as the page shows it, with its status.
type linkView struct {
	ID             int64          `json:"id"`
	AccountID      int64          `json:"account_id"`
	Kind           string         `json:"kind"`
	RemoteFolderID string         `json:"remote_folder_id"`
	RemoteName     string         `json:"remote_name"`
	LocalHref      string         `json:"local_href"`
	LocalName      string         `json:"local_name"`
	Direction      string         `json:"direction"`
	ConflictPolicy string         `json:"conflict_policy"`
	Paused         bool           `json:"paused"`
	PauseReason    string         `json:"pause_reason,omitempty"`
	LastRunAt      time.Time      `json:"last_run_at,omitzero"`
	LastSuccessAt  time.Time      `json:"last_success_at,omitzero"`
	LastError      string         `json:"last_error,omitempty"`
	Items          int            `json:"items"`
	Run            *LinkRunStatus `json:"run,omitempty"`
	Counts         *linkRunCounts `json:"counts,omitempty"`
}

// linkRunCounts are the writes of a link's last run.
type linkRunCounts struct {
	ToNextcloud [3]int `json:"to_nextcloud"` // created, updated, deleted
	ToExchange  [3]int `json:"to_exchange"`
}

func (s *Server) linkViewOf(ctx context.Context, p *PageDeps, l *store.Link) linkView {
	v := linkView{ID: l.ID, AccountID: l.AccountID, Kind: string(l.Kind), RemoteFolderID: l.RemoteFolderID,
		RemoteName: l.RemoteName, LocalHref: l.LocalHref, LocalName: l.LocalName, Direction: string(l.Direction),
		ConflictPolicy: string(l.ConflictPolicy), Paused: l.Paused, PauseReason: l.PauseReason,
		LastRunAt: l.LastRunAt, LastSuccessAt: l.LastSuccessAt, LastError: l.LastError}
	if n, err := p.Store.CorrelationCount(ctx, l.ID); err == nil {
		v.Items = n
	}
	if p.Status != nil {
		if st, ok := p.Status.LinkStatus(ctx, l.ID); ok {
			v.Run = &st
			v.Counts = &linkRunCounts{ToNextcloud: [3]int{st.LocalCreated, st.LocalUpdated, st.LocalDeleted},
				ToExchange: [3]int{st.RemoteCreated, st.RemoteUpdated, st.RemoteDeleted}}
		}
	}
	return v
}

// linkCreate is the body of POST /api/v1/accounts/:id/links. LocalHref names an existing collection of
// the user; without it NewLocalName creates one.
type linkCreate struct {
	RemoteFolderID string `json:"remote_folder_id"`
	RemoteName     string `json:"remote_name"`
	Kind           string `json:"kind"`
	LocalHref      string `json:"local_href"`
	NewLocalName   string `json:"new_local_name"`
	Direction      string `json:"direction"`
	ConflictPolicy string `json:"conflict_policy"`
}

// linkUpdate is the body of PUT /api/v1/links/:link.
type linkUpdate struct {
	Direction      string `json:"direction"`
	ConflictPolicy string `json:"conflict_policy"`
	Paused         *bool  `json:"paused"`
}

var (
	directions = map[string]bool{string(store.TwoWay): true, string(store.ToNextcloud): true, string(store.ToExchange): true}
	policies   = map[string]bool{string(store.PolicyNewest): true, string(store.PolicyExchange): true, string(store.PolicyNextcloud): true}
)

func decodeBody(c echo.Context, v any) error {
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "body is not the expected JSON object")
	}
	return nil
}

func (s *Server) createLink(c echo.Context) error {
	p, a, err := s.userAccount(c)
	if err != nil {
		return err
	}
	var req linkCreate
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	bad := func(msg string) error { return echo.NewHTTPError(http.StatusBadRequest, msg) }
	if req.Kind != string(store.KindCalendar) && req.Kind != string(store.KindContacts) {
		return bad("kind must be calendar or contacts")
	}
	if req.RemoteFolderID == "" {
		return bad("remote_folder_id is required")
	}
	if req.Direction == "" {
		req.Direction = string(store.TwoWay)
	}
	if req.ConflictPolicy == "" {
		req.ConflictPolicy = string(store.PolicyNewest)
	}
	if !directions[req.Direction] || !policies[req.ConflictPolicy] {
		return bad("direction must be two-way, to-nextcloud or to-exchange; conflict_policy newest, exchange or nextcloud")
	}
	ctx, user := c.Request().Context(), userOf(c)
	local, err := localCollections(ctx, p, user)
	if err != nil {
		return err
	}
	l := &store.Link{AccountID: a.ID, UserID: user, Kind: store.LinkKind(req.Kind), RemoteFolderID: req.RemoteFolderID,
		RemoteName: req.RemoteName, Direction: store.Direction(req.Direction), ConflictPolicy: store.ConflictPolicy(req.ConflictPolicy)}
	switch {
	case req.LocalHref != "":
		for _, lc := range local {
			if lc.Href == req.LocalHref && lc.Kind == req.Kind {
				l.LocalHref, l.LocalName = lc.Href, lc.Name
			}
		}
		if l.LocalHref == "" {
			return bad("local_href is not one of your " + map[string]string{"calendar": "calendars", "contacts": "address books"}[req.Kind])
		}
	case strings.TrimSpace(req.NewLocalName) != "":
		name := strings.TrimSpace(req.NewLocalName)
		if len(name) > 200 {
			return bad("new_local_name is too long")
		}
		href, err := makeCollection(ctx, p, user, req.Kind, name)
		if err != nil {
			return err
		}
		l.LocalHref, l.LocalName = href, name
	default:
		return bad("local_href or new_local_name is required")
	}
	if err := p.Store.CreateLink(ctx, l); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return echo.NewHTTPError(http.StatusConflict, "this folder or this collection is already linked")
		}
		return err
	}
	s.accountsChanged(ctx, user)
	return c.JSON(http.StatusCreated, s.linkViewOf(ctx, p, l))
}

// makeCollection creates a calendar (VEVENT) or address book named name and returns its href.
func makeCollection(ctx context.Context, p *PageDeps, user, kind, name string) (string, error) {
	dc, err := p.Collections(ctx, user)
	if err != nil {
		return "", err
	}
	homes, err := dc.Discover(ctx)
	if err != nil {
		return "", err
	}
	slug := slugOf(name)
	if kind == string(store.KindCalendar) {
		href := strings.TrimSuffix(homes.Calendars, "/") + "/" + slug + "/"
		return href, dc.MakeCalendar(ctx, dav.Calendar{Href: href, DisplayName: name, Components: []string{"VEVENT"}})
	}
	href := strings.TrimSuffix(homes.AddressBooks, "/") + "/" + slug + "/"
	return href, dc.MakeAddressBook(ctx, dav.AddressBook{Href: href, DisplayName: name})
}

// slugOf makes a collection path segment: lowercase letters, digits and dashes, plus a random suffix.
func slugOf(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
		if b.Len() >= 40 {
			break
		}
	}
	rnd := make([]byte, 4)
	rand.Read(rnd)
	return strings.Trim(b.String(), "-") + "-" + hex.EncodeToString(rnd)
}

func linkIDOf(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("link"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound, "link not found")
	}
	return id, nil
}

func (s *Server) userLink(c echo.Context, p *PageDeps) (store.Link, error) {
	id, err := linkIDOf(c)
	if err != nil {
		return store.Link{}, err
	}
	l, err := p.Store.Link(c.Request().Context(), userOf(c), id)
	if errors.Is(err, store.ErrNotFound) {
		return l, echo.NewHTTPError(http.StatusNotFound, "link not found")
	}
	return l, err
}

func (s *Server) updateLink(c echo.Context) error {
	p, err := s.page()
	if err != nil {
		return err
	}
	l, err := s.userLink(c, p)
	if err != nil {
		return err
	}
	var req linkUpdate
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if req.Direction != "" {
		if !directions[req.Direction] {
			return echo.NewHTTPError(http.StatusBadRequest, "direction must be two-way, to-nextcloud or to-exchange")
		}
		l.Direction = store.Direction(req.Direction)
	}
	if req.ConflictPolicy != "" {
		if !policies[req.ConflictPolicy] {
			return echo.NewHTTPError(http.StatusBadRequest, "conflict_policy must be newest, exchange or nextcloud")
		}
		l.ConflictPolicy = store.ConflictPolicy(req.ConflictPolicy)
	}
	if req.Paused != nil {
		l.Paused = *req.Paused
		if !l.Paused {
			l.PauseReason = ""
		} else {
			l.PauseReason = "paused by you"
		}
	}
	ctx := c.Request().Context()
	if err := p.Store.UpdateLink(ctx, &l); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.linkViewOf(ctx, p, &l))
}

// deleteLink unlinks; both collections and their items stay.
func (s *Server) deleteLink(c echo.Context) error {
	p, err := s.page()
	if err != nil {
		return err
	}
	l, err := s.userLink(c, p)
	if err != nil {
		return err
	}
	if err := p.Store.DeleteLink(c.Request().Context(), l.UserID, l.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	s.accountsChanged(c.Request().Context(), l.UserID)
	return c.NoContent(http.StatusNoContent)
}

// syncLink runs POST /api/v1/links/:link/sync {"full": bool}: sync now, or resync from scratch.
func (s *Server) syncLink(c echo.Context) error {
	p, err := s.page()
	if err != nil {
		return err
	}
	l, err := s.userLink(c, p)
	if err != nil {
		return err
	}
	var req struct {
		Full bool `json:"full"`
	}
	if c.Request().ContentLength != 0 {
		if err := decodeBody(c, &req); err != nil {
			return err
		}
	}
	if p.Sync == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "synchronisation is not available")
	}
	ctx := c.Request().Context()
	if err := p.Sync.SyncNow(ctx, l.UserID, l.ID, req.Full); err != nil {
		s.log.Warn("sync now failed", "link_id", l.ID, "error", err.Error())
	}
	l, err = p.Store.Link(ctx, l.UserID, l.ID)
	if err != nil {
		return err
	}
	s.accountsChanged(ctx, l.UserID)
	return c.JSON(http.StatusOK, s.linkViewOf(ctx, p, &l))
}
