package nextcloudsim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// ocsReq is one parsed OCS request.
type ocsReq struct {
	r      *http.Request
	v2     bool
	id     identity
	path   string
	vars   map[string]string
	params map[string]any
}

// ocsResult is what a handler answers; status is an HTTP-style code (200 ok).
type ocsResult struct {
	status  int
	message string
	data    any
}

func ocsOK(data any) ocsResult { return ocsResult{status: http.StatusOK, data: data} }

func ocsFail(status int, msg string) ocsResult { return ocsResult{status: status, message: msg} }

// ocsRoute describes one OCS endpoint.
type ocsRoute struct {
	method  string
	pattern string // path after /ocs/vN.php, {name} matches one segment
	// appAPI: the endpoint carries #[AppAPIAuth] (AppAPI-signed requests only).
	appAPI bool
	// exempt: callable while the ExApp is disabled (status, state).
	exempt bool
	// user: a logged-in user is required (empty AppAPI user gets 401).
	user bool
	// admin: an admin user is required.
	admin bool
	// systemOK: the AppAPI system context (empty user) passes the admin
	// check (#[AppApiAdminAccessWithoutUser], webhook_listeners).
	systemOK bool
	h        func(s *Server, q *ocsReq) ocsResult
}

const (
	statusNotLoggedIn = 997
	statusBadQuery    = 998
	msgNotLoggedIn    = "Current user is not logged in"
	msgBadQuery       = "Invalid query, please check the syntax. API specifications are here: http://www.freedesktop.org/wiki/Specifications/open-collaboration-services."
)

