package pgcluster

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CreateDatabase creates an empty database named name
// (https://www.postgresql.org/docs/current/sql-createdatabase.html).
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	return AdminExec(ctx, c.DSN("postgres"), "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
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
