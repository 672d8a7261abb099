package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ewssim"
)

// userFlags collects repeated --user NAME:PASSWORD flags.
type userFlags []ewssim.User

func (u *userFlags) String() string {
	names := make([]string, len(*u))
	for i, x := range *u {
		names[i] = x.Name
	}
	return strings.Join(names, ",")
}

func (u *userFlags) Set(v string) error {
	name, pass, ok := strings.Cut(v, ":")
	if !ok || name == "" || pass == "" {
		return errors.New("want NAME:PASSWORD")
	}
	*u = append(*u, ewssim.User{Name: name, Password: pass})
	return nil
}

// cmdEWSSim runs the simulated Exchange 2019 EWS server (package ewssim) until interrupted:
// `ews-connector ews-sim --listen 127.0.0.1:PORT --seed demo --user NAME:PASSWORD ...`.
func cmdEWSSim(ctx context.Context, args []string, env Env) error {
	fs := newFlags("ews-sim", env)
	listen := fs.String("listen", "127.0.0.1:8765", "address to listen on (plain HTTP)")
	seed := fs.String("seed", "", `data set to load into every mailbox: "demo" or empty`)
	var users userFlags
	fs.Var(&users, "user", "mailbox user NAME:PASSWORD (repeatable; NAME may be DOMAIN\\user or an SMTP address)")
	impersonators := fs.String("impersonators", "", "comma-separated user names allowed to use ExchangeImpersonation")
	noBasic := fs.Bool("no-basic", false, "refuse Basic authentication (NTLM only)")
	noNTLM := fs.Bool("no-ntlm", false, "refuse NTLM authentication (Basic only)")
	throttle := fs.Int("throttle", 0, "answer the next N requests with an ErrorServerBusy SOAP fault (-1: all)")
	throttleMsg := fs.Int("throttle-in-message", 0, "answer the next N requests with an ErrorServerBusy response message (-1: all)")
	backOff := fs.Duration("backoff", 2*time.Second, "BackOffMilliseconds reported when throttling")
	unavailable := fs.Int("unavailable", 0, "answer the next N requests with HTTP 503 (-1: all)")
	retryAfter := fs.Duration("retry-after", 5*time.Second, "Retry-After reported with 503")
	drop := fs.Int("drop", 0, "close the connection of the next N requests without an answer (-1: all)")
	latency := fs.Duration("latency", 0, "delay every request by this long")
	minute := fs.Duration("streaming-minute", time.Minute, "length of one ConnectionTimeout minute of GetStreamingEvents")
	version := fs.String("version", "2019", "Exchange release to simulate: 2007, 2010, 2013, 2016 or 2019")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(users) == 0 {
		return fmt.Errorf("%w: ews-sim: at least one --user NAME:PASSWORD is required", ErrUsage)
	}
	ver, err := ewssim.ParseVersion(*version)
	if err != nil {
		return fmt.Errorf("%w: ews-sim: --version: %v", ErrUsage, err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("%w: ews-sim: --log-level: %v", ErrUsage, err)
	}
	imp := map[string]bool{}
	for _, n := range strings.Split(*impersonators, ",") {
		imp[strings.ToLower(strings.TrimSpace(n))] = true
	}
	for i := range users {
		users[i].CanImpersonate = imp[strings.ToLower(users[i].Name)]
	}
	log := newLogger(env.Stderr, level, "text").With(slog.String("component", "ews-sim"))
	sim := ewssim.New(ewssim.Options{Logger: log, Users: users, DisableBasic: *noBasic, DisableNTLM: *noNTLM, StreamingMinute: *minute, Version: ver})
	if *seed != "" {
		if err := sim.Seed(*seed); err != nil {
			return fmt.Errorf("ews-sim: %w", err)
		}
	}
	f := sim.Faults()
	f.ThrottleNext(*throttle, *backOff)
	f.ThrottleNextInMessage(*throttleMsg, *backOff)
	f.UnavailableNext(*unavailable, *retryAfter)
	f.DropNext(*drop)
	f.SetLatency(*latency)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("ews-sim: %w", err)
	}
	run := sim.Start(ln)
	fmt.Fprintf(env.Stdout, "ews-sim: Exchange %s simulator at %s/EWS/Exchange.asmx, users %s\n", ver, run.URL, users.String())
	log.Info("ews-sim started", slog.String("url", run.URL), slog.Int("users", len(users)), slog.String("seed", *seed))
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = run.Shutdown(sctx)
	for _, op := range sortedOps(sim.Counts()) {
		log.Info("ews-sim requests", slog.String("op", op), slog.Int64("count", sim.Count(op)))
	}
	return nil
}

func sortedOps(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