func (s *Server) ocsRoutes() []ocsRoute {
	routes := []ocsRoute{
		{method: "PUT", pattern: "/apps/app_api/ex-app/status", appAPI: true, exempt: true, h: (*Server).ocsSetStatus},
		{method: "GET", pattern: "/apps/app_api/ex-app/state", appAPI: true, exempt: true, h: (*Server).ocsGetState},
		{method: "GET", pattern: "/apps/app_api/api/v1/users", appAPI: true, h: (*Server).ocsAppUsers},
		{method: "GET", pattern: "/apps/app_api/api/v1/info/nextcloud_url", appAPI: true, h: (*Server).ocsNextcloudURL},
		{method: "GET", pattern: "/apps/app_api/api/v1/info/nextcloud_url/absolute", appAPI: true, h: (*Server).ocsAbsoluteURL},
		{method: "POST", pattern: "/apps/app_api/api/v1/log", appAPI: true, h: (*Server).ocsLog},
		{method: "POST", pattern: "/apps/app_api/api/v1/notification", appAPI: true, user: true, h: (*Server).ocsNotification},
		{method: "POST", pattern: "/apps/app_api/api/v1/events_listener", appAPI: true, h: (*Server).ocsGone},
		{method: "POST", pattern: "/apps/app_api/api/v1/ex-app/config", appAPI: true, h: (*Server).ocsConfigSet},
		{method: "POST", pattern: "/apps/app_api/api/v1/ex-app/config/get-values", appAPI: true, h: (*Server).ocsConfigGet},
		{method: "DELETE", pattern: "/apps/app_api/api/v1/ex-app/config", appAPI: true, h: (*Server).ocsConfigDelete},
		{method: "POST", pattern: "/apps/app_api/api/v1/ex-app/preference", appAPI: true, user: true, h: (*Server).ocsPrefSet},
		{method: "POST", pattern: "/apps/app_api/api/v1/ex-app/preference/get-values", appAPI: true, user: true, h: (*Server).ocsPrefGet},
		{method: "DELETE", pattern: "/apps/app_api/api/v1/ex-app/preference", appAPI: true, user: true, h: (*Server).ocsPrefDelete},
		{method: "GET", pattern: "/cloud/capabilities", h: (*Server).ocsCapabilities},
		{method: "GET", pattern: "/cloud/user", user: true, h: (*Server).ocsCloudUser},
		{method: "GET", pattern: "/cloud/users", admin: true, h: (*Server).ocsCloudUsers},
		{method: "GET", pattern: "/cloud/users/{uid}", user: true, h: (*Server).ocsCloudUserByID},
		{method: "GET", pattern: "/cloud/users/{uid}/groups", user: true, h: (*Server).ocsCloudUserGroups},
		{method: "POST", pattern: "/settings/api/declarative/value", user: true, h: (*Server).ocsDeclarativeValue},
		{method: "GET", pattern: "/settings/api/declarative/forms", user: true, h: (*Server).ocsDeclarativeForms},
	}
	for _, kind := range []string{"top-menu", "initial-state", "script", "style", "settings"} {
		kind := kind
		for _, m := range []string{"POST", "GET", "DELETE"} {
			m := m
			routes = append(routes, ocsRoute{method: m, pattern: "/apps/app_api/api/v1/ui/" + kind, appAPI: true,
				h: func(s *Server, q *ocsReq) ocsResult { return s.ocsUI(q, kind, m) }})
		}
	}
	if !s.opts.WebhookListenersDisabled {
		routes = append(routes,
			ocsRoute{method: "GET", pattern: "/apps/webhook_listeners/api/v1/webhooks", admin: true, systemOK: true, h: (*Server).ocsWebhookList},
			ocsRoute{method: "POST", pattern: "/apps/webhook_listeners/api/v1/webhooks", admin: true, systemOK: true, h: (*Server).ocsWebhookCreate},
			ocsRoute{method: "GET", pattern: "/apps/webhook_listeners/api/v1/webhooks/{id}", admin: true, systemOK: true, h: (*Server).ocsWebhookGet},
			ocsRoute{method: "POST", pattern: "/apps/webhook_listeners/api/v1/webhooks/{id}", admin: true, systemOK: true, h: (*Server).ocsWebhookUpdate},
			ocsRoute{method: "DELETE", pattern: "/apps/webhook_listeners/api/v1/webhooks/byappid/{appid}", admin: true, systemOK: true, h: (*Server).ocsWebhookDeleteByApp},
			ocsRoute{method: "DELETE", pattern: "/apps/webhook_listeners/api/v1/webhooks/{id}", admin: true, systemOK: true, h: (*Server).ocsWebhookDelete},
		)
	}
	return routes
}

func matchPattern(pattern, path string) (map[string]string, bool) {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	vars := map[string]string{}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			v, err := url.PathUnescape(xs[i])
			if err != nil || v == "" {
				return nil, false
			}
			vars[p[1:len(p)-1]] = v
			continue
		}
		if p != xs[i] {
			return nil, false
		}
	}
	return vars, true
}

