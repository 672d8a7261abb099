package store

import (
	"context"
	"strconv"
	"time"
)

// AuthMethod is how the connector authenticates to EWS.
type AuthMethod string

// The authentication methods. Auto tries what the server offers
// (https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/authentication-and-ews-in-exchange).
const (
	AuthAuto   AuthMethod = "auto"
	AuthBasic  AuthMethod = "basic"
	AuthNTLM   AuthMethod = "ntlm"
	AuthBearer AuthMethod = "bearer"
)

// AccountState is the connection state of an account.
type AccountState string

// The account states.
const (
	AccountNew       AccountState = "new"       // saved, not yet verified
	AccountConnected AccountState = "connected" // the last contact succeeded
	AccountError     AccountState = "error"     // the last contact failed; see LastError
	AccountDisabled  AccountState = "disabled"  // turned off by the user or an admin
)

// Account is one Exchange account of one Nextcloud user.
type Account struct {
	ID            int64
	UserID        string // Nextcloud user id
	Endpoint      string // EWS URL, e.g. https://mail.example.com/EWS/Exchange.asmx
	Email         string // primary SMTP address of the mailbox
	Username      string
	AuthMethod    AuthMethod
	Secret        []byte `json:"-"` // sealed by package seal; never in clear
	ServerVersion string // e.g. Exchange2016, from the last ServerVersionInfo
	State         AccountState
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// AccountSummary is an account as the admin panel lists it: no secret.
type AccountSummary struct {
	ID            int64
	UserID        string
	Endpoint      string
	Email         string
	Username      string
	AuthMethod    AuthMethod
	HasSecret     bool
	ServerVersion string
	State         AccountState
	LastError     string
	Links         int // number of collection links
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// SecretBinding is the additional data an account's secret is sealed with
// (seal.Sealer.Seal's binding): a sealed secret copied onto another account
// or user does not open.
func SecretBinding(userID string, accountID int64) string {
	return "account:" + strconv.FormatInt(accountID, 10) + ":user:" + userID
}

// NewAccountID reserves an account id, so the secret can be sealed with
// SecretBinding before CreateAccount stores it.
func (q *queries) NewAccountID(ctx context.Context) (int64, error) {
	var id int64
	err := q.db.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('accounts', 'id'))`).Scan(&id)
	return id, wrap("new account id", err)
}

// CreateAccount inserts a; a.ID is used when set (see NewAccountID), else
// assigned. It fills in ID, CreatedAt and UpdatedAt, and defaults an empty
// AuthMethod to AuthAuto and an empty State to AccountNew.
func (q *queries) CreateAccount(ctx context.Context, a *Account) error {
	if a.AuthMethod == "" {
		a.AuthMethod = AuthAuto
	}
	if a.State == "" {
		a.State = AccountNew
	}
	err := q.db.QueryRow(ctx, `INSERT INTO accounts
		(id, user_id, endpoint, email, username, auth_method, secret, server_version, state, last_error)
		VALUES (coalesce($1, nextval(pg_get_serial_sequence('accounts', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9, $10)
		RETURNING id, created_at, updated_at`,
		nullID(a.ID), a.UserID, a.Endpoint, a.Email, a.Username, string(a.AuthMethod), a.Secret,
		a.ServerVersion, string(a.State), a.LastError,
	).Scan(&a.ID, &a.CreatedAt, &a.UpdatedAt)
	return wrap("create account", err)
}

const accountColumns = `id, user_id, endpoint, email, username, auth_method, secret,
	server_version, state, last_error, created_at, updated_at`

func scanAccount(row interface{ Scan(...any) error }) (Account, error) {
	var a Account
	err := row.Scan(&a.ID, &a.UserID, &a.Endpoint, &a.Email, &a.Username, &a.AuthMethod, &a.Secret,
		&a.ServerVersion, &a.State, &a.LastError, &a.CreatedAt, &a.UpdatedAt)
	return a, err
}

// Account returns account id of user userID, or ErrNotFound.
func (q *queries) Account(ctx context.Context, userID string, id int64) (Account, error) {
	a, err := scanAccount(q.db.QueryRow(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE id = $1 AND user_id = $2`, id, userID))
	return a, wrap("account", err)
}

// Accounts returns the accounts of user userID, oldest first.
func (q *queries) Accounts(ctx context.Context, userID string) ([]Account, error) {
	rows, err := q.db.Query(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, wrap("accounts", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, wrap("accounts", err)
		}
		out = append(out, a)
	}
	return out, wrap("accounts", rows.Err())
}

// UpdateAccount stores a's endpoint, email, username, auth method, server
// version, state and last error (not its secret: see SetAccountSecret) on
// account a.ID of user a.UserID, and sets a.UpdatedAt. ErrNotFound when the
// user has no such account.
func (q *queries) UpdateAccount(ctx context.Context, a *Account) error {
	err := q.db.QueryRow(ctx, `UPDATE accounts SET endpoint = $3, email = $4, username = $5,
		auth_method = $6, server_version = $7, state = $8, last_error = $9, updated_at = now()
		WHERE id = $1 AND user_id = $2 RETURNING updated_at`,
		a.ID, a.UserID, a.Endpoint, a.Email, a.Username, string(a.AuthMethod), a.ServerVersion,
		string(a.State), a.LastError,
	).Scan(&a.UpdatedAt)
	return wrap("update account", err)
}

// SetAccountSecret replaces the sealed secret of account id of user userID.
func (q *queries) SetAccountSecret(ctx context.Context, userID string, id int64, sealed []byte) error {
	tag, err := q.db.Exec(ctx, `UPDATE accounts SET secret = $3, updated_at = now()
		WHERE id = $1 AND user_id = $2`, id, userID, sealed)
	return affectedOne("set account secret", tag.RowsAffected(), err)
}

// SetAccountState records the outcome of the last contact with the server:
// state, the error text ("" on success) and, when not empty, the server
// version.
func (q *queries) SetAccountState(ctx context.Context, userID string, id int64, state AccountState, lastError, serverVersion string) error {
	tag, err := q.db.Exec(ctx, `UPDATE accounts SET state = $3, last_error = $4,
		server_version = CASE WHEN $5 = '' THEN server_version ELSE $5 END, updated_at = now()
		WHERE id = $1 AND user_id = $2`, id, userID, string(state), lastError, serverVersion)
	return affectedOne("set account state", tag.RowsAffected(), err)
}

// DeleteAccount deletes account id of user userID with its links and their
// correlations (ON DELETE CASCADE). Items on both sides are kept.
func (q *queries) DeleteAccount(ctx context.Context, userID string, id int64) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM accounts WHERE id = $1 AND user_id = $2`, id, userID)
	return affectedOne("delete account", tag.RowsAffected(), err)
}

// DeleteUserData deletes everything stored for a Nextcloud user (when the
// user is deleted) and returns the number of accounts removed.
func (q *queries) DeleteUserData(ctx context.Context, userID string) (int64, error) {
	tag, err := q.db.Exec(ctx, `DELETE FROM accounts WHERE user_id = $1`, userID)
	return tag.RowsAffected(), wrap("delete user data", err)
}

// AllAccounts lists every user's accounts, without secrets, for the admin
// panel, ordered by user and id.
func (q *queries) AllAccounts(ctx context.Context) ([]AccountSummary, error) {
	rows, err := q.db.Query(ctx, `SELECT a.id, a.user_id, a.endpoint, a.email, a.username, a.auth_method,
		a.secret IS NOT NULL, a.server_version, a.state, a.last_error,
		(SELECT count(*) FROM links l WHERE l.account_id = a.id), a.created_at, a.updated_at
		FROM accounts a ORDER BY a.user_id, a.id`)
	if err != nil {
		return nil, wrap("all accounts", err)
	}
	defer rows.Close()
	var out []AccountSummary
	for rows.Next() {
		var s AccountSummary
		if err := rows.Scan(&s.ID, &s.UserID, &s.Endpoint, &s.Email, &s.Username, &s.AuthMethod,
			&s.HasSecret, &s.ServerVersion, &s.State, &s.LastError, &s.Links, &s.CreatedAt, &s.UpdatedAt); err != nil {
			return nil, wrap("all accounts", err)
		}
		out = append(out, s)
	}
	return out, wrap("all accounts", rows.Err())
}

// nullID maps id 0 to SQL NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// affectedOne turns "no row changed" into ErrNotFound.
func affectedOne(op string, n int64, err error) error {
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return wrap(op, ErrNotFound)
	}
	return nil
}
