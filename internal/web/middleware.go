package web

import (
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ewsconnector/ews_connector/internal/appapi"
)

// sensitiveHeaders never reach a log line: the AppAPI signature, HaRP's shared key, and what the AppAPI
// proxy forwards from the browser (the user's Basic password, session cookies, CSRF token).
var sensitiveHeaders = map[string]bool{
	"Authorization-App-Api":    true,
	"Harp-Shared-Key":          true,
	"Authorization":            true,
	"Cookie":                   true,
	"Set-Cookie":               true,
	"Requesttoken":             true,
	"X-Original-Authorization": true,
	"Proxy-Authorization":      true,
}

// RedactHeaders returns a copy of h fit for logging, with sensitive values replaced by "[redacted]".
func RedactHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		ck := http.CanonicalHeaderKey(k)
		if sensitiveHeaders[ck] {
			out[ck] = "[redacted]"
			continue
		}
		out[ck] = strings.Join(v, ", ")
	}
	return out
}

// logMiddleware logs one line per request: method, path (never the query), status, duration and the
// AppAPI user. At debug level it adds the redacted headers.
func (s *Server) logMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		r := c.Request()
		user, _ := appapi.UserFrom(r.Context())
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", c.Response().Status),
			slog.Int64("duration_ms", time.Since(start).Milliseconds()),
			slog.String("user", user),
			slog.String("request_id", r.Header.Get(appapi.HeaderRequestID)),
		}
		level := slog.LevelInfo
		if r.URL.Path == "/heartbeat" {
			level = slog.LevelDebug
		}
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			attrs = append(attrs, slog.Any("headers", RedactHeaders(r.Header)))
		}
		s.log.LogAttrs(r.Context(), level, "http request", attrs...)
		return nil
	}
}

// recoverMiddleware turns a panic into a 500 and a log line.
func (s *Server) recoverMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic in handler", slog.String("path", c.Request().URL.Path), slog.String("panic", fmt.Sprint(p)))
				err = echo.NewHTTPError(http.StatusInternalServerError, "internal error")
			}
		}()
		return next(c)
	}
}

// noStore sets Cache-Control: no-store: the AppAPI PHP proxy caches responses for an hour unless the app
// sets Cache-Control (AppAPI ExAppProxyController::createProxyResponse).
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// requireUser refuses API calls without a Nextcloud user (anonymous or system context) with 403.
func requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u, _ := appapi.UserFrom(c.Request().Context()); u == "" {
			return echo.NewHTTPError(http.StatusForbidden, "a nextcloud user is required")
		}
		return next(c)
	}
}

// csrfGuard requires a JSON body or X-Requested-With on state-changing requests: the AppAPI proxy does
// no CSRF check, and a cross-site form can send neither (it cannot set X-Requested-With, and a JSON
// content type forces a CORS preflight). No content type and no X-Requested-With gives 403; another
// content type gives 415.
func csrfGuard(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if r.Header.Get("X-Requested-With") != "" {
			return next(c)
		}
		ct := r.Header.Get("Content-Type")
		if ct == "" {
			return echo.NewHTTPError(http.StatusForbidden, "state-changing requests need a JSON content type or X-Requested-With")
		}
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return echo.NewHTTPError(http.StatusUnsupportedMediaType, "content type must be application/json")
		}
		return next(c)
	}
}
