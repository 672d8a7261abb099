package store

import (
	"context"
	"time"
)

// LinkKind is what a link synchronizes.
type LinkKind string

// The link kinds: an EWS calendar folder with a CalDAV calendar (RFC 4791),
// or an EWS contacts folder with a CardDAV address book (RFC 6352).
const (
	KindCalendar LinkKind = "calendar"
	KindContacts LinkKind = "contacts"
)

// Direction says which way changes flow on a link.
type Direction string

// The directions.
const (
	TwoWay      Direction = "two-way"
	ToNextcloud Direction = "to-nextcloud" // Exchange → Nextcloud only
	ToExchange  Direction = "to-exchange"  // Nextcloud → Exchange only
)

// ConflictPolicy says which side wins when both changed an item.
type ConflictPolicy string

// The conflict policies.
const (
	PolicyNewest    ConflictPolicy = "newest" // the later last-modified time wins
	PolicyExchange  ConflictPolicy = "exchange"
	PolicyNextcloud ConflictPolicy = "nextcloud"
)

// Link pairs an EWS folder of an account with a Nextcloud collection.
type Link struct {
	ID             int64
	AccountID      int64
	UserID         string // always the account's user
	Kind           LinkKind
	RemoteFolderID string // EWS FolderId
	RemoteName     string
	LocalHref      string // DAV path of the collection, e.g. /remote.php/dav/calendars/alice/work/
	LocalName      string
	Direction      Direction
	ConflictPolicy ConflictPolicy
	Paused         bool
	PauseReason    string
	// GuardOverride lets the next run go past a guard that paused the
	// link (the user confirmed the deletions); the engine clears it with
	// SetGuardOverride after that run.
	GuardOverride bool
	// RemoteSyncState is the EWS SyncFolderItems SyncState
	// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncstate-ex15websvcsotherref);
	// "" means start from scratch.
	RemoteSyncState string
	// LocalSyncToken is the RFC 6578 sync-token of the collection; ""
	// means an initial sync.
	LocalSyncToken string
	LastRunAt      time.Time // zero: never run
	LastSuccessAt  time.Time
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

const linkColumns = `id, account_id, user_id, kind, remote_folder_id, remote_name, local_href, local_name,
	direction, conflict_policy, paused, pause_reason, guard_override, remote_sync_state, local_sync_token,
	last_run_at, last_success_at, last_error, created_at, updated_at`

func scanLink(row interface{ Scan(...any) error }) (Link, error) {
	var l Link
	var lastRun, lastOK *time.Time
	err := row.Scan(&l.ID, &l.AccountID, &l.UserID, &l.Kind, &l.RemoteFolderID, &l.RemoteName,
		&l.LocalHref, &l.LocalName, &l.Direction, &l.ConflictPolicy, &l.Paused, &l.PauseReason,
		&l.GuardOverride, &l.RemoteSyncState, &l.LocalSyncToken, &lastRun, &lastOK, &l.LastError, &l.CreatedAt, &l.UpdatedAt)
	l.LastRunAt, l.LastSuccessAt = timeOf(lastRun), timeOf(lastOK)
	return l, err
}

func (q *queries) queryLinks(ctx context.Context, op, sql string, args ...any) ([]Link, error) {
	rows, err := q.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, l)
	}
	return out, wrap(op, rows.Err())
}

// CreateLink inserts l for account l.AccountID of user l.UserID and fills
// in ID, CreatedAt and UpdatedAt. Empty Direction and ConflictPolicy
// default to TwoWay and PolicyNewest. ErrNotFound when the user has no such
// account; a ConstraintError (ErrDuplicate) on IndexLinkRemoteFolder or
// IndexLinkLocalHref when the folder or the collection is already linked.
func (q *queries) CreateLink(ctx context.Context, l *Link) error {
	if l.Direction == "" {
		l.Direction = TwoWay
	}
	if l.ConflictPolicy == "" {
		l.ConflictPolicy = PolicyNewest
	}
	err := q.db.QueryRow(ctx, `INSERT INTO links (account_id, user_id, kind, remote_folder_id, remote_name,
		local_href, local_name, direction, conflict_policy, paused, pause_reason, guard_override, remote_sync_state, local_sync_token)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		RETURNING id, created_at, updated_at`,
		l.AccountID, l.UserID, string(l.Kind), l.RemoteFolderID, l.RemoteName, l.LocalHref, l.LocalName,
		string(l.Direction), string(l.ConflictPolicy), l.Paused, l.PauseReason, l.GuardOverride, l.RemoteSyncState, l.LocalSyncToken,
	).Scan(&l.ID, &l.CreatedAt, &l.UpdatedAt)
	return wrap("create link", err)
}

// Link returns link id of user userID, or ErrNotFound.
func (q *queries) Link(ctx context.Context, userID string, id int64) (Link, error) {
	l, err := scanLink(q.db.QueryRow(ctx,
		`SELECT `+linkColumns+` FROM links WHERE id = $1 AND user_id = $2`, id, userID))
	return l, wrap("link", err)
}

