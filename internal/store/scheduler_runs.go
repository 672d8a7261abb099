package store

import (
	"context"
	"time"
)

// DueLink is a link of a leased account that should run now.
type DueLink struct {
	ID       int64
	UserID   string
	Kind     LinkKind
	Remote   string // EWS FolderId
	Local    string // DAV collection href
	Failures int    // consecutive failed runs
}

// DueLinks lists the unpaused links of account accountID due at now
// (queued, retry due, or interval elapsed), queued ones first.
func (q *queries) DueLinks(ctx context.Context, accountID int64, now time.Time, iv Intervals) ([]DueLink, error) {
	rows, err := q.db.Query(ctx, `SELECT l.id, l.user_id, l.kind, l.remote_folder_id, l.local_href, lr.failures
		FROM links l JOIN link_runs lr ON lr.link_id = l.id
		WHERE l.account_id = $4 AND `+dueLinkCond+`
		ORDER BY lr.trigger_at NULLS LAST, l.id`, now, iv.Contacts.Seconds(), iv.Calendar.Seconds(), accountID)
	if err != nil {
		return nil, wrap("due links", err)
	}
	defer rows.Close()
	var out []DueLink
	for rows.Next() {
		var d DueLink
		if err := rows.Scan(&d.ID, &d.UserID, &d.Kind, &d.Remote, &d.Local, &d.Failures); err != nil {
			return nil, wrap("due links", err)
		}
		out = append(out, d)
	}
	return out, wrap("due links", rows.Err())
}

// StartLinkRun marks link id as started at now, consumes its queued run and
// returns whether that run asked for a full resync. A trigger arriving
// while the run is going queues the next one.
func (q *queries) StartLinkRun(ctx context.Context, id int64, now time.Time) (full bool, err error) {
	err = q.db.QueryRow(ctx, `UPDATE link_runs lr SET started_at = $2, trigger_at = NULL, full_resync = false
		FROM link_runs old WHERE lr.link_id = $1 AND old.link_id = $1 RETURNING old.full_resync`, id, now).Scan(&full)
	return full, wrap("start link run", err)
}

// RunRecord is the outcome of one link run.
type RunRecord struct {
	Finished                                    time.Time
	Result                                      string // ok, error, paused, auth, blocked, busy, unreachable, interrupted, off
	Error                                       string
	LocalCreated, LocalUpdated, LocalDeleted    int
	RemoteCreated, RemoteUpdated, RemoteDeleted int
	Conflicts, ItemErrors                       int
	Failures                                    int       // consecutive failures after this run
	RetryAt                                     time.Time // zero: at the next interval
}

// FinishLinkRun records the outcome of link id's run.
func (q *queries) FinishLinkRun(ctx context.Context, id int64, r RunRecord) error {
	_, err := q.db.Exec(ctx, `UPDATE link_runs SET finished_at = $2, result = $3, error = $4,
		local_created = $5, local_updated = $6, local_deleted = $7, remote_created = $8, remote_updated = $9,
		remote_deleted = $10, conflicts = $11, item_errors = $12, failures = $13, retry_at = $14
		WHERE link_id = $1`, id, r.Finished, r.Result, r.Error, r.LocalCreated, r.LocalUpdated, r.LocalDeleted,
		r.RemoteCreated, r.RemoteUpdated, r.RemoteDeleted, r.Conflicts, r.ItemErrors, r.Failures, nullTime(r.RetryAt))
	return wrap("finish link run", err)
}

// TriggerLink queues a run of link id of user userID at at (or earlier, if
// one is queued already); full asks for a full resync. A link of another
// user is ErrNotFound.
func (q *queries) TriggerLink(ctx context.Context, userID string, id int64, at time.Time, full bool) error {
	tag, err := q.db.Exec(ctx, `INSERT INTO link_runs (link_id, trigger_at, full_resync)
		SELECT l.id, $3, $4 FROM links l WHERE l.id = $1 AND l.user_id = $2
		ON CONFLICT (link_id) DO UPDATE SET trigger_at = LEAST(coalesce(link_runs.trigger_at, 'infinity'), EXCLUDED.trigger_at),
			full_resync = link_runs.full_resync OR EXCLUDED.full_resync`, id, userID, at, full)
	return affectedOne("trigger link", tag.RowsAffected(), err)
}

// TriggerAccountLinks queues a run of every link of account id at at and
// returns how many were queued.
func (q *queries) TriggerAccountLinks(ctx context.Context, accountID int64, at time.Time, full bool) (int64, error) {
	tag, err := q.db.Exec(ctx, `INSERT INTO link_runs (link_id, trigger_at, full_resync)
		SELECT l.id, $2, $3 FROM links l WHERE l.account_id = $1
		ON CONFLICT (link_id) DO UPDATE SET trigger_at = LEAST(coalesce(link_runs.trigger_at, 'infinity'), EXCLUDED.trigger_at),
			full_resync = link_runs.full_resync OR EXCLUDED.full_resync`, accountID, at, full)
	if err != nil {
		return 0, wrap("trigger account links", err)
	}
	return tag.RowsAffected(), nil
}

