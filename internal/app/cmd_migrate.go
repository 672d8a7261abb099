package app

import (
	"context"
	"fmt"

	"github.com/ewsconnector/ews_connector/internal/config"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// cmdMigrate applies the schema to EWS_DATABASE_URL and exits.
func cmdMigrate(ctx context.Context, args []string, env Env) error {
	fs := newFlags("migrate", env)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: ews-connector migrate\n\nApplies the embedded, numbered migrations to EWS_DATABASE_URL, each in its own transaction.\nRe-running is a no-op; a database newer than this binary is refused.")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.LoadStore(env.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(env.Stderr, cfg.LogLevel, cfg.LogFormat)
	st, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "schema at version %d\n", v)
	return nil
}
