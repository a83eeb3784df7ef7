-- One row per alert. `subject` is the connection id, or 'account' for account-wide kinds
-- (credits running low); at most one unresolved alert exists per (profile, kind, subject).
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    profile TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    connection_id TEXT,
    customer_id TEXT,
    system_id TEXT,
    state TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution TEXT,
    detail TEXT,
    acknowledged_by TEXT,
    acknowledged_at TEXT,
    notified_at TEXT,
    notified_via TEXT,
    snoozed_until TEXT,
    in_maintenance INTEGER NOT NULL DEFAULT 0,
    reauthorized_at TEXT,
    last_check_at TEXT,
    last_check_ok INTEGER,
    last_check_message TEXT,
    notice_link TEXT,
    notice_link_expires_at TEXT
);
CREATE UNIQUE INDEX alerts_one_unresolved ON alerts (profile, kind, subject) WHERE state != 'resolved';
CREATE INDEX alerts_by_opened ON alerts (profile, opened_at, id);

-- Which sources reported an alert, when first and last, how often.
CREATE TABLE alert_sources (
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    source TEXT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    count INTEGER NOT NULL,
    detail TEXT,
    PRIMARY KEY (alert_id, source)
);

-- Every change of an alert, in order: the detail view's history.
CREATE TABLE alert_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    at TEXT NOT NULL,
    change TEXT NOT NULL,
    by_whom TEXT,
    note TEXT
);
CREATE INDEX alert_history_by_alert ON alert_history (alert_id, seq);

-- Conditions watched before they become alerts: offline since when, how many failures in a
-- row. Cleared when the condition ends.
CREATE TABLE alert_observations (
    profile TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    count INTEGER NOT NULL,
    detail TEXT,
    PRIMARY KEY (profile, kind, subject)
);
