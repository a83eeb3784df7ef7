-- Makini-format webhooks (issue 13): a connection's webhook may be written as Makini's legacy
-- payload `{"event", "body": [ids]}` and signed over the body alone. A sync run's record
-- changes are deliveries of its `sync.completed` event: one per entity, change kind and chunk of
-- ids (`part` 1, 2...; the event's own delivery is part 0), each carrying the body it sends.
ALTER TABLE connections ADD COLUMN webhook_format TEXT NOT NULL DEFAULT 'standard'
    CHECK (webhook_format IN ('standard', 'makini'));

-- UNIQUE (event_id, url) becomes UNIQUE (event_id, url, part): SQLite changes a table
-- constraint only by rebuilding the table, and the attempts are rebuilt with it (child first),
-- so no row ever points at a dropped table and the foreign keys stay checked throughout.
CREATE TABLE webhook_deliveries_new (
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
    format           TEXT NOT NULL DEFAULT 'standard' CHECK (format IN ('standard', 'makini')),
    part             INTEGER NOT NULL DEFAULT 0,
    -- What is sent, when it is not the event as the log stores it (Makini's payloads).
    body             TEXT,
    UNIQUE (event_id, url, part)
);
CREATE TABLE webhook_attempts_new (
    delivery_id       TEXT NOT NULL REFERENCES webhook_deliveries_new (id),
    attempt           INTEGER NOT NULL,
    at                TEXT NOT NULL,
    status            INTEGER,
    latency_ms        INTEGER NOT NULL,
    response_excerpt  TEXT,
    error             TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
INSERT INTO webhook_deliveries_new (seq, id, event_id, connection_id, url, secret, state,
    attempts, first_attempt_at, next_attempt_at, last_status, last_error, created_at)
SELECT seq, id, event_id, connection_id, url, secret, state, attempts, first_attempt_at,
    next_attempt_at, last_status, last_error, created_at
FROM webhook_deliveries;
INSERT INTO webhook_attempts_new SELECT delivery_id, attempt, at, status, latency_ms,
    response_excerpt, error FROM webhook_attempts;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
-- Renaming the parent rewrites the new attempts' reference to the final name.
ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;
ALTER TABLE webhook_attempts_new RENAME TO webhook_attempts;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_connection ON webhook_deliveries (connection_id, seq);
