package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ewsconnector/ews_connector/internal/web"
)

// cmdHealthcheck asks the running app's GET /heartbeat (on /tmp/exapp.sock when HP_SHARED_KEY is set,
// else on APP_HOST:APP_PORT) and fails unless it answers {"status":"ok"}; the Docker HEALTHCHECK runs it.
func cmdHealthcheck(ctx context.Context, args []string, env Env) error {
	fs := newFlags("healthcheck", env)
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	network, addr := "unix", web.HaRPSocket
	if env.Getenv("HP_SHARED_KEY") == "" {
		host := env.Getenv("APP_HOST")
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		port := strings.TrimSpace(env.Getenv("APP_PORT"))
		if port == "" {
			return fmt.Errorf("app: healthcheck: APP_PORT: missing")
		}
		network, addr = "tcp", net.JoinHostPort(host, port)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://exapp/heartbeat", nil)
	if err != nil {
		return fmt.Errorf("app: healthcheck: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("app: healthcheck: %w", err)
	}
	defer resp.Body.Close()
	var hb struct {
		Status string `json:"status"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&hb) != nil || hb.Status != "ok" {
		return fmt.Errorf("app: healthcheck: heartbeat answered %d", resp.StatusCode)
	}
	fmt.Fprintln(env.Stdout, "ok")
	return nil
}
