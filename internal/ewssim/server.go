package ewssim

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// User is a mailbox owner who can log in with Basic or NTLM.
type User struct {
	Name        string // logon name, e.g. "alice" or "CONTOSO\alice"
	Password    string
	SMTP        string // primary SMTP address; Name@example.com when empty
	DisplayName string
	// CanImpersonate grants the ApplicationImpersonation role
	// (https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/impersonation-and-ews-in-exchange).
	CanImpersonate bool
}

// Options configures a Server.
type Options struct {
	Logger *slog.Logger
	Users  []User
	// StreamingMinute is how long one minute of a GetStreamingEvents ConnectionTimeout
	// lasts; tests shorten it. Default time.Minute.
	StreamingMinute time.Duration
	// KeepAliveInterval is the period of the OK keep-alive envelopes on a streaming
	// connection. Default 30s (scaled by nothing).
	KeepAliveInterval time.Duration
	// MaxBodyBytes limits request bodies; default 8 MiB.
	MaxBodyBytes int64
	// DisableBasic and DisableNTLM switch an authentication scheme off.
	DisableBasic, DisableNTLM bool
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// Version is the Exchange release to simulate; default Exchange2019.
	Version Version
}

// Server is a simulated Exchange server. It is an http.Handler and safe for concurrent use.
type Server struct {
	log     *slog.Logger
	opts    Options
	now     func() time.Time
	mu      sync.Mutex
	users   map[string]*User // by lower-case name and SMTP
	boxes   map[string]*mailbox
	boxList []*mailbox
	snaps   *snapStore
	subs    map[string]*subscription
	subSeq  uint32

	ntlmMu sync.Mutex
	ntlm   map[string]*ntlmConn // by remote address (one TCP connection)

	faults   Faults
	countMu  sync.Mutex
	counts   map[string]int64
	history  []Request
	requests atomic.Int64
}

// New returns a server with one mailbox per user.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.StreamingMinute <= 0 {
		opts.StreamingMinute = time.Minute
	}
	if opts.KeepAliveInterval <= 0 {
		opts.KeepAliveInterval = 30 * time.Second
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 8 << 20
	}
	s := &Server{log: opts.Logger, opts: opts, now: opts.Now, users: map[string]*User{},
		boxes: map[string]*mailbox{}, snaps: newSnapStore(20000), subs: map[string]*subscription{},
		ntlm: map[string]*ntlmConn{}, counts: map[string]int64{}}
	if s.now == nil {
		s.now = time.Now
	}
	for _, u := range opts.Users {
		s.AddUser(u)
	}
	return s
}

// AddUser adds a user and creates the mailbox with the default folders.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.SMTP == "" {
		name := u.Name
		if i := strings.LastIndexByte(name, '\\'); i >= 0 {
			name = name[i+1:]
		}
		if strings.Contains(name, "@") {
			u.SMTP = name
		} else {
			u.SMTP = name + "@example.com"
		}
	}
	if u.DisplayName == "" {
		u.DisplayName = strings.SplitN(u.SMTP, "@", 2)[0]
	}
	uc := u
	s.users[strings.ToLower(u.Name)] = &uc
	s.users[strings.ToLower(u.SMTP)] = &uc
	key := strings.ToLower(u.SMTP)
	if _, ok := s.boxes[key]; !ok {
		m := newMailbox(uint16(len(s.boxList)+1), u.Name, u.SMTP, u.DisplayName)
		s.boxes[key] = m
		s.boxList = append(s.boxList, m)
	}
}

// Faults returns the fault-injection switches.
func (s *Server) Faults() *Faults { return &s.faults }

// Count returns how many requests of an operation (e.g. "SyncFolderItems") were served.
func (s *Server) Count(op string) int64 {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	return s.counts[op]
}

