package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Correlation is the engine's record of one item of one link, as of its
// last sync: the UID and, per side, the id, the version and the content
// hash. An empty LocalHref or RemoteID means the item is absent on that
// side (stored as NULL); at least one side is present. An item counts as
// changed on a side only when both its version and its hash differ from
// these (the vdirsyncer rule, see docs/storage.md).
type Correlation struct {
	ID     int64
	LinkID int64
	UID    string // iCalendar UID (RFC 5545 §3.8.4.7) or vCard UID (RFC 6350 §6.7.6)

	LocalHref string // DAV path of the object resource
	LocalETag string // its ETag (RFC 9110 §8.8.3), quotes included
	LocalHash string // content hash of the mapped item

	RemoteID        string // EWS ItemId Id
	RemoteChangeKey string // EWS ItemId ChangeKey
	RemoteHash      string

	SyncedAt    time.Time // last successful sync of the item; zero: never
	Failures    int       // consecutive failures; 0 after a success
	LastError   string
	NextRetryAt time.Time // zero: no retry pending
	UpdatedAt   time.Time
}

const correlationColumns = `id, link_id, uid, coalesce(local_href, ''), local_etag, local_hash,
	coalesce(remote_id, ''), remote_change_key, remote_hash, synced_at, failures, last_error,
	next_retry_at, updated_at`

func scanCorrelation(row interface{ Scan(...any) error }) (Correlation, error) {
	var c Correlation
	var synced, retry *time.Time
	err := row.Scan(&c.ID, &c.LinkID, &c.UID, &c.LocalHref, &c.LocalETag, &c.LocalHash,
		&c.RemoteID, &c.RemoteChangeKey, &c.RemoteHash, &synced, &c.Failures, &c.LastError,
		&retry, &c.UpdatedAt)
	c.SyncedAt, c.NextRetryAt = timeOf(synced), timeOf(retry)
	return c, err
}

func (q *queries) queryCorrelations(ctx context.Context, op, sql string, args ...any) ([]Correlation, error) {
	rows, err := q.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []Correlation
	for rows.Next() {
		c, err := scanCorrelation(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, c)
	}
	return out, wrap(op, rows.Err())
}

// Correlations returns every correlation of link linkID, by id.
func (q *queries) Correlations(ctx context.Context, linkID int64) ([]Correlation, error) {
	return q.queryCorrelations(ctx, "correlations",
		`SELECT `+correlationColumns+` FROM correlations WHERE link_id = $1 ORDER BY id`, linkID)
}

// CorrelationCount returns the number of correlations of link linkID.
func (q *queries) CorrelationCount(ctx context.Context, linkID int64) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `SELECT count(*) FROM correlations WHERE link_id = $1`, linkID).Scan(&n)
	return n, wrap("correlation count", err)
}

// CorrelationByUID returns the correlation of uid in link linkID, or
// ErrNotFound.
func (q *queries) CorrelationByUID(ctx context.Context, linkID int64, uid string) (Correlation, error) {
	c, err := scanCorrelation(q.db.QueryRow(ctx, `SELECT `+correlationColumns+` FROM correlations
		WHERE link_id = $1 AND md5(uid) = md5($2) AND uid = $2`, linkID, uid))
	return c, wrap("correlation by uid", err)
}

// CorrelationByHref returns the correlation of the local object href in
// link linkID, or ErrNotFound.
func (q *queries) CorrelationByHref(ctx context.Context, linkID int64, href string) (Correlation, error) {
	c, err := scanCorrelation(q.db.QueryRow(ctx, `SELECT `+correlationColumns+` FROM correlations
		WHERE link_id = $1 AND md5(local_href) = md5($2) AND local_href = $2`, linkID, href))
	return c, wrap("correlation by href", err)
}

