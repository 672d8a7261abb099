package nextcloudsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// webhookJob is a queued OCA\WebhookListeners\BackgroundJobs\WebhookCall.
type webhookJob struct {
	hook  Webhook
	body  []byte
	actor string
	event string
	// broken reproduces the PostgreSQL bug: the job argument is empty and
	// the job crashes without sending anything.
	broken bool
}

// Delivery is the outcome of one webhook background job.
type Delivery struct {
	WebhookID int
	Event     string
	URI       string
	// User is the AppAPI user of the request (the user who triggered the
	// event), empty for absolute URIs.
	User string
	// Status is the app's HTTP status, 0 when nothing was answered.
	Status int
	// Err is the failure (timeout, transport error, disabled app, broken job).
	Err string
	// Body is the JSON body sent.
	Body []byte
}

// webhookDeliveryTimeout is AppAPI's default request timeout for webhooks.
var webhookDeliveryTimeout = 3 * time.Second

func (s *Server) calendarData(c *davCollection) omap {
	u, _ := s.user(c.owner)
	owner := c.owner
	if u != nil {
		owner = u.DisplayName
	}
	var color any
	if c.color != "" {
		color = c.color
	}
	return omap{{"id", c.id}, {"uri", c.uri}, {"principaluri", "principals/users/" + c.owner},
		{"{http://calendarserver.org/ns/}getctag", fmt.Sprintf("%s%d", syncTokenPrefix, c.syncToken)},
		{"{http://sabredav.org/ns}sync-token", c.syncToken},
		{"{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set", map[string]any{}},
		{"{urn:ietf:params:xml:ns:caldav}schedule-calendar-transp", map[string]any{}},
		{"{DAV:}displayname", c.displayName},
		{"{urn:ietf:params:xml:ns:caldav}calendar-description", nilIfEmpty(c.description)},
		{"{urn:ietf:params:xml:ns:caldav}calendar-timezone", nil},
		{"{http://apple.com/ns/ical/}calendar-order", c.order},
		{"{http://apple.com/ns/ical/}calendar-color", color},
		{"{http://nextcloud.com/ns}deleted-at", nil},
		{"{http://nextcloud.com/ns}owner-displayname", owner}}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) objectData(c *davCollection, o *davObject, t *trashed, deleted bool) omap {
	uri := o.uri
	var deletedAt any
	if deleted && t != nil {
		uri = strings.TrimSuffix(o.uri, ".ics") + "-deleted.ics"
		deletedAt = t.deletedAt.Unix()
	}
	return omap{{"id", o.id}, {"uri", uri}, {"uid", o.uid}, {"lastmodified", o.lastModified.Unix()},
		{"etag", o.etag}, {"calendarid", c.id}, {"size", len(o.data)}, {"calendardata", string(o.data)},
		{"component", o.component}, {"classification", 0}, {"{http://nextcloud.com/ns}deleted-at", deletedAt}}
}

func (s *Server) envelope(event omap, actor string) omap {
	var user any
	if u, ok := s.user(actor); ok {
		user = omap{{"uid", u.ID}, {"displayName", u.DisplayName}}
	}
	return omap{{"event", event}, {"user", user}, {"time", time.Now().Unix()}}
}

// emitObjectEventLocked queues webhooks for a created, updated, trashed,
// purged or restored calendar object (AbstractCalendarObjectEvent).
func (s *Server) emitObjectEventLocked(class, actor string, c *davCollection, o *davObject, t *trashed) {
	ev := omap{{"calendarId", c.id}, {"calendarData", s.calendarData(c)}, {"shares", []any{}},
		{"objectData", s.objectData(c, o, t, class == evDeleted)}, {"class", class}}
	s.queueLocked(class, actor, s.envelope(ev, actor))
}

// emitMovedEventLocked queues webhooks for CalendarObjectMovedEvent, whose
// objectData has calendaruri and deleted_at and no uid (transcript 0087).
func (s *Server) emitMovedEventLocked(actor string, src, dst *davCollection, o *davObject) {
	od := omap{{"id", o.id}, {"uri", o.uri}, {"lastmodified", o.lastModified.Unix()}, {"etag", o.etag},
		{"calendarid", dst.id}, {"calendaruri", dst.uri}, {"size", len(o.data)}, {"calendardata", string(o.data)},
		{"component", o.component}, {"classification", 0}, {"deleted_at", nil}}
	ev := omap{{"sourceCalendarId", src.id}, {"sourceCalendarData", s.calendarData(src)},
		{"targetCalendarId", dst.id}, {"targetCalendarData", s.calendarData(dst)},
		{"sourceShares", []any{}}, {"targetShares", []any{}}, {"objectData", od}, {"class", evMoved}}
	s.queueLocked(evMoved, actor, s.envelope(ev, actor))
}

func (s *Server) queueLocked(class, actor string, env omap) {
	if s.opts.WebhookListenersDisabled {
		return
	}
	body, err := phpJSON(env)
	if err != nil {
		s.log.Debug("nextcloudsim: webhook payload", "error", err)
		return
	}
	var generic map[string]any
	_ = json.Unmarshal(body, &generic)
	for _, w := range s.hooks.list {
		if w.Event != class {
			continue
		}
		if w.UserIDFilter != "" && w.UserIDFilter != actor {
			continue
		}
		if len(w.EventFilter) > 0 && !matchFilter(w.EventFilter, generic) {
			continue
		}
		s.hooks.queue = append(s.hooks.queue, webhookJob{hook: *w, body: body, actor: actor, event: class, broken: class == evRestored})
	}
}

