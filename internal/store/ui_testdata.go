package store

import (
	"context"
	"time"
)

// TestCollection is a pair of collections made by the page's "Create test
// data": an EWS folder and a Nextcloud collection of one kind. Deleting the
// account deletes these rows (not the collections).
type TestCollection struct {
	ID             int64
	AccountID      int64
	UserID         string
	Kind           LinkKind
	RemoteFolderID string
	LocalHref      string
	CreatedAt      time.Time
}

// AddTestCollection records c (fills in ID and CreatedAt). ErrNotFound when
// the user has no such account.
func (q *queries) AddTestCollection(ctx context.Context, c *TestCollection) error {
	err := q.db.QueryRow(ctx, `INSERT INTO test_data (account_id, user_id, kind, remote_folder_id, local_href)
		VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`,
		c.AccountID, c.UserID, string(c.Kind), c.RemoteFolderID, c.LocalHref).Scan(&c.ID, &c.CreatedAt)
	return wrap("add test collection", err)
}

// TestCollections lists the test collections of account accountID of user
// userID, oldest first.
func (q *queries) TestCollections(ctx context.Context, userID string, accountID int64) ([]TestCollection, error) {
	rows, err := q.db.Query(ctx, `SELECT id, account_id, user_id, kind, remote_folder_id, local_href, created_at
		FROM test_data WHERE user_id = $1 AND account_id = $2 ORDER BY id`, userID, accountID)
	if err != nil {
		return nil, wrap("test collections", err)
	}
	defer rows.Close()
	var out []TestCollection
	for rows.Next() {
		var c TestCollection
		var kind string
		if err := rows.Scan(&c.ID, &c.AccountID, &c.UserID, &kind, &c.RemoteFolderID, &c.LocalHref, &c.CreatedAt); err != nil {
			return nil, wrap("test collections", err)
		}
		c.Kind = LinkKind(kind)
		out = append(out, c)
	}
	return out, wrap("test collections", rows.Err())
}

// DeleteTestCollection forgets test collection id of user userID, or
// returns ErrNotFound.
func (q *queries) DeleteTestCollection(ctx context.Context, userID string, id int64) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM test_data WHERE user_id = $1 AND id = $2`, userID, id)
	return affectedOne("delete test collection", tag.RowsAffected(), err)
}
