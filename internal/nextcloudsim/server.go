package nextcloudsim

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// User is a Nextcloud account of the fake server. Users in the "admin" group
// are administrators, as in Nextcloud.
type User struct {
	// ID is the user id (login name).
	ID string
	// DisplayName is shown in webhook payloads and OCS answers; empty means ID.
	DisplayName string
	// Password allows HTTP Basic auth on DAV and the demo login page.
	Password string
	// Email is optional.
	Email string
	// Groups lists the user's groups; "admin" makes the user an administrator.
	Groups []string
}

// Options configures a fake Nextcloud created by [New].
type Options struct {
	// AppID, AppSecret and AppVersion describe the registered ExApp, as in
	// `occ app_api:app:register --json-info`.
	AppID      string
	AppSecret  string
	AppVersion string
	// AAVersion is the AppAPI version sent in AA-VERSION; default "32.0.0".
	AAVersion string
	// Version is the Nextcloud version string; default "32.0.1".
	Version string
	// Users are the accounts. When empty, "admin" (group admin) and "alice"
	// exist, both with password "password".
	Users []User
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
	// AppURL is the ExApp's base URL (manual-install: http://host:port).
	AppURL string
	// AppClient sends requests to the ExApp; nil uses a plain http.Client.
	AppClient *http.Client
	// BaseURL is the fake's own external URL, used for absolute URLs and the
	// demo page; when empty it is taken from each request's Host.
	BaseURL string
	// WebhookListenersDisabled turns the webhook_listeners app off: its OCS
	// routes answer 998 "Invalid query" as for a disabled app.
	WebhookListenersDisabled bool
	// StartDisabled registers the ExApp as disabled (as right after
	// `app_api:app:register`, before init reaches 100). By default the app is
	// enabled so that DAV and OCS tests need no lifecycle first.
	StartDisabled bool
	// Routes are the ExApp's proxy routes; empty means one catch-all USER
	// route.
	Routes []Route
	// DAVLatency, when positive, is added to every DAV request served over
	// HTTP, and DAVConcurrency (0 = unlimited) bounds how many are served at
	// once, to model a real server in benchmarks: on a 2-core Nextcloud 32 an
	// AppAPI PUT took about 55 ms alone and about 30 ms effective with a few
	// in flight (DAVLatency 55ms, DAVConcurrency 2).
	DAVLatency     time.Duration
	DAVConcurrency int
	// AutoDeliverWebhooks, when positive, delivers queued webhooks every
	// interval in the background, like a cron or background-job worker.
	AutoDeliverWebhooks time.Duration
}

// Server is the fake Nextcloud. It is an http.Handler; create it with [New]
// and release its background work with [Server.Close].
type Server struct {
	opts Options
	log  *slog.Logger
	hc   *http.Client

	mu       sync.Mutex
	users    map[string]*User
	order    []string
	app      appState
	progress chan struct{} // closed and replaced on every status change
	ocs      ocsState
	dav      *davStore
	hooks    hookState
	counters map[string]int
	sessions map[string]string // demo login cookie -> user id
	faults   FaultFunc
	davSlots chan struct{}
	ocsTable []ocsRoute

	stop chan struct{}
	done chan struct{}
}

// ErrUnknownUser is returned for a user id the fake does not know.
var ErrUnknownUser = errors.New("nextcloudsim: unknown user")

