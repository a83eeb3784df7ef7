-- The app's local mirror of one or more platform profiles. Secrets never live here (the vault
-- holds them; a profile names its secret by `secret_ref`), so this file can go into a support
-- bundle as it is. Times are fixed-width UTC text (`2026-11-24T10:00:00.000000Z`) so they sort
-- as text.

-- The on-disk format. A build refuses a file whose user_version is above the one it knows.
PRAGMA user_version = 1;

CREATE TABLE profiles (
    name        TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('local', 'self_hosted', 'makini')),
    base_url    TEXT,
    region      TEXT,
    client_id   TEXT,
    secret_ref  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- One row per sync: the history chart of the credit dashboard.
CREATE TABLE account_snapshots (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    profile         TEXT NOT NULL,
    at              TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    account_name    TEXT NOT NULL,
    plan            TEXT NOT NULL,
    region          TEXT NOT NULL,
    purchased       INTEGER NOT NULL,
    in_use          INTEGER NOT NULL,
    available       INTEGER NOT NULL,
    overage_in_use  INTEGER NOT NULL
);
CREATE INDEX account_snapshots_by_profile ON account_snapshots (profile, at);

CREATE TABLE customers (
    profile          TEXT NOT NULL,
    id               TEXT NOT NULL,
    name             TEXT NOT NULL,
    email            TEXT,
    account_manager  TEXT,
    metadata         TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (profile, id)
);

-- The wire `Connection` plus the system's tier, resolved when mirrored (the catalog may not be
-- reachable when the credit dashboard is opened offline).
CREATE TABLE connections (
    profile                   TEXT NOT NULL,
    id                        TEXT NOT NULL,
    customer_id               TEXT NOT NULL,
    system_id                 TEXT,
    tier                      INTEGER,
    deployment                TEXT,
    name                      TEXT NOT NULL,
    email                     TEXT,
    credits                   INTEGER NOT NULL,
    status                    TEXT NOT NULL,
    online                    INTEGER NOT NULL,
    reauthorization_required  INTEGER NOT NULL,
    connected_at              TEXT,
    authorized_by             TEXT,
    token_issued_at           TEXT,
    last_sync_at              TEXT,
    next_sync_at              TEXT,
    created_at                TEXT NOT NULL,
    user_metadata             TEXT NOT NULL,
    PRIMARY KEY (profile, id)
);
CREATE INDEX connections_by_id ON connections (id);

CREATE TABLE ledger_entries (
    profile        TEXT NOT NULL,
    id             TEXT NOT NULL,
    at             TEXT NOT NULL,
    connection_id  TEXT,
    delta          INTEGER NOT NULL,
    overage_delta  INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    balance_after  INTEGER NOT NULL,
    PRIMARY KEY (profile, id)
);
CREATE INDEX ledger_entries_by_time ON ledger_entries (profile, at);

CREATE TABLE events (
    profile        TEXT NOT NULL,
    id             TEXT NOT NULL,
    type           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    connection_id  TEXT,
    customer_id    TEXT,
    data           TEXT NOT NULL,
    seen_at        TEXT NOT NULL,
    PRIMARY KEY (profile, id)
);
CREATE INDEX events_by_time ON events (profile, created_at);

CREATE TABLE sync_runs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    profile        TEXT NOT NULL,
    connection_id  TEXT NOT NULL,
    entity         TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    state          TEXT NOT NULL CHECK (state IN ('running', 'completed', 'failed', 'interrupted')),
    records        INTEGER NOT NULL DEFAULT 0,
    error          TEXT
);
CREATE INDEX sync_runs_by_scope ON sync_runs (profile, connection_id, entity, id);

-- Where the last pull of an entity stopped: `cursor` is the next page of an unfinished walk
-- (NULL once the walk completed), `high_water` the newest `updated_at` pulled (the next
-- incremental sync's `modified_after`). Advanced in the same transaction as the page it follows.
CREATE TABLE sync_cursors (
    profile        TEXT NOT NULL,
    connection_id  TEXT NOT NULL,
    entity         TEXT NOT NULL,
    cursor         TEXT,
    high_water     TEXT,
    records        INTEGER NOT NULL DEFAULT 0,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (profile, connection_id, entity)
);

-- Synced records as the data API returned them. `seq` (the rowid) is the FTS rowid and the
-- keyset cursor of record lists; an update keeps it, so a walk never skips or repeats a row.
CREATE TABLE records (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    profile        TEXT NOT NULL,
    connection_id  TEXT NOT NULL,
    entity         TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    data           TEXT NOT NULL,
    updated_at     TEXT,
    deleted_at     TEXT,
    UNIQUE (connection_id, entity, record_id, profile)
);
CREATE INDEX records_by_entity ON records (entity, seq);
CREATE INDEX records_by_connection ON records (connection_id, entity, seq);

-- Full-text index over every string and number of a record, nested ones included (`text`),
-- plus `scope`: one token each for the record's profile, connection and entity, so a search
-- filtered to a small connection intersects two doclists instead of walking every match.
-- Contentless (the text is not stored a second time: 1M records would carry ~150 MB twice) with
-- contentless_delete so rows can be replaced. Maintained explicitly by records.rs in the same
-- transaction that writes `records` (there is no other writer): a trigger cannot do it, since
-- the indexed text is extracted from the JSON in Rust.
CREATE VIRTUAL TABLE records_fts USING fts5 (
    scope,
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
