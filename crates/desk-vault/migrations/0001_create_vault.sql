-- The vault's own database. Nothing in it is plaintext: data keys are wrapped by the master key,
-- secrets are sealed by their scope's data key. Scope ids and secret names are not secret.

-- One row: how the master key is obtained and a value sealed under it that proves a key right.
CREATE TABLE vault_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    format_version INTEGER NOT NULL,
    source_kind TEXT NOT NULL,
    kdf_salt BLOB,
    kdf_m_cost INTEGER,
    kdf_t_cost INTEGER,
    kdf_p_cost INTEGER,
    keyring_account TEXT,
    check_nonce BLOB NOT NULL,
    check_ciphertext BLOB NOT NULL,
    created_at TEXT NOT NULL,
    rotated_at TEXT
);

-- One data key per scope (a customer id, or "account"), wrapped by the master key.
CREATE TABLE data_keys (
    scope TEXT PRIMARY KEY NOT NULL,
    nonce BLOB NOT NULL,
    wrapped_key BLOB NOT NULL,
    created_at TEXT NOT NULL
);

-- Secrets sealed with their scope's data key; the foreign key stops a secret outliving its key.
CREATE TABLE secrets (
    scope TEXT NOT NULL REFERENCES data_keys (scope),
    name TEXT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope, name)
);
