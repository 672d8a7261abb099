package store

import (
	"context"
	"time"
)

// Scheduling across replicas (package scheduler). Every app instance shares
// the database; work is claimed with leases taken under SELECT … FOR
// UPDATE SKIP LOCKED
// (https://www.postgresql.org/docs/current/sql-select.html#SQL-FOR-UPDATE-SHARE)
// and renewed by heartbeats, so that a dead instance's work is taken over
// once its leases expire. All times come from the caller's clock.

// credentialsFP is the SQL fingerprint of an account's credentials: it
// changes when the user reconnects (new secret, user name, endpoint or
// method).
const credentialsFP = `md5(coalesce(encode(a.secret, 'hex'), '') || '|' || a.endpoint || '|' || a.username || '|' || a.auth_method)`

// Intervals says when a link is due for a periodic run: contacts links every
// Contacts, calendar links every Calendar (each stretched by the link's
// jitter).
type Intervals struct {
	Calendar, Contacts time.Duration
}

// ClaimedAccount is an account whose run lease an instance holds.
type ClaimedAccount struct {
	ID       int64
	UserID   string
	Endpoint string
}

// EnsureRunRows creates the missing link_runs and account_runs rows (new
// links and accounts), so that they can be claimed.
func (q *queries) EnsureRunRows(ctx context.Context) error {
	_, err := q.db.Exec(ctx, `INSERT INTO account_runs (account_id)
		SELECT a.id FROM accounts a WHERE NOT EXISTS (SELECT 1 FROM account_runs r WHERE r.account_id = a.id)
		ON CONFLICT DO NOTHING`)
	if err != nil {
		return wrap("ensure account runs", err)
	}
	_, err = q.db.Exec(ctx, `INSERT INTO link_runs (link_id)
		SELECT l.id FROM links l WHERE NOT EXISTS (SELECT 1 FROM link_runs r WHERE r.link_id = l.id)
		ON CONFLICT DO NOTHING`)
	return wrap("ensure link runs", err)
}

// dueLinkCond is true for a link l (with link_runs lr) that should run at
// $1 with intervals $2 (contacts) and $3 (calendar) seconds.
const dueLinkCond = `NOT l.paused AND (lr.trigger_at <= $1
	OR (lr.retry_at IS NOT NULL AND lr.retry_at <= $1)
	OR (lr.retry_at IS NULL AND (lr.started_at IS NULL OR lr.started_at + make_interval(secs =>
		(CASE l.kind WHEN 'contacts' THEN $2::float8 ELSE $3::float8 END) * (1 + lr.jitter)) <= $1)))`

// CandidateAccounts locks (FOR UPDATE SKIP LOCKED) up to limit accounts
// that have a due link, no live lease, no back-off and no rejected
// credentials, inside a transaction; the caller picks among them and calls
// LeaseAccounts in the same transaction. Accounts locked by another
// instance's claim are skipped, never waited for.
func (q *Tx) CandidateAccounts(ctx context.Context, now time.Time, iv Intervals, limit int) ([]ClaimedAccount, error) {
	rows, err := q.db.Query(ctx, `SELECT a.id, a.user_id, a.endpoint
		FROM account_runs r JOIN accounts a ON a.id = r.account_id
		WHERE (r.lease_until IS NULL OR r.lease_until < $1)
		  AND (r.backoff_until IS NULL OR r.backoff_until <= $1)
		  AND a.state <> 'disabled'
		  AND (r.auth_failed_fp = '' OR r.auth_failed_fp <> `+credentialsFP+`)
		  AND EXISTS (SELECT 1 FROM links l JOIN link_runs lr ON lr.link_id = l.id
		              WHERE l.account_id = a.id AND `+dueLinkCond+`)
		ORDER BY r.lease_until NULLS FIRST, a.id
		LIMIT $4
		FOR UPDATE OF r SKIP LOCKED`, now, iv.Contacts.Seconds(), iv.Calendar.Seconds(), limit)
	if err != nil {
		return nil, wrap("candidate accounts", err)
	}
	defer rows.Close()
	var out []ClaimedAccount
	for rows.Next() {
		var c ClaimedAccount
		if err := rows.Scan(&c.ID, &c.UserID, &c.Endpoint); err != nil {
			return nil, wrap("candidate accounts", err)
		}
		out = append(out, c)
	}
	return out, wrap("candidate accounts", rows.Err())
}