// CorrelationByRemoteID returns the correlation of EWS item remoteID in
// link linkID, or ErrNotFound.
func (q *queries) CorrelationByRemoteID(ctx context.Context, linkID int64, remoteID string) (Correlation, error) {
	c, err := scanCorrelation(q.db.QueryRow(ctx, `SELECT `+correlationColumns+` FROM correlations
		WHERE link_id = $1 AND md5(remote_id) = md5($2) AND remote_id = $2`, linkID, remoteID))
	return c, wrap("correlation by remote id", err)
}

// CorrelationsByUIDs returns the correlations of link linkID whose UID is
// one of uids, in no particular order; absent UIDs are simply missing.
func (q *queries) CorrelationsByUIDs(ctx context.Context, linkID int64, uids []string) ([]Correlation, error) {
	return q.queryCorrelations(ctx, "correlations by uids", `SELECT `+correlationColumns+` FROM correlations
		JOIN (SELECT DISTINCT v FROM unnest($2::text[]) AS v) AS x ON md5(uid) = md5(x.v) AND uid = x.v
		WHERE link_id = $1`, linkID, uids)
}

// CorrelationsByHrefs returns the correlations of link linkID whose local
// href is one of hrefs (a page of sync-collection changes).
func (q *queries) CorrelationsByHrefs(ctx context.Context, linkID int64, hrefs []string) ([]Correlation, error) {
	return q.queryCorrelations(ctx, "correlations by hrefs", `SELECT `+correlationColumns+` FROM correlations
		JOIN (SELECT DISTINCT v FROM unnest($2::text[]) AS v) AS x ON md5(local_href) = md5(x.v) AND local_href = x.v
		WHERE link_id = $1`, linkID, hrefs)
}

// CorrelationsByRemoteIDs returns the correlations of link linkID whose EWS
// item id is one of ids (a page of SyncFolderItems changes).
func (q *queries) CorrelationsByRemoteIDs(ctx context.Context, linkID int64, ids []string) ([]Correlation, error) {
	return q.queryCorrelations(ctx, "correlations by remote ids", `SELECT `+correlationColumns+` FROM correlations
		JOIN (SELECT DISTINCT v FROM unnest($2::text[]) AS v) AS x ON md5(remote_id) = md5(x.v) AND remote_id = x.v
		WHERE link_id = $1`, linkID, ids)
}

// DueCorrelations returns the failed correlations of link linkID whose
// retry time has come (NextRetryAt <= now).
func (q *queries) DueCorrelations(ctx context.Context, linkID int64, now time.Time) ([]Correlation, error) {
	return q.queryCorrelations(ctx, "due correlations", `SELECT `+correlationColumns+` FROM correlations
		WHERE link_id = $1 AND next_retry_at <= $2 ORDER BY next_retry_at, id`, linkID, now)
}

// upsertCorrelationSQL inserts a correlation or, when its UID is already
// correlated in the link, overwrites that row. A clash on the local href or
// remote id of another UID fails with IndexCorrelationLocalHref or
// IndexCorrelationRemoteID.
const upsertCorrelationSQL = `INSERT INTO correlations AS c (link_id, uid, local_href, local_etag, local_hash,
	remote_id, remote_change_key, remote_hash, synced_at, failures, last_error, next_retry_at)
	VALUES ($1, $2, NULLIF($3, ''), $4, $5, NULLIF($6, ''), $7, $8, $9, $10, $11, $12)
	ON CONFLICT (link_id, md5(uid)) DO UPDATE SET
		local_href = EXCLUDED.local_href, local_etag = EXCLUDED.local_etag, local_hash = EXCLUDED.local_hash,
		remote_id = EXCLUDED.remote_id, remote_change_key = EXCLUDED.remote_change_key,
		remote_hash = EXCLUDED.remote_hash, synced_at = EXCLUDED.synced_at, failures = EXCLUDED.failures,
		last_error = EXCLUDED.last_error, next_retry_at = EXCLUDED.next_retry_at, updated_at = now()
	WHERE c.uid = EXCLUDED.uid
	RETURNING id, updated_at`

