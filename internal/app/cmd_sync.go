package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/config"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/harmony"
	"github.com/ewsconnector/ews_connector/internal/seal"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// cmdSync runs the harmonization of a user's links once, from the command
// line, and prints per link what it did or, with --dry-run, would do: the
// equivalent of the PHP app's `occ ews:harmonize`.
func cmdSync(ctx context.Context, args []string, env Env) error {
	fs := newFlags("sync", env)
	user := fs.String("user", "", "Nextcloud user id whose links to sync (required)")
	linkID := fs.Int64("link", 0, "sync only this link id (default: every link of the user)")
	dry := fs.Bool("dry-run", false, "read both sides and print what would be done; write nothing")
	full := fs.Bool("full", false, "ignore the stored sync state and list both sides from scratch")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: ews-connector sync --user NCUSER [--link ID] [--dry-run] [--full]\n\nRuns one harmonization of the user's links (configuration from the environment, as serve).")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *user == "" {
		return fmt.Errorf("%w: sync: --user is required", ErrUsage)
	}
	cfg, err := config.Load(env.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(env.Stderr, cfg.LogLevel, cfg.LogFormat)
	sealer, err := seal.ParseKeyring(cfg.SecretKey)
	if err != nil {
		return fmt.Errorf("app: EWS_SECRET_KEY: %w", err)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckSchema(ctx); err != nil {
		return err
	}
	nc, err := appapi.NewClient(nil, appapi.Options{NextcloudURL: cfg.NextcloudURL, AppID: cfg.AppID,
		AppVersion: cfg.AppVersion, Secret: cfg.AppSecret, AAVersion: cfg.AAVersion, Logger: log})
	if err != nil {
		return err
	}
	eng := harmony.New(st, syncDeps(sealer, nc, log), harmony.Options{Logger: log.With(slog.String("component", "harmony"))})
	return runSync(ctx, env.Stdout, st, eng, *user, *linkID, harmony.RunOptions{DryRun: *dry, FullResync: *full})
}

// syncDeps builds the engine's clients: EWS from the account's unsealed
// secret, DAV acting as the user through AppAPI (never with a password).
func syncDeps(sealer *seal.Sealer, nc *appapi.Client, log *slog.Logger) harmony.Deps {
	return harmony.Deps{
		EWS: func(ctx context.Context, a store.Account) (harmony.EWS, error) {
			secret, err := sealer.Open(a.Secret, store.SecretBinding(a.UserID, a.ID))
			if err != nil {
				return nil, err
			}
			return ews.NewClient(a.Endpoint, &ews.Options{Auth: string(a.AuthMethod), Username: a.Username,
				Password: string(secret), Logger: log.With(slog.String("component", "ews")), MaxWait: time.Minute})
		},
		DAV: func(ctx context.Context, user string) (harmony.DAV, error) {
			hc, err := nc.DAV(user)
			if err != nil {
				return nil, err
			}
			return dav.NewClient(hc, nc.DAVURL(), &dav.Options{Logger: log.With(slog.String("component", "dav"))})
		},
	}
}

// linkRunner is the engine as runSync uses it.
type linkRunner interface {
	SyncLink(ctx context.Context, userID string, linkID int64, opts harmony.RunOptions) (harmony.Result, error)
}

// linkLister is the store as runSync uses it.
type linkLister interface {
	Links(ctx context.Context, userID string) ([]store.Link, error)
	Link(ctx context.Context, userID string, id int64) (store.Link, error)
}

// runSync syncs the user's links (or one) and prints a report per link. It
// goes on after a failed link and returns an error naming how many failed.
func runSync(ctx context.Context, w io.Writer, st linkLister, eng linkRunner, user string, linkID int64, opts harmony.RunOptions) error {
	var links []store.Link
	if linkID != 0 {
		l, err := st.Link(ctx, user, linkID)
		if err != nil {
			return fmt.Errorf("sync: link %d of %s: %w", linkID, user, err)
		}
		links = []store.Link{l}
	} else {
		ls, err := st.Links(ctx, user)
		if err != nil {
			return err
		}
		links = ls
	}
	if len(links) == 0 {
		fmt.Fprintf(w, "user %s has no links\n", user)
		return nil
	}
	failed := 0
	for _, l := range links {
		res, err := eng.SyncLink(ctx, user, l.ID, opts)
		printResult(w, l, res, err)
		if err != nil {
			failed++
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if failed > 0 {
		return fmt.Errorf("sync: %d of %d links failed", failed, len(links))
	}
	return nil
}

// printResult writes one link's report.
func printResult(w io.Writer, l store.Link, res harmony.Result, err error) {
	verb := "did"
	if res.DryRun {
		verb = "would do (dry run)"
	}
	fmt.Fprintf(w, "link %d (%s: %q ⇄ %s, %s, conflicts: %s) %s:\n", l.ID, l.Kind, l.RemoteName, l.LocalHref,
		l.Direction, l.ConflictPolicy, verb)
	if res.Paused {
		fmt.Fprintf(w, "  paused: %s\n", res.PauseReason)
	}
	fmt.Fprintf(w, "  Nextcloud: %d created, %d updated, %d deleted\n", res.Local.Created, res.Local.Updated, res.Local.Deleted)
	fmt.Fprintf(w, "  Exchange:  %d created, %d updated, %d deleted\n", res.Remote.Created, res.Remote.Updated, res.Remote.Deleted)
	fmt.Fprintf(w, "  conflicts: %d, matched: %d, tagged: %d, errors: %d\n", res.Conflicts, res.Matched, res.Tagged, len(res.Errors))
	for _, p := range res.Planned {
		c := ""
		if p.Conflict {
			c = " (conflict)"
		}
		fmt.Fprintf(w, "  - %s %s%s: %s\n", p.Action, p.UID, c, p.Reason)
	}
	for _, ie := range res.Errors {
		fmt.Fprintf(w, "  ! %s %s: %s\n", ie.Op, firstNonEmpty(ie.UID, ie.Href, ie.ItemID), ie.Err)
	}
	if err != nil {
		fmt.Fprintf(w, "  failed: %v\n", err)
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
