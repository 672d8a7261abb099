package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/scheduler"
)

// CalendarWebhookURI is where Nextcloud delivers the calendar webhooks
// (webhook_listeners; a uri starting with "/" is sent to this ExApp through
// AppAPI, signed).
const CalendarWebhookURI = "/webhooks/calendar"

// Calendar object events that are webhook-compatible on Nextcloud 32+
// (OCP\Calendar\Events). CalendarObjectRestoredEvent is left out: its
// deliveries fail on PostgreSQL, restores are caught by sync-collection.
var CalendarWebhookEvents = []string{
	`OCP\Calendar\Events\CalendarObjectCreatedEvent`,
	`OCP\Calendar\Events\CalendarObjectUpdatedEvent`,
	`OCP\Calendar\Events\CalendarObjectMovedToTrashEvent`,
	`OCP\Calendar\Events\CalendarObjectDeletedEvent`,
	`OCP\Calendar\Events\CalendarObjectMovedEvent`,
}

// WebhookSink takes calendar webhook events without blocking
// (*scheduler.Scheduler satisfies it).
type WebhookSink interface {
	CalendarChanged(ev scheduler.CalendarEvent) error
}

// maxWebhookBody bounds a delivery (the payload carries the whole
// iCalendar object).
const maxWebhookBody = 16 << 20

func (s *Server) webhookRoutes(g *echo.Group) {
	g.POST(CalendarWebhookURI, s.calendarWebhook)
}

// webhookPayload is the part of a webhook_listeners calendar event the app
// reads (transcripts 0083-0099; server AbstractCalendarObjectEvent and
// CalendarObjectMovedEvent::getWebhookSerializable).
type webhookPayload struct {
	Event struct {
		Class              string          `json:"class"`
		CalendarData       *webhookCal     `json:"calendarData"`
		SourceCalendarData *webhookCal     `json:"sourceCalendarData"`
		TargetCalendarData *webhookCal     `json:"targetCalendarData"`
		ObjectData         json.RawMessage `json:"objectData"`
	} `json:"event"`
}

type webhookCal struct {
	URI          string `json:"uri"`
	PrincipalURI string `json:"principaluri"`
}

type webhookObject struct {
	URI  string `json:"uri"`
	ETag string `json:"etag"`
}

// collectionHref maps a calendar row to the owner and the DAV href.
func (c *webhookCal) collectionHref() (user, href string, ok bool) {
	if c == nil {
		return "", "", false
	}
	user, found := strings.CutPrefix(c.PrincipalURI, "principals/users/")
	if !found || !safeSegment(user) || !safeSegment(c.URI) {
		return "", "", false
	}
	return user, appapi.DAVPath + "/calendars/" + user + "/" + c.URI + "/", true
}

// calendarWebhook answers a webhook delivery at once (AppAPI's timeout is
// 3 s and a failed delivery is never retried) after queuing the change for
// the scheduler. Deliveries carry no Content-Type; the body is read as JSON
// whatever the header says.
func (s *Server) calendarWebhook(c echo.Context) error {
	if s.opts.Webhooks == nil {
		return c.NoContent(http.StatusNoContent)
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxWebhookBody+1))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "unreadable body")
	}
	if len(body) > maxWebhookBody {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "body too large")
	}
	ev, err := parseCalendarWebhook(body)
	if err != nil {
		s.log.Warn("webhook: bad payload", slog.Any("error", err))
		return echo.NewHTTPError(http.StatusBadRequest, "not a calendar event")
	}
	if len(ev.Changes) == 0 {
		return c.NoContent(http.StatusNoContent)
	}
	if err := s.opts.Webhooks.CalendarChanged(ev); err != nil {
		// Dropped: the reconciliation pass will find the change.
		s.log.Warn("webhook: dropped", slog.String("event", ev.Event), slog.Any("error", err))
	}
	return c.NoContent(http.StatusNoContent)
}