// updateCorrelationSQL overwrites correlation $13 of link $1, UID included.
const updateCorrelationSQL = `UPDATE correlations SET uid = $2, local_href = NULLIF($3, ''), local_etag = $4,
	local_hash = $5, remote_id = NULLIF($6, ''), remote_change_key = $7, remote_hash = $8, synced_at = $9,
	failures = $10, last_error = $11, next_retry_at = $12, updated_at = now()
	WHERE link_id = $1 AND id = $13
	RETURNING id, updated_at`

func correlationArgs(c *Correlation) []any {
	return []any{c.LinkID, c.UID, c.LocalHref, c.LocalETag, c.LocalHash, c.RemoteID, c.RemoteChangeKey,
		c.RemoteHash, nullTime(c.SyncedAt), c.Failures, c.LastError, nullTime(c.NextRetryAt)}
}

func correlationStatement(c *Correlation) (string, []any) {
	args := correlationArgs(c)
	if c.ID != 0 {
		return updateCorrelationSQL, append(args, c.ID)
	}
	return upsertCorrelationSQL, args
}

// UpsertCorrelation writes c. With c.ID zero it inserts c, or overwrites
// the row of the same UID in the link; with c.ID set it overwrites that row
// (ErrNotFound when the link has no such row), which can also change the
// UID. It fills in ID and UpdatedAt. A ConstraintError (ErrDuplicate) names
// the unique index another row already holds the href or remote id in.
func (q *queries) UpsertCorrelation(ctx context.Context, c *Correlation) error {
	sql, args := correlationStatement(c)
	err := q.db.QueryRow(ctx, sql, args...).Scan(&c.ID, &c.UpdatedAt)
	return wrap("upsert correlation", err)
}

// UpsertCorrelations writes cs as UpsertCorrelation does, in one round
// trip, and fills in their IDs. It is all or nothing: one failure writes
// none of them and the error names the failing item. Inside InTx the
// failure also aborts the transaction.
func (q *queries) UpsertCorrelations(ctx context.Context, cs []Correlation) error {
	if len(cs) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for i := range cs {
		sql, args := correlationStatement(&cs[i])
		b.Queue(sql, args...)
	}
	br := q.db.SendBatch(ctx, b)
	var ferr error
	for i := range cs {
		if err := br.QueryRow().Scan(&cs[i].ID, &cs[i].UpdatedAt); err != nil {
			ferr = fmt.Errorf("store: upsert correlations: item %d (uid %q): %w", i, cs[i].UID, mapErr(err))
			break
		}
	}
	if err := br.Close(); err != nil && ferr == nil {
		ferr = wrap("upsert correlations", err)
	}
	return ferr
}

// DeleteCorrelation deletes correlation id of link linkID.
func (q *queries) DeleteCorrelation(ctx context.Context, linkID, id int64) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM correlations WHERE link_id = $1 AND id = $2`, linkID, id)
	return affectedOne("delete correlation", tag.RowsAffected(), err)
}

// DeleteCorrelations deletes the correlations ids of link linkID and
// returns how many existed.
func (q *queries) DeleteCorrelations(ctx context.Context, linkID int64, ids []int64) (int64, error) {
	tag, err := q.db.Exec(ctx, `DELETE FROM correlations WHERE link_id = $1 AND id = ANY($2)`, linkID, ids)
	return tag.RowsAffected(), wrap("delete correlations", err)
}

// RecordCorrelationFailure counts one more failure of correlation id of
// link linkID, with its error text and the time of the next attempt.
func (q *queries) RecordCorrelationFailure(ctx context.Context, linkID, id int64, msg string, nextRetry time.Time) error {
	tag, err := q.db.Exec(ctx, `UPDATE correlations SET failures = failures + 1, last_error = $3,
		next_retry_at = $4, updated_at = now() WHERE link_id = $1 AND id = $2`, linkID, id, msg, nullTime(nextRetry))
	return affectedOne("record correlation failure", tag.RowsAffected(), err)
}
