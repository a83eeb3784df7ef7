-- The platform's synced data, the simulated systems behind connections, syncs and webhook delivery.

-- Records as the platform serves them (what the last sync brought, plus writes made through the
-- API). `seq` is reassigned on no update, so cursor walks stay stable while records change.
CREATE TABLE records (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id  TEXT NOT NULL,
    entity         TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    data           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    UNIQUE (connection_id, entity, record_id)
);
CREATE INDEX records_walk ON records (connection_id, entity, seq);
CREATE INDEX records_modified ON records (connection_id, entity, updated_at);

-- The simulated system behind each connection and the faults injected into it.
CREATE TABLE sandbox_systems (
    connection_id          TEXT PRIMARY KEY REFERENCES connections (id),
    seed                   INTEGER NOT NULL,
    online                 INTEGER NOT NULL DEFAULT 1,
    offline_until          TEXT,
    credentials_valid      INTEGER NOT NULL DEFAULT 1,
    rate_limit_until       TEXT,
    rate_limit_per_minute  INTEGER,
    fail_next_sync         INTEGER NOT NULL DEFAULT 0,
    fail_next_call         INTEGER NOT NULL DEFAULT 0,
    -- How many records per entity an initial sync finds (NULL: sized from the history window).
    records_per_entity     INTEGER,
    -- Counters of generated records per entity, so new records get fresh ids.
    generated              TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE sync_runs (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    connection_id  TEXT NOT NULL REFERENCES connections (id),
    kind           TEXT NOT NULL CHECK (kind IN ('initial', 'incremental', 'manual', 'full')),
    state          TEXT NOT NULL CHECK (state IN ('in_progress', 'completed', 'failed')),
    entities       TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    records        INTEGER NOT NULL DEFAULT 0,
    error          TEXT
);
CREATE INDEX sync_runs_connection ON sync_runs (connection_id, seq);

CREATE TABLE sync_cursors (
    connection_id  TEXT NOT NULL REFERENCES connections (id),
    entity         TEXT NOT NULL,
    -- The simulated system's time up to which changes were pulled.
    synced_until   TEXT NOT NULL,
    records        INTEGER NOT NULL DEFAULT 0,
    last_sync_at   TEXT NOT NULL,
    PRIMARY KEY (connection_id, entity)
);

-- Sync requests waiting for the scheduler (manual and full re-syncs).
ALTER TABLE connections ADD COLUMN requested_sync TEXT;

-- One delivery per (event, URL); attempts are logged apart.
CREATE TABLE webhook_deliveries (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    event_id         TEXT NOT NULL REFERENCES events (id),
    connection_id    TEXT,
    url              TEXT NOT NULL,
    secret           TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    first_attempt_at TEXT,
    next_attempt_at  TEXT NOT NULL,
    last_status      INTEGER,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (event_id, url)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_connection ON webhook_deliveries (connection_id, seq);

CREATE TABLE webhook_attempts (
    delivery_id       TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt           INTEGER NOT NULL,
    at                TEXT NOT NULL,
    status            INTEGER,
    latency_ms        INTEGER NOT NULL,
    response_excerpt  TEXT,
    error             TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
