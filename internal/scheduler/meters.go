package scheduler

import "github.com/ewsconnector/ews_connector/internal/metrics"

// meters are the scheduler's Prometheus metrics.
type meters struct {
	syncs     *metrics.Counter   // kind, result
	items     *metrics.Counter   // side, op
	conflicts *metrics.Counter   //
	errors    *metrics.Counter   // reason
	duration  *metrics.Histogram // kind
	running   *metrics.Gauge     //
	streams   *metrics.Gauge     //
	events    *metrics.Counter   // source, outcome
	latency   *metrics.Histogram // source: trigger → run finished
}

func newMeters(r *metrics.Registry) *meters {
	return &meters{
		syncs:     r.Counter("ews_connector_syncs_total", "Link runs by kind and result.", "kind", "result"),
		items:     r.Counter("ews_connector_items_total", "Items written by side (nextcloud, exchange) and operation.", "side", "op"),
		conflicts: r.Counter("ews_connector_conflicts_total", "Conflicts resolved by policy."),
		errors:    r.Counter("ews_connector_sync_errors_total", "Failed runs by reason.", "reason"),
		duration:  r.Histogram("ews_connector_sync_duration_seconds", "Duration of link runs.", nil, "kind"),
		running:   r.Gauge("ews_connector_running_syncs", "Link runs in progress on this instance."),
		streams:   r.Gauge("ews_connector_subscriptions", "EWS subscriptions held by this instance."),
		events:    r.Counter("ews_connector_events_total", "Change events by source (webhook, exchange) and outcome.", "source", "outcome"),
		latency:   r.Histogram("ews_connector_event_latency_seconds", "Time from a change event to the end of the run it triggered.", nil, "source"),
	}
}
