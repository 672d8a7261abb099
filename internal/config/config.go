// Package config reads the ExApp's environment into one validated struct.
//
// The AppAPI variables (APP_ID, APP_SECRET, APP_VERSION, APP_HOST, APP_PORT, NEXTCLOUD_URL,
// APP_PERSISTENT_STORAGE, AA_VERSION, HP_SHARED_KEY) are the ones AppAPI injects into an ExApp, see
// https://docs.nextcloud.com/server/latest/developer_manual/exapp_development/tech_details/Deployment.html
// and AppAPI lib/DeployActions/DockerActions.php::buildDeployEnvs. The EWS_* variables are the app's own and
// are declared in appinfo/info.xml <environment-variables>.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/ewsconnector/ews_connector/internal/seal"
)

// Config is the validated configuration of the ExApp.
type Config struct {
	// AppID is APP_ID, the ExApp id that Nextcloud sends in EX-APP-ID.
	AppID string
	// AppSecret is APP_SECRET, the shared secret of AUTHORIZATION-APP-API.
	AppSecret string
	// AppVersion is APP_VERSION, sent to Nextcloud in EX-APP-VERSION.
	AppVersion string
	// AppHost is APP_HOST, the address to bind to without HaRP (default 127.0.0.1).
	AppHost string
	// AppPort is APP_PORT, the TCP port to listen on without HaRP.
	AppPort int
	// NextcloudURL is NEXTCLOUD_URL without a trailing "/index.php" or "/".
	NextcloudURL string
	// PersistentStorage is APP_PERSISTENT_STORAGE (default ./data).
	PersistentStorage string
	// AAVersion is AA_VERSION, the AppAPI version (informational, sent back in AA-VERSION).
	AAVersion string
	// HPSharedKey is HP_SHARED_KEY; when set the app runs behind HaRP and listens on /tmp/exapp.sock.
	HPSharedKey string
	// DatabaseURL is EWS_DATABASE_URL, a PostgreSQL connection string.
	DatabaseURL string
	// SecretKey is EWS_SECRET_KEY, validated: the key (or keyring "2:NEWKEY,1:OLDKEY" during a rotation)
	// that seals stored EWS secrets; each key is 32 bytes in base64 or hex. Pass it to seal.ParseKeyring.
	SecretKey string
	// LogLevel is LOG_LEVEL (debug, info, warn, error; default info, debug in dev mode).
	LogLevel slog.Level
	// LogFormat is LOG_FORMAT: "text" (default) or "json".
	LogFormat string
	// DevMode is EWS_DEV_MODE: verbose logging for local development (`make run`).
	DevMode bool
	// MetricsAddr is EWS_METRICS_ADDR, the listen address of the Prometheus metrics (e.g.
	// "127.0.0.1:9464"); empty (the default) turns them off.
	MetricsAddr string
	// AllowHosts are EWS hosts always allowed by the SSRF guard in addition to the admin's
	// allow-list; not read from the environment (the dev command allow-lists its simulated Exchange).
	AllowHosts []string
}

// Error is a configuration error that names the offending environment variable.
type Error struct {
	// Var is the environment variable name.
	Var string
	// Reason says what is wrong with it; it never contains the value of a secret.
	Reason string
}

var _ error = (*Error)(nil)

// Error implements error.
func (e *Error) Error() string { return "config: " + e.Var + ": " + e.Reason }

// Getenv looks up one environment variable; os.Getenv satisfies it.
type Getenv func(string) string

// FromEnv loads the configuration from the process environment.
func FromEnv() (*Config, error) { return Load(os.Getenv) }