// New creates a fake Nextcloud with a "personal" calendar and a "contacts"
// address book for every user.
func New(opts Options) *Server {
	if opts.AAVersion == "" {
		opts.AAVersion = "32.0.0"
	}
	if opts.Version == "" {
		opts.Version = "32.0.1"
	}
	if opts.AppID == "" {
		opts.AppID = "ews_connector"
	}
	if opts.AppVersion == "" {
		opts.AppVersion = "1.0.0"
	}
	if len(opts.Users) == 0 {
		opts.Users = []User{
			{ID: "admin", DisplayName: "admin", Password: "password", Groups: []string{"admin"}},
			{ID: "alice", DisplayName: "alice", Password: "password"},
		}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := opts.AppClient
	if hc == nil {
		hc = &http.Client{}
	}
	s := &Server{
		opts:     opts,
		log:      log,
		hc:       hc,
		users:    map[string]*User{},
		progress: make(chan struct{}),
		dav:      newDAVStore(),
		counters: map[string]int{},
		sessions: map[string]string{},
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	s.app.enabled = !opts.StartDisabled
	s.app.version = opts.AppVersion
	s.ocs.init()
	s.ocsTable = s.ocsRoutes()
	if opts.DAVConcurrency > 0 {
		s.davSlots = make(chan struct{}, opts.DAVConcurrency)
	}
	s.hooks.nextID = 1
	for _, u := range opts.Users {
		s.addUserLocked(u)
	}
	if opts.AutoDeliverWebhooks > 0 {
		go s.autoDeliver(opts.AutoDeliverWebhooks)
	} else {
		close(s.done)
	}
	return s
}

// AddUser adds an account (with its default calendar and address book).
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addUserLocked(u)
}

func (s *Server) addUserLocked(u User) {
	if u.DisplayName == "" {
		u.DisplayName = u.ID
	}
	if _, ok := s.users[u.ID]; !ok {
		s.order = append(s.order, u.ID)
	}
	uc := u
	s.users[u.ID] = &uc
	s.dav.ensureUser(u.ID)
}

// DeleteUser removes an account and all its DAV data.
func (s *Server) DeleteUser(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[id]; !ok {
		return ErrUnknownUser
	}
	delete(s.users, id)
	for i, o := range s.order {
		if o == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	s.dav.deleteUser(id)
	delete(s.ocs.prefs, id)
	for k, u := range s.sessions {
		if u == id {
			delete(s.sessions, k)
		}
	}
	return nil
}

func (s *Server) user(id string) (*User, bool) {
	u, ok := s.users[id]
	return u, ok
}

func (u *User) isAdmin() bool {
	for _, g := range u.Groups {
		if g == "admin" {
			return true
		}
	}
	return false
}

// Close stops the background webhook delivery, if any.
func (s *Server) Close() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
}

// Serve serves the fake on l until ctx is done (for `make run`).
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	err := srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// ListenAndServe listens on the TCP address addr and calls [Server.Serve].
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, l)
}

// ServeHTTP routes a request to the OCS, DAV, proxy or demo handlers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	s.count(r.Method, p)
	s.log.Debug("nextcloudsim: request", slog.String("method", r.Method), slog.String("path", p))
	if s.injectFault(w, r) {
		return
	}
	switch {
	case strings.HasPrefix(p, "/ocs/v1.php/"), strings.HasPrefix(p, "/ocs/v2.php/"):
		s.serveOCS(w, r)
	case p == "/remote.php/dav" || strings.HasPrefix(p, "/remote.php/dav/"):
		if !s.davDelay(r) {
			http.Error(w, "request canceled", http.StatusServiceUnavailable)
			return
		}
		if s.davSlots != nil {
			defer func() { <-s.davSlots }()
		}
		s.serveDAV(w, r)
	case strings.HasPrefix(p, "/index.php/apps/app_api/proxy/"):
		s.serveProxy(w, r)
	case strings.HasPrefix(p, "/index.php/apps/app_api/embedded/"):
		s.serveEmbedded(w, r)
	case p == "/" || p == "/index.php" || strings.HasPrefix(p, "/login") || p == "/logout":
		s.serveDemo(w, r)
	case p == "/status.php":
		writeJSON(w, http.StatusOK, map[string]any{
			"installed": true, "maintenance": false, "needsDbUpgrade": false,
			"version": s.opts.Version + ".0", "versionstring": s.opts.Version,
			"edition": "", "productname": "Nextcloud", "extendedSupport": false,
		})
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) baseURL(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return strings.TrimSuffix(s.opts.BaseURL, "/")
	}
	if r == nil {
		return "http://localhost"
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// davDelay takes a DAV slot and waits DAVLatency; it reports false when the
// request was canceled meanwhile (no slot is then held).
func (s *Server) davDelay(r *http.Request) bool {
	if s.davSlots != nil {
		select {
		case s.davSlots <- struct{}{}:
		case <-r.Context().Done():
			return false
		}
	}
	if s.opts.DAVLatency <= 0 {
		return true
	}
	t := time.NewTimer(s.opts.DAVLatency)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		if s.davSlots != nil {
			<-s.davSlots
		}
		return false
	}
}