// LeaseAccounts gives holder the run lease of the accounts until until,
// unless another live lease exists; it returns the ids leased.
func (q *queries) LeaseAccounts(ctx context.Context, ids []int64, holder string, now, until time.Time) ([]int64, error) {
	rows, err := q.db.Query(ctx, `UPDATE account_runs SET lease_holder = $2, lease_until = $3
		WHERE account_id = ANY($1) AND (lease_until IS NULL OR lease_until < $4 OR lease_holder = $2)
		RETURNING account_id`, ids, holder, until, now)
	if err != nil {
		return nil, wrap("lease accounts", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, wrap("lease accounts", err)
		}
		out = append(out, id)
	}
	return out, wrap("lease accounts", rows.Err())
}

// RenewAccountLease extends holder's run lease of account id; false means
// the lease was lost (expired and taken by another instance).
func (q *queries) RenewAccountLease(ctx context.Context, id int64, holder string, until time.Time) (bool, error) {
	tag, err := q.db.Exec(ctx, `UPDATE account_runs SET lease_until = $3 WHERE account_id = $1 AND lease_holder = $2`, id, holder, until)
	if err != nil {
		return false, wrap("renew account lease", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseAccountLease ends holder's run lease of account id.
func (q *queries) ReleaseAccountLease(ctx context.Context, id int64, holder string) error {
	_, err := q.db.Exec(ctx, `UPDATE account_runs SET lease_holder = '', lease_until = NULL
		WHERE account_id = $1 AND lease_holder = $2`, id, holder)
	return wrap("release account lease", err)
}

// ReleaseLeases ends every run and stream lease of holder (graceful
// shutdown) and returns how many rows it touched.
func (q *queries) ReleaseLeases(ctx context.Context, holder string) (int64, error) {
	tag, err := q.db.Exec(ctx, `UPDATE account_runs SET
		lease_holder = CASE WHEN lease_holder = $1 THEN '' ELSE lease_holder END,
		lease_until = CASE WHEN lease_holder = $1 THEN NULL ELSE lease_until END,
		stream_holder = CASE WHEN stream_holder = $1 THEN '' ELSE stream_holder END,
		stream_until = CASE WHEN stream_holder = $1 THEN NULL ELSE stream_until END
		WHERE lease_holder = $1 OR stream_holder = $1`, holder)
	if err != nil {
		return 0, wrap("release leases", err)
	}
	return tag.RowsAffected(), nil
}

// ClaimStreams gives holder the streaming-subscription lease of up to limit
// accounts that have an unpaused link, working credentials and no live
// stream lease, and returns them (FOR UPDATE SKIP LOCKED: concurrent
// instances claim different accounts).
func (q *queries) ClaimStreams(ctx context.Context, holder string, now, until time.Time, limit int) ([]ClaimedAccount, error) {
	rows, err := q.db.Query(ctx, `UPDATE account_runs r SET stream_holder = $1, stream_until = $3
		FROM accounts a
		WHERE a.id = r.account_id AND r.account_id IN (
			SELECT r2.account_id FROM account_runs r2 JOIN accounts a ON a.id = r2.account_id
			WHERE (r2.stream_until IS NULL OR r2.stream_until < $2)
			  AND (r2.backoff_until IS NULL OR r2.backoff_until <= $2)
			  AND a.state <> 'disabled'
			  AND (r2.auth_failed_fp = '' OR r2.auth_failed_fp <> `+credentialsFP+`)
			  AND EXISTS (SELECT 1 FROM links l WHERE l.account_id = a.id AND NOT l.paused)
			ORDER BY r2.account_id LIMIT $4
			FOR UPDATE OF r2 SKIP LOCKED)
		  AND (r.stream_until IS NULL OR r.stream_until < $2)
		RETURNING a.id, a.user_id, a.endpoint`, holder, now, until, limit)
	if err != nil {
		return nil, wrap("claim streams", err)
	}
	defer rows.Close()
	var out []ClaimedAccount
	for rows.Next() {
		var c ClaimedAccount
		if err := rows.Scan(&c.ID, &c.UserID, &c.Endpoint); err != nil {
			return nil, wrap("claim streams", err)
		}
		out = append(out, c)
	}
	return out, wrap("claim streams", rows.Err())
}

// RenewStreamLease extends holder's stream lease of account id; false means
// it was lost.
func (q *queries) RenewStreamLease(ctx context.Context, id int64, holder string, until time.Time) (bool, error) {
	tag, err := q.db.Exec(ctx, `UPDATE account_runs SET stream_until = $3 WHERE account_id = $1 AND stream_holder = $2`, id, holder, until)
	if err != nil {
		return false, wrap("renew stream lease", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseStream ends holder's stream lease of account id.
func (q *queries) ReleaseStream(ctx context.Context, id int64, holder string) error {
	_, err := q.db.Exec(ctx, `UPDATE account_runs SET stream_holder = '', stream_until = NULL
		WHERE account_id = $1 AND stream_holder = $2`, id, holder)
	return wrap("release stream", err)
}

// SetAccountBackoff records a server failure of account id: no run before
// until.
func (q *queries) SetAccountBackoff(ctx context.Context, id int64, failures int, until time.Time, errText string) error {
	_, err := q.db.Exec(ctx, `UPDATE account_runs SET failures = $2, backoff_until = $3, error = $4 WHERE account_id = $1`,
		id, failures, nullTime(until), errText)
	return wrap("set account backoff", err)
}

// ClearAccountFailure forgets the back-off and rejected credentials of
// account id after a successful run.
func (q *queries) ClearAccountFailure(ctx context.Context, id int64) error {
	_, err := q.db.Exec(ctx, `UPDATE account_runs SET failures = 0, backoff_until = NULL, error = '', auth_failed_fp = ''
		WHERE account_id = $1 AND (failures <> 0 OR backoff_until IS NOT NULL OR error <> '' OR auth_failed_fp <> '')`, id)
	return wrap("clear account failure", err)
}

// SetAuthFailed stops account id's runs until its credentials change:
// Exchange rejected them.
func (q *queries) SetAuthFailed(ctx context.Context, id int64, errText string) error {
	_, err := q.db.Exec(ctx, `UPDATE account_runs r SET auth_failed_fp = `+credentialsFP+`, error = $2
		FROM accounts a WHERE a.id = r.account_id AND r.account_id = $1`, id, errText)
	return wrap("set auth failed", err)
}

// claimLockKey is the pg_advisory_xact_lock key that serialises claims
// across instances, so that per-server limits hold cluster-wide ("ews-clm").
const claimLockKey int64 = 0x6577732d636c6d

// LockClaims serialises the claim transactions of all instances until
// the transaction ends (pg_advisory_xact_lock,
// https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS).
func (q *Tx) LockClaims(ctx context.Context) error {
	_, err := q.db.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, claimLockKey)
	return wrap("lock claims", err)
}

// LiveLeaseEndpoints returns the endpoint of every account whose run lease
// is alive at now (on any instance), for per-server limits.
func (q *queries) LiveLeaseEndpoints(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := q.db.Query(ctx, `SELECT a.endpoint FROM account_runs r JOIN accounts a ON a.id = r.account_id
		WHERE r.lease_until >= $1 AND r.lease_holder <> ''`, now)
	if err != nil {
		return nil, wrap("live lease endpoints", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, wrap("live lease endpoints", err)
		}
		out = append(out, e)
	}
	return out, wrap("live lease endpoints", rows.Err())
}
