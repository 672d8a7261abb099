package nextcloudsim

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Route is an ExApp route as registered from info.xml or --json-info.
type Route struct {
	// URL is the regex, wrapped by AppAPI as /URL/i and matched against
	// the path without its leading "/". An unescaped "/" breaks the PHP
	// regex, so such a route never matches.
	URL string
	// Verb is a comma list of GET, POST, PUT and DELETE.
	Verb string
	// AccessLevel is 0 PUBLIC, 1 USER, 2 ADMIN.
	AccessLevel int
	// HeadersToExclude names request headers not forwarded (cookies are
	// forwarded anyway, as AppAPI 32's cookie jar does).
	HeadersToExclude []string
}

// Access levels of a Route.
const (
	AccessPublic = 0
	AccessUser   = 1
	AccessAdmin  = 2
)

const proxyPrefix = "/index.php/apps/app_api/proxy/"

// hopHeaders are not forwarded by the proxy.
var proxyDropRequest = map[string]bool{"Content-Length": true, "Authorization-App-Api": true, "Connection": true, "Keep-Alive": true, "Transfer-Encoding": true, "Te": true, "Upgrade": true}

var proxyStripResponse = []string{"Aa-Version", "Ex-App-Id", "Authorization-App-Api", "Ex-App-Version", "Aa-Request-Id", "Connection", "Transfer-Encoding"}

func (s *Server) routes() []Route {
	if len(s.opts.Routes) == 0 {
		return []Route{{URL: ".*", Verb: "GET,POST,PUT,DELETE", AccessLevel: AccessUser}}
	}
	return s.opts.Routes
}

// routeRegexp compiles a route URL as PHP's preg_match('/'.url.'/i') would
// accept it; an unescaped "/" ends the pattern and fails.
func routeRegexp(u string) *regexp.Regexp {
	for i := 0; i < len(u); i++ {
		if u[i] == '\\' {
			i++
			continue
		}
		if u[i] == '/' {
			return nil
		}
	}
	re, err := regexp.Compile("(?i)" + u)
	if err != nil {
		return nil
	}
	return re
}

// matchRoute returns the first route that matches path and verb and whose
// access level the user passes (ExAppProxyController::passesExAppProxyRoutesChecks).
func (s *Server) matchRoute(method, path, user string) (Route, bool) {
	s.mu.Lock()
	u, known := s.user(user)
	admin := known && u.isAdmin()
	s.mu.Unlock()
	for _, rt := range s.routes() {
		re := routeRegexp(rt.URL)
		if re == nil || !re.MatchString(path) {
			continue
		}
		verbOK := false
		for _, v := range strings.Split(rt.Verb, ",") {
			if strings.EqualFold(strings.TrimSpace(v), method) {
				verbOK = true
			}
		}
		if !verbOK {
			continue
		}
		switch rt.AccessLevel {
		case AccessPublic:
			return rt, true
		case AccessUser:
			if known {
				return rt, true
			}
		case AccessAdmin:
			if admin {
				return rt, true
			}
		}
	}
	return Route{}, false
}

func (s *Server) serveProxy(w http.ResponseWriter, r *http.Request) {
	id := s.authenticate(r, false)
	user := ""
	if id.ok && !id.appAPI {
		user = id.user
	}
	s.ServeProxyAs(w, r, user)
}

func notFoundPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, "<!DOCTYPE html><html><head><title>Nextcloud</title></head><body><h2>Page not found</h2><p>The page could not be found on the server or you may not be allowed to see it.</p></body></html>\n")
}

// ServeProxyAs forwards r, a browser request to
// /index.php/apps/app_api/proxy/<appid>/<path>, to the ExApp as logged-in
// user (empty for anonymous) the way AppAPI 32's PHP proxy does: route
// checks, all browser headers and cookies forwarded (including
// Authorization), AppAPI headers and x-origin-ip added, response AppAPI
// headers stripped, and for *.html paths a CSP nonce injected into every
// <script tag while the app's Content-Length is kept, so the body is cut
// (AppAPI ExAppProxyController, transcript 0101).
func (s *Server) ServeProxyAs(w http.ResponseWriter, r *http.Request, user string) {
	rest := strings.TrimPrefix(r.URL.Path, proxyPrefix)
	appID, path, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	enabled := s.app.enabled
	s.mu.Unlock()
	if appID != s.opts.AppID || !enabled || strings.Contains(path, "..") || s.opts.AppURL == "" {
		notFoundPage(w)
		return
	}
	switch r.Method {
	case "GET", "POST", "PUT", "DELETE":
	default:
		notFoundPage(w)
		return
	}
	route, ok := s.matchRoute(r.Method, path, user)
	if !ok {
		notFoundPage(w)
		return
	}
	target := strings.TrimSuffix(s.opts.AppURL, "/") + "/" + path
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, target, r.Body)
	if err != nil {
		notFoundPage(w)
		return
	}
	req.ContentLength = r.ContentLength
	exclude := map[string]bool{}
	for _, h := range route.HeadersToExclude {
		exclude[http.CanonicalHeaderKey(h)] = true
	}
	for k, v := range r.Header {
		if proxyDropRequest[k] || (exclude[k] && k != "Cookie") {
			continue
		}
		req.Header[k] = append([]string(nil), v...)
	}
	req.Host = r.Host
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	req.Header.Set("X-Origin-Ip", host)
	for k, v := range s.AppAPIHeaders(user) {
		req.Header[k] = v
	}
	req.Header.Set("AA-REQUEST-ID", randomID(20))
	if req.Header.Get("Accept-Language") == "" {
		req.Header.Set("Accept-Language", "en")
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		s.log.Debug("nextcloudsim: proxy request failed", "error", err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = append([]string(nil), v...)
	}
	for _, k := range proxyStripResponse {
		w.Header().Del(k)
	}
	ct := resp.Header.Get("Content-Type")
	if resp.Header.Get("Cache-Control") == "" {
		if ct == "application/json" || ct == "application/x-tar" {
			w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
		} else {
			// AppAPI caches anything else for an hour.
			w.Header().Set("Cache-Control", "private, max-age=3600")
		}
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if user != "" {
		w.Header().Set("X-User-Id", user)
	}
	if !strings.HasSuffix(path, ".html") {
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		return
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	nonce := randomNonce()
	body = bytes.ReplaceAll(body, []byte("<script"), []byte(`<script nonce="`+nonce+`"`))
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		// The bug of AppAPI 32: the original Content-Length is kept.
		if n, err := strconv.Atoi(cl); err == nil && n < len(body) {
			body = body[:n]
		}
		w.Header().Set("Content-Length", cl)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}

func randomID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func randomNonce() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
