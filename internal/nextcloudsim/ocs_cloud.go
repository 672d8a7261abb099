package nextcloudsim

import (
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) ocsCapabilities(q *ocsReq) ocsResult {
	parts := strings.SplitN(s.opts.Version, ".", 3)
	num := func(i int) int {
		if i < len(parts) {
			n, _ := strconv.Atoi(parts[i])
			return n
		}
		return 0
	}
	caps := map[string]any{
		"core": map[string]any{"pollinterval": 60, "webdav-root": "remote.php/webdav"},
	}
	// With no user only public capabilities come back (0029/0030).
	caps["app_api"] = map[string]any{"version": s.opts.AAVersion}
	if q.id.user != "" {
		caps["app_api"] = map[string]any{"loglevel": 1, "version": s.opts.AAVersion}
	}
	return ocsOK(map[string]any{
		"version": map[string]any{"major": num(0), "minor": num(1), "micro": num(2), "string": s.opts.Version,
			"edition": "", "extendedSupport": false},
		"capabilities": caps,
	})
}

func (s *Server) userData(u *User) map[string]any {
	groups := append([]string{}, u.Groups...)
	var email any
	if u.Email != "" {
		email = u.Email
	}
	return map[string]any{
		"enabled": true, "id": u.ID, "backend": "Database", "subadmin": []string{},
		"email": email, "additional_mail": []string{}, "displayname": u.DisplayName, "display-name": u.DisplayName,
		"groups": groups, "language": "en", "locale": "", "timezone": "UTC",
		"backendCapabilities": map[string]bool{"setDisplayName": true, "setPassword": true},
	}
}

func (s *Server) ocsCloudUser(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.user(q.id.user)
	if !ok {
		return ocsFail(http.StatusUnauthorized, msgNotLoggedIn)
	}
	return ocsOK(s.userData(u))
}

func (s *Server) ocsCloudUsers(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	search := q.str("search")
	ids := []string{}
	for _, id := range s.order {
		if search == "" || strings.Contains(id, search) {
			ids = append(ids, id)
		}
	}
	return ocsOK(map[string]any{"users": ids})
}

// canSee reports whether the acting user may read another user's details:
// themselves, or any user for an admin.
func (s *Server) canSee(actor, target string) bool {
	if actor == target {
		return true
	}
	u, ok := s.user(actor)
	return ok && u.isAdmin()
}

func (s *Server) ocsCloudUserByID(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.user(q.vars["uid"])
	if !ok {
		return ocsFail(http.StatusNotFound, "User does not exist")
	}
	if !s.canSee(q.id.user, u.ID) {
		return ocsOK(map[string]any{"id": u.ID, "displayname": u.DisplayName})
	}
	return ocsOK(s.userData(u))
}

func (s *Server) ocsCloudUserGroups(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.user(q.vars["uid"])
	if !ok {
		return ocsFail(http.StatusNotFound, "User does not exist")
	}
	if !s.canSee(q.id.user, u.ID) {
		return ocsFail(http.StatusForbidden, "")
	}
	return ocsOK(map[string]any{"groups": append([]string{}, u.Groups...)})
}
