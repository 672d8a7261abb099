package web

import (
	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/scheduler"
)

// SchedulerAdminFields are the admin form's synchronisation settings
// (package scheduler reads them from the app config, applying the same
// defaults: Nextcloud stores none).
func SchedulerAdminFields() []appapi.FormField {
	return []appapi.FormField{
		{ID: scheduler.KeyMode, Title: "Mode", Type: "radio", Default: string(scheduler.Passive),
			Description: "Passive polls every calendar and address book at the interval. Active also listens to Exchange (streaming notifications) and Nextcloud (calendar webhooks, Nextcloud 32+) and syncs within seconds.",
			Options: []appapi.FormOption{{Name: "Passive (poll at the interval)", Value: string(scheduler.Passive)},
				{Name: "Active (notifications, reconciled at the interval)", Value: string(scheduler.Active)}}},
		{ID: scheduler.KeyInterval, Title: "Synchronisation interval", Type: "select", Default: "5m",
			Description: "Polling interval in passive mode; reconciliation interval in active mode.",
			Options:     []string{"1m", "5m", "15m", "30m", "60m"}},
		{ID: scheduler.KeyAllowHosts, Title: "Allowed Exchange servers", Type: "text", Default: "",
			Placeholder: "mail.example.com, *.corp.example, 10.1.0.0/16",
			Description: "If set, users may connect only to these hosts (names, *.domains, IP addresses or CIDRs); listed hosts may be on internal networks. Empty: any public host."},
		{ID: scheduler.KeyDenyHosts, Title: "Refused Exchange servers", Type: "text", Default: "",
			Placeholder: "evil.example.com, 203.0.113.0/24",
			Description: "Never connect to these hosts. Loopback, link-local, private and cloud metadata addresses are always refused unless allowed above."},
		{ID: scheduler.KeyTLSVerify, Title: "TLS", Type: "checkbox", Default: true, Label: "Verify Exchange server certificates (recommended)"},
		{ID: scheduler.KeyMaxPerServer, Title: "Synchronisations at once per Exchange server (all app instances)", Type: "number", Default: scheduler.DefaultMaxPerServer},
		{ID: scheduler.KeyMaxTotal, Title: "Synchronisations at once in total (per app instance)", Type: "number", Default: scheduler.DefaultMaxTotal},
		{ID: scheduler.KeyChangeSummaries, Title: "Change summaries", Type: "checkbox", Default: false,
			Label: "Let users opt in to a notification after each synchronisation that changed something"},
	}
}

// SchedulerPersonalFields are the personal form's synchronisation
// preferences.
func SchedulerPersonalFields() []appapi.FormField {
	return []appapi.FormField{
		{ID: scheduler.PrefChangeSummaries, Title: "Change summaries", Type: "checkbox", Default: false,
			Label: "Notify me of what each synchronisation changed (if the administrator allows it)"},
	}
}
