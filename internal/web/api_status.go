package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// statusResponse is GET /api/v1/status: the user's accounts and every link with its last and next
// run, item count and errors. No secret is ever part of it.
type statusResponse struct {
	Accounts []accountView `json:"accounts"`
	Links    []linkView    `json:"links"`
	Admin    bool          `json:"admin"`
	// DefaultServer prefills the connect form (the admin's default EWS URL).
	DefaultServer string `json:"default_server,omitempty"`
}

func (s *Server) status(c echo.Context) error {
	p, err := s.page()
	if err != nil {
		return err
	}
	st, err := s.accountStore()
	if err != nil {
		return err
	}
	ctx, user := c.Request().Context(), userOf(c)
	accts, err := st.Accounts(ctx, user)
	if err != nil {
		return err
	}
	out := statusResponse{Accounts: make([]accountView, 0, len(accts)), Links: []linkView{}}
	for i := range accts {
		out.Accounts = append(out.Accounts, viewOf(&accts[i]))
	}
	links, err := p.Store.Links(ctx, user)
	if err != nil {
		return err
	}
	for i := range links {
		out.Links = append(out.Links, s.linkViewOf(ctx, p, &links[i]))
	}
	if p.DefaultServer != nil && len(out.Accounts) == 0 {
		out.DefaultServer = p.DefaultServer(ctx)
	}
	if s.opts.Admins != nil {
		out.Admin, _ = s.opts.Admins.IsAdmin(ctx, user)
	}
	return c.JSON(http.StatusOK, out)
}
