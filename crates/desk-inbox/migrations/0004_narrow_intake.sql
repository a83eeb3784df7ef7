-- Fewer indexes on the table every request is inserted into. Event ids and connection ids come
-- in no order, so each index on them costs a B-tree leaf page of its own per request in every
-- commit's WAL (with six indexes the receiver wrote ~13 KB per webhook, and that, not the HTTP
-- work, set its pace).

-- One index on event ids instead of two. It answers both "every copy of this id" (its first
-- column) and "the first copy of this id", and still makes a second first copy impossible: a
-- first copy's second column is 0, any other row's is its own seq, which no other row has.
DROP INDEX webhooks_first_copy;
DROP INDEX webhooks_by_event;
CREATE UNIQUE INDEX webhooks_by_event ON webhooks (
    event_id,
    (CASE WHEN accepted = 1 AND duplicate_of_seq IS NULL THEN 0 ELSE seq END)
);

-- The inspector's filter by connection reads this narrow table instead of an index on
-- `webhooks`. The search indexer fills it (search_index.rs) with the rows it indexes, up to the
-- same mark, a batch of hundreds per transaction, so a connection's leaf page is written once
-- per batch rather than once per request; rows past the mark are scanned, as for the search.
CREATE TABLE webhook_by_connection (
    connection_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (connection_id, seq)
) WITHOUT ROWID;
INSERT INTO webhook_by_connection (connection_id, seq)
    SELECT connection_id, seq FROM webhooks
     WHERE connection_id IS NOT NULL
       AND seq <= (SELECT indexed_upto FROM webhook_search_state);
DROP INDEX webhooks_by_connection;
