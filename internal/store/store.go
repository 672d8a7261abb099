// Package store keeps the connector's state in PostgreSQL through a pgx v5
// pool: Exchange accounts with their sealed secrets, collection links with
// their sync states, and the item correlations of the harmonization engine.
// All of the connector's SQL lives here. The schema and its invariants are
// described in docs/storage.md; the SQL dialect is PostgreSQL's
// (https://www.postgresql.org/docs/current/sql.html).
//
// Every method a request handler may call is scoped by the Nextcloud user
// id, so that one user can never read or change another's rows: a row of
// another user is reported as ErrNotFound. Methods taking only a link id are
// for the sync engine and scheduler.
package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// dbtx is what queries need from a pool or a transaction.
type dbtx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// queries holds the data methods shared by Store and Tx.
type queries struct {
	db dbtx
}

// Store is the connector's database. It is safe for concurrent use.
type Store struct {
	queries
	pool *pgxpool.Pool
	log  *slog.Logger
}

// Tx is a database transaction with the same data methods as Store; see
// Store.InTx.
type Tx struct {
	queries
}

// Open connects to the database named by dsn (a libpq URL or keyword/value
// string, https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING;
// pool settings such as pool_max_conns are accepted) and checks that it
// answers. It does not migrate: call Migrate or CheckSchema.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message redacts the password.
		return nil, fmt.Errorf("store: open: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: open: %w", err)
	}
	return &Store{queries: queries{db: pool}, pool: pool, log: log}, nil
}

// Close closes all connections, waiting for those in use.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled
// back when it returns an error (which InTx returns unchanged) or panics.
// The engine applies a page of changes and the sync state that ends it
// through one InTx, so they commit together or not at all.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // no-op after Commit
	if err := fn(&Tx{queries{db: tx}}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit: %w", mapErr(err))
	}
	return nil
}
