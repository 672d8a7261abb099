package pgcluster

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// CreateDatabase creates an empty database named name
// (https://www.postgresql.org/docs/current/sql-createdatabase.html).
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	return AdminExec(ctx, c.DSN("postgres"), "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
}

// EnsureDatabase creates database name unless it exists, for a cluster
// that is reused across runs (make run).
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	err := c.CreateDatabase(ctx, name)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P04" { // duplicate_database
		return nil
	}
	return err
}

// DropDatabase drops database name if it exists, closing its connections
// (https://www.postgresql.org/docs/current/sql-dropdatabase.html).
func (c *Cluster) DropDatabase(ctx context.Context, name string) error {
	return AdminExec(ctx, c.DSN("postgres"), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

// AdminExec runs one statement that cannot run in a transaction, such as
// CREATE DATABASE, on a short-lived connection to dsn.
func AdminExec(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("pgcluster: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	return nil
}
