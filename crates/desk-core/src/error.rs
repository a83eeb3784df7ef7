/// Failures of the core, each with a stable code the UI and the CLI act on.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Client(#[from] desk_client::ClientError),
    #[error(transparent)]
    Inbox(#[from] desk_inbox::InboxError),
    #[error(transparent)]
    Store(#[from] desk_store::StoreError),
    #[error(transparent)]
    Vault(#[from] desk_vault::VaultError),
    #[error("the local engine: {0}")]
    Engine(#[from] desk_engine::EngineError),
    #[error("no profile named {0:?}; `mdesk profiles list` shows the profiles")]
    UnknownProfile(String),
    #[error("no profile yet: `mdesk sync` creates the local engine's profile, `mdesk profiles add` any other")]
    NoProfile,
    #[error("several profiles exist ({0}); choose one with --profile")]
    ProfileRequired(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotSupported(String),
    #[error("internal error: {0}")]
    Internal(String),
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl CoreError {
    pub fn code(&self) -> String {
        match self {
            Self::Client(err) => err.code().to_string(),
            Self::Inbox(err) => err.code().to_string(),
            Self::Store(err) => err.code().to_owned(),
            Self::Vault(err) => err.code().to_owned(),
            Self::Engine(err) => err.code().as_str().to_owned(),
            Self::UnknownProfile(_) => "UNKNOWN_PROFILE".to_owned(),
            Self::NoProfile => "NO_PROFILE".to_owned(),
            Self::ProfileRequired(_) => "PROFILE_REQUIRED".to_owned(),
            Self::InvalidInput(_) => "INVALID_INPUT".to_owned(),
            Self::NotSupported(_) => "NOT_SUPPORTED".to_owned(),
            Self::Internal(_) => "INTERNAL_ERROR".to_owned(),
            Self::Io { .. } => "IO".to_owned(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
