package scheduler

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// App-config keys of the admin settings (the "EWS Connector" admin form,
// an AppAPI declarative settings form whose values Nextcloud stores in the
// ExApp's app config, https://docs.nextcloud.com/server/latest/developer_manual/exapp_development/tech_details/api/settings.html).
// Nextcloud stores no defaults: a missing key means the default below.
const (
	KeyMode             = "ews_mode"                   // "passive" (default) or "active"
	KeyInterval         = "ews_passive_interval"       // Go duration, default 5m
	KeyAllowHosts       = "ews_allow_hosts"            // hosts, *.domains, IPs, CIDRs; comma, space or newline separated
	KeyDenyHosts        = "ews_deny_hosts"             // same syntax
	KeyTLSVerify        = "ews_tls_verify"             // "1" (default) or "0"
	KeyMaxPerServer     = "ews_max_syncs_per_server"   // default 4
	KeyMaxTotal         = "ews_max_syncs_total"        // default 16
	KeyChangeSummaries  = "ews_change_summaries"       // "1" lets users opt in; default "0"
	KeyContactsInterval = "ews_contacts_poll_interval" // active mode CardDAV polling, default 30s
)

// PrefChangeSummaries is the personal preference (personal declarative
// form) by which a user opts in to change summaries; "1" means yes.
const PrefChangeSummaries = "ews_notify_changes"

// PrefSyncEnabled is the personal preference by which a user turns the
// synchronisation of all their accounts off ("0"); on by default.
const PrefSyncEnabled = "ews_sync_enabled"

// Mode is how the scheduler learns about changes.
type Mode string

// The modes: passive polls every link at the interval; active also keeps an
// EWS streaming subscription per account and takes Nextcloud calendar
// webhooks, reconciling at the interval.
const (
	Passive Mode = "passive"
	Active  Mode = "active"
)

// Settings are the admin settings in effect, defaults applied.
type Settings struct {
	Mode             Mode
	Interval         time.Duration // periodic (passive) and reconciliation interval
	ContactsInterval time.Duration // active mode: CardDAV polling interval
	AllowHosts       []string
	DenyHosts        []string
	TLSVerify        bool
	MaxPerServer     int
	MaxTotal         int
	ChangeSummaries  bool // users may opt in to change summaries
}

// Defaults of the settings.
const (
	DefaultInterval         = 5 * time.Minute
	DefaultContactsInterval = 30 * time.Second
	DefaultMaxPerServer     = 4
	DefaultMaxTotal         = 16
)

// DefaultSettings returns the settings with nothing configured.
func DefaultSettings() Settings {
	return Settings{Mode: Passive, Interval: DefaultInterval, ContactsInterval: DefaultContactsInterval,
		TLSVerify: true, MaxPerServer: DefaultMaxPerServer, MaxTotal: DefaultMaxTotal}
}

// SettingKeys lists every app-config key the scheduler reads.
var SettingKeys = []string{KeyMode, KeyInterval, KeyAllowHosts, KeyDenyHosts, KeyTLSVerify, KeyMaxPerServer,
	KeyMaxTotal, KeyChangeSummaries, KeyContactsInterval}

// ParseSettings applies the defaults to the stored values m; a value that
// does not parse is ignored (the default stays) and reported in bad.
// Intervals shorter than minInterval are raised to it (the contacts
// polling interval to at most 10 s).
func ParseSettings(m map[string]string, minInterval time.Duration) (s Settings, bad []string) {
	s = DefaultSettings()
	if v := strings.TrimSpace(m[KeyMode]); v != "" {
		switch Mode(strings.ToLower(v)) {
		case Passive, Active:
			s.Mode = Mode(strings.ToLower(v))
		default:
			bad = append(bad, KeyMode)
		}
	}
	dur := func(key string, into *time.Duration, floor time.Duration) {
		v := strings.TrimSpace(m[key])
		if v == "" {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			if n, nerr := strconv.Atoi(v); nerr == nil {
				d, err = time.Duration(n)*time.Minute, nil
			}
		}
		if err != nil || d <= 0 {
			bad = append(bad, key)
			return
		}
		*into = max(d, floor)
	}
	dur(KeyInterval, &s.Interval, minInterval)
	dur(KeyContactsInterval, &s.ContactsInterval, min(minInterval, 10*time.Second))
	s.AllowHosts = splitList(m[KeyAllowHosts])
	s.DenyHosts = splitList(m[KeyDenyHosts])
	flag := func(key string, into *bool) {
		switch strings.TrimSpace(m[key]) {
		case "":
		case "1", "true", "yes", "on":
			*into = true
		case "0", "false", "no", "off":
			*into = false
		default:
			bad = append(bad, key)
		}
	}
	flag(KeyTLSVerify, &s.TLSVerify)
	flag(KeyChangeSummaries, &s.ChangeSummaries)
	num := func(key string, into *int) {
		v := strings.TrimSpace(m[key])
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad = append(bad, key)
			return
		}
		*into = n
	}
	num(KeyMaxPerServer, &s.MaxPerServer)
	num(KeyMaxTotal, &s.MaxTotal)
	return s, bad
}

// splitList splits a host list on commas, semicolons and white space.
func splitList(v string) []string {
	f := strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
	if len(f) == 0 {
		return nil
	}
	return f
}

// ConfigReader reads app-config values (*appapi.Client: POST
// …/ex-app/config/get-values); keys never set are absent.
type ConfigReader interface {
	Config(ctx context.Context, keys ...string) (map[string]string, error)
}
