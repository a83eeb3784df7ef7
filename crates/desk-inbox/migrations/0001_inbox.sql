-- The webhook inbox. Times are RFC 3339 UTC text with a fixed width (microseconds, "Z"), so they
-- sort as text.

-- Every request received, stored before it is answered, plus events fetched by catch-up.
CREATE TABLE webhooks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- arrival order; processing follows it
    event_id TEXT,                           -- webhook-id header, body id, or derived (legacy)
    source TEXT NOT NULL,                    -- webhook | catchup
    profile TEXT,
    received_at TEXT NOT NULL,
    remote_addr TEXT,
    method TEXT,
    path TEXT,
    headers TEXT NOT NULL,                   -- JSON array of [name, value]
    body BLOB NOT NULL,
    body_size INTEGER NOT NULL,
    body_truncated INTEGER NOT NULL DEFAULT 0,
    scheme TEXT,                             -- standard | body_hmac
    signature TEXT NOT NULL,                 -- valid | invalid | missing | stale
    signature_reason TEXT,
    status INTEGER,                          -- HTTP status answered; NULL for catch-up
    answer_reason TEXT,
    accepted INTEGER NOT NULL,               -- 1: verified and well-formed (processed or duplicate)
    event_type TEXT,
    connection_id TEXT,
    customer_id TEXT,
    event_created_at TEXT,
    duplicate_of_seq INTEGER REFERENCES webhooks(seq),
    duplicate_of TEXT,
    processing TEXT NOT NULL,                -- pending | processed | skipped | failed
    out_of_order INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    note TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    processed_at TEXT
);

-- At most one first copy per event id: the database itself refuses a second one.
CREATE UNIQUE INDEX webhooks_first_copy ON webhooks(event_id)
    WHERE accepted = 1 AND duplicate_of_seq IS NULL;
CREATE INDEX webhooks_by_event ON webhooks(event_id);
CREATE INDEX webhooks_pending ON webhooks(seq) WHERE processing = 'pending';
CREATE INDEX webhooks_by_connection ON webhooks(connection_id, seq);
CREATE INDEX webhooks_by_type ON webhooks(event_type, seq);
CREATE INDEX webhooks_by_received ON webhooks(received_at);

-- What events say about each connection. Each group of fields keeps the version of the event
-- that last set it ("created_at|rank|id", compared as text), so an older event never
-- overwrites a newer one and any delivery order converges to the same state.
CREATE TABLE connection_state (
    connection_id TEXT PRIMARY KEY,
    customer_id TEXT,
    status TEXT,
    online INTEGER,
    status_version TEXT,
    reauthorization_required INTEGER NOT NULL DEFAULT 0,
    reauthorization_reason TEXT,
    auth_version TEXT,
    last_sync_id TEXT,
    last_sync_result TEXT,
    last_sync_error TEXT,
    last_sync_records INTEGER,
    last_sync_at TEXT,
    sync_version TEXT,
    last_system_error TEXT,
    last_system_error_at TEXT,
    system_version TEXT,
    last_event_id TEXT,
    last_event_at TEXT,
    last_version TEXT
);

-- Small facts: the catch-up cursor.
CREATE TABLE inbox_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
