-- The overview screen at 10,000 customers and 50,000 connections: every filter, sort, search
-- and count served by an index (see src/overview.rs).
--
-- Customers and connections get an immutable `seq` (INTEGER PRIMARY KEY): the rowid of their
-- full-text rows. An implicit rowid may be renumbered by VACUUM, which would silently point the
-- index at other rows. Writers now upsert instead of delete-and-insert, so `seq` survives a
-- re-sync and only changed rows are re-indexed.
--
-- Older builds would write these tables without maintaining the denormalised customer fields
-- and the full-text index, so the format number goes up: they refuse the file instead.
PRAGMA user_version = 2;

CREATE TABLE customers_v2 (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    profile          TEXT NOT NULL,
    id               TEXT NOT NULL,
    name             TEXT NOT NULL,
    email            TEXT,
    account_manager  TEXT,
    metadata         TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    UNIQUE (profile, id)
);
INSERT INTO customers_v2 (profile, id, name, email, account_manager, metadata, created_at)
SELECT profile, id, name, email, account_manager, metadata, created_at
FROM customers ORDER BY profile, created_at, id;
DROP TABLE customers;
ALTER TABLE customers_v2 RENAME TO customers;
CREATE INDEX customers_by_name ON customers (profile, name, id);
CREATE INDEX customers_by_manager ON customers (profile, account_manager, name, id);

-- `customer_name` and `account_manager` are the customer's, copied onto its connections in the
-- same transaction that writes either table (src/directory.rs): the overview sorts by the
-- customer's name and filters by account manager over 50,000 rows, which through a join could
-- use no index.
--
-- `status_rank` and `health_rank` are computed by SQLite itself, so the filter, the sort, the
-- counts and the row read back can never disagree. STORED, so each is computed once per write
-- rather than on every read of a row (the counts and the customers page read all of them). `health_rank` is the one definition of a
-- connection's health: disconnected, pending and inactive by status; else needing
-- reauthorization when the platform says so; else offline when the system does not answer;
-- else healthy. The numbers are `Health`'s order in src/overview.rs.
CREATE TABLE connections_v2 (
    seq                       INTEGER PRIMARY KEY AUTOINCREMENT,
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
    customer_name             TEXT,
    account_manager           TEXT,
    status_rank               INTEGER GENERATED ALWAYS AS (CASE status
        WHEN 'pending' THEN 0 WHEN 'synchronizing' THEN 1 WHEN 'in_progress' THEN 2
        WHEN 'active' THEN 3 WHEN 'inactive' THEN 4 WHEN 'overage' THEN 5
        WHEN 'disconnected' THEN 6 END) STORED,
    health_rank               INTEGER GENERATED ALWAYS AS (CASE
        WHEN status = 'disconnected' THEN 5
        WHEN status = 'pending' THEN 4
        WHEN status = 'inactive' THEN 3
        WHEN reauthorization_required <> 0 THEN 1
        WHEN online = 0 THEN 2
        ELSE 0 END) STORED,
    UNIQUE (profile, id)
);
INSERT INTO connections_v2 (profile, id, customer_id, system_id, tier, deployment, name, email,
    credits, status, online, reauthorization_required, connected_at, authorized_by,
    token_issued_at, last_sync_at, next_sync_at, created_at, user_metadata, customer_name,
    account_manager)
SELECT c.profile, c.id, c.customer_id, c.system_id, c.tier, c.deployment, c.name, c.email,
    c.credits, c.status, c.online, c.reauthorization_required, c.connected_at, c.authorized_by,
    c.token_issued_at, c.last_sync_at, c.next_sync_at, c.created_at, c.user_metadata, cu.name,
    cu.account_manager
FROM connections c LEFT JOIN customers cu ON cu.profile = c.profile AND cu.id = c.customer_id
ORDER BY c.profile, c.created_at, c.id;
DROP TABLE connections;
ALTER TABLE connections_v2 RENAME TO connections;
CREATE INDEX connections_by_id ON connections (id);

-- One index per sort key, each ending in `id` (the tie-break), so a first page in any order is
-- read straight off an index with LIMIT; the filters use the same ones.
-- By customer, covering what the customers page aggregates (count, attention, credits in use).
CREATE INDEX connections_by_customer ON connections (profile, customer_id, health_rank, status_rank, credits);
CREATE INDEX connections_by_status ON connections (profile, status_rank, id);
-- The status chips' counts: one ordered pass over this index, no table read.
CREATE INDEX connections_by_state ON connections (profile, status_rank, health_rank);
CREATE INDEX connections_by_health ON connections (profile, health_rank, id);
CREATE INDEX connections_by_system ON connections (profile, system_id, id);
CREATE INDEX connections_by_manager ON connections (profile, account_manager, id);
CREATE INDEX connections_by_name ON connections (profile, name, id);
CREATE INDEX connections_by_customer_name ON connections (profile, customer_name, id);
CREATE INDEX connections_by_last_sync ON connections (profile, last_sync_at, id);
CREATE INDEX connections_by_next_sync ON connections (profile, next_sync_at, id);
CREATE INDEX connections_by_credits ON connections (profile, credits, id);
CREATE INDEX connections_by_created ON connections (profile, created_at, id);
CREATE INDEX connections_by_tier ON connections (profile, tier, id);

-- The text the overview's search matches, one definition each, read by the writers that keep
-- the indexes below (src/directory.rs). Fields are separated by newlines (token boundaries).
CREATE VIEW connection_search_text AS
SELECT seq, profile, id, customer_id,
    name || char(10) || id || char(10) || IFNULL(email, '') || char(10) || IFNULL(system_id, '')
    || char(10) || IFNULL(customer_name, '') || char(10) || customer_id || char(10)
    || IFNULL(account_manager, '') AS text
FROM connections;

CREATE VIEW customer_search_text AS
SELECT seq, profile, id,
    name || char(10) || id || char(10) || IFNULL(email, '') || char(10)
    || IFNULL(account_manager, '') AS text
FROM customers;

-- Contentless (the text lives in the tables already) with contentless_delete so rows can be
-- replaced; diacritics and case folded (`Å` finds `a`); prefix indexes of 1 to 3 characters so
-- the first keystrokes of a word, searched as prefixes, do not walk the term list.
CREATE VIRTUAL TABLE connections_fts USING fts5 (
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
CREATE VIRTUAL TABLE customers_fts USING fts5 (
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO connections_fts (rowid, text) SELECT seq, text FROM connection_search_text;
INSERT INTO customers_fts (rowid, text) SELECT seq, text FROM customer_search_text;