// Links returns all links of user userID, by account and id.
func (q *queries) Links(ctx context.Context, userID string) ([]Link, error) {
	return q.queryLinks(ctx, "links",
		`SELECT `+linkColumns+` FROM links WHERE user_id = $1 ORDER BY account_id, id`, userID)
}

// AccountLinks returns the links of account accountID of user userID.
func (q *queries) AccountLinks(ctx context.Context, userID string, accountID int64) ([]Link, error) {
	return q.queryLinks(ctx, "account links",
		`SELECT `+linkColumns+` FROM links WHERE user_id = $1 AND account_id = $2 ORDER BY id`, userID, accountID)
}

// UpdateLink stores the user-editable settings of l (names, direction,
// conflict policy, paused, pause reason and guard override) on link l.ID of user l.UserID,
// and sets l.UpdatedAt. Sync state and run fields are left alone.
func (q *queries) UpdateLink(ctx context.Context, l *Link) error {
	err := q.db.QueryRow(ctx, `UPDATE links SET remote_name = $3, local_name = $4, direction = $5,
		conflict_policy = $6, paused = $7, pause_reason = $8, guard_override = $9, updated_at = now()
		WHERE id = $1 AND user_id = $2 RETURNING updated_at`,
		l.ID, l.UserID, l.RemoteName, l.LocalName, string(l.Direction), string(l.ConflictPolicy),
		l.Paused, l.PauseReason, l.GuardOverride,
	).Scan(&l.UpdatedAt)
	return wrap("update link", err)
}

// DeleteLink deletes link id of user userID and its correlations. Items on
// both sides are kept.
func (q *queries) DeleteLink(ctx context.Context, userID string, id int64) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM links WHERE id = $1 AND user_id = $2`, id, userID)
	return affectedOne("delete link", tag.RowsAffected(), err)
}

// AllLinks returns every link of every user, by id, for the scheduler.
func (q *queries) AllLinks(ctx context.Context) ([]Link, error) {
	return q.queryLinks(ctx, "all links", `SELECT `+linkColumns+` FROM links ORDER BY id`)
}

// LinkByID returns link id whoever owns it. It is for the engine and the
// scheduler, which act for the link's user; request handlers use Link.
func (q *queries) LinkByID(ctx context.Context, id int64) (Link, error) {
	l, err := scanLink(q.db.QueryRow(ctx, `SELECT `+linkColumns+` FROM links WHERE id = $1`, id))
	return l, wrap("link by id", err)
}

// SetLinkSyncState records both sides' collection sync states of link id.
func (q *queries) SetLinkSyncState(ctx context.Context, id int64, remoteSyncState, localSyncToken string) error {
	tag, err := q.db.Exec(ctx, `UPDATE links SET remote_sync_state = $2, local_sync_token = $3, updated_at = now()
		WHERE id = $1`, id, remoteSyncState, localSyncToken)
	return affectedOne("set link sync state", tag.RowsAffected(), err)
}

// SetRemoteSyncState records the EWS SyncState of link id, after a page of
// SyncFolderItems changes was applied.
func (q *queries) SetRemoteSyncState(ctx context.Context, id int64, syncState string) error {
	tag, err := q.db.Exec(ctx, `UPDATE links SET remote_sync_state = $2, updated_at = now() WHERE id = $1`, id, syncState)
	return affectedOne("set remote sync state", tag.RowsAffected(), err)
}

// SetLocalSyncToken records the RFC 6578 sync-token of link id, after a
// page of sync-collection changes was applied.
func (q *queries) SetLocalSyncToken(ctx context.Context, id int64, token string) error {
	tag, err := q.db.Exec(ctx, `UPDATE links SET local_sync_token = $2, updated_at = now() WHERE id = $1`, id, token)
	return affectedOne("set local sync token", tag.RowsAffected(), err)
}

// PauseLink pauses link id with a reason shown to the user, e.g. when a
// guard finds one side emptied; UpdateLink with Paused false resumes it.
func (q *queries) PauseLink(ctx context.Context, id int64, reason string) error {
	tag, err := q.db.Exec(ctx, `UPDATE links SET paused = true, pause_reason = $2, updated_at = now() WHERE id = $1`, id, reason)
	return affectedOne("pause link", tag.RowsAffected(), err)
}

// SetGuardOverride sets or clears the guard override of link id.
func (q *queries) SetGuardOverride(ctx context.Context, id int64, override bool) error {
	tag, err := q.db.Exec(ctx, `UPDATE links SET guard_override = $2, updated_at = now() WHERE id = $1`, id, override)
	return affectedOne("set guard override", tag.RowsAffected(), err)
}

// RecordLinkRun records a finished run of link id at time at: runErr ""
// means success and also sets LastSuccessAt.
func (q *queries) RecordLinkRun(ctx context.Context, id int64, at time.Time, runErr string) error {
	tag, err := q.db.Exec(ctx, `UPDATE links SET last_run_at = $2, last_error = $3,
		last_success_at = CASE WHEN $3 = '' THEN $2 ELSE last_success_at END
		WHERE id = $1`, id, at, runErr)
	return affectedOne("record link run", tag.RowsAffected(), err)
}