func (s *Server) serveOCS(w http.ResponseWriter, r *http.Request) {
	q := &ocsReq{r: r, v2: strings.HasPrefix(r.URL.Path, "/ocs/v2.php/")}
	q.path = strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/ocs/v1.php"), "/ocs/v2.php")
	var route *ocsRoute
	for _, rt := range s.ocsTable {
		vars, ok := matchPattern(rt.pattern, q.path)
		if !ok {
			continue
		}
		if rt.method == r.Method {
			rt := rt
			route = &rt
			q.vars = vars
			break
		}
	}
	q.id = s.authenticate(r, route != nil && route.exempt)
	if q.id.present && !q.id.ok {
		s.log.Debug("nextcloudsim: ocs auth failed", slog.String("reason", q.id.reason), slog.String("path", r.URL.Path))
		s.writeOCS(w, r, q.v2, ocsFail(http.StatusUnauthorized, msgNotLoggedIn))
		return
	}
	if q.id.ok && q.id.user != "" {
		w.Header().Set("X-User-Id", q.id.user)
	}
	if r.Header.Get("OCS-APIRequest") == "" {
		// Nextcloud's CSRF check: OCS needs OCS-APIRequest even with AppAPI auth.
		writeJSON(w, http.StatusPreconditionFailed, map[string]string{"message": "CSRF check failed"})
		return
	}
	if route == nil {
		s.writeOCS(w, r, q.v2, ocsResult{status: statusBadQuery, message: msgBadQuery})
		return
	}
	switch {
	case route.appAPI && !q.id.appAPI:
		s.writeOCS(w, r, q.v2, ocsFail(http.StatusUnauthorized, msgNotLoggedIn))
		return
	case route.user && q.id.user == "":
		s.writeOCS(w, r, q.v2, ocsFail(http.StatusUnauthorized, msgNotLoggedIn))
		return
	case route.admin:
		if !q.id.ok {
			s.writeOCS(w, r, q.v2, ocsFail(http.StatusUnauthorized, msgNotLoggedIn))
			return
		}
		if q.id.user == "" && !route.systemOK {
			s.writeOCS(w, r, q.v2, ocsFail(http.StatusUnauthorized, msgNotLoggedIn))
			return
		}
		if q.id.user != "" {
			s.mu.Lock()
			u, ok := s.user(q.id.user)
			admin := ok && u.isAdmin()
			s.mu.Unlock()
			if !admin {
				s.writeOCS(w, r, q.v2, ocsFail(http.StatusForbidden, "Logged in account must be an admin"))
				return
			}
		}
	}
	params, err := parseParams(r)
	if err != nil {
		s.writeOCS(w, r, q.v2, ocsFail(http.StatusBadRequest, err.Error()))
		return
	}
	q.params = params
	s.writeOCS(w, r, q.v2, route.h(s, q))
}

// parseParams merges the query string with a JSON or form body, as
// Nextcloud's IRequest does for controller parameters.
func parseParams(r *http.Request) (map[string]any, error) {
	params := map[string]any{}
	for k, v := range r.URL.Query() {
		key := strings.TrimSuffix(k, "[]")
		if strings.HasSuffix(k, "[]") {
			params[key] = toAny(v)
		} else if len(v) > 0 {
			params[key] = v[0]
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("nextcloudsim: read body: %w", err)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return params, nil
	}
	ct := r.Header.Get("Content-Type")
	if strings.Contains(ct, "json") || body[0] == '{' {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("nextcloudsim: invalid JSON body: %w", err)
		}
		for k, v := range m {
			params[k] = v
		}
		return params, nil
	}
	if strings.Contains(ct, "application/x-www-form-urlencoded") {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("nextcloudsim: invalid form body: %w", err)
		}
		for k, v := range vals {
			if len(v) > 0 {
				params[k] = v[0]
			}
		}
	}
	return params, nil
}

func toAny(v []string) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

