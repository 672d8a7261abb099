package pgtest

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

func TestDSNGivesFreshEmptyDatabases(t *testing.T) {
	ctx := context.Background()
	var names []string
	for i := 0; i < 2; i++ {
		dsn := DSN(t)
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatalf("pgx.Connect(DSN) = %v", err)
		}
		var name string
		var tables int
		err = conn.QueryRow(ctx, "SELECT current_database(), (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')").Scan(&name, &tables)
		conn.Close(ctx)
		if err != nil {
			t.Fatalf("query = %v", err)
		}
		if tables != 0 {
			t.Fatalf("new database %s has %d tables, want 0", name, tables)
		}
		names = append(names, name)
	}
	if names[0] == names[1] {
		t.Fatalf("two DSN calls gave the same database %s", names[0])
	}
}

func TestDatabaseDroppedAtCleanup(t *testing.T) {
	ctx := context.Background()
	var name string
	t.Run("user", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, DSN(t))
		if err != nil {
			t.Fatalf("pgx.Connect(DSN) = %v", err)
		}
		// Left open on purpose: the drop must close it.
		if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
	})
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("database %s still exists after its test ended", name)
	}
}

func TestDBName(t *testing.T) {
	tests := []string{"TestX", "TestVery/Long/Sub test name with spaces and ÜNICODE " + strings.Repeat("x", 100)}
	for _, tc := range tests {
		got := dbName(tc)
		if len(got) > 63 || strings.Trim(got, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			t.Errorf("dbName(%q) = %q: not a plain identifier of at most 63 bytes", tc, got)
		}
	}
	if a, b := dbName("T"), dbName("T"); a == b {
		t.Errorf("dbName(T) twice = %q, want distinct names", a)
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:p@h:5/postgres?sslmode=disable", "postgres://u:p@h:5/x?sslmode=disable"},
		{"postgresql://h/", "postgresql://h/x"},
		{"host=h user=u dbname=postgres", "host=h user=u dbname=postgres dbname=x"},
	}
	for _, tc := range tests {
		got, err := withDatabase(tc.in, "x")
		if err != nil || got != tc.want {
			t.Errorf("withDatabase(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestClusterFollowsDeadProcess starts a test process that creates a
// cluster and dies without cleaning up; its server must go with it.
func TestClusterFollowsDeadProcess(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") == "1" {
		dsn := DSN(t)
		os.Stdout.WriteString("DSN=" + dsn + "\n")
		os.Exit(7) // no Main, no cleanup
	}
	if os.Getenv(EnvURL) != "" {
		t.Skip("uses the private cluster; " + EnvURL + " is set")
	}
	DSN(t) // skips when there is no PostgreSQL
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterFollowsDeadProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PGTEST_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var dsn string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), "DSN="); ok {
			dsn = s
		}
	}
	cmd.Wait()
	// The dead child could not remove its directory; later runs sweep
	// such leftovers, this test cleans up once its server is gone.
	t.Cleanup(sweepStale)
	if dsn == "" {
		t.Fatalf("child printed no DSN")
	}
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return // the server is gone
		}
		conn.Close(ctx)
		if time.Now().After(deadline) {
			t.Fatalf("server of a dead test process still answers at %s", dsn)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