// Load reads and validates every variable the ExApp needs to serve. All problems are reported at once,
// joined, each as an *Error naming its variable.
func Load(getenv Getenv) (*Config, error) {
	var errs []error
	c := &Config{}
	req := func(name string) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			errs = append(errs, &Error{Var: name, Reason: "missing"})
		}
		return v
	}
	c.AppID = req("APP_ID")
	c.AppSecret = getenv("APP_SECRET")
	switch {
	case c.AppSecret == "":
		errs = append(errs, &Error{Var: "APP_SECRET", Reason: "missing"})
	case strings.Contains(c.AppSecret, ":"):
		errs = append(errs, &Error{Var: "APP_SECRET", Reason: `must not contain ":"`})
	}
	c.AppVersion = req("APP_VERSION")
	c.AppHost = strings.TrimSpace(getenv("APP_HOST"))
	if c.AppHost == "" {
		c.AppHost = "127.0.0.1"
	}
	c.HPSharedKey = getenv("HP_SHARED_KEY")
	if p := strings.TrimSpace(getenv("APP_PORT")); p != "" || c.HPSharedKey == "" {
		port, err := strconv.Atoi(p)
		switch {
		case p == "":
			errs = append(errs, &Error{Var: "APP_PORT", Reason: "missing"})
		case err != nil || port < 1 || port > 65535:
			errs = append(errs, &Error{Var: "APP_PORT", Reason: fmt.Sprintf("%q is not a port number (1-65535)", p)})
		default:
			c.AppPort = port
		}
	}
	if raw := req("NEXTCLOUD_URL"); raw != "" {
		u, err := NormalizeNextcloudURL(raw)
		if err != nil {
			errs = append(errs, &Error{Var: "NEXTCLOUD_URL", Reason: err.Error()})
		}
		c.NextcloudURL = u
	}
	c.PersistentStorage = strings.TrimSpace(getenv("APP_PERSISTENT_STORAGE"))
	if c.PersistentStorage == "" {
		c.PersistentStorage = "./data"
	}
	c.AAVersion = strings.TrimSpace(getenv("AA_VERSION"))
	if v := strings.TrimSpace(getenv("EWS_METRICS_ADDR")); v != "" {
		if _, _, err := net.SplitHostPort(v); err != nil {
			errs = append(errs, &Error{Var: "EWS_METRICS_ADDR", Reason: fmt.Sprintf("%q is not host:port", v)})
		}
		c.MetricsAddr = v
	}
	errs = append(errs, c.loadStore(getenv)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// LoadStore reads only what the `migrate` command needs: EWS_DATABASE_URL and the logging variables.
func LoadStore(getenv Getenv) (*Config, error) {
	c := &Config{}
	var errs []error
	c.DatabaseURL = strings.TrimSpace(getenv("EWS_DATABASE_URL"))
	if c.DatabaseURL == "" {
		errs = append(errs, &Error{Var: "EWS_DATABASE_URL", Reason: "missing"})
	} else if err := checkDSN(c.DatabaseURL); err != nil {
		errs = append(errs, &Error{Var: "EWS_DATABASE_URL", Reason: err.Error()})
	}
	errs = append(errs, c.loadLogging(getenv)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func (c *Config) loadStore(getenv Getenv) []error {
	var errs []error
	c.DatabaseURL = strings.TrimSpace(getenv("EWS_DATABASE_URL"))
	if c.DatabaseURL == "" {
		errs = append(errs, &Error{Var: "EWS_DATABASE_URL", Reason: "missing"})
	} else if err := checkDSN(c.DatabaseURL); err != nil {
		errs = append(errs, &Error{Var: "EWS_DATABASE_URL", Reason: err.Error()})
	}
	c.SecretKey = strings.TrimSpace(getenv("EWS_SECRET_KEY"))
	if c.SecretKey == "" {
		errs = append(errs, &Error{Var: "EWS_SECRET_KEY", Reason: "missing (make one with: openssl rand -base64 32)"})
	} else if _, err := seal.ParseKeyring(c.SecretKey); err != nil {
		// seal's messages never quote key material.
		errs = append(errs, &Error{Var: "EWS_SECRET_KEY", Reason: strings.TrimPrefix(err.Error(), "seal: ")})
	}
	return append(errs, c.loadLogging(getenv)...)
}

func (c *Config) loadLogging(getenv Getenv) []error {
	var errs []error
	if v := strings.TrimSpace(getenv("EWS_DEV_MODE")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, &Error{Var: "EWS_DEV_MODE", Reason: fmt.Sprintf("%q is not a boolean (true/false/1/0)", v)})
		}
		c.DevMode = b
	}
	c.LogLevel = slog.LevelInfo
	if c.DevMode {
		c.LogLevel = slog.LevelDebug
	}
	if v := strings.TrimSpace(getenv("LOG_LEVEL")); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, &Error{Var: "LOG_LEVEL", Reason: fmt.Sprintf("%q is not one of debug, info, warn, error", v)})
		}
	}
	c.LogFormat = strings.ToLower(strings.TrimSpace(getenv("LOG_FORMAT")))
	switch c.LogFormat {
	case "":
		c.LogFormat = "text"
	case "text", "json":
	default:
		errs = append(errs, &Error{Var: "LOG_FORMAT", Reason: fmt.Sprintf("%q is not text or json", c.LogFormat)})
	}
	return errs
}

// NormalizeNextcloudURL checks an absolute http(s) URL and strips a trailing "/index.php" and "/", as
// nc_py_api _session.py BasicConfig does.
func NormalizeNextcloudURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	for {
		t := strings.TrimSuffix(strings.TrimSuffix(s, "/"), "/index.php")
		if t == s {
			break
		}
		s = t
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("not an absolute http(s) URL")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", errors.New("must not carry a query, fragment or credentials")
	}
	return s, nil
}

// checkDSN accepts a postgres:// or postgresql:// URL or a libpq key=value string.
func checkDSN(dsn string) error {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if _, err := url.Parse(dsn); err != nil {
			return errors.New("not a valid postgres:// URL")
		}
		return nil
	}
	if strings.Contains(dsn, "=") {
		return nil
	}
	return errors.New("not a PostgreSQL connection string (postgres://user@host/db or key=value pairs)")
}

// LogValue implements slog.LogValuer; secrets are never included.
func (c *Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("app_id", c.AppID),
		slog.String("app_version", c.AppVersion),
		slog.String("app_host", c.AppHost),
		slog.Int("app_port", c.AppPort),
		slog.String("nextcloud_url", c.NextcloudURL),
		slog.String("persistent_storage", c.PersistentStorage),
		slog.String("aa_version", c.AAVersion),
		slog.Bool("harp", c.HPSharedKey != ""),
		slog.Bool("dev_mode", c.DevMode),
		slog.String("metrics_addr", c.MetricsAddr),
	)
}

// HaRP reports whether the app runs behind HaRP (HP_SHARED_KEY set) and must listen on the unix socket.
func (c *Config) HaRP() bool { return c.HPSharedKey != "" }
