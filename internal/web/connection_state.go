package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/ewsconnector/ews_connector/internal/appapi"
)

// ConnectionStateFieldID is the personal form's field showing the user's connection state. Its
// value is the user's preference of that key, which the app writes (AppAPI ex-app/preference): a
// declarative form's description is one text for everybody, a field value is per user.
const ConnectionStateFieldID = "ews_connection_state"

// ConnectionStateField is that field (text; the app overwrites what a user types into it).
func ConnectionStateField() appapi.FormField {
	return appapi.FormField{ID: ConnectionStateFieldID, Title: "Connection", Type: "text", Default: "Not connected",
		Description: "Kept up to date by the EWS Connector; change it on the EWS Connector page."}
}

// ConnectionState describes a user's accounts and links in one line for the personal form.
func ConnectionState(accounts []string, links int, errs int) string {
	if len(accounts) == 0 {
		return "Not connected"
	}
	s := fmt.Sprintf("Connected to %s; %d linked collection", strings.Join(accounts, ", "), links)
	if links != 1 {
		s += "s"
	}
	if errs > 0 {
		s += fmt.Sprintf("; %d with errors (see the EWS Connector page)", errs)
	}
	return s
}

// accountsChanged tells PageDeps.StateChanged the user's new connection state (best effort: a
// failure is logged, the request has succeeded).
func (s *Server) accountsChanged(ctx context.Context, user string) {
	p := s.opts.Page
	if p == nil || p.StateChanged == nil || p.Store == nil || s.opts.Accounts == nil {
		return
	}
	accts, err := s.opts.Accounts.Accounts(ctx, user)
	if err != nil {
		s.log.Warn("connection state", "user", user, "error", err.Error())
		return
	}
	links, err := p.Store.Links(ctx, user)
	if err != nil {
		s.log.Warn("connection state", "user", user, "error", err.Error())
		return
	}
	names := make([]string, 0, len(accts))
	for _, a := range accts {
		names = append(names, nameOr(a.Email, a.Username))
	}
	bad := 0
	for _, l := range links {
		if l.LastError != "" || l.Paused {
			bad++
		}
	}
	if err := p.StateChanged(ctx, user, ConnectionState(names, len(links), bad)); err != nil {
		s.log.Warn("connection state", "user", user, "error", err.Error())
	}
}
