package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/ewsconnector/ews_connector/internal/pgtest"
)

func TestMigrateEmptyThenNoop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t, pgtest.DSN(t))
	if v, err := s.SchemaVersion(ctx); err != nil || v != 0 {
		t.Fatalf("SchemaVersion(empty) = %d, %v; want 0", v, err)
	}
	if err := s.CheckSchema(ctx); !errors.Is(err, ErrSchemaOutdated) {
		t.Fatalf("CheckSchema(empty) = %v, want ErrSchemaOutdated", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate() = %v", err)
	}
	latest := LatestVersion()
	if latest < 1 {
		t.Fatalf("LatestVersion() = %d, want >= 1", latest)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != latest {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, latest)
	}
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema() = %v", err)
	}
	before := schemaDump(t, s)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate() = %v", err)
	}
	var rows int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&rows); err != nil || rows != latest {
		t.Fatalf("schema_migrations rows = %d, %v; want %d", rows, err, latest)
	}
	if after := schemaDump(t, s); after != before {
		t.Fatalf("second Migrate changed the schema:\n%s\nwant\n%s", after, before)
	}
}

// schemaDump lists the tables, columns and indexes of the public schema.
func schemaDump(t *testing.T, s *Store) string {
	t.Helper()
	var out string
	err := s.pool.QueryRow(context.Background(), `SELECT
		(SELECT string_agg(table_name || '.' || column_name || ' ' || data_type, E'\n' ORDER BY table_name, column_name)
		 FROM information_schema.columns WHERE table_schema = 'public') || E'\n' ||
		(SELECT string_agg(indexdef, E'\n' ORDER BY indexdef) FROM pg_indexes WHERE schemaname = 'public')`).Scan(&out)
	if err != nil {
		t.Fatalf("schema dump: %v", err)
	}
	return out
}

func TestSchemaTooNewRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	if _, err := s.pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'from_the_future.sql')`, LatestVersion()+1); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSchema(ctx); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("CheckSchema(newer) = %v, want ErrSchemaTooNew", err)
	}
	if err := s.Migrate(ctx); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Migrate(newer) = %v, want ErrSchemaTooNew", err)
	}
}

func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	const replicas = 4
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := 0; i < replicas; i++ {
		s := openStore(t, dsn)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Migrate(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d Migrate() = %v", i, err)
		}
	}
	if err := openStore(t, dsn).CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after concurrent migrations = %v", err)
	}
}

func TestMigrationFailureRollsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t, pgtest.DSN(t))
	fsys := fstest.MapFS{
		"migrations/0001_ok.sql":  {Data: []byte(`CREATE TABLE a (x int);`)},
		"migrations/0002_bad.sql": {Data: []byte(`CREATE TABLE b (x int); SELECT no_such_function();`)},
	}
	ms, err := loadMigrations(fsys)
	if err != nil {
		t.Fatalf("loadMigrations() = %v", err)
	}
	if err := s.migrate(ctx, ms); err == nil {
		t.Fatalf("migrate(bad) = nil error")
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != 1 {
		t.Fatalf("SchemaVersion after failed 0002 = %d, %v; want 1", v, err)
	}
	var b *string
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('b')::text`).Scan(&b); err != nil || b != nil {
		t.Fatalf("table b exists after its migration failed (%v)", err)
	}
}

func TestLoadMigrationsRejectsBadNames(t *testing.T) {
	tests := []struct {
		name  string
		files []string
	}{
		{"gap", []string{"0001_a.sql", "0003_c.sql"}},
		{"duplicate", []string{"0001_a.sql", "0001_b.sql"}},
		{"not numbered", []string{"init.sql"}},
		{"short number", []string{"1_a.sql"}},
		{"not from one", []string{"0002_a.sql"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tc.files {
				fsys["migrations/"+f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
			}
			if _, err := loadMigrations(fsys); err == nil {
				t.Fatalf("loadMigrations(%v) = nil error", tc.files)
			}
		})
	}
	if _, err := loadMigrations(migrationFS); err != nil {
		t.Fatalf("loadMigrations(embedded) = %v", err)
	}
}
