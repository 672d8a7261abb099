package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ewsconnector/ews_connector/internal/config"
	"github.com/ewsconnector/ews_connector/internal/ewssim"
	"github.com/ewsconnector/ews_connector/internal/nextcloudsim"
	"github.com/ewsconnector/ews_connector/internal/pgcluster"
	"github.com/ewsconnector/ews_connector/internal/seal"
)

// devAppID is the app id used in development, the same as in appinfo/info.xml.
const devAppID = "ews_connector"

// DevRoutes are the proxy routes of appinfo/info.xml, for the fake Nextcloud. "\/?" accepts the path
// with or without its leading slash (AppAPI 32 matches without it, later versions with it).
var DevRoutes = []nextcloudsim.Route{
	{URL: `^\/?img\/.*`, Verb: "GET", AccessLevel: nextcloudsim.AccessUser},
	{URL: `^\/?js\/.*`, Verb: "GET", AccessLevel: nextcloudsim.AccessUser},
	{URL: `^\/?css\/.*`, Verb: "GET", AccessLevel: nextcloudsim.AccessUser},
	{URL: `^\/?api\/.*`, Verb: "GET,POST,PUT,DELETE", AccessLevel: nextcloudsim.AccessUser},
}

// cmdDev runs the development setup of `make run`: a private PostgreSQL cluster under .run/pg, the
// fake Nextcloud on a local port, and the app against both, registered as `occ app_api:app:register
// --wait-finish` would (heartbeat, init, enabled).
func cmdDev(ctx context.Context, args []string, env Env) error {
	fs := newFlags("dev", env)
	dir := fs.String("dir", ".run", "directory for the PostgreSQL cluster and the dev secret key")
	appAddr := fs.String("app", "127.0.0.1:23000", "address of the app (APP_HOST:APP_PORT)")
	ncAddr := fs.String("nextcloud", "127.0.0.1:8080", "address of the fake Nextcloud")
	dbName := fs.String("db", "ews_connector", "database name in the private cluster")
	ewsAddr := fs.String("ews", "127.0.0.1:8765", `address of the simulated Exchange ("" for none)`)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: ews-connector dev [flags]\n\nStarts a private PostgreSQL (initdb/pg_ctl of Debian's postgresql; as user postgres when run as root),\nthe fake Nextcloud and the app, drives heartbeat/init/enabled, and prints where to look. Ctrl-C stops all.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	level := slog.LevelInfo
	if v := env.Getenv("LOG_LEVEL"); v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			return &config.Error{Var: "LOG_LEVEL", Reason: fmt.Sprintf("%q is not one of debug, info, warn, error", v)}
		}
	}
	log := newLogger(env.Stderr, level, "text")

	abs, err := filepath.Abs(*dir)
	if err != nil {
		return fmt.Errorf("app: dev: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return fmt.Errorf("app: dev: %w", err)
	}
	key, err := devSecretKey(filepath.Join(abs, "secret.key"))
	if err != nil {
		return err
	}

	log.Info("starting PostgreSQL", slog.String("dir", filepath.Join(abs, "pg")))
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(abs, "pg"), Logger: log})
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := cluster.Stop(sctx); err != nil {
			log.Warn("stop PostgreSQL", slog.Any("error", err))
		}
	}()
	if err := cluster.CreateDatabase(ctx, *dbName); err != nil && !isDuplicateDatabase(err) {
		return err
	}
	dsn := cluster.DSN(*dbName)

	appL, err := net.Listen("tcp", *appAddr)
	if err != nil {
		return fmt.Errorf("app: dev: app listener: %w", err)
	}
	ncL, err := net.Listen("tcp", *ncAddr)
	if err != nil {
		appL.Close()
		return fmt.Errorf("app: dev: nextcloud listener: %w", err)
	}
	appSecret := randomSecret()
	ncURL := "http://" + ncL.Addr().String()
	appURL := "http://" + appL.Addr().String()
	sim := nextcloudsim.New(nextcloudsim.Options{
		AppID: devAppID, AppSecret: appSecret, AppVersion: Version,
		AppURL: appURL, BaseURL: ncURL, StartDisabled: true, Routes: DevRoutes,
		AutoDeliverWebhooks: 5 * time.Second, Logger: log.With(slog.String("component", "nextcloudsim")),
	})
	defer sim.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	simDone := make(chan error, 1)
	go func() { simDone <- sim.Serve(ctx, ncL) }()

	ewsURL := ""
	if *ewsAddr != "" {
		ewsL, err := net.Listen("tcp", *ewsAddr)
		if err != nil {
			return fmt.Errorf("app: dev: ews-sim listener: %w", err)
		}
		exch := ewssim.New(ewssim.Options{Logger: log.With(slog.String("component", "ews-sim")),
			Users: []ewssim.User{{Name: "alice", Password: devEWSPassword}, {Name: "admin", Password: devEWSPassword}}})
		if err := exch.Seed("demo"); err != nil {
			ewsL.Close()
			return fmt.Errorf("app: dev: ews-sim: %w", err)
		}
		run := exch.Start(ewsL)
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = run.Shutdown(sctx)
		}()
		ewsURL = run.URL + "/EWS/Exchange.asmx"
	}

	port := appL.Addr().(*net.TCPAddr).Port
	cfg := &config.Config{
		AppID: devAppID, AppSecret: appSecret, AppVersion: Version, AppHost: "127.0.0.1", AppPort: port,
		NextcloudURL: ncURL, PersistentStorage: filepath.Join(abs, "data"), AAVersion: "32.0.0",
		DatabaseURL: dsn, SecretKey: key, LogLevel: level, LogFormat: "text", DevMode: true,
		// The SSRF guard refuses loopback: trust the simulated Exchange's host explicitly.
		AllowHosts: hostsOf(ewsURL),
	}
	appDone := make(chan error, 1)
	go func() { appDone <- serve(ctx, cfg, log.With(slog.String("component", "app")), appL) }()

	// Register as `occ app_api:app:register --wait-finish` does, once the app answers.
	regCtx, regCancel := context.WithTimeout(ctx, 2*time.Minute)
	defer regCancel()
	if err := waitHeartbeat(regCtx, sim, appDone); err != nil {
		return err
	}
	st, err := sim.Register(regCtx)
	if err != nil {
		return fmt.Errorf("app: dev: register: %w", err)
	}
	printDevInfo(env, devInfo{ncURL: ncURL, appURL: appURL, ewsURL: ewsURL, dsn: dsn, pgLog: cluster.LogPath(), status: st})

	select {
	case <-ctx.Done():
	case err := <-appDone:
		return err
	case err := <-simDone:
		if err != nil {
			return fmt.Errorf("app: dev: nextcloudsim: %w", err)
		}
	}
	cancel()
	return <-appDone
}

