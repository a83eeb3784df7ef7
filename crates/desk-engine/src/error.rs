use desk_platform::ErrorCode;

/// Every failure of the engine, with the platform error code it is answered with.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A failure the client caused or can act on; answered with its code.
    #[error("{message}")]
    Api {
        code: ErrorCode,
        message: String,
        retry_after: Option<u64>,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("the catalog is invalid: {0}")]
    Catalog(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl EngineError {
    pub fn api(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Api {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::api(ErrorCode::InvalidRequest, message)
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::api(ErrorCode::NotFound, format!("no {what} with id {id:?}"))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::api(ErrorCode::Conflict, message)
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Api { code, .. } => *code,
            _ => ErrorCode::InternalError,
        }
    }
}

impl From<serde_json::Error> for EngineError {
    fn from(err: serde_json::Error) -> Self {
        Self::Corrupt(format!("stored JSON does not parse: {err}"))
    }
}
