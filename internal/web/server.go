// Package web is the ExApp's HTTP server (Echo v4): the AppAPI lifecycle endpoints (/heartbeat, /init,
// /enabled, see https://docs.nextcloud.com/server/latest/developer_manual/exapp_development/tech_details/ExAppLifecycle.html),
// the JSON API used by the app's page through the AppAPI proxy, and the static assets.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ewsconnector/ews_connector/internal/appapi"
)

// Options wires a Server. Logger, Verifier and Nextcloud are required; the rest may be nil.
type Options struct {
	// Logger receives request and lifecycle logs; secrets and auth headers are never logged.
	Logger *slog.Logger
	// Verifier checks AppAPI signatures on every route but /heartbeat.
	Verifier *appapi.Verifier
	// Nextcloud receives init progress and answers ex-app/state.
	Nextcloud Nextcloud
	// Migrator applies the database schema during /init.
	Migrator Migrator
	// Registrations are what /enabled puts into Nextcloud (enabled=1) and removes (enabled=0).
	Registrations []Registration
	// Workers are started when the app is enabled and stopped when it is disabled.
	Workers Workers
	// Accounts stores EWS accounts; nil disables /api/v1/accounts (503).
	Accounts AccountStore
	// Sealer seals EWS secrets before they reach Accounts.
	Sealer Sealer
	// Admins decides who may use /api/v1/admin; nil denies everyone.
	Admins AdminChecker
	// Page serves the EWS Connector page's API (connect, folders, links, status, test data); nil
	// answers it with 503.
	Page *PageDeps
	// Webhooks takes the calendar webhook deliveries (POST /webhooks/calendar); nil acknowledges
	// and drops them.
	Webhooks WebhookSink
	// AllowHTTPEndpoints accepts http:// EWS endpoints (development against the simulated Exchange).
	AllowHTTPEndpoints bool
}

// Server is the ExApp HTTP server.
type Server struct {
	e    *echo.Echo
	log  *slog.Logger
	opts Options
	life *lifecycle
	http *http.Server
}

// New builds the server and its routes.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{log: opts.Logger, opts: opts}
	s.life = newLifecycle(opts, opts.Logger)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.Use(s.recoverMiddleware, s.logMiddleware, noStore)
	e.GET("/heartbeat", heartbeat)
	auth := e.Group("", echo.WrapMiddleware(opts.Verifier.Middleware))
	auth.POST("/init", s.life.init)
	auth.PUT("/enabled", s.life.enabled)
	auth.GET("/img/*", staticHandler())
	s.webhookRoutes(auth)
	auth.GET("/js/*", frontendHandler())
	auth.GET("/css/*", frontendHandler())
	api := auth.Group("/api/v1", requireUser, csrfGuard)
	s.accountRoutes(api)
	s.pageRoutes(api)
	api.GET("/admin/accounts", s.adminAccounts, s.requireAdmin)
	s.e = e
	s.http = &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn)}
	return s
}

// ServeHTTP makes the Server an http.Handler (for tests).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.e.ServeHTTP(w, r) }

// Serve accepts connections on l until Shutdown; requests are served concurrently, as AppAPI needs
// (progress 100 makes Nextcloud call /enabled while the app's status PUT still waits).
func (s *Server) Serve(l net.Listener) error {
	err := s.http.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Resume asks Nextcloud whether the app is enabled (GET ex-app/state) and starts the workers if so;
// AppAPI does not call /enabled again after a restart.
func (s *Server) Resume(ctx context.Context) (bool, error) { return s.life.resume(ctx) }

// Shutdown stops accepting requests, waits for running ones and the init goroutine, then stops the
// workers.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	return errors.Join(err, s.life.shutdown(ctx))
}

// heartbeat answers GET /heartbeat without authentication (AppAPI AppAPIService::heartbeatExApp).
func heartbeat(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// errorBody is every error response of the API.
type errorBody struct {
	Error string `json:"error"`
}

// errorHandler writes errors as JSON; internal errors are logged but their text is not returned.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := http.StatusInternalServerError, "internal error"
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
		if m, ok := he.Message.(string); ok {
			msg = m
		} else {
			msg = http.StatusText(code)
		}
	} else {
		s.log.Error("request failed", slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path), slog.Any("error", err))
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(code)
		return
	}
	_ = c.JSON(code, errorBody{Error: msg})
}
