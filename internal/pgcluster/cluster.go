package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Superuser is the name of the cluster's superuser, created by initdb -U.
const Superuser = "postgres"

// ErrStartTimeout reports that the server did not become ready in time.
var ErrStartTimeout = errors.New("pgcluster: server did not become ready in time")

// Options configures Start.
type Options struct {
	// Dir is the cluster's own directory. It holds the data directory
	// (Dir/data) and the server log (Dir/postgres.log). An initialized
	// Dir is reused; an absent or empty one is initialized with initdb.
	Dir string
	// BinDir holds initdb and postgres. Empty means the newest version
	// under DebianRoot (see FindBinDir).
	BinDir string
	// Port is the loopback TCP port. Zero picks a free one.
	Port int
	// NoSync trades durability for speed (initdb --no-sync, fsync=off,
	// synchronous_commit=off, full_page_writes=off): for throw-away test
	// clusters only.
	NoSync bool
	// MaxConnections sets max_connections; zero keeps the default (100).
	MaxConnections int
	// StartTimeout bounds initdb plus the server start (default 60 s).
	StartTimeout time.Duration
	// StopTimeout bounds a fast shutdown before Stop escalates (default 30 s).
	StopTimeout time.Duration
	// Logger receives progress lines; nil discards them.
	Logger *slog.Logger
}

// Cluster is a running private PostgreSQL server listening on 127.0.0.1,
// with trust authentication for the superuser "postgres". Anyone on the
// machine can connect to it: it is meant for tests and development only.
type Cluster struct {
	dir      string
	dataDir  string
	logPath  string
	port     int
	attached bool
	log      *slog.Logger
	stopWait time.Duration

	proc   *os.Process
	exited chan error // receives the server's exit once, then is closed

	stopOnce sync.Once
	stopErr  error
}

