package nextcloudsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// Webhook-compatible calendar event classes (NC 32, OCP\Calendar\Events).
const (
	evCreated      = `OCP\Calendar\Events\CalendarObjectCreatedEvent`
	evUpdated      = `OCP\Calendar\Events\CalendarObjectUpdatedEvent`
	evDeleted      = `OCP\Calendar\Events\CalendarObjectDeletedEvent`
	evMovedToTrash = `OCP\Calendar\Events\CalendarObjectMovedToTrashEvent`
	evRestored     = `OCP\Calendar\Events\CalendarObjectRestoredEvent`
	evMoved        = `OCP\Calendar\Events\CalendarObjectMovedEvent`
)

// webhookCompatible lists the event classes implementing
// IWebhookCompatibleEvent that the fake knows.
var webhookCompatible = map[string]bool{
	evCreated: true, evUpdated: true, evDeleted: true, evMovedToTrash: true, evRestored: true, evMoved: true,
	`OCP\Files\Events\Node\NodeCreatedEvent`: true, `OCP\Files\Events\Node\NodeWrittenEvent`: true,
	`OCP\Files\Events\Node\NodeDeletedEvent`: true, `OCP\User\Events\UserFirstTimeLoggedInEvent`: true,
	`OCP\SystemTag\TagAssignedEvent`: true, `OCP\SystemTag\TagUnassignedEvent`: true,
}

// Webhook is a webhook_listeners registration.
type Webhook struct {
	ID           int
	AppID        string
	UserID       string // empty when registered in system context (null)
	HTTPMethod   string
	URI          string
	Event        string
	EventFilter  map[string]any
	UserIDFilter string
	Headers      map[string]string
	AuthMethod   string
	AuthData     map[string]string
}

// hookState is the webhook_listeners state and the background job queue.
type hookState struct {
	nextID     int
	list       []*Webhook
	queue      []webhookJob
	deliveries []Delivery
}

func (w *Webhook) toOCS() omap {
	var user any
	if w.UserID != "" {
		user = w.UserID
	}
	var filter any = []any{}
	if len(w.EventFilter) > 0 {
		filter = w.EventFilter
	}
	var headers any
	if len(w.Headers) > 0 {
		headers = w.Headers
	}
	var auth any
	if w.AuthMethod == "header" {
		auth = fakeCiphertext()
	}
	return omap{{"id", w.ID}, {"appId", w.AppID}, {"userId", user}, {"httpMethod", w.HTTPMethod}, {"uri", w.URI},
		{"event", w.Event}, {"eventFilter", filter}, {"userIdFilter", w.UserIDFilter}, {"headers", headers},
		{"authMethod", w.AuthMethod}, {"authData", auth}}
}

func (s *Server) webhookFromParams(q *ocsReq) (*Webhook, ocsResult, bool) {
	w := &Webhook{HTTPMethod: strings.ToUpper(q.str("httpMethod")), URI: q.str("uri"), Event: q.str("event"),
		UserIDFilter: q.str("userIdFilter"), AuthMethod: q.str("authMethod")}
	if w.AuthMethod == "" {
		w.AuthMethod = "none"
	}
	if q.id.appAPI {
		w.AppID = s.opts.AppID
		w.UserID = q.id.user
	} else {
		w.UserID = q.id.user
	}
	switch w.HTTPMethod {
	case "POST", "GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS":
	default:
		return nil, ocsFail(http.StatusBadRequest, "Method "+w.HTTPMethod+" is not allowed"), false
	}
	if w.URI == "" {
		return nil, ocsFail(http.StatusBadRequest, "uri is required"), false
	}
	if !webhookCompatible[w.Event] {
		return nil, ocsFail(http.StatusBadRequest, w.Event+" is not an event class compatible with webhooks"), false
	}
	if f, ok := q.params["eventFilter"].(map[string]any); ok {
		w.EventFilter = f
	}
	if h, ok := q.params["headers"].(map[string]any); ok {
		w.Headers = map[string]string{}
		for k, v := range h {
			w.Headers[k] = toString(v)
		}
	}
	switch w.AuthMethod {
	case "none":
	case "header":
		d, ok := q.params["authData"].(map[string]any)
		if !ok {
			return nil, ocsFail(http.StatusBadRequest, "authData must be an object for authMethod header"), false
		}
		w.AuthData = map[string]string{}
		for k, v := range d {
			w.AuthData[k] = toString(v)
		}
	default:
		return nil, ocsFail(http.StatusBadRequest, "Invalid authMethod "+w.AuthMethod), false
	}
	return w, ocsResult{}, true
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func (s *Server) ocsWebhookCreate(q *ocsReq) ocsResult {
	w, res, ok := s.webhookFromParams(q)
	if !ok {
		return res
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w.ID = s.hooks.nextID
	s.hooks.nextID++
	s.hooks.list = append(s.hooks.list, w)
	return ocsOK(w.toOCS())
}

func (s *Server) findWebhookLocked(id string) (int, *Webhook) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return -1, nil
	}
	for i, w := range s.hooks.list {
		if w.ID == n {
			return i, w
		}
	}
	return -1, nil
}

func (s *Server) ocsWebhookUpdate(q *ocsReq) ocsResult {
	w, res, ok := s.webhookFromParams(q)
	if !ok {
		return res
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, old := s.findWebhookLocked(q.vars["id"])
	if old == nil {
		return ocsFail(http.StatusNotFound, "Webhook not found")
	}
	w.ID = old.ID
	s.hooks.list[i] = w
	return ocsOK(w.toOCS())
}

func (s *Server) ocsWebhookGet(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, w := s.findWebhookLocked(q.vars["id"])
	if w == nil {
		return ocsFail(http.StatusNotFound, "Webhook not found")
	}
	return ocsOK(w.toOCS())
}

func (s *Server) ocsWebhookList(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	uri := q.str("uri")
	out := []omap{}
	for _, w := range s.hooks.list {
		if uri == "" || w.URI == uri {
			out = append(out, w.toOCS())
		}
	}
	return ocsOK(out)
}

func (s *Server) ocsWebhookDelete(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, w := s.findWebhookLocked(q.vars["id"])
	if w == nil {
		return ocsFail(http.StatusNotFound, "Webhook not found")
	}
	s.hooks.list = append(s.hooks.list[:i], s.hooks.list[i+1:]...)
	return ocsOK(true)
}

func (s *Server) ocsWebhookDeleteByApp(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	kept := s.hooks.list[:0]
	for _, w := range s.hooks.list {
		if w.AppID == q.vars["appid"] {
			n++
			continue
		}
		kept = append(kept, w)
	}
	s.hooks.list = kept
	return ocsOK(n)
}

// Webhooks returns copies of the registered webhooks.
func (s *Server) Webhooks() []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Webhook, 0, len(s.hooks.list))
	for _, w := range s.hooks.list {
		out = append(out, *w)
	}
	return out
}