// waitHeartbeat polls the app's /heartbeat through the fake Nextcloud, as AppAPI does after deploy.
func waitHeartbeat(ctx context.Context, sim *nextcloudsim.Server, appDone <-chan error) error {
	for {
		err := sim.Heartbeat(ctx)
		if err == nil {
			return nil
		}
		select {
		case aerr := <-appDone:
			if aerr == nil {
				aerr = errors.New("app stopped")
			}
			return aerr
		case <-ctx.Done():
			return fmt.Errorf("app: dev: heartbeat: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// devEWSPassword is the password of the simulated Exchange's mailboxes in development mode.
const devEWSPassword = "secret"

type devInfo struct {
	ncURL, appURL, ewsURL, dsn, pgLog string
	status                            nextcloudsim.AppStatus
}

func printDevInfo(env Env, d devInfo) {
	proxy := d.ncURL + "/index.php/apps/app_api/proxy/" + devAppID
	endpoint := d.ewsURL
	if endpoint == "" {
		endpoint = "https://mail.example.com/EWS/Exchange.asmx"
	}
	fmt.Fprintf(env.Stdout, `
EWS Connector is running in development mode (registered, init %d%%, enabled %v).

  Fake Nextcloud   %s   users: admin (admin), alice; password "password"
  The app          %s   (GET /heartbeat needs no auth)
`, d.status.Progress, d.status.Enabled, d.ncURL, d.appURL)
	if d.ewsURL != "" {
		fmt.Fprintf(env.Stdout, `
  The page         open %s/ , pick "alice", then "EWS Connector"
                   (%s/index.php/apps/app_api/embedded/%s/main)
  Connect with     server %s   user alice   password %q
                   then link folders, or "Create test data"; "Sync now" runs the engine

`, d.ncURL, d.ncURL, devAppID, strings.TrimSuffix(d.ewsURL, "/EWS/Exchange.asmx"), devEWSPassword)
	}
	if d.ewsURL != "" {
		fmt.Fprintf(env.Stdout, `  Simulated EWS    %s   mailboxes alice, admin; password %q
  Try it           go run ./cmd/ews-connector ews folders --url %s --user alice --auth basic
`, d.ewsURL, devEWSPassword, d.ewsURL)
	}
	fmt.Fprintf(env.Stdout, `  App API as alice curl -u alice:password %s/api/v1/accounts
  Add an account   curl -u alice:password -H 'Content-Type: application/json' \
                     -d '{"endpoint":"%s","username":"alice","password":"%s"}' \
                     %s/api/v1/accounts
  Nextcloud OCS    curl -u admin:password '%s/ocs/v2.php/cloud/user?format=json' -H 'OCS-APIRequest: true'
  PostgreSQL       psql '%s'
  PostgreSQL log   %s

Press Ctrl-C to stop everything.
`, proxy, endpoint, devEWSPassword, proxy, d.ncURL, d.dsn, d.pgLog)
}

// devSecretKey returns the dev EWS_SECRET_KEY kept in path (0600), creating it on first use, so that
// sealed secrets stay readable across runs.
func devSecretKey(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k := strings.TrimSpace(string(b))
		if _, err := seal.ParseKeyring(k); err != nil {
			return "", fmt.Errorf("app: dev: %s: %w", path, err)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("app: dev: %w", err)
	}
	k := seal.GenerateKey()
	if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("app: dev: %w", err)
	}
	return k, nil
}

// randomSecret makes an AppAPI-style secret (AppAPI uses 128 characters of A–Z a–z 0–9 + /).
func randomSecret() string {
	b := make([]byte, 96)
	rand.Read(b) // never fails (crypto/rand, Go 1.24)
	return base64.StdEncoding.EncodeToString(b)
}

// isDuplicateDatabase reports PostgreSQL's duplicate_database (42P04).
func isDuplicateDatabase(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42P04"
}
