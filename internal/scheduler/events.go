package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/ewsconnector/ews_connector/internal/store"
)

// ObjectChange is one calendar object a Nextcloud webhook reported
// (webhook_listeners, OCP\Calendar\Events, Nextcloud 32+).
type ObjectChange struct {
	User       string // the calendar's owner (from calendarData.principaluri)
	Collection string // DAV href of the calendar, e.g. /remote.php/dav/calendars/alice/work/
	Href       string // DAV href of the object
	ETag       string // objectData.etag, quotes included
	// Deleted is true for an object moved to the trash, purged or moved
	// out of Collection.
	Deleted bool
}

// CalendarEvent is one webhook delivery.
type CalendarEvent struct {
	Event    string // the event class
	Changes  []ObjectChange
	Received time.Time
}

// CalendarChanged queues a webhook event and returns at once (webhooks must
// be answered within AppAPI's 3 s timeout); ErrQueueFull means it was
// dropped, which the reconciliation pass makes good.
func (s *Scheduler) CalendarChanged(ev CalendarEvent) error {
	if ev.Received.IsZero() {
		ev.Received = s.opts.Now()
	}
	select {
	case s.events <- ev:
		return nil
	default:
		s.m.events.Inc("webhook", "dropped")
		return ErrQueueFull
	}
}

// eventLoop turns queued webhook events into debounced link runs.
func (s *Scheduler) eventLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-s.events:
			s.handleEvent(ctx, ev)
		}
	}
}

// handleEvent triggers the links of the changed calendars, except for the
// app's own writes: a created or updated object whose ETag is the one the
// engine recorded, or a deleted object the engine no longer tracks.
func (s *Scheduler) handleEvent(ctx context.Context, ev CalendarEvent) {
	if s.Settings().Mode != Active {
		s.m.events.Inc("webhook", "ignored_passive")
		return
	}
	links := map[string][]store.Link{}
	for _, ch := range ev.Changes {
		ls, ok := links[ch.User]
		if !ok {
			var err error
			ls, err = s.st.Links(ctx, ch.User)
			if err != nil {
				s.log.Warn("webhook: links", slog.String("user_id", ch.User), slog.Any("error", err))
				continue
			}
			links[ch.User] = ls
		}
		for _, l := range ls {
			if l.Kind != store.KindCalendar || l.Paused || !sameCollection(l.LocalHref, ch.Collection) {
				continue
			}
			if s.isEcho(ctx, l.ID, ch) {
				s.m.events.Inc("webhook", "echo")
				continue
			}
			s.trigger(ctx, l.UserID, l.ID, ev.Received, "webhook")
		}
	}
}

func sameCollection(a, b string) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// isEcho reports a change the engine made itself (or already knows).
func (s *Scheduler) isEcho(ctx context.Context, linkID int64, ch ObjectChange) bool {
	href := ch.Href
	if ch.Deleted {
		href = strings.TrimSuffix(href, "-deleted.ics")
		if href != ch.Href {
			href += ".ics"
		}
	}
	c, err := s.st.CorrelationByHref(ctx, linkID, href)
	if errors.Is(err, store.ErrNotFound) {
		return ch.Deleted // an object the engine does not track is gone: nothing to do
	}
	if err != nil {
		return false
	}
	return !ch.Deleted && ch.ETag != "" && c.LocalETag == ch.ETag
}

// trigger queues a debounced run of a link for an event from source.
func (s *Scheduler) trigger(ctx context.Context, user string, linkID int64, at time.Time, source string) {
	if err := s.st.TriggerLink(ctx, user, linkID, s.opts.Now().Add(s.opts.Debounce), false); err != nil {
		s.log.Warn("trigger link", slog.Int64("link_id", linkID), slog.String("source", source), slog.Any("error", err))
		return
	}
	s.m.events.Inc(source, "queued")
	s.mu.Lock()
	if s.pending == nil {
		s.pending = map[int64]pendingEvent{}
	}
	if _, ok := s.pending[linkID]; !ok {
		s.pending[linkID] = pendingEvent{at: at, source: source}
	}
	s.mu.Unlock()
}

// pendingEvent is the first event not yet followed by a run of its link.
type pendingEvent struct {
	at     time.Time
	source string
}

// observeLatency records event-to-sync latency when a run that started
// after an event ends.
func (s *Scheduler) observeLatency(linkID int64, started time.Time) {
	s.mu.Lock()
	p, ok := s.pending[linkID]
	if ok && !p.at.After(started) {
		delete(s.pending, linkID)
	}
	s.mu.Unlock()
	if ok && !p.at.After(started) {
		s.m.latency.Observe(s.opts.Now().Sub(p.at).Seconds(), p.source)
	}
}
