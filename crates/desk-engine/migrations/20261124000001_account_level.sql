-- The engine's own store: the platform's account-level state.
-- Every list has an immutable INTEGER seq so cursor walks stay stable while rows change.

CREATE TABLE account (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    plan        TEXT NOT NULL CHECK (plan IN ('trial', 'paid')),
    region      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE admin_clients (
    client_id    TEXT PRIMARY KEY,
    secret_hash  TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- Access and refresh tokens, by SHA-256 hash only. A refresh rotates the whole family.
CREATE TABLE admin_tokens (
    token_hash  TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    client_id   TEXT NOT NULL REFERENCES admin_clients (client_id),
    family      TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE INDEX admin_tokens_family ON admin_tokens (family);

CREATE TABLE customers (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    email            TEXT,
    account_manager  TEXT,
    metadata         TEXT NOT NULL DEFAULT '{}',
    created_at       TEXT NOT NULL
);

CREATE TABLE connections (
    seq                       INTEGER PRIMARY KEY AUTOINCREMENT,
    id                        TEXT NOT NULL UNIQUE,
    customer_id               TEXT NOT NULL REFERENCES customers (id),
    system_id                 TEXT,
    deployment                TEXT CHECK (deployment IN ('cloud', 'on_premises')),
    name                      TEXT NOT NULL,
    email                     TEXT,
    credits                   INTEGER NOT NULL,
    -- Credits taken from the pool now, and credits counted as overage now.
    consumed                  INTEGER NOT NULL DEFAULT 0 CHECK (consumed >= 0),
    overage                   INTEGER NOT NULL DEFAULT 0 CHECK (overage >= 0),
    status                    TEXT NOT NULL,
    online                    INTEGER NOT NULL DEFAULT 1,
    reauthorization_required  INTEGER NOT NULL DEFAULT 0,
    connected_at              TEXT,
    authorized_by             TEXT,
    token_issued_at           TEXT,
    last_sync_at              TEXT,
    next_sync_at              TEXT,
    created_at                TEXT NOT NULL,
    user_metadata             TEXT NOT NULL DEFAULT '{}',
    -- SHA-256 of the identity fields of the credentials (host, tenant...), never the values.
    identity_fingerprint      TEXT,
    sync_settings             TEXT NOT NULL DEFAULT '{}',
    webhook_url               TEXT,
    webhook_events            TEXT NOT NULL DEFAULT '[]',
    webhook_secret            TEXT,
    data_deleted_at           TEXT
);
CREATE INDEX connections_customer ON connections (customer_id, seq);
CREATE INDEX connections_status ON connections (status, seq);

CREATE TABLE connection_tokens (
    token_hash     TEXT PRIMARY KEY,
    connection_id  TEXT NOT NULL REFERENCES connections (id),
    issued_at      TEXT NOT NULL,
    revoked_at     TEXT
);
CREATE INDEX connection_tokens_connection ON connection_tokens (connection_id);

CREATE TABLE ledger (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    at             TEXT NOT NULL,
    connection_id  TEXT,
    delta          INTEGER NOT NULL,
    overage_delta  INTEGER NOT NULL DEFAULT 0,
    reason         TEXT NOT NULL CHECK (reason IN ('connect', 'disconnect', 'activate', 'overage', 'purchase')),
    balance_after  INTEGER NOT NULL
);

-- The ledger is append-only: the database itself refuses edits.
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the credit ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the credit ledger is append-only'); END;

CREATE TABLE events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    connection_id  TEXT,
    customer_id    TEXT,
    data           TEXT NOT NULL
);
CREATE INDEX events_connection ON events (connection_id, seq);

CREATE TABLE magic_links (
    id             TEXT PRIMARY KEY,
    token_hash     TEXT NOT NULL UNIQUE,
    connection_id  TEXT NOT NULL REFERENCES connections (id),
    expires_at     TEXT NOT NULL,
    completed_at   TEXT,
    created_at     TEXT NOT NULL
);