// Counts returns a copy of all per-operation counters.
func (s *Server) Counts() map[string]int64 {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	out := make(map[string]int64, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// ResetCounts zeroes the per-operation counters and clears History.
func (s *Server) ResetCounts() {
	s.countMu.Lock()
	s.counts = map[string]int64{}
	s.history = nil
	s.countMu.Unlock()
}

// Request is one answered EWS request, for tests that check timing (a client honouring
// BackOffMilliseconds or Retry-After) or request counts.
type Request struct {
	At     time.Time // when the request arrived
	Op     string    // operation, e.g. "GetItem"; "" when the request was not parsed
	User   string    // logon name; "" before authentication
	Status int       // HTTP status; 0 for a dropped connection
}

// maxHistory bounds History.
const maxHistory = 10000

// History returns the most recent requests (at most 10,000), oldest first.
func (s *Server) History() []Request {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	return append([]Request(nil), s.history...)
}

func (s *Server) note(at time.Time, op string, u *User, status int) {
	r := Request{At: at, Op: op, Status: status}
	if u != nil {
		r.User = u.Name
	}
	s.countMu.Lock()
	if len(s.history) >= maxHistory {
		s.history = s.history[1:]
	}
	s.history = append(s.history, r)
	s.countMu.Unlock()
}

func (s *Server) count(op string) {
	s.countMu.Lock()
	s.counts[op]++
	s.countMu.Unlock()
}

// Running is a server started on a listener.
type Running struct {
	URL  string // base URL, e.g. http://127.0.0.1:8443; EWS is at URL+"/EWS/Exchange.asmx"
	http *http.Server
	done chan struct{}
}

// Close stops the listener and all connections.
func (r *Running) Close() error {
	err := r.http.Close()
	<-r.done
	return err
}

// Shutdown stops gracefully, waiting for requests to finish until ctx ends.
func (r *Running) Shutdown(ctx context.Context) error {
	err := r.http.Shutdown(ctx)
	<-r.done
	return err
}

// Start serves the simulator on ln (plain HTTP/1.1, keep-alive, as NTLM needs).
func (s *Server) Start(ln net.Listener) *Running {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ConnState: s.ConnState}
	r := &Running{URL: "http://" + ln.Addr().String(), http: hs, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("ews-sim serve", "err", err)
		}
	}()
	return r
}

// ConnState forgets NTLM state of closed connections; set it as http.Server.ConnState
// when serving the handler with your own server.
func (s *Server) ConnState(c net.Conn, st http.ConnState) {
	if st == http.StateClosed || st == http.StateHijacked {
		s.ntlmMu.Lock()
		delete(s.ntlm, c.RemoteAddr().String())
		s.ntlmMu.Unlock()
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	path := strings.ToLower(r.URL.Path)
	if path != "/ews/exchange.asmx" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	arrived := s.now()
	user := s.authenticate(w, r)
	if user == nil {
		s.note(arrived, "", nil, http.StatusUnauthorized)
		return
	}
	if d := s.faults.latency(); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if s.faults.takeDrop() {
		s.count("Dropped")
		s.note(arrived, "", user, 0)
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if ra, ok := s.faults.takeUnavailable(); ok {
		s.count("Unavailable")
		s.note(arrived, "", user, http.StatusServiceUnavailable)
		w.Header().Set("Retry-After", ra)
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			http.Error(w, "request entity too large", http.StatusRequestEntityTooLarge)
			return
		}
		return
	}
	env, fault := parseEnvelope(body)
	if fault != nil {
		s.count("Invalid")
		s.note(arrived, "", user, http.StatusInternalServerError)
		s.log.Debug("ews-sim rejected request", "code", fault.Code, "violation", fault.Violation)
		s.writeFault(w, fault)
		return
	}
	if fault := s.checkVersion(env); fault != nil {
		s.count("Invalid")
		s.note(arrived, "", user, http.StatusInternalServerError)
		s.writeFault(w, fault)
		return
	}
	op := env.Body.Local
	s.count(op)
	if backoff, ok := s.faults.takeBusy(); ok {
		s.note(arrived, op, user, http.StatusInternalServerError)
		s.writeFault(w, &soapFault{Code: "ErrorServerBusy", Message: errorText("ErrorServerBusy"), BackOff: int(backoff / time.Millisecond)})
		return
	}
	ctx := &opCtx{s: s, env: env, user: user, r: r, w: w}
	if backoff, ok := s.faults.takeBusyMessage(); ok {
		ctx.busy = int(backoff / time.Millisecond)
	}
	if op == "GetStreamingEvents" {
		s.note(arrived, op, user, http.StatusOK)
		s.getStreamingEvents(ctx)
		return
	}
	start := time.Now()
	resp, fault := s.dispatchLocked(ctx)
	s.log.Debug("ews-sim request", slog.String("op", op), slog.String("user", user.Name),
		slog.Bool("fault", fault != nil), slog.Duration("took", time.Since(start)))
	if fault != nil {
		s.note(arrived, op, user, http.StatusInternalServerError)
		s.writeFault(w, fault)
		return
	}
	s.note(arrived, op, user, http.StatusOK)
	out := s.writeResponse(resp)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

func (s *Server) writeFault(w http.ResponseWriter, f *soapFault) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	st := f.HTTPStatus
	if st == 0 {
		st = http.StatusInternalServerError
	}
	w.WriteHeader(st)
	w.Write(writeFault(f))
}

// opCtx carries one request through an operation handler.
type opCtx struct {
	s    *Server
	env  *envelope
	user *User
	box  *mailbox
	r    *http.Request
	w    http.ResponseWriter
	busy int // BackOffMilliseconds for an in-message ErrorServerBusy
}

// dispatchLocked runs an operation under the server lock; a panic becomes an
// ErrorInternalServerError fault and never leaves the lock held.
func (s *Server) dispatchLocked(c *opCtx) (resp *node, fault *soapFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("ews-sim operation panicked", slog.String("op", c.env.Body.Local), slog.Any("panic", r))
			resp, fault = nil, &soapFault{Code: "ErrorInternalServerError", Message: "An internal server error occurred. The operation failed."}
		}
	}()
	return s.dispatch(c)
}

