//! The inbox's typed errors. Callers (CLI, app core, UI) match on [`InboxError::code`], never on
//! messages.

use desk_platform::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("inbox database error: {0}")]
    Database(#[from] sqlx::Error),
    /// From the writer's own connection (see `insert.rs`).
    #[error("inbox database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("inbox database {path} was written by a newer Makini Desk (migration {version} is unknown here); refusing to open it")]
    NewerDatabase { path: String, version: i64 },
    #[error("inbox database {path} could not be migrated: {message}")]
    Migration { path: String, message: String },
    #[error("cannot create the inbox data folder {path}: {source}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no stored webhook matches {0:?}")]
    NotFound(String),
    #[error("webhook {0} cannot be replayed: {1}")]
    NotReplayable(String, String),
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("could not send to {url}: {message}")]
    Send { url: String, message: String },
    #[error("could not store in the inbox: {0}")]
    Store(String),
    #[error("serving the receiver: {0}")]
    Serve(#[source] std::io::Error),
    #[error("the inbox has shut down")]
    ShutDown,
}

impl InboxError {
    /// The code the UI and the CLI match on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::NotReplayable(..) => ErrorCode::Conflict,
            Self::Invalid(_) => ErrorCode::InvalidRequest,
            Self::Send { .. } => ErrorCode::SystemUnavailable,
            Self::Database(_)
            | Self::Sqlite(_)
            | Self::NewerDatabase { .. }
            | Self::Migration { .. }
            | Self::DataDir { .. }
            | Self::Corrupt(_)
            | Self::Store(_)
            | Self::Serve(_)
            | Self::ShutDown => ErrorCode::InternalError,
        }
    }
}

impl From<serde_json::Error> for InboxError {
    fn from(err: serde_json::Error) -> Self {
        Self::Corrupt(err.to_string())
    }
}

/// Why one event could not be applied; recorded on the webhook as its `error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ApplyError(pub String);

impl ApplyError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl From<rusqlite::Error> for ApplyError {
    fn from(err: rusqlite::Error) -> Self {
        Self(format!("inbox database error: {err}"))
    }
}

impl From<sqlx::Error> for ApplyError {
    fn from(err: sqlx::Error) -> Self {
        Self(format!("database: {err}"))
    }
}
