package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/config"
	"github.com/ewsconnector/ews_connector/internal/seal"
	"github.com/ewsconnector/ews_connector/internal/store"
	"github.com/ewsconnector/ews_connector/internal/web"
)

// Timeouts of the serve command.
const (
	dbWait          = 2 * time.Minute  // how long to wait for PostgreSQL at start
	shutdownTimeout = 20 * time.Second // graceful shutdown
)

// cmdServe runs the ExApp.
func cmdServe(ctx context.Context, args []string, env Env) error {
	fs := newFlags("serve", env)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: ews-connector [serve]\n\nRuns the ExApp: configuration comes from the environment (see ews-connector help).\nListens on APP_HOST:APP_PORT, or on /tmp/exapp.sock when HP_SHARED_KEY is set (HaRP).\nMigrates the database at start and at POST /init; SIGINT/SIGTERM shut it down gracefully.")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(env.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(env.Stderr, cfg.LogLevel, cfg.LogFormat)
	var l net.Listener
	if cfg.HaRP() {
		l, err = web.ListenUnix(web.HaRPSocket)
	} else {
		l, err = web.ListenTCP(cfg.AppHost, cfg.AppPort)
	}
	if err != nil {
		return err
	}
	return serve(ctx, cfg, log, l)
}

// serve runs the app on l until ctx ends. It owns l.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger, l net.Listener) error {
	defer l.Close()
	log.Info("starting", slog.String("version", Version), slog.Any("config", cfg), slog.String("listen", l.Addr().String()))
	sealer, err := seal.ParseKeyring(cfg.SecretKey)
	if err != nil {
		return fmt.Errorf("app: EWS_SECRET_KEY: %w", err)
	}
	st, err := openStore(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer st.Close()
	// Migrations are applied at start as well as at /init (an update replaces the container without a
	// new /init); a schema newer than this binary is refused before anything is served.
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	if err := st.CheckSchema(ctx); err != nil {
		return err
	}
	reg := newMetrics(cfg)
	nc, err := appapi.NewClient(nextcloudHTTP(reg), appapi.Options{
		NextcloudURL: cfg.NextcloudURL, AppID: cfg.AppID, AppVersion: cfg.AppVersion,
		Secret: cfg.AppSecret, AAVersion: cfg.AAVersion, Logger: log,
	})
	if err != nil {
		return err
	}
	syncer, err := newSyncing(cfg, st, sealer, nc, reg, log)
	if err != nil {
		return err
	}
	page := pageDeps(st, sealer, nc, syncer, log)
	go syncer.serveMetrics(ctx, cfg.MetricsAddr, log)
	srv := web.New(web.Options{
		Logger:             log,
		Verifier:           appapi.NewVerifier(cfg.AppID, cfg.AppSecret),
		Nextcloud:          nc,
		Migrator:           st,
		Registrations:      append(web.DefaultRegistrations(nc), web.CalendarWebhookRegistrations(nc, log)...),
		Workers:            syncer.sched,
		Webhooks:           syncer.sched,
		Accounts:           st,
		Sealer:             sealer,
		Admins:             web.NewNextcloudAdmins(nc),
		AllowHTTPEndpoints: cfg.DevMode,
		Page:               page,
	})
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	go resume(ctx, srv, log)
	log.Info("serving", slog.String("listen", l.Addr().String()))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	return srv.Shutdown(sctx)
}

// openStore connects to PostgreSQL, retrying while it is not up yet (containers start in any order).
func openStore(ctx context.Context, dsn string, log *slog.Logger) (*store.Store, error) {
	ctx, cancel := context.WithTimeout(ctx, dbWait)
	defer cancel()
	delay := 500 * time.Millisecond
	for {
		st, err := store.Open(ctx, dsn, log)
		if err == nil {
			return st, nil
		}
		log.Warn("database not reachable yet", slog.Any("error", err))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("app: database: %w", err)
		case <-time.After(delay):
		}
		delay = min(delay*2, 10*time.Second)
	}
}

// resume asks Nextcloud whether the app is enabled and starts the workers if so, retrying for a
// while when Nextcloud is not reachable (AppAPI does not call /enabled after a restart).
func resume(ctx context.Context, srv *web.Server, log *slog.Logger) {
	delay := time.Second
	for attempt := 1; ; attempt++ {
		en, err := srv.Resume(ctx)
		if err == nil {
			log.Info("ex-app state", slog.Bool("enabled", en))
			return
		}
		if errors.Is(ctx.Err(), context.Canceled) || attempt == 6 {
			log.Warn("could not ask nextcloud whether the app is enabled; waiting for /enabled", slog.Any("error", err))
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay *= 2
	}
}
