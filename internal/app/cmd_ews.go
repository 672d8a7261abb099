package app

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ewsconnector/ews_connector/internal/ews"
)

// cmdEWS runs the EWS admin tools; `ews folders` tests a connection like the
// PHP app's occ commands: it prints the server version and the calendar and
// contact folders with their item counts.
func cmdEWS(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "folders" {
		return fmt.Errorf("%w: usage: ews-connector ews folders --url URL --user USER [--auth auto|basic|ntlm]", ErrUsage)
	}
	fs := newFlags("ews folders", env)
	url := fs.String("url", "", "EWS endpoint, e.g. https://mail.example.org/EWS/Exchange.asmx")
	user := fs.String("user", "", `user name ("DOMAIN\user" or "user@example.org")`)
	auth := fs.String("auth", ews.AuthAuto, "auth: auto, basic or ntlm")
	impersonate := fs.String("impersonate", "", "SMTP address to act as (ExchangeImpersonation)")
	caFile := fs.String("ca-file", "", "PEM file with the CA certificate(s) to trust instead of the system roots")
	timeout := fs.Duration("timeout", 60*time.Second, "overall timeout")
	trace := fs.Bool("trace", false, "write the SOAP exchange (credentials redacted) to stderr")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *url == "" || *user == "" {
		return fmt.Errorf("%w: ews folders: --url and --user are required", ErrUsage)
	}
	switch *auth {
	case ews.AuthAuto, ews.AuthBasic, ews.AuthNTLM:
	default:
		return fmt.Errorf("%w: ews folders: --auth must be auto, basic or ntlm", ErrUsage)
	}
	password := env.Getenv("EWS_PASSWORD")
	if password == "" {
		p, err := promptPassword(env, fmt.Sprintf("Password for %s: ", *user))
		if err != nil {
			return fmt.Errorf("no password: set EWS_PASSWORD or type it at the prompt: %w", err)
		}
		password = p
	}
	opts := &ews.Options{Auth: *auth, Username: *user, Password: password, Impersonate: *impersonate, MaxRetries: 2, MaxWait: 30 * time.Second}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			return fmt.Errorf("--ca-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("--ca-file %s: no PEM certificate found", *caFile)
		}
		opts.RootCAs = pool
	}
	if *trace {
		opts.Trace = env.Stderr
	}
	c, err := ews.NewClient(*url, opts)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	folders, err := c.DiscoverFolders(ctx)
	if err != nil {
		return explainEWS(err)
	}
	if v := c.ServerVersion(); v != nil {
		fmt.Fprintf(env.Stdout, "server: Exchange %s; requesting %s\n", v, c.RequestVersion())
	} else {
		fmt.Fprintf(env.Stdout, "server: version not reported; requesting %s\n", c.RequestVersion())
	}
	for _, kind := range []string{ews.KindCalendar, ews.KindContacts} {
		title := map[string]string{ews.KindCalendar: "calendars", ews.KindContacts: "contact folders"}[kind]
		fmt.Fprintf(env.Stdout, "%s:\n", title)
		n := 0
		for _, f := range folders {
			if f.Kind != kind {
				continue
			}
			n++
			def := ""
			if f.Distinguished != "" {
				def = " (default)"
			}
			fmt.Fprintf(env.Stdout, "  %-32s %6d items  %s%s\n", f.Name, f.Total, f.Class, def)
		}
		if n == 0 {
			fmt.Fprintln(env.Stdout, "  (none)")
		}
	}
	return nil
}

// explainEWS turns a connection failure into a reason an admin can act on.
func explainEWS(err error) error {
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var terr *tls.CertificateVerificationError
	var nerr *net.OpError
	var derr *net.DNSError
	switch {
	case ews.IsAuth(err):
		return fmt.Errorf("authentication failed: check --user, the password and --auth (%w)", err)
	case errors.As(err, &uerr) || errors.As(err, &terr):
		return fmt.Errorf("the server's TLS certificate is not trusted: pass its CA with --ca-file (%w)", err)
	case errors.As(err, &herr):
		return fmt.Errorf("the server's TLS certificate does not match the host name (%w)", err)
	case errors.As(err, &derr):
		return fmt.Errorf("cannot resolve the server's host name (%w)", err)
	case errors.As(err, &nerr):
		return fmt.Errorf("cannot connect to the server (%w)", err)
	case ews.IsBusy(err):
		return fmt.Errorf("the server is throttling or unavailable, try later (%w)", err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("timed out (raise --timeout) (%w)", err)
	}
	return err
}

// promptPassword reads a password from the terminal without echo (or a
// line from a non-terminal stdin).
func promptPassword(env Env, prompt string) (string, error) {
	fmt.Fprint(env.Stderr, prompt)
	fd := int(os.Stdin.Fd())
	if old, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
		noEcho := *old
		noEcho.Lflag &^= unix.ECHO
		if err := unix.IoctlSetTermios(fd, unix.TCSETS, &noEcho); err == nil {
			defer func() {
				_ = unix.IoctlSetTermios(fd, unix.TCSETS, old)
				fmt.Fprintln(env.Stderr)
			}()
		}
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty password")
	}
	return line, nil
}
