-- Named connection tokens (issue 13): additional tokens beside a connection's main one, each
-- under a name and a scope, that a reauthorization does not rotate. The main token has no name.
ALTER TABLE connection_tokens ADD COLUMN name TEXT;
ALTER TABLE connection_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'full';
CREATE INDEX connection_tokens_named ON connection_tokens (connection_id, name);
