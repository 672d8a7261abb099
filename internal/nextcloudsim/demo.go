package nextcloudsim

import (
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
)

// sessionCookie holds the demo login session.
const sessionCookie = "nc_session_id"

var demoPage = template.Must(template.New("demo").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Fake Nextcloud</title>
<style>body{font-family:sans-serif;margin:2em;max-width:40em}li{margin:.3em 0}</style></head>
<body><h1>Fake Nextcloud {{.Version}}</h1>
{{if .User}}<p>Logged in as <b>{{.User}}</b>. <a href="/logout">Log out</a></p>
<h2>Apps</h2><ul>{{range .Menus}}<li><a href="{{.Href}}">{{.Name}}</a></li>{{else}}<li>The app has registered no top-menu entry (is it enabled?).</li>{{end}}</ul>
{{else}}<p>Pick a demo user:</p>
<form method="post" action="/login">{{range .Users}}<button name="user" value="{{.}}">{{.}}</button> {{end}}</form>{{end}}
</body></html>
`))

var embeddedPage = template.Must(template.New("embedded").Parse(`<!DOCTYPE html>
<html><head data-user="{{.User}}" data-displayname="{{.User}}" data-requesttoken="{{.Nonce}}"><meta charset="utf-8"><title>{{.Title}} - Fake Nextcloud</title>
<meta name="csp-nonce" nonce="{{.Nonce}}" content="{{.Nonce}}">
{{range .Styles}}<link rel="stylesheet" href="{{.}}">
{{end}}<script nonce="{{.Nonce}}">window._oc_webroot="";window.OC={webroot:"",config:{modRewriteWorking:false},getCurrentUser:function(){return {uid:{{.User}}}}};</script>
</head><body data-user="{{.User}}">
<header><a href="/">Fake Nextcloud</a> · {{.User}}</header>
{{range .States}}<input type="hidden" id="initial-state-app_api-{{.Key}}" value="{{.Value}}">
{{end}}<div id="content"></div>
{{range .Scripts}}<script nonce="{{$.Nonce}}" src="{{.}}"></script>
{{end}}</body></html>
`))

// LoginCookie creates a demo session for user and returns its cookie; a
// request carrying it is logged in (proxy, DAV and OCS), like a browser.
func (s *Server) LoginCookie(user string) (*http.Cookie, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.user(user); !ok {
		return nil, ErrUnknownUser
	}
	id := randomID(32)
	s.sessions[id] = user
	return &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}, nil
}

// serveDemo is the minimal web UI for `make run`: a user picker at /, and
// the embedded top-menu pages of the app.
func (s *Server) serveDemo(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/login" && r.Method == http.MethodPost:
		c, err := s.LoginCookie(r.FormValue("user"))
		if err != nil {
			http.Error(w, "unknown user", http.StatusBadRequest)
			return
		}
		http.SetCookie(w, c)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	case r.URL.Path == "/logout":
		if c, err := r.Cookie(sessionCookie); err == nil {
			s.mu.Lock()
			delete(s.sessions, c.Value)
			s.mu.Unlock()
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	case r.URL.Path != "/" && r.URL.Path != "/index.php":
		http.NotFound(w, r)
		return
	}
	id := s.authenticate(r, false)
	user := ""
	if id.ok && !id.appAPI {
		user = id.user
	}
	type menu struct{ Name, Href string }
	data := struct {
		Version string
		User    string
		Users   []string
		Menus   []menu
	}{Version: s.opts.Version, User: user}
	s.mu.Lock()
	data.Users = append(data.Users, s.order...)
	u, _ := s.user(user)
	for _, m := range s.ocs.topMenus {
		if m.AdminRequired && (u == nil || !u.isAdmin()) {
			continue
		}
		data.Menus = append(data.Menus, menu{Name: m.DisplayName, Href: "/index.php/apps/app_api/embedded/" + s.opts.AppID + "/" + m.Name})
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = demoPage.Execute(w, data)
}

// serveEmbedded renders /index.php/apps/app_api/embedded/<appid>/<name>: the
// page of a top-menu entry with its scripts, styles and initial state
// (TopMenuController::viewExAppPage).
func (s *Server) serveEmbedded(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/index.php/apps/app_api/embedded/")
	appID, name, _ := strings.Cut(rest, "/")
	name, _, _ = strings.Cut(name, "/")
	id := s.authenticate(r, false)
	if !id.ok || id.appAPI || id.user == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.mu.Lock()
	var entry *TopMenu
	for i := range s.ocs.topMenus {
		if s.ocs.topMenus[i].Name == name {
			entry = &s.ocs.topMenus[i]
		}
	}
	u, _ := s.user(id.user)
	if appID != s.opts.AppID || entry == nil || !s.app.enabled || (entry.AdminRequired && !u.isAdmin()) {
		s.mu.Unlock()
		notFoundPage(w)
		return
	}
	type state struct{ Key, Value string }
	data := struct {
		Title, User, Nonce string
		Scripts, Styles    []string
		States             []state
	}{Title: entry.DisplayName, User: id.user, Nonce: randomNonce()}
	for _, sc := range s.ocs.scripts {
		if sc.Type == "top_menu" && sc.Name == name {
			data.Scripts = append(data.Scripts, proxyPrefix+s.opts.AppID+"/"+sc.Path+".js")
		}
	}
	for _, st := range s.ocs.styles {
		if st.Type == "top_menu" && st.Name == name {
			data.Styles = append(data.Styles, proxyPrefix+s.opts.AppID+"/"+st.Path+".css")
		}
	}
	for _, is := range s.ocs.initialStates {
		if is.Type == "top_menu" && is.Name == name {
			// AppAPI provides the value as a JSON string; Nextcloud then
			// JSON-encodes and base64-encodes it.
			inner, _ := json.Marshal(string(is.Value))
			data.States = append(data.States, state{Key: is.Key, Value: base64.StdEncoding.EncodeToString(inner)})
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = embeddedPage.Execute(w, data)
}
