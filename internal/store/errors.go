package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	// ErrNotFound reports a row that does not exist or belongs to another
	// user.
	ErrNotFound = errors.New("store: not found")
	// ErrDuplicate reports a row that a unique index rejects; the
	// ConstraintError in the chain names the index.
	ErrDuplicate = errors.New("store: duplicate")
	// ErrInvalid reports a value that a check constraint rejects (an
	// unknown enum value, an empty required field).
	ErrInvalid = errors.New("store: invalid value")
)

// Names of the unique indexes, as ConstraintError.Constraint reports them.
const (
	IndexLinkRemoteFolder     = "links_account_remote_folder_key"
	IndexLinkLocalHref        = "links_user_local_href_key"
	IndexCorrelationUID       = "correlations_link_uid_key"
	IndexCorrelationLocalHref = "correlations_link_local_href_key"
	IndexCorrelationRemoteID  = "correlations_link_remote_id_key"
)

// ConstraintError is a write rejected by a constraint of the schema
// (PostgreSQL error classes 23505 and 23514,
// https://www.postgresql.org/docs/current/errcodes-appendix.html).
// errors.Is matches its Kind (ErrDuplicate or ErrInvalid).
type ConstraintError struct {
	Kind       error  // ErrDuplicate or ErrInvalid
	Constraint string // index or constraint name, e.g. IndexCorrelationUID
	Err        error  // the driver's error
}

var _ error = (*ConstraintError)(nil)

// Error returns the kind and the constraint name.
func (e *ConstraintError) Error() string {
	return fmt.Sprintf("%v: %s", e.Kind, e.Constraint)
}

// Unwrap returns the kind and the driver's error.
func (e *ConstraintError) Unwrap() []error { return []error{e.Kind, e.Err} }

// IsDuplicate reports whether err is a unique-index violation of the named
// index (any index when name is empty).
func IsDuplicate(err error, name string) bool {
	var ce *ConstraintError
	return errors.As(err, &ce) && ce.Kind == ErrDuplicate && (name == "" || ce.Constraint == name)
}

// mapErr turns driver errors into the package's sentinels.
func mapErr(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505":
		return &ConstraintError{Kind: ErrDuplicate, Constraint: pe.ConstraintName, Err: err}
	case "23514", "23502", "22P02", "22001":
		return &ConstraintError{Kind: ErrInvalid, Constraint: pe.ConstraintName, Err: err}
	case "23503":
		// A foreign key names a row that does not exist, or an account
		// of another user (links_account_fkey covers both).
		return fmt.Errorf("%w: %s", ErrNotFound, pe.ConstraintName)
	}
	return err
}

// wrap prefixes err with the operation, mapping driver errors.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", op, mapErr(err))
}

// nullTime maps the zero time to SQL NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// timeOf maps SQL NULL, scanned into a *time.Time, to the zero time.
func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}
