-- Account-level webhook subscriptions: every event of the account (each connection's and the
-- account's own) to one URL, signed with the subscription's secret. The app's own inbox
-- subscribes this way, so what happens in a local engine shows in the inspector at once.
CREATE TABLE account_webhooks (
    url TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    events TEXT NOT NULL DEFAULT '[]',      -- JSON array; empty: every type
    updated_at TEXT NOT NULL
);
