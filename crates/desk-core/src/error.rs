/// Failures of the core, with the code the UI acts on.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Client(#[from] desk_client::ClientError),
    #[error(transparent)]
    Inbox(#[from] desk_inbox::InboxError),
}

impl CoreError {
    pub fn code(&self) -> String {
        match self {
            Self::Client(err) => err.code().to_string(),
            Self::Inbox(err) => err.code().to_string(),
        }
    }
}
