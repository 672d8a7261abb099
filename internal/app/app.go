// Package app wires the connector by hand and runs its subcommands: `serve` (the Nextcloud ExApp,
// https://docs.nextcloud.com/server/latest/developer_manual/exapp_development/), `migrate`, `version`,
// `dev` (what `make run` starts) and the tools other packages add to the command table.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
)

// Version is the connector's version, set at build time with
// -ldflags "-X github.com/ewsconnector/ews_connector/internal/app.Version=…".
var Version = "0.1.0-dev"

// Env is what a command gets from the process: its output streams and environment.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads one environment variable (os.Getenv in the binary, a map in tests).
	Getenv func(string) string
}

// command is one subcommand. run gets the arguments after the command name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env Env) error
}

// commands is the command table; other packages' tools add one line each.
var commands = []command{
	{"serve", "run the ExApp server (the default): AppAPI lifecycle, API, workers", cmdServe},
	{"migrate", "apply the database schema (EWS_DATABASE_URL) and exit", cmdMigrate},
	{"version", "print the version and exit", cmdVersion},
	{"healthcheck", "ask the running app's /heartbeat (the Docker HEALTHCHECK)", cmdHealthcheck},
	{"dev", "development mode for `make run`: private PostgreSQL under .run/, fake Nextcloud, the app", cmdDev},
	{"ews", "EWS admin tools: `ews folders --url URL --user USER` tests a connection and lists folders", cmdEWS},
	{"ews-sim", "simulated Exchange 2019 EWS server: `ews-sim --listen ADDR --seed demo --user NAME:PASSWORD`", cmdEWSSim},
	{"sync", "run the harmonization once: `sync --user NCUSER [--link ID] [--dry-run]` prints what it did per link", cmdSync},
	{"help", "explain the commands (also --help, -h)", nil},
}

// ErrUsage marks a command-line mistake; Run exits with status 2.
var ErrUsage = errors.New("app: usage")

// Main runs the binary: arguments without the program name, the real environment, and SIGINT/SIGTERM
// cancelling the context. It returns the exit status.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
}

// Run dispatches args to a command and returns the exit status: 0, 1 on failure, 2 on a usage error.
func Run(ctx context.Context, args []string, env Env) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		name, args = "help", nil
	}
	if name == "help" {
		if err := help(env.Stdout, args); err != nil {
			fmt.Fprintln(env.Stderr, "ews-connector:", err)
			return 2
		}
		return 0
	}
	c, ok := lookup(name)
	if !ok {
		fmt.Fprintf(env.Stderr, "ews-connector: unknown command %q\n\n", name)
		_ = help(env.Stderr, nil)
		return 2
	}
	err := c.run(ctx, args, env)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, ErrUsage):
		fmt.Fprintln(env.Stderr, "ews-connector:", err)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "ews-connector %s: %v\n", name, err)
		return 1
	}
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name && c.run != nil {
			return c, true
		}
	}
	return command{}, false
}

// help prints the overview, or one command's flags with `help <command>`.
func help(w io.Writer, args []string) error {
	if len(args) > 0 {
		c, ok := lookup(args[0])
		if !ok {
			return fmt.Errorf("%w: unknown command %q", ErrUsage, args[0])
		}
		fmt.Fprintf(w, "ews-connector %s: %s\n\nRun \"ews-connector %s -h\" for its flags.\n", c.name, c.summary, c.name)
		return nil
	}
	fmt.Fprint(w, `ews-connector synchronises Exchange (EWS) calendars and contacts with Nextcloud.
It runs as a Nextcloud External App (AppAPI).

Usage: ews-connector [command] [flags]

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, `
Run "ews-connector <command> -h" for a command's flags.

serve reads its configuration from the environment (AppAPI sets most of it):
  APP_ID, APP_SECRET, APP_VERSION, APP_HOST, APP_PORT, NEXTCLOUD_URL, APP_PERSISTENT_STORAGE,
  AA_VERSION, HP_SHARED_KEY (HaRP: listen on /tmp/exapp.sock), and the app's own
  EWS_DATABASE_URL (PostgreSQL DSN), EWS_SECRET_KEY (base64 of 32 random bytes:
  openssl rand -base64 32), LOG_LEVEL (debug|info|warn|error), LOG_FORMAT (text|json),
  EWS_DEV_MODE (true: debug logs, http:// EWS endpoints allowed).
`)
	return nil
}

// newFlags returns a FlagSet that prints its usage to env.Stdout and returns errors instead of
// exiting.
func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stdout)
	return fs
}

// parseFlags parses args; a parse error is a usage error, -h is flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s: unexpected argument %q", ErrUsage, fs.Name(), fs.Arg(0))
	}
	return nil
}
