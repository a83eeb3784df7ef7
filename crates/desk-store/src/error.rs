//! Typed errors with stable codes the UI and the CLI match on (never on message text).

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Written by a newer Makini Desk: a format number or a migration this build does not know.
    /// The file was not modified.
    #[error("the mirror database {} was written by a newer version of Makini Desk ({found}); it was left unchanged, update the app to open it", path.display())]
    NewerVersion { path: PathBuf, found: String },

    /// Not a SQLite file, or damaged. Never recreated: the user decides what to do with it.
    #[error("the mirror database {} is corrupt ({detail}); it was left unchanged: move it aside and run `mdesk sync` to build a new mirror", path.display())]
    Corrupt { path: PathBuf, detail: String },

    #[error("no {what} {id:?} in the mirror")]
    NotFound { what: &'static str, id: String },

    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// Another process held the write lock for longer than the busy timeout.
    #[error("the mirror database is busy (another Makini Desk process is writing): {0}")]
    Busy(#[source] DbError),

    #[error("the disk is full: the mirror database could not be written ({0})")]
    DiskFull(#[source] DbError),

    #[error("mirror database error: {0}")]
    Database(#[source] DbError),

    #[error("the mirror database {} could not be migrated: {source}", path.display())]
    Migration {
        path: PathBuf,
        #[source]
        source: sqlx::migrate::MigrateError,
    },

    #[error("cannot use {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Writing an export failed (the writer's own error).
    #[error("export failed: {0}")]
    Export(#[source] std::io::Error),

    /// A row that this build wrote but cannot read back (a bad time, JSON or enum value).
    #[error("stored data does not parse: {0}")]
    BadRow(String),
}

impl StoreError {
    /// A stable code for the UI and the CLI's JSON output.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NewerVersion { .. } => "STORE_NEWER_VERSION",
            Self::Corrupt { .. } | Self::BadRow(_) => "STORE_CORRUPT",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::InvalidInput(_) => "INVALID_INPUT",
            Self::Busy(_) => "STORE_BUSY",
            Self::DiskFull(_) => "DISK_FULL",
            Self::Database(_) | Self::Migration { .. } => "DATABASE",
            Self::Io { .. } | Self::Export(_) => "IO",
        }
    }

    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            what,
            id: id.into(),
        }
    }

    pub(crate) fn bad_row(what: impl std::fmt::Display) -> Self {
        Self::BadRow(what.to_string())
    }

    /// Names the file on errors that should name it (a corrupt page met after opening).
    pub(crate) fn at(self, file: &Path) -> Self {
        match self {
            Self::Corrupt { detail, .. } => Self::Corrupt {
                path: file.to_path_buf(),
                detail,
            },
            other => other,
        }
    }
}

/// What SQLite (through either library) answered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// From the connections sqlx drives: the reads and most writes.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    /// From the record pages' writer (rusqlite, on a blocking thread).
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// The page writer's thread ended without an answer (it panicked), or the mirror was
    /// closed.
    #[error("{0}")]
    Writer(String),
}

// SQLite primary result codes (extended codes keep them in their low byte).
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_FULL: i64 = 13;
const SQLITE_NOTADB: i64 = 26;

impl StoreError {
    /// By SQLite's primary result code, whichever library answered.
    fn classified(primary: Option<i64>, err: DbError) -> Self {
        match primary {
            Some(SQLITE_CORRUPT | SQLITE_NOTADB) => Self::Corrupt {
                path: PathBuf::from("mirror.db"),
                detail: err.to_string(),
            },
            Some(SQLITE_BUSY | SQLITE_LOCKED) => Self::Busy(err),
            Some(SQLITE_FULL) => Self::DiskFull(err),
            _ => Self::Database(err),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        let primary = match &err {
            sqlx::Error::Database(db) => db
                .code()
                .and_then(|code| code.parse::<i64>().ok())
                .map(|code| code & 0xff),
            _ => None,
        };
        Self::classified(primary, err.into())
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        let primary = match &err {
            rusqlite::Error::SqliteFailure(failure, _) => {
                Some(i64::from(failure.extended_code & 0xff))
            }
            _ => None,
        };
        Self::classified(primary, err.into())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