func (s *Server) dispatch(c *opCtx) (*node, *soapFault) {
	box, fault := s.resolveMailbox(c)
	if fault != nil {
		return nil, fault
	}
	c.box = box
	op := c.env.Body.Local
	h := handlers[op]
	if h == nil {
		return nil, &soapFault{Code: "ErrorInvalidRequest", Message: "The request is valid but is not supported by this simulator: " + op}
	}
	if c.busy > 0 {
		resp := &node{Space: "m", Local: op + "Response"}
		msgs := &node{Space: "m", Local: "ResponseMessages"}
		m := respMsg(op+"ResponseMessage", "ErrorServerBusy", "")
		mx := &node{Space: "m", Local: "MessageXml"}
		mx.add(el("Value", itoa(c.busy), "Name", "BackOffMilliseconds"))
		m.add(mx)
		msgs.add(m)
		resp.add(msgs)
		return resp, nil
	}
	return h(c), nil
}

func (s *Server) resolveMailbox(c *opCtx) (*mailbox, *soapFault) {
	own := s.boxes[strings.ToLower(c.user.SMTP)]
	imp := c.env.header("ExchangeImpersonation")
	if imp == nil {
		return own, nil
	}
	sid := imp.child("ConnectingSID")
	target := ""
	for _, k := range sid.Kids {
		target = strings.TrimSpace(k.Text)
	}
	if !c.user.CanImpersonate {
		return nil, &soapFault{Code: "ErrorImpersonateUserDenied", Message: "The account does not have permission to impersonate the requested user."}
	}
	u := s.users[strings.ToLower(target)]
	if u == nil {
		return nil, &soapFault{Code: "ErrorNonExistentMailbox", Message: "The SMTP address has no mailbox associated with it."}
	}
	return s.boxes[strings.ToLower(u.SMTP)], nil
}

// opHandler serves one operation under the server lock.
type opHandler func(c *opCtx) *node

var handlers map[string]opHandler

func init() {
	handlers = map[string]opHandler{
		"GetFolder":        opGetFolder,
		"FindFolder":       opFindFolder,
		"CreateFolder":     opCreateFolder,
		"DeleteFolder":     opDeleteFolder,
		"SyncFolderItems":  opSyncFolderItems,
		"GetItem":          opGetItem,
		"CreateItem":       opCreateItem,
		"UpdateItem":       opUpdateItem,
		"DeleteItem":       opDeleteItem,
		"MoveItem":         opMoveItem,
		"CreateAttachment": opCreateAttachment,
		"GetAttachment":    opGetAttachment,
		"DeleteAttachment": opDeleteAttachment,
		"Subscribe":        opSubscribe,
		"GetEvents":        opGetEvents,
		"Unsubscribe":      opUnsubscribe,
	}
}

// response builds the m:XResponse/m:ResponseMessages skeleton.
func response(op string, msgs ...*node) *node {
	r := &node{Space: "m", Local: op + "Response"}
	rm := &node{Space: "m", Local: "ResponseMessages"}
	rm.add(msgs...)
	return r.add(rm)
}

func itoa(i int) string { return strconv.Itoa(i) }
