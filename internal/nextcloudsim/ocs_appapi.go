package nextcloudsim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// appState is the ExApp row of AppAPI (ex_apps table plus its status JSON).
type appState struct {
	enabled      bool
	version      string
	progress     int
	initErr      string
	initStarted  bool
	authFailures int
	enableErr    string
	// enabling is true while the enable that follows progress 100 runs.
	enabling bool
}

// AppStatus is the ExApp's registration status as AppAPI stores it.
type AppStatus struct {
	// Enabled is the ex_apps.enabled flag (what ex-app/state answers).
	Enabled bool
	// Progress is the last init progress reported (0..100).
	Progress int
	// Error is the init error reported through ex-app/status.
	Error string
	// EnableError is the error of the last /enabled call made by the fake
	// (transport failure or the app's non-empty "error").
	EnableError string
}

// Status returns the ExApp's status.
func (s *Server) Status() AppStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return AppStatus{Enabled: s.app.enabled, Progress: s.app.progress, Error: s.app.initErr, EnableError: s.app.enableErr}
}

// WaitForProgress waits until init progress reaches at least progress (and,
// at 100, until the enable call that follows has finished) or an init error
// is reported, and returns the status then.
func (s *Server) WaitForProgress(ctx context.Context, progress int) (AppStatus, error) {
	for {
		s.mu.Lock()
		st := AppStatus{Enabled: s.app.enabled, Progress: s.app.progress, Error: s.app.initErr, EnableError: s.app.enableErr}
		enabling := s.app.enabling
		ch := s.progress
		s.mu.Unlock()
		if (st.Progress >= progress && !enabling) || st.Error != "" {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-ch:
		}
	}
}

func (s *Server) notifyProgressLocked() {
	close(s.progress)
	s.progress = make(chan struct{})
}

// ocsSetStatus implements PUT ex-app/status (OCSApiController::setAppInitProgress).
func (s *Server) ocsSetStatus(q *ocsReq) ocsResult {
	progress, ok := q.integer("progress")
	if !ok || progress < 0 || progress > 100 {
		return ocsFail(http.StatusBadRequest, "Invalid progress value")
	}
	errText := q.str("error")
	s.mu.Lock()
	if s.app.progress == 100 && s.app.initErr == "" && progress != 0 && errText == "" {
		// Once init is finished, later non-zero updates are ignored.
		s.mu.Unlock()
		return ocsOK(nil)
	}
	s.app.progress = progress
	if errText != "" {
		s.app.initErr = errText
	}
	s.app.enabling = progress == 100 && errText == ""
	s.notifyProgressLocked()
	s.mu.Unlock()
	if progress == 100 && errText == "" {
		// AppAPI enables the app synchronously inside this request:
		// heartbeat, then PUT /enabled?enabled=1.
		ctx, cancel := context.WithTimeout(q.r.Context(), 70*time.Second)
		defer cancel()
		if err := s.enable(ctx); err != nil {
			s.log.Debug("nextcloudsim: enable after init failed", "error", err)
		}
	}
	return ocsOK(nil)
}

func (s *Server) ocsGetState(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.app.enabled {
		return ocsOK(1)
	}
	return ocsOK(0)
}

func (s *Server) ocsAppUsers(q *ocsReq) ocsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ocsOK(append([]string{}, s.order...))
}

func (s *Server) ocsNextcloudURL(q *ocsReq) ocsResult {
	return ocsOK(map[string]string{"base_url": s.baseURL(q.r)})
}

func (s *Server) ocsAbsoluteURL(q *ocsReq) ocsResult {
	u := q.str("url")
	if !strings.HasPrefix(u, "/") {
		u = "/" + u
	}
	return ocsOK(map[string]string{"absolute_url": s.baseURL(q.r) + u})
}

func (s *Server) ocsGone(q *ocsReq) ocsResult {
	// The events_listener controller is gone in AppAPI 32 (transcript 0090).
	return ocsResult{status: 996, message: "Internal Server Error\n"}
}

// LogEntry is a message the ExApp wrote to nextcloud.log.
type LogEntry struct {
	Level   int
	Message string
}

func (s *Server) ocsLog(q *ocsReq) ocsResult {
	level, ok := q.integer("level")
	if !ok || level < 0 || level > 4 {
		return ocsFail(http.StatusBadRequest, "Invalid log level")
	}
	s.mu.Lock()
	s.ocs.logs = append(s.ocs.logs, LogEntry{Level: level, Message: q.str("message")})
	s.mu.Unlock()
	return ocsOK(nil)
}

// Logs returns the messages the ExApp logged through AppAPI.
func (s *Server) Logs() []LogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LogEntry(nil), s.ocs.logs...)
}

// Notification is a notification the ExApp sent to a user.
type Notification struct {
	User     string
	ObjectID string
	Subject  string
	Message  string
	Link     string
	// Params is the raw "params" object the app sent.
	Params json.RawMessage
	Time   time.Time
}

func (s *Server) ocsNotification(q *ocsReq) ocsResult {
	params, ok := q.params["params"].(map[string]any)
	if !ok {
		return ocsFail(http.StatusBadRequest, "Invalid notification params")
	}
	sp, _ := params["subject_params"].(map[string]any)
	str := func(m map[string]any, k string) string {
		v, _ := m[k].(string)
		return v
	}
	raw, _ := json.Marshal(params)
	n := Notification{
		User: q.id.user, ObjectID: str(params, "object_id"),
		Subject: str(sp, "rich_subject"), Message: str(sp, "rich_message"), Link: str(sp, "link"),
		Params: raw, Time: time.Now(),
	}
	s.mu.Lock()
	s.ocs.notifications = append(s.ocs.notifications, n)
	s.mu.Unlock()
	return ocsOK(map[string]any{
		"app": s.opts.AppID, "user": n.User, "datetime": n.Time.UTC().Format(time.RFC3339),
		"object_type": str(params, "object"), "object_id": n.ObjectID,
		"subject": n.Subject, "message": n.Message, "link": n.Link, "icon": "",
	})
}

// Notifications returns the notifications sent by the ExApp, oldest first.
func (s *Server) Notifications() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notification(nil), s.ocs.notifications...)
}

// fakeCiphertext mimics ICrypto output: the ExApp cannot read it back.
func fakeCiphertext() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b[:16]) + "|" + hex.EncodeToString(b[16:32]) + "|" + hex.EncodeToString(b[32:]) + "|3"
}
