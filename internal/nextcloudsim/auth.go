package nextcloudsim

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// identity is who a request acts as after authentication.
type identity struct {
	// present is true when the request carried any credentials.
	present bool
	// ok is true when the credentials were accepted.
	ok bool
	// appAPI is true for AppAPI-signed requests.
	appAPI bool
	// user is the acting user id; empty for the AppAPI system context.
	user string
	// reason says why authentication failed (for DAV error messages/logs).
	reason string
}

// AppAPIHeaders returns the headers Nextcloud's AppAPI puts on a request to
// the ExApp, or that an ExApp sends to Nextcloud, for user (empty for the
// system context). See AppAPI AppAPICommonService::buildAppAPIAuthHeaders.
func (s *Server) AppAPIHeaders(user string) http.Header {
	h := http.Header{}
	h.Set("AA-VERSION", s.opts.AAVersion)
	h.Set("EX-APP-ID", s.opts.AppID)
	h.Set("EX-APP-VERSION", s.appVersion())
	h.Set("AUTHORIZATION-APP-API", base64.StdEncoding.EncodeToString([]byte(user+":"+s.opts.AppSecret)))
	return h
}

func (s *Server) appVersion() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.app.version
}

// authenticate checks the request's credentials as Nextcloud does:
// AppAPI headers first (AppAPIService::validateExAppRequestToNC), then
// HTTP Basic with the user's password, then the demo session cookie.
// exempt marks the AppAPI paths a disabled ExApp may still call.
func (s *Server) authenticate(r *http.Request, exempt bool) identity {
	app := s.appAPIAuth(r, exempt)
	if app.ok {
		return app
	}
	other := s.otherAuth(r)
	if other.present || !app.present {
		// Like base.php's handleLogin: a failed AppAPI login falls through
		// to the other login methods.
		return other
	}
	return app
}

func (s *Server) appAPIAuth(r *http.Request, exempt bool) identity {
	if v := r.Header.Get("AUTHORIZATION-APP-API"); v != "" {
		id := identity{present: true, appAPI: true}
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			id.reason = "AppAPI auth: invalid base64"
			return id
		}
		user, secret, found := strings.Cut(string(raw), ":")
		if !found {
			id.reason = "AppAPI auth: no secret"
			return id
		}
		if r.Header.Get("EX-APP-ID") != s.opts.AppID {
			id.reason = "AppAPI auth: unknown ExApp"
			return id
		}
		if subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.AppSecret)) != 1 {
			id.reason = "AppAPI auth: invalid secret"
			s.mu.Lock()
			s.app.authFailures++
			s.mu.Unlock()
			return id
		}
		if r.Header.Get("EX-APP-VERSION") == "" {
			id.reason = "AppAPI auth: empty EX-APP-VERSION"
			return id
		}
		s.mu.Lock()
		enabled := s.app.enabled
		_, known := s.user(user)
		s.mu.Unlock()
		if !enabled && !exempt {
			id.reason = "AppAPI auth: ExApp is disabled"
			return id
		}
		if user != "" && !known {
			id.reason = "AppAPI auth: user does not exist"
			return id
		}
		id.ok = true
		id.user = user
		return id
	}
	return identity{}
}

func (s *Server) otherAuth(r *http.Request) identity {
	if u, p, ok := r.BasicAuth(); ok {
		id := identity{present: true, user: u}
		s.mu.Lock()
		usr, known := s.user(u)
		s.mu.Unlock()
		if known && usr.Password != "" && subtle.ConstantTimeCompare([]byte(p), []byte(usr.Password)) == 1 {
			id.ok = true
			return id
		}
		id.user = ""
		id.reason = "Basic auth: invalid username or password"
		return id
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		u, ok := s.sessions[c.Value]
		_, known := s.user(u)
		s.mu.Unlock()
		if ok && known {
			return identity{present: true, ok: true, user: u}
		}
	}
	return identity{reason: "no credentials"}
}

// AuthFailures returns how many AppAPI requests carried a wrong secret (each
// one is a brute-force attempt in Nextcloud).
func (s *Server) AuthFailures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.app.authFailures
}
