-- 0004: scheduling across replicas (package scheduler): per-link run
-- status and queued runs, per-account leases, back-off and streaming
-- subscription leases, and de-duplication of notifications.
-- Append-only: never edit this file once released; add 0005_*.sql instead.

-- One row per link: the queued run, the last run's outcome and the
-- link's own retry back-off. Rows are created lazily by the scheduler.
CREATE TABLE link_runs (
    link_id        bigint      PRIMARY KEY REFERENCES links (id) ON DELETE CASCADE,
    -- Spreads the periodic runs: a link runs every interval * (1 + jitter).
    jitter         double precision NOT NULL DEFAULT random() * 0.1,
    trigger_at     timestamptz,           -- a queued run (sync now, webhook, streaming event)
    full_resync    boolean     NOT NULL DEFAULT false,
    started_at     timestamptz,
    finished_at    timestamptz,
    result         text        NOT NULL DEFAULT '',  -- ok, error, paused, auth, blocked
    error          text        NOT NULL DEFAULT '',
    local_created  integer     NOT NULL DEFAULT 0,
    local_updated  integer     NOT NULL DEFAULT 0,
    local_deleted  integer     NOT NULL DEFAULT 0,
    remote_created integer     NOT NULL DEFAULT 0,
    remote_updated integer     NOT NULL DEFAULT 0,
    remote_deleted integer     NOT NULL DEFAULT 0,
    conflicts      integer     NOT NULL DEFAULT 0,
    item_errors    integer     NOT NULL DEFAULT 0,
    failures       integer     NOT NULL DEFAULT 0 CHECK (failures >= 0),
    retry_at       timestamptz
);

-- One row per account: the run lease (one run per account at a time,
-- across replicas), the server back-off, the rejected credentials and the
-- streaming-subscription lease.
CREATE TABLE account_runs (
    account_id     bigint      PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    lease_holder   text        NOT NULL DEFAULT '',
    lease_until    timestamptz,
    failures       integer     NOT NULL DEFAULT 0 CHECK (failures >= 0),
    backoff_until  timestamptz,
    error          text        NOT NULL DEFAULT '',
    -- md5 of the credentials Exchange rejected; the account is not run
    -- again until they change (the user reconnects).
    auth_failed_fp text        NOT NULL DEFAULT '',
    stream_holder  text        NOT NULL DEFAULT '',
    stream_until   timestamptz
);

-- Notifications already sent, so that one condition notifies once across
-- replicas until it is cleared.
CREATE TABLE notices (
    user_id text        NOT NULL,
    key     text        NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

-- Conflicts resolved by policy, waiting for the user's daily digest.
CREATE TABLE conflict_digest (
    link_id   bigint      PRIMARY KEY REFERENCES links (id) ON DELETE CASCADE,
    user_id   text        NOT NULL,
    conflicts integer     NOT NULL DEFAULT 0,
    since     timestamptz NOT NULL
);
CREATE INDEX conflict_digest_user_idx ON conflict_digest (user_id);
