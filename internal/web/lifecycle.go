package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ewsconnector/ews_connector/internal/appapi"
)

// Nextcloud is what the lifecycle needs from the AppAPI client (*appapi.Client satisfies it).
type Nextcloud interface {
	SetInitProgress(ctx context.Context, progress int) error
	SetInitError(ctx context.Context, progress int, message string) error
	Enabled(ctx context.Context) (bool, error)
}

// Migrator applies the database schema (the store satisfies it).
type Migrator interface {
	Migrate(ctx context.Context) error
}

// Workers are the app's background workers (sync schedulers). Start must return promptly.
type Workers interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Registration is one thing the app puts into Nextcloud when enabled and removes when disabled (a
// top-menu entry, a settings form, a webhook). Unregister should treat "already gone" as success.
type Registration struct {
	Name       string
	Register   func(ctx context.Context) error
	Unregister func(ctx context.Context) error
}

// initTimeout bounds the background init (AppAPI's own watchdog gives up after 40 minutes).
const initTimeout = 30 * time.Minute

// lifecycle implements /init and /enabled. Its two locks are never held together: init holds none
// while reporting progress, so Nextcloud's /enabled call made inside that report cannot deadlock.
type lifecycle struct {
	opts Options
	log  *slog.Logger

	initMu  sync.Mutex
	running bool
	initWG  sync.WaitGroup
	baseCtx context.Context
	cancel  context.CancelFunc

	enableMu sync.Mutex // serialises /enabled and worker start/stop
	workers  bool       // workers started
}

func newLifecycle(opts Options, log *slog.Logger) *lifecycle {
	ctx, cancel := context.WithCancel(context.Background())
	return &lifecycle{opts: opts, log: log, baseCtx: ctx, cancel: cancel}
}

// init answers POST /init at once with {} and runs the migrations in the background, reporting
// progress through PUT ex-app/status. A second /init while one runs is acknowledged and ignored.
func (l *lifecycle) init(c echo.Context) error {
	l.initMu.Lock()
	if !l.running {
		l.running = true
		l.initWG.Add(1)
		reqID := appapi.RequestIDFrom(c.Request().Context())
		go l.runInit(reqID)
	}
	l.initMu.Unlock()
	return c.JSON(http.StatusOK, struct{}{})
}

func (l *lifecycle) runInit(reqID string) {
	defer l.initWG.Done()
	defer func() {
		l.initMu.Lock()
		l.running = false
		l.initMu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(l.baseCtx, initTimeout)
	defer cancel()
	if reqID != "" {
		ctx = appapi.WithRequestID(ctx, reqID)
	}
	nc := l.opts.Nextcloud
	l.log.Info("init started")
	if err := nc.SetInitProgress(ctx, 0); err != nil {
		l.log.Warn("init: report progress", slog.Int("progress", 0), slog.Any("error", err))
	}
	if l.opts.Migrator != nil {
		if err := l.opts.Migrator.Migrate(ctx); err != nil {
			l.log.Error("init: migrate failed", slog.Any("error", err))
			if rerr := nc.SetInitError(ctx, 0, "database migration failed: "+err.Error()); rerr != nil {
				l.log.Error("init: report error", slog.Any("error", rerr))
			}
			return
		}
		if err := nc.SetInitProgress(ctx, 90); err != nil {
			l.log.Warn("init: report progress", slog.Int("progress", 90), slog.Any("error", err))
		}
	}
	// Progress 100 makes Nextcloud call /enabled before this PUT returns.
	if err := nc.SetInitProgress(ctx, 100); err != nil {
		l.log.Error("init: report progress", slog.Int("progress", 100), slog.Any("error", err))
		return
	}
	l.log.Info("init finished")
}

// enabledResponse is the body AppAPI expects from /enabled.
type enabledResponse struct {
	Error string `json:"error"`
}

// enabled answers PUT /enabled?enabled=1|0: it registers or removes the app's Nextcloud entries and
// starts or stops the workers. A non-empty error makes AppAPI disable the app again.
func (l *lifecycle) enabled(c echo.Context) error {
	ctx := c.Request().Context()
	var err error
	switch c.QueryParam("enabled") {
	case "1":
		err = l.enable(ctx)
	case "0":
		err = l.disable(ctx)
	default:
		return c.JSON(http.StatusBadRequest, enabledResponse{Error: "enabled must be 0 or 1"})
	}
	if err != nil {
		l.log.Error("enabled: failed", slog.String("enabled", c.QueryParam("enabled")), slog.Any("error", err))
		return c.JSON(http.StatusOK, enabledResponse{Error: err.Error()})
	}
	return c.JSON(http.StatusOK, enabledResponse{Error: ""})
}

func (l *lifecycle) enable(ctx context.Context) error {
	l.enableMu.Lock()
	defer l.enableMu.Unlock()
	var errs []error
	for _, r := range l.opts.Registrations {
		if err := r.Register(ctx); err != nil {
			errs = append(errs, fmt.Errorf("register %s: %w", r.Name, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	l.log.Info("enabled", slog.Int("registrations", len(l.opts.Registrations)))
	return l.startWorkersLocked()
}

func (l *lifecycle) disable(ctx context.Context) error {
	l.enableMu.Lock()
	defer l.enableMu.Unlock()
	errs := []error{l.stopWorkersLocked(ctx)}
	for i := len(l.opts.Registrations) - 1; i >= 0; i-- {
		r := l.opts.Registrations[i]
		if err := r.Unregister(ctx); err != nil {
			errs = append(errs, fmt.Errorf("unregister %s: %w", r.Name, err))
		}
	}
	l.log.Info("disabled")
	return errors.Join(errs...)
}

func (l *lifecycle) startWorkersLocked() error {
	if l.opts.Workers == nil || l.workers {
		return nil
	}
	if err := l.opts.Workers.Start(l.baseCtx); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	l.workers = true
	return nil
}

func (l *lifecycle) stopWorkersLocked(ctx context.Context) error {
	if l.opts.Workers == nil || !l.workers {
		return nil
	}
	l.workers = false
	if err := l.opts.Workers.Stop(ctx); err != nil {
		return fmt.Errorf("stop workers: %w", err)
	}
	return nil
}

// resume starts the workers when Nextcloud says the app is enabled.
func (l *lifecycle) resume(ctx context.Context) (bool, error) {
	en, err := l.opts.Nextcloud.Enabled(ctx)
	if err != nil {
		return false, fmt.Errorf("web: ask ex-app state: %w", err)
	}
	if !en {
		return false, nil
	}
	l.enableMu.Lock()
	defer l.enableMu.Unlock()
	return true, l.startWorkersLocked()
}

// shutdown cancels a running init, waits for it, and stops the workers.
func (l *lifecycle) shutdown(ctx context.Context) error {
	l.cancel()
	done := make(chan struct{})
	go func() { l.initWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	l.enableMu.Lock()
	defer l.enableMu.Unlock()
	return l.stopWorkersLocked(ctx)
}