// Start initializes Dir when needed and starts a server in it, or attaches
// to a server already running there (its Stop then leaves it running).
// A stale postmaster.pid left by a crashed server is removed.
//
// The server is a child of the calling process and receives SIGINT (fast
// shutdown) if that process dies, so a crashed test run leaves no server
// behind. When the caller is root the server runs as the "postgres" system
// user, because initdb and postgres refuse to run as root.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("pgcluster: start: empty directory")
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 60 * time.Second
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 30 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()

	bin := opts.BinDir
	if bin == "" {
		var err error
		if bin, err = FindBinDir(""); err != nil {
			return nil, err
		}
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: start: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pgcluster: start: %w", err)
	}
	// Serialize Start on one directory across processes (two `make run`
	// at once must not both run initdb).
	lock, err := os.OpenFile(filepath.Join(dir, "start.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: start: %w", err)
	}
	defer lock.Close() // releases the flock
	if err := flock(ctx, lock); err != nil {
		return nil, err
	}
	run, err := newRunner(dir, log)
	if err != nil {
		return nil, err
	}
	c := &Cluster{
		dir:      dir,
		dataDir:  filepath.Join(dir, "data"),
		logPath:  filepath.Join(dir, "postgres.log"),
		log:      log,
		stopWait: opts.StopTimeout,
	}
	if err := run.prepare(dir); err != nil {
		return nil, err
	}

	ver, err := readVersionFile(c.dataDir)
	if err != nil {
		return nil, err
	}
	if ver == "" {
		if err := c.initdb(ctx, run, bin, opts.NoSync); err != nil {
			return nil, err
		}
	} else if want := majorOf(bin); want != "" && want != ver {
		return nil, fmt.Errorf("pgcluster: %s holds a PostgreSQL %s cluster but the binaries in %s are version %s", c.dataDir, ver, bin, want)
	}

	if pf, err := readPIDFile(c.dataDir); err == nil {
		if pf.alive() {
			// A server still starting or recovering: wait for it.
			for !pf.ready() && pf.alive() {
				select {
				case <-ctx.Done():
					return nil, fmt.Errorf("%w: a server (pid %d) is running in %s but is not ready (status %q)", ErrStartTimeout, pf.pid, c.dataDir, pf.status)
				case <-time.After(50 * time.Millisecond):
				}
				if pf, err = readPIDFile(c.dataDir); err != nil {
					return nil, fmt.Errorf("pgcluster: the server in %s went away while starting: %w", c.dataDir, err)
				}
			}
			if !pf.ready() {
				return nil, fmt.Errorf("pgcluster: the server (pid %d) in %s exited while starting: see %s", pf.pid, c.dataDir, c.logPath)
			}
			c.port, c.attached = pf.port, true
			log.Info("pgcluster: attached to running server", slog.String("dir", dir), slog.Int("port", c.port), slog.Int("pid", pf.pid))
			return c, nil
		}
		log.Info("pgcluster: removing stale postmaster.pid", slog.String("dir", dir), slog.Int("pid", pf.pid))
		if err := os.Remove(filepath.Join(c.dataDir, "postmaster.pid")); err != nil {
			return nil, fmt.Errorf("pgcluster: removing stale postmaster.pid: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}

	for attempt := 1; ; attempt++ {
		port := opts.Port
		if port == 0 {
			if port, err = freePort(); err != nil {
				return nil, err
			}
		}
		err = c.spawn(ctx, run, bin, port, opts)
		if err == nil {
			log.Info("pgcluster: server ready", slog.String("dir", dir), slog.Int("port", port))
			return c, nil
		}
		if opts.Port != 0 || attempt == 3 || !errors.Is(err, errPortInUse) {
			return nil, err
		}
	}
}

var errPortInUse = errors.New("pgcluster: port already in use")

// flock takes an exclusive lock on f, waiting until ctx ends.
func flock(ctx context.Context, f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("pgcluster: lock %s: %w", f.Name(), err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgcluster: another process is starting a server in %s: %w", filepath.Dir(f.Name()), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *Cluster) initdb(ctx context.Context, run *runner, bin string, noSync bool) error {
	if entries, err := os.ReadDir(c.dataDir); err == nil && len(entries) > 0 {
		return fmt.Errorf("pgcluster: %s is not empty but holds no cluster (no PG_VERSION): remove it or choose another directory", c.dataDir)
	}
	args := []string{"-D", c.dataDir, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-instructions"}
	if noSync {
		args = append(args, "--no-sync")
	}
	c.log.Info("pgcluster: initdb", slog.String("dir", c.dataDir))
	cmd := run.command(ctx, filepath.Join(bin, "initdb"), args...)
	out, err := cmd.CombinedOutput()
	if lf, lerr := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); lerr == nil {
		_, _ = lf.Write(out)
		_ = lf.Close()
	}
	if ctx.Err() != nil {
		return fmt.Errorf("pgcluster: initdb: %w", ctx.Err())
	}
	if err != nil {
		return fmt.Errorf("pgcluster: initdb: %w: %s", err, tail(string(out), 2000))
	}
	return nil
}

// spawn starts postgres on port and waits until postmaster.pid says ready.
func (c *Cluster) spawn(ctx context.Context, run *runner, bin string, port int, opts Options) error {
	lf, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("pgcluster: start: %w", err)
	}
	defer lf.Close()
	offset, _ := lf.Seek(0, io.SeekEnd)

	args := []string{
		"-D", c.dataDir,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
		"-c", "logging_collector=off",
	}
	if opts.NoSync {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	if opts.MaxConnections > 0 {
		args = append(args, "-c", "max_connections="+strconv.Itoa(opts.MaxConnections))
	}
	// Not exec.CommandContext: the server must outlive ctx.
	cmd := run.command(context.Background(), filepath.Join(bin, "postgres"), args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr.Setsid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT

	started := make(chan error, 1)
	exited := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the thread that forked the child exits, so
		// keep this goroutine on its thread for the child's whole life.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		exited <- cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("pgcluster: start postgres: %w", err)
	}
	c.proc, c.exited, c.port = cmd.Process, exited, port

	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if pf, err := readPIDFile(c.dataDir); err == nil && pf.pid == cmd.Process.Pid && pf.ready() {
			return nil
		}
		select {
		case werr := <-exited:
			msg := c.logSince(offset)
			if strings.Contains(msg, "Address already in use") {
				return fmt.Errorf("%w: %d", errPortInUse, port)
			}
			return fmt.Errorf("pgcluster: postgres exited during start (%v): %s", werr, msg)
		case <-ctx.Done():
			_ = cmd.Process.Signal(syscall.SIGQUIT)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
			}
			return fmt.Errorf("%w (%v): %s", ErrStartTimeout, ctx.Err(), c.logSince(offset))
		case <-tick.C:
		}
	}
}

// logSince returns the end of the server log written after offset.
func (c *Cluster) logSince(offset int64) string {
	b, err := os.ReadFile(c.logPath)
	if err != nil || int64(len(b)) < offset {
		return ""
	}
	return tail(strings.TrimSpace(string(b[offset:])), 2000)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Dir returns the cluster's directory.
func (c *Cluster) Dir() string { return c.dir }

// LogPath returns the server log file.
func (c *Cluster) LogPath() string { return c.logPath }

// Port returns the loopback TCP port the server listens on.
func (c *Cluster) Port() int { return c.port }

// Attached reports whether Start found the server already running; Stop
// then leaves it running.
func (c *Cluster) Attached() bool { return c.attached }

// DSN returns a connection URL for database dbname as the superuser
// (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS).
func (c *Cluster) DSN(dbname string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(Superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + dbname,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Stop shuts the server down: a fast shutdown (SIGINT), then an immediate
// one (SIGQUIT) after StopTimeout, then SIGKILL. It does nothing for an
// attached server and is safe to call more than once.
func (c *Cluster) Stop(ctx context.Context) error {
	c.stopOnce.Do(func() { c.stopErr = c.stop(ctx) })
	return c.stopErr
}

func (c *Cluster) stop(ctx context.Context) error {
	if c.attached || c.proc == nil {
		return nil
	}
	steps := []struct {
		sig  os.Signal
		wait time.Duration
	}{{syscall.SIGINT, c.stopWait}, {syscall.SIGQUIT, 5 * time.Second}, {syscall.SIGKILL, 5 * time.Second}}
	done := ctx.Done()
	for i, s := range steps {
		if err := c.proc.Signal(s.sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("pgcluster: stop: %w", err)
		}
		t := time.NewTimer(s.wait)
		select {
		case <-c.exited:
			t.Stop()
			if i > 0 {
				return fmt.Errorf("pgcluster: stop: server needed %v to exit", s.sig)
			}
			c.log.Info("pgcluster: server stopped", slog.String("dir", c.dir))
			return nil
		case <-done:
			t.Stop()
			done = nil // escalate at once, then wait normally
		case <-t.C:
		}
	}
	return fmt.Errorf("pgcluster: stop: server (pid %d) did not exit", c.proc.Pid)
}
