package pgcluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
)

func needServer(t *testing.T) string {
	t.Helper()
	bin, err := FindBinDir("")
	if errors.Is(err, ErrNoServer) {
		t.Skipf("FindBinDir: %v", err)
	}
	if err != nil {
		t.Fatalf("FindBinDir() = %v", err)
	}
	return bin
}

// tempDir returns a fresh directory the server user can reach even when the
// test runs as root (t.TempDir's parent is 0700).
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func queryInt(t *testing.T, dsn, sql string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgx.Connect(%s) = %v", dsn, err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
		t.Fatalf("QueryRow(%q) = %v", sql, err)
	}
	return n
}

func TestStartStopRestartReusesDir(t *testing.T) {
	needServer(t)
	ctx := context.Background()
	dir := filepath.Join(tempDir(t), "pg")
	c, err := Start(ctx, Options{Dir: dir, NoSync: true})
	if err != nil {
		t.Fatalf("Start() = %v", err)
	}
	if err := c.CreateDatabase(ctx, "keep_me"); err != nil {
		t.Fatalf("CreateDatabase() = %v", err)
	}
	if err := c.CreateDatabase(ctx, "keep_me"); err == nil {
		t.Fatalf("CreateDatabase(existing) = nil error")
	}
	if err := c.EnsureDatabase(ctx, "keep_me"); err != nil {
		t.Fatalf("EnsureDatabase(existing) = %v", err)
	}
	if got := queryInt(t, c.DSN("keep_me"), "SELECT 41+1"); got != 42 {
		t.Fatalf("SELECT 41+1 = %d, want 42", got)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("Stop() = %v", err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("second Stop() = %v", err)
	}
	if _, err := pgx.Connect(ctx, c.DSN("postgres")); err == nil {
		t.Fatalf("connect after Stop succeeded, want refused")
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("postmaster.pid after Stop: %v, want not exist", err)
	}

	// Restart on the same directory: no initdb, the database survives.
	c2, err := Start(ctx, Options{Dir: dir, NoSync: true})
	if err != nil {
		t.Fatalf("Start(reuse) = %v", err)
	}
	defer c2.Stop(ctx)
	if c2.Attached() {
		t.Fatalf("Attached() = true after a clean stop, want false")
	}
	if got := queryInt(t, c2.DSN("postgres"), "SELECT count(*) FROM pg_database WHERE datname = 'keep_me'"); got != 1 {
		t.Fatalf("database keep_me after restart: count = %d, want 1", got)
	}

	// A second Start on a running dir attaches; its Stop leaves the server up.
	c3, err := Start(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatalf("Start(running) = %v", err)
	}
	if !c3.Attached() || c3.Port() != c2.Port() {
		t.Fatalf("Start(running) = attached %v port %d, want attached port %d", c3.Attached(), c3.Port(), c2.Port())
	}
	if err := c3.Stop(ctx); err != nil {
		t.Fatalf("attached Stop() = %v", err)
	}
	if got := queryInt(t, c2.DSN("postgres"), "SELECT 1"); got != 1 {
		t.Fatalf("SELECT 1 after attached Stop = %d", got)
	}
	if err := c.DropDatabase(ctx, "keep_me"); err == nil {
		// c is stopped; its DSN points at a dead port (c2 chose a new one
		// unless the port was reused).
		if c.Port() != c2.Port() {
			t.Fatalf("DropDatabase on a stopped cluster succeeded")
		}
	}
	if err := c2.DropDatabase(ctx, "keep_me"); err != nil {
		t.Fatalf("DropDatabase() = %v", err)
	}
}

func TestStartRemovesStalePIDFile(t *testing.T) {
	needServer(t)
	ctx := context.Background()
	dir := filepath.Join(tempDir(t), "pg")
	c, err := Start(ctx, Options{Dir: dir, NoSync: true})
	if err != nil {
		t.Fatalf("Start() = %v", err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("Stop() = %v", err)
	}
	// A crash leaves postmaster.pid naming a process that is gone or is
	// not postgres: our own pid is alive but is the test binary.
	stale := strconv.Itoa(os.Getpid()) + "\n" + filepath.Join(dir, "data") + "\n0\n5432\n\n127.0.0.1\n0 0\nready   \n"
	pidPath := filepath.Join(dir, "data", "postmaster.pid")
	if err := os.WriteFile(pidPath, []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	c2, err := Start(ctx, Options{Dir: dir, NoSync: true})
	if err != nil {
		t.Fatalf("Start(stale pid) = %v", err)
	}
	defer c2.Stop(ctx)
	if c2.Attached() {
		t.Fatalf("Start(stale pid) attached to pid %d, want a fresh server", os.Getpid())
	}
	if got := queryInt(t, c2.DSN("postgres"), "SELECT 1"); got != 1 {
		t.Fatalf("SELECT 1 = %d", got)
	}
}

func TestStartRejectsNonClusterDir(t *testing.T) {
	needServer(t)
	dir := tempDir(t)
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "junk"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(context.Background(), Options{Dir: dir}); err == nil {
		t.Fatalf("Start(dir with junk data) = nil error, want refusal")
	}
}

func TestFindBinDir(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"9.6", "13", "15", "notaversion"} {
		bin := filepath.Join(root, v, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"initdb", "postgres"} {
			if err := os.WriteFile(filepath.Join(bin, p), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	// 16 lacks the server binary and must be ignored.
	if err := os.MkdirAll(filepath.Join(root, "16", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := FindBinDir(root)
	if want := filepath.Join(root, "15", "bin"); err != nil || got != want {
		t.Fatalf("FindBinDir(%s) = %q, %v, want %q", root, got, err, want)
	}
	if got := majorOf(got); got != "15" {
		t.Fatalf("majorOf = %q, want 15", got)
	}
	if _, err := FindBinDir(filepath.Join(root, "absent")); !errors.Is(err, ErrNoServer) {
		t.Fatalf("FindBinDir(absent) = %v, want ErrNoServer", err)
	}
}

// TestConcurrentStartSameDir: two starts on one fresh directory run initdb
// once; the second attaches to the server the first started.
func TestConcurrentStartSameDir(t *testing.T) {
	needServer(t)
	ctx := context.Background()
	dir := filepath.Join(tempDir(t), "pg")
	type result struct {
		c   *Cluster
		err error
	}
	ch := make(chan result, 2)
	for i := 0; i < 2; i++ {
		go func() {
			c, err := Start(ctx, Options{Dir: dir, NoSync: true})
			ch <- result{c, err}
		}()
	}
	r1, r2 := <-ch, <-ch
	if r1.err != nil || r2.err != nil {
		t.Fatalf("concurrent Start() = %v, %v", r1.err, r2.err)
	}
	defer r1.c.Stop(ctx)
	defer r2.c.Stop(ctx)
	if r1.c.Attached() == r2.c.Attached() || r1.c.Port() != r2.c.Port() {
		t.Fatalf("concurrent Start: attached %v/%v ports %d/%d; want one owner and one attached on one port",
			r1.c.Attached(), r2.c.Attached(), r1.c.Port(), r2.c.Port())
	}
}