func (q *ocsReq) str(key string) string {
	switch v := q.params[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "1"
		}
		return "0"
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func (q *ocsReq) has(key string) bool {
	_, ok := q.params[key]
	return ok
}

func (q *ocsReq) integer(key string) (int, bool) {
	switch v := q.params[key].(type) {
	case json.Number:
		n, err := strconv.Atoi(v.String())
		return n, err == nil
	case string:
		n, err := strconv.Atoi(v)
		return n, err == nil
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func (q *ocsReq) strings(key string) []string {
	var out []string
	switch v := q.params[key].(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case string:
		out = append(out, v)
	}
	return out
}

// writeOCS writes the OCS envelope: v1 answers HTTP 200 except for 401
// (statuscode 100 for success); v2 answers the real HTTP status (statuscode
// 200 for success). JSON when format=json or Accept asks for JSON, else XML.
func (s *Server) writeOCS(w http.ResponseWriter, r *http.Request, v2 bool, res ocsResult) {
	httpStatus := http.StatusOK
	code := res.status
	ok := res.status == http.StatusOK
	msg := res.message
	switch {
	case ok:
		if !v2 {
			code = 100
		}
		msg = "OK"
	case res.status == http.StatusUnauthorized:
		code = statusNotLoggedIn
		httpStatus = http.StatusUnauthorized
	case res.status == statusBadQuery:
		if v2 {
			httpStatus = http.StatusNotFound
		}
	case v2:
		httpStatus = res.status
		if httpStatus < 100 || httpStatus > 599 {
			httpStatus = http.StatusInternalServerError
		}
	}
	status := "ok"
	if !ok {
		status = "failure"
	}
	data := res.data
	if data == nil {
		data = []any{}
	}
	w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
	if wantsJSON(r) {
		meta := map[string]any{"status": status, "statuscode": code, "message": msg}
		if !v2 {
			meta["totalitems"] = ""
			meta["itemsperpage"] = ""
		}
		// Keep the transcript's key order: meta first, then data.
		var buf bytes.Buffer
		buf.WriteString(`{"ocs":{"meta":`)
		buf.Write(marshalOrdered(meta, []string{"status", "statuscode", "message", "totalitems", "itemsperpage"}))
		buf.WriteString(`,"data":`)
		d, err := json.Marshal(data)
		if err != nil {
			d = []byte("[]")
		}
		buf.Write(d)
		buf.WriteString("}}")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		w.WriteHeader(httpStatus)
		_, _ = w.Write(buf.Bytes())
		return
	}
	var buf bytes.Buffer
	buf.WriteString("<?xml version=\"1.0\"?>\n<ocs>\n <meta>\n")
	fmt.Fprintf(&buf, "  <status>%s</status>\n  <statuscode>%d</statuscode>\n  <message>%s</message>\n", status, code, xmlEscape(msg))
	if !v2 {
		buf.WriteString("  <totalitems></totalitems>\n  <itemsperpage></itemsperpage>\n")
	}
	buf.WriteString(" </meta>\n")
	writeXMLValue(&buf, "data", toGeneric(data), 1)
	buf.WriteString("</ocs>\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(httpStatus)
	_, _ = w.Write(buf.Bytes())
}

func wantsJSON(r *http.Request) bool {
	if f := r.URL.Query().Get("format"); f != "" {
		return f == "json"
	}
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func marshalOrdered(m map[string]any, order []string) []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	for _, k := range order {
		v, ok := m[k]
		if !ok {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(v)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// toGeneric turns data into maps, slices and scalars through JSON.
func toGeneric(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func writeXMLValue(buf *bytes.Buffer, name string, v any, depth int) {
	ind := strings.Repeat(" ", depth)
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			fmt.Fprintf(buf, "%s<%s/>\n", ind, name)
			return
		}
		fmt.Fprintf(buf, "%s<%s>\n", ind, name)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			writeXMLValue(buf, xmlElemName(k), x[k], depth+1)
		}
		fmt.Fprintf(buf, "%s</%s>\n", ind, name)
	case []any:
		if len(x) == 0 {
			fmt.Fprintf(buf, "%s<%s/>\n", ind, name)
			return
		}
		fmt.Fprintf(buf, "%s<%s>\n", ind, name)
		for _, e := range x {
			writeXMLValue(buf, "element", e, depth+1)
		}
		fmt.Fprintf(buf, "%s</%s>\n", ind, name)
	case nil:
		fmt.Fprintf(buf, "%s<%s/>\n", ind, name)
	case bool:
		if x {
			fmt.Fprintf(buf, "%s<%s>1</%s>\n", ind, name, name)
		} else {
			fmt.Fprintf(buf, "%s<%s></%s>\n", ind, name, name)
		}
	default:
		fmt.Fprintf(buf, "%s<%s>%s</%s>\n", ind, name, xmlEscape(fmt.Sprint(x)), name)
	}
}

func xmlElemName(k string) string {
	if k == "" || !(k[0] == '_' || (k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z')) {
		return "element"
	}
	for _, c := range k {
		if !(c == '_' || c == '-' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			return "element"
		}
	}
	return k
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
