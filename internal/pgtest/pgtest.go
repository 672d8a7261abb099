// Package pgtest gives each test a fresh, empty PostgreSQL database.
//
// The server is the one named by TEST_DATABASE_URL when that is set (its
// user must be allowed to CREATE DATABASE), otherwise a private cluster
// (package pgcluster) started once per test process in a temporary
// directory. Use Main from TestMain to stop that cluster when the tests end;
// without it, or when a test panics, the cluster still stops because it
// follows its parent process (see pgcluster.Start).
//
// CREATE DATABASE is documented at
// https://www.postgresql.org/docs/current/sql-createdatabase.html.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/pgcluster"
	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that points the tests at an existing server,
// e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvURL = "TEST_DATABASE_URL"

// tempPrefix starts the name of the temporary directory of a private
// cluster; the owning process id follows it.
const tempPrefix = "pgtest-"

var (
	once     sync.Once
	adminDSN string // a DSN for the server's maintenance database
	cluster  *pgcluster.Cluster
	tempDir  string
	setupErr error
	skipMsg  string
	createAs string // CREATE DATABASE options
	counter  atomic.Int64
)

// setup finds or starts the server, once per process.
func setup() {
	if u := os.Getenv(EnvURL); u != "" {
		adminDSN = u
		setupErr = detectStrategy()
		return
	}
	if _, err := pgcluster.FindBinDir(""); errors.Is(err, pgcluster.ErrNoServer) {
		skipMsg = "pgtest: no PostgreSQL: set " + EnvURL + " or install Debian's postgresql"
		return
	}
	sweepStale()
	dir, err := os.MkdirTemp("", tempPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		setupErr = fmt.Errorf("pgtest: %w", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, NoSync: true, MaxConnections: 300})
	if err != nil {
		os.RemoveAll(dir)
		setupErr = fmt.Errorf("pgtest: %w", err)
		return
	}
	cluster, tempDir, adminDSN = c, dir, c.DSN("postgres")
	setupErr = detectStrategy()
}

// detectStrategy picks CREATE DATABASE ... STRATEGY FILE_COPY on servers
// that have it (15 and later): with fsync off it is about twice as fast as
// the default WAL_LOG for a near-empty template.
func detectStrategy() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return fmt.Errorf("pgtest: connect: %w", err)
	}
	defer conn.Close(ctx)
	var num int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&num); err != nil {
		return fmt.Errorf("pgtest: server version: %w", err)
	}
	if num >= 150000 {
		createAs = " STRATEGY FILE_COPY"
	}
	return nil
}

// sweepStale removes the temporary directories of earlier test processes
// that died without cleaning up (their server followed them).
func sweepStale() {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), tempPrefix)
		pidStr, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(m)
		}
	}
}

// DSN returns the connection string of a new, empty database for this test.
// The database is dropped (with its connections closed) in t.Cleanup. The
// test is skipped when there is neither TEST_DATABASE_URL nor a PostgreSQL
// installation, and fails when the server cannot be started.
func DSN(t testing.TB) string {
	t.Helper()
	once.Do(setup)
	if skipMsg != "" {
		t.Skip(skipMsg)
	}
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	name := dbName(t.Name())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := pgcluster.AdminExec(ctx, adminDSN, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+createAs); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := pgcluster.AdminExec(ctx, adminDSN, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	dsn, err := withDatabase(adminDSN, name)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9]+`)

// dbName makes a unique database name (at most 63 bytes) from a test name.
func dbName(test string) string {
	s := strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(test), "_"), "_")
	if len(s) > 32 {
		s = s[:32]
	}
	return fmt.Sprintf("pgtest_%d_%d_%s", os.Getpid(), counter.Add(1), s)
}

// withDatabase returns dsn (URL or keyword/value form) pointing at dbname.
func withDatabase(dsn, dbname string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("pgtest: %s is not a valid URL", EnvURL)
		}
		u.Path, u.RawPath = "/"+dbname, ""
		return u.String(), nil
	}
	return dsn + " dbname=" + dbname, nil
}

// Main runs the tests and stops the private cluster, if one was started,
// before exiting with the tests' status. Call it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if err := Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// Stop stops the private cluster, if one was started, and removes its
// directory. Main calls it; later calls to DSN fail.
func Stop() error {
	once.Do(func() {})
	if cluster == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := cluster.Stop(ctx)
	if rerr := os.RemoveAll(tempDir); rerr != nil && err == nil {
		err = rerr
	}
	cluster = nil
	setupErr = errors.New("pgtest: the private cluster was stopped")
	if err != nil {
		return fmt.Errorf("pgtest: stop: %w", err)
	}
	return nil
}
