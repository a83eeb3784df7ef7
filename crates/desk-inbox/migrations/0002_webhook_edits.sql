-- Edited resends (the inspector's "edit and resend"): what was sent, where, and the answer,
-- kept beside the original request, which itself never changes.
CREATE TABLE webhook_edits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    original_seq INTEGER NOT NULL REFERENCES webhooks(seq),
    sent_at TEXT NOT NULL,
    url TEXT NOT NULL,
    event_id TEXT NOT NULL,
    headers TEXT NOT NULL,                   -- JSON array of [name, value], as sent
    body BLOB NOT NULL,
    status INTEGER,                          -- the receiver's answer; NULL when none came
    answer TEXT,                             -- its beginning, or why nothing was sent
    resent_seq INTEGER                       -- the stored copy when it was sent to this inbox
);
CREATE INDEX webhook_edits_by_original ON webhook_edits(original_seq, id);
