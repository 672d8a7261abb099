package store

import (
	"context"
	"time"
)

// ClaimNotice records that the notification key was sent to user userID
// and reports whether it is new: true means send it now, false means it
// was sent already (by this or another instance) and not cleared since.
func (q *queries) ClaimNotice(ctx context.Context, userID, key string, now time.Time) (bool, error) {
	tag, err := q.db.Exec(ctx, `INSERT INTO notices (user_id, key, sent_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, userID, key, now)
	if err != nil {
		return false, wrap("claim notice", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ClearNotice forgets notification key of user userID (the condition
// ended), so that it notifies again next time.
func (q *queries) ClearNotice(ctx context.Context, userID, key string) error {
	_, err := q.db.Exec(ctx, `DELETE FROM notices WHERE user_id = $1 AND key = $2`, userID, key)
	return wrap("clear notice", err)
}

// NoticeSentAt returns when key was last sent to userID (zero: never).
func (q *queries) NoticeSentAt(ctx context.Context, userID, key string) (time.Time, error) {
	var t time.Time
	err := q.db.QueryRow(ctx, `SELECT sent_at FROM notices WHERE user_id = $1 AND key = $2`, userID, key).Scan(&t)
	if err != nil {
		if err = mapErr(err); err == ErrNotFound {
			return time.Time{}, nil
		}
		return time.Time{}, wrap("notice sent at", err)
	}
	return t, nil
}

// SetNotice records key as sent to userID at now.
func (q *queries) SetNotice(ctx context.Context, userID, key string, now time.Time) error {
	_, err := q.db.Exec(ctx, `INSERT INTO notices (user_id, key, sent_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, key) DO UPDATE SET sent_at = EXCLUDED.sent_at`, userID, key, now)
	return wrap("set notice", err)
}

// DeleteNotices forgets every notification of user userID (a deleted user).
func (q *queries) DeleteNotices(ctx context.Context, userID string) error {
	_, err := q.db.Exec(ctx, `DELETE FROM notices WHERE user_id = $1`, userID)
	return wrap("delete notices", err)
}

// AddConflicts adds n conflicts resolved on link linkID of user userID to
// the user's pending digest.
func (q *queries) AddConflicts(ctx context.Context, userID string, linkID int64, n int, now time.Time) error {
	_, err := q.db.Exec(ctx, `INSERT INTO conflict_digest (link_id, user_id, conflicts, since) VALUES ($1, $2, $3, $4)
		ON CONFLICT (link_id) DO UPDATE SET conflicts = conflict_digest.conflicts + EXCLUDED.conflicts`,
		linkID, userID, n, now)
	return wrap("add conflicts", err)
}

// ConflictCount is the pending conflicts of one link.
type ConflictCount struct {
	LinkID    int64
	LinkName  string
	Conflicts int
}

// DigestUsers lists the users with pending conflicts.
func (q *queries) DigestUsers(ctx context.Context) ([]string, error) {
	rows, err := q.db.Query(ctx, `SELECT DISTINCT user_id FROM conflict_digest ORDER BY user_id`)
	if err != nil {
		return nil, wrap("digest users", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, wrap("digest users", err)
		}
		out = append(out, u)
	}
	return out, wrap("digest users", rows.Err())
}

// TakeConflicts removes and returns user userID's pending conflicts.
func (q *queries) TakeConflicts(ctx context.Context, userID string) ([]ConflictCount, error) {
	rows, err := q.db.Query(ctx, `WITH d AS (DELETE FROM conflict_digest WHERE user_id = $1 RETURNING link_id, conflicts)
		SELECT d.link_id, coalesce(nullif(l.local_name, ''), nullif(l.remote_name, ''), l.local_href), d.conflicts
		FROM d JOIN links l ON l.id = d.link_id ORDER BY d.link_id`, userID)
	if err != nil {
		return nil, wrap("take conflicts", err)
	}
	defer rows.Close()
	var out []ConflictCount
	for rows.Next() {
		var c ConflictCount
		if err := rows.Scan(&c.LinkID, &c.LinkName, &c.Conflicts); err != nil {
			return nil, wrap("take conflicts", err)
		}
		out = append(out, c)
	}
	return out, wrap("take conflicts", rows.Err())
}

// AccountUsers lists the distinct Nextcloud users that have accounts.
func (q *queries) AccountUsers(ctx context.Context) ([]string, error) {
	rows, err := q.db.Query(ctx, `SELECT DISTINCT user_id FROM accounts ORDER BY user_id`)
	if err != nil {
		return nil, wrap("account users", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, wrap("account users", err)
		}
		out = append(out, u)
	}
	return out, wrap("account users", rows.Err())
}
