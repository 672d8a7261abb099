package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Schema migrations are the files migrations/NNNN_name.sql, numbered from
// 0001 without gaps and never edited once released (append-only). Each is
// applied in its own transaction together with its row in
// schema_migrations.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

var (
	// ErrSchemaTooNew reports a database migrated by a newer release than
	// this binary: it must not serve on a schema it does not know.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this release knows")
	// ErrSchemaOutdated reports a database that lacks migrations.
	ErrSchemaOutdated = errors.New("store: database schema is outdated: run migrations")
)

// migrateLockKey is the pg_advisory_lock key that serializes migrations
// across replicas ("ews-conn" in ASCII).
const migrateLockKey int64 = 0x6577732d636f6e6e

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads and checks the embedded migrations.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	sort.Strings(names)
	var ms []migration
	for i, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(strings.TrimSuffix(base, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 {
			return nil, fmt.Errorf("store: migration %s: name must be NNNN_name.sql", base)
		}
		if v != i+1 {
			return nil, fmt.Errorf("store: migration %s: want version %d (no gaps, no duplicates)", base, i+1)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: %w", base, err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	return ms, nil
}

// LatestVersion returns the newest schema version this binary knows.
func LatestVersion() int {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		return 0
	}
	return len(ms)
}

// SchemaVersion returns the database's schema version: the number of the
// last migration applied, 0 for an empty database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	return schemaVersion(ctx, s.pool)
}

func schemaVersion(ctx context.Context, db dbtx) (int, error) {
	var exists bool
	if err := db.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, wrap("schema version", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	err := db.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, wrap("schema version", err)
}

// CheckSchema returns nil when the database's schema is exactly the one
// this binary knows, ErrSchemaTooNew when it is newer and ErrSchemaOutdated
// when it is older.
func (s *Store) CheckSchema(ctx context.Context) error {
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	latest := LatestVersion()
	switch {
	case v > latest:
		return fmt.Errorf("%w (database %d, known %d)", ErrSchemaTooNew, v, latest)
	case v < latest:
		return fmt.Errorf("%w (database %d, known %d)", ErrSchemaOutdated, v, latest)
	}
	return nil
}

// Migrate applies the migrations the database lacks, each in its own
// transaction with its version row. A session-level advisory lock
// (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS)
// makes replicas that migrate at once take turns; the later ones find
// nothing left to do. It returns ErrSchemaTooNew, changing nothing, when
// the database is newer than this binary.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		return err
	}
	return s.migrate(ctx, ms)
}

func (s *Store) migrate(ctx context.Context, ms []migration) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return wrap("migrate", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return wrap("migrate: lock", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey); err != nil {
			// The lock ends with the session anyway: drop the connection.
			s.log.Warn("store: migrate: unlock", slog.Any("error", err))
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return wrap("migrate", err)
	}
	cur, err := schemaVersion(ctx, conn)
	if err != nil {
		return err
	}
	if cur > len(ms) {
		return fmt.Errorf("%w (database %d, known %d)", ErrSchemaTooNew, cur, len(ms))
	}
	for _, m := range ms[cur:] {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return wrap("migrate: begin", err)
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			tx.Rollback(context.WithoutCancel(ctx))
			return fmt.Errorf("store: migrate: %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
			tx.Rollback(context.WithoutCancel(ctx))
			return fmt.Errorf("store: migrate: %s: %w", m.name, err)
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("store: migrate: %s: commit: %w", m.name, err)
		}
		s.log.Info("store: migration applied", slog.Int("version", m.version), slog.String("name", m.name))
	}
	return nil
}
