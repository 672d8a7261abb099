package nextcloudsim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ErrNoAppURL is returned when the fake must call the app but Options.AppURL
// is empty.
var ErrNoAppURL = errors.New("nextcloudsim: no AppURL configured")

// ErrExists is returned when creating something that already exists.
var ErrExists = errors.New("nextcloudsim: already exists")

// AppError is a failed call from the fake to the ExApp: a non-2xx status.
type AppError struct {
	Method string
	Path   string
	Status int
	Body   string
}

func (e *AppError) Error() string {
	return fmt.Sprintf("nextcloudsim: %s %s: app answered %d: %s", e.Method, e.Path, e.Status, e.Body)
}

var _ error = (*AppError)(nil)

// callApp sends one request to the ExApp. user "" is the system context;
// signed=false sends no AppAPI headers (heartbeat on manual-install).
func (s *Server) callApp(ctx context.Context, method, path string, signed bool, user, requestID string) (int, []byte, error) {
	if s.opts.AppURL == "" {
		return 0, nil, ErrNoAppURL
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(s.opts.AppURL, "/")+path, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("nextcloudsim: %s %s: %w", method, path, err)
	}
	if signed {
		for k, v := range s.AppAPIHeaders(user) {
			req.Header[k] = v
		}
		req.Header.Set("AA-REQUEST-ID", requestID)
		if path != "/init" {
			req.Header.Set("Accept-Language", "en") // absent on /init (0002)
		}
	} else {
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "Nextcloud Server Crawler")
	s.countClass(method, ClassApp)
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("nextcloudsim: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("nextcloudsim: %s %s: read: %w", method, path, err)
	}
	return resp.StatusCode, body, nil
}

// Heartbeat calls GET /heartbeat as AppAPI does (no auth headers on a
// manual-install daemon) and requires 200 with "status":"ok".
func (s *Server) Heartbeat(ctx context.Context) error {
	status, body, err := s.callApp(ctx, "GET", "/heartbeat", false, "", "")
	if err != nil {
		return err
	}
	var hb struct {
		Status string `json:"status"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &hb) != nil || hb.Status != "ok" {
		return &AppError{Method: "GET", Path: "/heartbeat", Status: status, Body: string(body)}
	}
	return nil
}

// Init calls POST /init (empty body, empty user, AA-REQUEST-ID CLI). A 404
// or 501 makes AppAPI set progress 100 itself, which enables the app. The
// app then reports progress through ex-app/status; see WaitForProgress.
func (s *Server) Init(ctx context.Context) error {
	s.mu.Lock()
	s.app.initStarted = true
	s.app.progress = 0
	s.app.initErr = ""
	s.notifyProgressLocked()
	s.mu.Unlock()
	status, body, err := s.callApp(ctx, "POST", "/init", true, "", "CLI")
	if err != nil {
		s.setInitError(err.Error())
		return err
	}
	switch {
	case status == http.StatusNotFound || status == http.StatusNotImplemented:
		s.mu.Lock()
		s.app.progress = 100
		s.app.enabling = true
		s.notifyProgressLocked()
		s.mu.Unlock()
		return s.enable(ctx)
	case status/100 != 2:
		e := &AppError{Method: "POST", Path: "/init", Status: status, Body: string(body)}
		s.setInitError(e.Error())
		return e
	}
	return nil
}

func (s *Server) setInitError(msg string) {
	s.mu.Lock()
	s.app.initErr = msg
	s.notifyProgressLocked()
	s.mu.Unlock()
}

// enable runs AppAPI's enableExApp: mark enabled, heartbeat, then
// PUT /enabled?enabled=1; a failure disables the app again.
func (s *Server) enable(ctx context.Context) error {
	msg, err := s.SetEnabled(ctx, true)
	if err == nil && msg != "" {
		err = fmt.Errorf("nextcloudsim: enable: app answered error %q", msg)
	}
	return err
}

// SetEnabled calls PUT /enabled?enabled=1|0 (AppAPIService::enableExApp,
// https://docs.nextcloud.com/server/latest/developer_manual/exapp_development/tech_details/api/exapp.html)
// as `occ app_api:app:enable` and
// `disable` do, and returns the app's "error" string. Enabling marks the app
// enabled before the call (so it can register things) and runs a heartbeat
// first; disabling calls the app before clearing the flag. A non-empty error
// or a failed call leaves the app disabled.
func (s *Server) SetEnabled(ctx context.Context, enabled bool) (string, error) {
	path := "/enabled?enabled=0"
	if enabled {
		path = "/enabled?enabled=1"
		s.mu.Lock()
		s.app.enabled = true
		s.mu.Unlock()
		if err := s.Heartbeat(ctx); err != nil {
			s.setEnabledResult(false, err.Error())
			return "", err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	status, body, err := s.callApp(ctx, "PUT", path, true, "", "CLI")
	if err != nil {
		s.setEnabledResult(false, err.Error())
		return "", err
	}
	if status/100 != 2 {
		e := &AppError{Method: "PUT", Path: path, Status: status, Body: string(body)}
		s.setEnabledResult(false, e.Error())
		return "", e
	}
	var res struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &res) // a non-JSON 200 is accepted
	s.setEnabledResult(enabled && res.Error == "", res.Error)
	return res.Error, nil
}

func (s *Server) setEnabledResult(enabled bool, errText string) {
	s.mu.Lock()
	s.app.enabled = enabled
	s.app.enableErr = errText
	s.app.enabling = false
	s.notifyProgressLocked()
	s.mu.Unlock()
}

// Register runs what `occ app_api:app:register --wait-finish` does: heartbeat,
// POST /init, then waits until init reaches 100 (which enables the app) or
// reports an error.
func (s *Server) Register(ctx context.Context) (AppStatus, error) {
	s.mu.Lock()
	s.app.enabled = false
	s.mu.Unlock()
	if err := s.Heartbeat(ctx); err != nil {
		return s.Status(), err
	}
	if err := s.Init(ctx); err != nil {
		return s.Status(), err
	}
	st, err := s.WaitForProgress(ctx, 100)
	if err != nil {
		return st, err
	}
	if st.Error != "" {
		return st, fmt.Errorf("nextcloudsim: init failed: %s", st.Error)
	}
	return s.Status(), nil
}

// Unregister runs what `occ app_api:app:unregister` does: PUT
// /enabled?enabled=0 (errors ignored), then removes the app's top-menu
// entries, scripts, styles, initial states, settings forms and webhooks.
// App config and user preferences are kept, as AppAPI keeps them.
func (s *Server) Unregister(ctx context.Context) error {
	_, err := s.SetEnabled(ctx, false)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.app.enabled = false
	s.app.progress = 0
	s.ocs.topMenus, s.ocs.scripts, s.ocs.styles, s.ocs.initialStates, s.ocs.forms = nil, nil, nil, nil, nil
	kept := s.hooks.list[:0]
	for _, w := range s.hooks.list {
		if w.AppID != s.opts.AppID {
			kept = append(kept, w)
		}
	}
	s.hooks.list = kept
	s.notifyProgressLocked()
	return err
}
