//! Typed errors with stable codes the UI matches on (it never matches on message text).

use std::path::PathBuf;

/// Every way the vault can fail. Messages never contain secret material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// `lock()` was called, or another process rotated the master key under us.
    #[error("the vault is locked: {reason}")]
    Locked { reason: String },

    #[error("wrong passphrase: it does not unlock this vault (set MDESK_VAULT_PASSPHRASE to the passphrase the vault was created with)")]
    WrongPassphrase,

    /// A key file or keyring entry held a key, but not the key of this vault.
    #[error("wrong master key: the {kind} does not hold the key of this vault")]
    WrongMasterKey { kind: &'static str },

    /// The vault was created with one kind of master key and opened with another.
    #[error("this vault's master key comes from the {expected}, not from the {given}; {hint}")]
    SourceMismatch {
        expected: &'static str,
        given: &'static str,
        hint: &'static str,
    },

    #[error("the OS keyring is not reachable ({detail}); set MDESK_VAULT_PASSPHRASE to a passphrase, or pass --vault-key-file FILE (created with mode 0600 when missing), to keep the vault's master key elsewhere")]
    KeyringUnavailable { detail: String },

    /// The vault exists but its key was removed from the keyring: we never make a new one,
    /// because that would silently orphan every stored secret.
    #[error("the OS keyring has no entry '{account}' for this vault (service makini-desk); restore it, or remove the vault file and enter the secrets again")]
    KeyringEntryMissing { account: String },

    #[error("key file {} is accessible by group or others (mode {mode:o}); run `chmod 600 {}` and try again", path.display(), path.display())]
    KeyFilePermissions { path: PathBuf, mode: u32 },

    #[error("key file {} does not exist, and this vault was sealed with a key file; pass the file the vault was created with", path.display())]
    KeyFileMissing { path: PathBuf },

    #[error("key file {} is not a vault key ({reason})", path.display())]
    KeyFileInvalid { path: PathBuf, reason: String },

    #[error("cannot use key file {}: {source}", path.display())]
    KeyFileIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("invalid input: {0}")]
    InvalidInput(String),

    #[error("nothing stored under scope '{scope}'{}", name.as_ref().map(|n| format!(" and name '{n}'")).unwrap_or_default())]
    NotFound { scope: String, name: Option<String> },

    /// Tampered or swapped ciphertext, a damaged database, or a file that is not a vault.
    #[error("the vault is corrupt: {detail}")]
    Corrupt { detail: String },

    #[error("the vault at {} was written by a newer version of Makini Desk (format {found}, this version reads up to {supported}); it was left unchanged, update the app to open it", path.display())]
    NewerVersion {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("vault database error: {0}")]
    Database(#[from] sqlx::Error),

    #[error("vault database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    #[error("cannot use the vault file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Failures of the OS random source, a background task or a crypto primitive.
    #[error("internal vault error: {0}")]
    Internal(String),
}

impl VaultError {
    /// A stable code for the UI and the CLI's JSON output.
    pub fn code(&self) -> &'static str {
        match self {
            VaultError::Locked { .. } => "VAULT_LOCKED",
            VaultError::WrongPassphrase => "WRONG_PASSPHRASE",
            VaultError::WrongMasterKey { .. } => "WRONG_MASTER_KEY",
            VaultError::SourceMismatch { .. } => "MASTER_KEY_SOURCE_MISMATCH",
            VaultError::KeyringUnavailable { .. } => "KEYRING_UNAVAILABLE",
            VaultError::KeyringEntryMissing { .. } => "KEYRING_ENTRY_MISSING",
            VaultError::KeyFilePermissions { .. } => "KEY_FILE_PERMISSIONS",
            VaultError::KeyFileMissing { .. } => "KEY_FILE_MISSING",
            VaultError::KeyFileInvalid { .. } => "KEY_FILE_INVALID",
            VaultError::KeyFileIo { .. } => "KEY_FILE_IO",
            VaultError::InvalidInput(_) => "INVALID_INPUT",
            VaultError::NotFound { .. } => "NOT_FOUND",
            VaultError::Corrupt { .. } => "CORRUPT",
            VaultError::NewerVersion { .. } => "NEWER_VERSION",
            VaultError::Database(_) | VaultError::Migrate(_) => "DATABASE",
            VaultError::Io { .. } => "IO",
            VaultError::Internal(_) => "INTERNAL",
        }
    }

    pub(crate) fn corrupt(detail: impl Into<String>) -> Self {
        VaultError::Corrupt {
            detail: detail.into(),
        }
    }
}

/// SQLite's SQLITE_NOTADB: the file is not a database (or is encrypted by something else).
const SQLITE_NOTADB: &str = "26";

/// Turns "file is not a database" into CORRUPT so the UI can say so instead of DATABASE.
pub(crate) fn classify_db_error(err: sqlx::Error) -> VaultError {
    if let sqlx::Error::Database(db) = &err {
        if db.code().as_deref() == Some(SQLITE_NOTADB) {
            return VaultError::corrupt(format!("the file is not a SQLite database ({db})"));
        }
    }
    VaultError::Database(err)
}

pub type Result<T, E = VaultError> = std::result::Result<T, E>;