// safeSegment accepts one non-empty path segment other than . and ..
func safeSegment(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\?#\x00")
}

// errNotCalendarEvent is a payload without the fields of a calendar event.
var errNotCalendarEvent = errors.New("web: webhook: not a calendar object event")

// parseCalendarWebhook turns a delivery into the changes it reports.
func parseCalendarWebhook(body []byte) (scheduler.CalendarEvent, error) {
	var p webhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return scheduler.CalendarEvent{}, err
	}
	ev := scheduler.CalendarEvent{Event: p.Event.Class, Received: time.Now()}
	var obj webhookObject
	if len(p.Event.ObjectData) > 0 && p.Event.ObjectData[0] == '{' {
		if err := json.Unmarshal(p.Event.ObjectData, &obj); err != nil {
			return ev, err
		}
	}
	if !safeSegment(obj.URI) {
		return ev, errNotCalendarEvent
	}
	class := p.Event.Class[strings.LastIndexByte(p.Event.Class, '\\')+1:]
	add := func(cal *webhookCal, deleted bool) {
		if user, href, ok := cal.collectionHref(); ok {
			ev.Changes = append(ev.Changes, scheduler.ObjectChange{User: user, Collection: href, Href: href + obj.URI,
				ETag: obj.ETag, Deleted: deleted})
		}
	}
	switch class {
	case "CalendarObjectCreatedEvent", "CalendarObjectUpdatedEvent", "CalendarObjectRestoredEvent":
		add(p.Event.CalendarData, false)
	case "CalendarObjectMovedToTrashEvent", "CalendarObjectDeletedEvent":
		add(p.Event.CalendarData, true)
	case "CalendarObjectMovedEvent":
		add(p.Event.SourceCalendarData, true)
		add(p.Event.TargetCalendarData, false)
	default:
		return ev, nil // another event: acknowledged and ignored
	}
	if len(ev.Changes) == 0 {
		return ev, errNotCalendarEvent
	}
	return ev, nil
}

// CalendarWebhookRegistrations register the calendar webhooks when the app
// is enabled and remove them when it is disabled. Where webhook_listeners
// is off (404/998) or the events are not webhook-compatible (Nextcloud
// 30/31 answer 400), registering is skipped with a warning: the scheduler
// then polls calendars.
func CalendarWebhookRegistrations(nc *appapi.Client, log *slog.Logger) []Registration {
	var out []Registration
	for _, ev := range CalendarWebhookEvents {
		r := WebhookRegistration(nc, appapi.Webhook{HTTPMethod: http.MethodPost, URI: CalendarWebhookURI, Event: ev})
		reg, unreg := r.Register, r.Unregister
		r.Register = func(ctx context.Context) error {
			err := reg(ctx)
			if appapi.IsNotFound(err) || appapi.IsBadRequest(err) {
				log.Warn("calendar webhooks unavailable; calendars will be polled", slog.String("event", ev), slog.Any("error", err))
				return nil
			}
			return err
		}
		r.Unregister = func(ctx context.Context) error {
			if err := unreg(ctx); err != nil && !appapi.IsNotFound(err) {
				return err
			}
			return nil
		}
		out = append(out, r)
	}
	return out
}

// CalendarWebhooksAvailable reports whether the app's calendar webhooks
// are registered (for scheduler.Options.WebhooksAvailable): Nextcloud 32+
// with webhook_listeners on.
func CalendarWebhooksAvailable(nc *appapi.Client) func(ctx context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		list, err := nc.Webhooks(ctx, CalendarWebhookURI)
		if err != nil {
			if appapi.IsNotFound(err) {
				return false, nil
			}
			return false, err
		}
		have := map[string]bool{}
		for _, w := range list {
			if w.URI == CalendarWebhookURI {
				have[w.Event] = true
			}
		}
		for _, ev := range CalendarWebhookEvents[:3] { // created, updated, moved to trash
			if !have[ev] {
				return false, nil
			}
		}
		return true, nil
	}
}
