//! Typed errors with stable codes (the app maps them onto its own).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AlertsError {
    #[error("no alert {0:?}")]
    NotFound(String),
    /// The alert cannot make that move (acknowledging a resolved alert).
    #[error("{0}")]
    InvalidTransition(String),
    #[error("the alerts database {} was written by a newer version of Makini Desk; update the app to open it", .0.display())]
    NewerVersion(PathBuf),
    #[error("the alerts database is busy (another Makini Desk process is writing): {0}")]
    Busy(#[source] sqlx::Error),
    #[error("alerts database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("the alerts database {} could not be migrated: {source}", path.display())]
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
    /// A stored value this build does not read (a state or kind from a newer version).
    #[error("the alerts database holds {0}, which this version does not know")]
    Unreadable(String),
}

impl AlertsError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "NOT_FOUND",
            Self::InvalidTransition(_) => "CONFLICT",
            Self::NewerVersion(_) | Self::Unreadable(_) => "STORE_NEWER_VERSION",
            Self::Busy(_) => "STORE_BUSY",
            Self::Io { .. } => "IO",
            Self::Database(_) | Self::Migration { .. } => "DATABASE",
        }
    }
}

impl From<sqlx::Error> for AlertsError {
    fn from(err: sqlx::Error) -> Self {
        let busy = matches!(&err, sqlx::Error::Database(db)
            if db.code().is_some_and(|code| code == "5" || code == "517" || code == "6"));
        if busy {
            Self::Busy(err)
        } else {
            Self::Database(err)
        }
    }
}