// LinkRun is a link with its scheduling state, for status pages.
type LinkRun struct {
	Link
	Jitter     float64
	TriggerAt  time.Time // zero: no run queued
	FullResync bool
	StartedAt  time.Time
	FinishedAt time.Time
	Record     RunRecord
}

// LinkRuns lists user userID's links with their run state.
func (q *queries) LinkRuns(ctx context.Context, userID string) ([]LinkRun, error) {
	rows, err := q.db.Query(ctx, `SELECT `+prefixed("l.", linkColumns)+`,
		coalesce(lr.jitter, 0), lr.trigger_at, coalesce(lr.full_resync, false), lr.started_at, lr.finished_at,
		coalesce(lr.result, ''), coalesce(lr.error, ''), coalesce(lr.local_created, 0), coalesce(lr.local_updated, 0),
		coalesce(lr.local_deleted, 0), coalesce(lr.remote_created, 0), coalesce(lr.remote_updated, 0),
		coalesce(lr.remote_deleted, 0), coalesce(lr.conflicts, 0), coalesce(lr.item_errors, 0),
		coalesce(lr.failures, 0), lr.retry_at
		FROM links l LEFT JOIN link_runs lr ON lr.link_id = l.id WHERE l.user_id = $1 ORDER BY l.id`, userID)
	if err != nil {
		return nil, wrap("link runs", err)
	}
	defer rows.Close()
	var out []LinkRun
	for rows.Next() {
		var lr LinkRun
		var l *Link = &lr.Link
		var lastRun, lastOK, trig, started, finished, retry *time.Time
		r := &lr.Record
		if err := rows.Scan(&l.ID, &l.AccountID, &l.UserID, &l.Kind, &l.RemoteFolderID, &l.RemoteName,
			&l.LocalHref, &l.LocalName, &l.Direction, &l.ConflictPolicy, &l.Paused, &l.PauseReason,
			&l.GuardOverride, &l.RemoteSyncState, &l.LocalSyncToken, &lastRun, &lastOK, &l.LastError, &l.CreatedAt, &l.UpdatedAt,
			&lr.Jitter, &trig, &lr.FullResync, &started, &finished, &r.Result, &r.Error, &r.LocalCreated, &r.LocalUpdated,
			&r.LocalDeleted, &r.RemoteCreated, &r.RemoteUpdated, &r.RemoteDeleted, &r.Conflicts, &r.ItemErrors,
			&r.Failures, &retry); err != nil {
			return nil, wrap("link runs", err)
		}
		l.LastRunAt, l.LastSuccessAt = timeOf(lastRun), timeOf(lastOK)
		lr.TriggerAt, lr.StartedAt, lr.FinishedAt, r.RetryAt = timeOf(trig), timeOf(started), timeOf(finished), timeOf(retry)
		r.Finished = lr.FinishedAt
		out = append(out, lr)
	}
	return out, wrap("link runs", rows.Err())
}

// AccountRun is an account's scheduling state, for status pages.
type AccountRun struct {
	AccountID    int64
	LeaseHolder  string
	LeaseUntil   time.Time
	Failures     int
	BackoffUntil time.Time
	Error        string
	// AuthFailed is true while Exchange's rejection of the current
	// credentials stands (cleared by a reconnect).
	AuthFailed   bool
	StreamHolder string
	StreamUntil  time.Time
}

// AccountRuns lists the scheduling state of user userID's accounts.
func (q *queries) AccountRuns(ctx context.Context, userID string) ([]AccountRun, error) {
	rows, err := q.db.Query(ctx, `SELECT a.id, coalesce(r.lease_holder, ''), r.lease_until, coalesce(r.failures, 0),
		r.backoff_until, coalesce(r.error, ''), coalesce(r.auth_failed_fp <> '' AND r.auth_failed_fp = `+credentialsFP+`, false),
		coalesce(r.stream_holder, ''), r.stream_until
		FROM accounts a LEFT JOIN account_runs r ON r.account_id = a.id WHERE a.user_id = $1 ORDER BY a.id`, userID)
	if err != nil {
		return nil, wrap("account runs", err)
	}
	defer rows.Close()
	var out []AccountRun
	for rows.Next() {
		var a AccountRun
		var lease, backoff, stream *time.Time
		if err := rows.Scan(&a.AccountID, &a.LeaseHolder, &lease, &a.Failures, &backoff, &a.Error, &a.AuthFailed,
			&a.StreamHolder, &stream); err != nil {
			return nil, wrap("account runs", err)
		}
		a.LeaseUntil, a.BackoffUntil, a.StreamUntil = timeOf(lease), timeOf(backoff), timeOf(stream)
		out = append(out, a)
	}
	return out, wrap("account runs", rows.Err())
}

// prefixed puts p before every column of a comma-separated list.
func prefixed(p, cols string) string {
	out := make([]byte, 0, len(cols)+64)
	start := true
	for i := 0; i < len(cols); i++ {
		ch := cols[i]
		if start && ch != ' ' && ch != '\t' && ch != '\n' {
			out = append(out, p...)
			start = false
		}
		out = append(out, ch)
		if ch == ',' {
			start = true
		}
	}
	return string(out)
}