// matchFilter evaluates the subset of webhook_listeners' Mongo-style filters
// the app may use: dot paths, equality, "/regex/" strings, $e, $ne, $in,
// $nin, $exists, and top-level $and / $or.
func matchFilter(filter map[string]any, doc map[string]any) bool {
	for k, want := range filter {
		switch k {
		case "$and", "$or":
			list, _ := want.([]any)
			matched := false
			for _, sub := range list {
				m, _ := sub.(map[string]any)
				ok := matchFilter(m, doc)
				if k == "$and" && !ok {
					return false
				}
				matched = matched || ok
			}
			if k == "$or" && !matched {
				return false
			}
			continue
		}
		got, exists := lookupPath(doc, k)
		if !matchValue(want, got, exists) {
			return false
		}
	}
	return true
}

func lookupPath(doc map[string]any, path string) (any, bool) {
	var cur any = doc
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[part]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

func matchValue(want, got any, exists bool) bool {
	if ops, ok := want.(map[string]any); ok {
		for op, arg := range ops {
			switch op {
			case "$e":
				if !matchValue(arg, got, exists) {
					return false
				}
			case "$ne":
				if matchValue(arg, got, exists) {
					return false
				}
			case "$in", "$nin":
				list, _ := arg.([]any)
				in := false
				for _, x := range list {
					in = in || matchValue(x, got, exists)
				}
				if in != (op == "$in") {
					return false
				}
			case "$exists":
				b, _ := arg.(bool)
				if b != exists {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	if !exists {
		return false
	}
	if ws, ok := want.(string); ok && len(ws) >= 2 && ws[0] == '/' {
		if end := strings.LastIndex(ws, "/"); end > 0 {
			pat := ws[1:end]
			if strings.Contains(ws[end+1:], "i") {
				pat = "(?i)" + pat
			}
			re, err := regexp.Compile(pat)
			if err == nil {
				return re.MatchString(fmt.Sprint(got))
			}
		}
	}
	return fmt.Sprint(want) == fmt.Sprint(got)
}

// PendingWebhooks returns how many webhook jobs are queued.
func (s *Server) PendingWebhooks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.hooks.queue)
}

// DeliverWebhooks runs the queued webhook jobs once, as cron or
// `occ background-job:worker` would: each job is one request with a 3 s
// timeout, never retried. A relative uri goes to the ExApp through AppAPI
// (AppAPI headers with the triggering user, the webhook's headers, no
// Content-Type); an absolute one is a plain POST with the auth headers.
// It returns what happened to each job. See
// https://docs.nextcloud.com/server/latest/admin_manual/webhook_listeners/index.html
func (s *Server) DeliverWebhooks(ctx context.Context) []Delivery {
	s.mu.Lock()
	jobs := s.hooks.queue
	s.hooks.queue = nil
	enabled := s.app.enabled
	s.mu.Unlock()
	out := make([]Delivery, 0, len(jobs))
	for _, j := range jobs {
		d := s.deliver(ctx, j, enabled)
		out = append(out, d)
	}
	s.mu.Lock()
	s.hooks.deliveries = append(s.hooks.deliveries, out...)
	s.mu.Unlock()
	return out
}

// RunBackgroundJobs is an alias of DeliverWebhooks: webhook calls are the
// only background jobs of the fake.
func (s *Server) RunBackgroundJobs(ctx context.Context) []Delivery { return s.DeliverWebhooks(ctx) }

// Deliveries returns every delivery made so far.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.hooks.deliveries...)
}

func (s *Server) deliver(ctx context.Context, j webhookJob, enabled bool) Delivery {
	d := Delivery{WebhookID: j.hook.ID, Event: j.event, URI: j.hook.URI, Body: j.body}
	if j.broken {
		d.Err = "job argument is empty: the event carries a DB stream resource (PostgreSQL)"
		return d
	}
	relative := strings.HasPrefix(j.hook.URI, "/") && j.hook.AppID != ""
	target := j.hook.URI
	if relative {
		if !enabled {
			d.Err = "ExApp " + j.hook.AppID + " is disabled"
			return d
		}
		if s.opts.AppURL == "" {
			d.Err = "no AppURL configured"
			return d
		}
		target = strings.TrimSuffix(s.opts.AppURL, "/") + j.hook.URI
		d.User = j.actor
	}
	ctx, cancel := context.WithTimeout(ctx, webhookDeliveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, j.hook.HTTPMethod, target, bytes.NewReader(j.body))
	if err != nil {
		d.Err = err.Error()
		return d
	}
	for k, v := range j.hook.Headers {
		req.Header.Set(k, v)
	}
	for k, v := range j.hook.AuthData {
		req.Header.Set(k, v)
	}
	if relative {
		for k, v := range s.AppAPIHeaders(j.actor) {
			req.Header[k] = v
		}
		req.Header.Set("AA-REQUEST-ID", "CLI")
		req.Header.Set("Accept-Language", "en")
	}
	req.Header.Set("User-Agent", "Nextcloud Server Crawler")
	s.countClass(j.hook.HTTPMethod, ClassWebhook)
	resp, err := s.hc.Do(req)
	if err != nil {
		d.Err = err.Error()
		s.log.Debug("nextcloudsim: webhook delivery failed", "webhook_id", j.hook.ID, "error", err)
		return d
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	d.Status = resp.StatusCode
	return d
}

func (s *Server) autoDeliver(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				select {
				case <-s.stop:
					cancel()
				case <-ctx.Done():
				}
			}()
			s.DeliverWebhooks(ctx)
			cancel()
		}
	}
}
