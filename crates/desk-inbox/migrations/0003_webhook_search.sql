-- The inspector's search: a trigram index (substring semantics, case-sensitive like instr) over
-- the four searchable fields, filled in the background by search_index.rs, never by the writer.
-- Contentless (rowid = webhooks.seq): the text stays in webhooks alone. Those fields never
-- change once stored (edits are resent as new rows, processing touches other columns).
CREATE VIRTUAL TABLE webhook_search USING fts5(
    event_id, event_type, connection_id, body,
    content = '', columnsize = 0, tokenize = 'trigram case_sensitive 1'
);

-- Rows the index cannot answer for (a body that is not UTF-8, a NUL in a field): always
-- searched with instr, as rows past the mark are.
CREATE TABLE webhook_search_raw (
    seq INTEGER PRIMARY KEY
);

-- Every webhook with seq <= indexed_upto is in webhook_search or webhook_search_raw.
CREATE TABLE webhook_search_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_upto INTEGER NOT NULL
);
INSERT INTO webhook_search_state (id, indexed_upto) VALUES (1, 0);
