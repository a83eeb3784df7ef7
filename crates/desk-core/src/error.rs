//! One error vocabulary for every face of the app: [`CoreError`] inside the core, [`Code`] for
//! what a consumer switches on, and [`ActionError`], the serialised form the window, the browser
//! mode and the CLI's JSON output carry (`{code, message, request_id, next_step}`). The UI never
//! matches on message text. As GitButler's `but-error`, a code is added only when a consumer acts
//! on it differently from the codes that exist.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Failures of the core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Client(#[from] desk_client::ClientError),
    #[error(transparent)]
    Inbox(#[from] desk_inbox::InboxError),
    #[error(transparent)]
    Store(#[from] desk_store::StoreError),
    #[error(transparent)]
    Alerts(#[from] desk_alerts::AlertsError),
    #[error(transparent)]
    Vault(#[from] desk_vault::VaultError),
    #[error("the local engine: {0}")]
    Engine(#[from] desk_engine::EngineError),
    #[error("no profile named {name:?}; {known}")]
    UnknownProfile {
        name: String,
        /// What exists, as a phrase ("the profiles are: a, b" or "there is no profile yet").
        known: String,
    },
    /// A folder opened for reading holds no Makini Desk data.
    #[error("{} holds no Makini Desk data (no mirror, inbox or engine store); check the data folder given (--data-dir), or start one with `mdesk sync`, `mdesk serve` or `mdesk profiles add`", .0.display())]
    NoData(std::path::PathBuf),
    /// A connection, customer or entity named in a request that the mirror does not hold; the
    /// message names what exists.
    #[error("{0}")]
    Unknown(String),
    #[error("no profile yet: `mdesk sync` creates the local engine's profile, `mdesk profiles add` any other")]
    NoProfile,
    #[error("several profiles exist ({0}); choose one with --profile")]
    ProfileRequired(String),
    /// The request itself is wrong; the message says which field and why.
    #[error("{0}")]
    InvalidInput(String),
    /// Something the app wrote earlier does not read back (a cursor, a stored file).
    #[error("{0}")]
    Corrupt(String),
    /// A secret the action needs is not in the vault.
    #[error("{0}")]
    SecretMissing(String),
    #[error("{0}")]
    NotSupported(String),
    /// The user must confirm first (a reauthorization that points at another account).
    #[error("{0}")]
    ConfirmationRequired(String),
    /// Another process serves the data folder's engine or inbox already.
    #[error("{}", crate::serving::already_serving_message(role, dir, url.as_deref(), *pid))]
    AlreadyServing {
        role: &'static str,
        dir: std::path::PathBuf,
        url: Option<String>,
        pid: Option<u32>,
    },
    #[error("internal error: {0}")]
    Internal(String),
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What a consumer switches on. The platform's own codes keep their wire spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    // The platform's answers (contract.md).
    InvalidRequest,
    AuthenticationFailed,
    ReauthorizationRequired,
    ConnectionDisconnected,
    PermissionDenied,
    NotFound,
    OperationNotSupported,
    Conflict,
    PayloadTooLarge,
    FieldNotUpdatable,
    InsufficientCredits,
    RateLimitExceeded,
    InternalError,
    SystemUnavailable,
    // Reaching the platform.
    /// No answer: the network, a stopped engine, a timeout.
    PlatformUnreachable,
    /// An answer that is not the contract's.
    PlatformBadAnswer,
    /// Calls for a connection keep failing; the client pauses them.
    CircuitOpen,
    InvalidUrl,
    // The app's own.
    UnknownProfile,
    NoProfile,
    ProfileRequired,
    InvalidInput,
    ConfirmationRequired,
    NotSupported,
    SecretMissing,
    /// The vault cannot be opened: no keyring, no passphrase, a wrong one.
    VaultLocked,
    StoreNewerVersion,
    StoreCorrupt,
    StoreBusy,
    DiskFull,
    Io,
    /// The browser mode's launch token is missing or wrong.
    Unauthenticated,
    /// A request from another site (`Origin`) or host name (`Host`).
    Forbidden,
    UnknownAction,
    /// The window's updater: the update channel is unreachable or its manifest unreadable.
    UpdateFailed,
    /// The window's updater: a release whose signature does not match the app's public key;
    /// it is refused and never installed.
    UpdateSignatureInvalid,
}

impl Code {
    /// The HTTP status the browser mode answers with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidRequest | Self::InvalidInput | Self::InvalidUrl => 400,
            Self::AuthenticationFailed
            | Self::ReauthorizationRequired
            | Self::ConnectionDisconnected
            | Self::Unauthenticated => 401,
            Self::InsufficientCredits => 402,
            Self::PermissionDenied | Self::Forbidden => 403,
            Self::NotFound | Self::UnknownProfile | Self::UnknownAction => 404,
            Self::OperationNotSupported | Self::NotSupported => 405,
            Self::Conflict | Self::ConfirmationRequired | Self::ProfileRequired => 409,
            Self::PayloadTooLarge => 413,
            Self::FieldNotUpdatable | Self::NoProfile | Self::SecretMissing => 422,
            Self::RateLimitExceeded => 429,
            Self::VaultLocked | Self::StoreBusy => 423,
            Self::PlatformUnreachable
            | Self::PlatformBadAnswer
            | Self::CircuitOpen
            | Self::SystemUnavailable
            | Self::UpdateFailed => 503,
            Self::UpdateSignatureInvalid => 502,
            Self::InternalError
            | Self::StoreNewerVersion
            | Self::StoreCorrupt
            | Self::DiskFull
            | Self::Io => 500,
        }
    }

    fn from_platform(code: desk_platform::ErrorCode) -> Self {
        use desk_platform::ErrorCode as P;
        match code {
            P::InvalidRequest => Self::InvalidRequest,
            P::AuthenticationFailed => Self::AuthenticationFailed,
            P::ReauthorizationRequired => Self::ReauthorizationRequired,
            P::ConnectionDisconnected => Self::ConnectionDisconnected,
            P::PermissionDenied => Self::PermissionDenied,
            P::NotFound => Self::NotFound,
            P::OperationNotSupported => Self::OperationNotSupported,
            P::Conflict => Self::Conflict,
            P::PayloadTooLarge => Self::PayloadTooLarge,
            P::UnsupportedMediaType => Self::InvalidRequest,
            P::FieldNotUpdatable => Self::FieldNotUpdatable,
            P::InsufficientCredits => Self::InsufficientCredits,
            P::RateLimitExceeded => Self::RateLimitExceeded,
            P::SystemUnavailable => Self::SystemUnavailable,
            P::InternalError | P::Other => Self::InternalError,
        }
    }

    /// The wire spelling, e.g. `PLATFORM_UNREACHABLE` (the same as serde's; a test checks).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::AuthenticationFailed => "AUTHENTICATION_FAILED",
            Self::ReauthorizationRequired => "REAUTHORIZATION_REQUIRED",
            Self::ConnectionDisconnected => "CONNECTION_DISCONNECTED",
            Self::PermissionDenied => "PERMISSION_DENIED",
            Self::NotFound => "NOT_FOUND",
            Self::OperationNotSupported => "OPERATION_NOT_SUPPORTED",
            Self::Conflict => "CONFLICT",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::FieldNotUpdatable => "FIELD_NOT_UPDATABLE",
            Self::InsufficientCredits => "INSUFFICIENT_CREDITS",
            Self::RateLimitExceeded => "RATE_LIMIT_EXCEEDED",
            Self::InternalError => "INTERNAL_ERROR",
            Self::SystemUnavailable => "SYSTEM_UNAVAILABLE",
            Self::PlatformUnreachable => "PLATFORM_UNREACHABLE",
            Self::PlatformBadAnswer => "PLATFORM_BAD_ANSWER",
            Self::CircuitOpen => "CIRCUIT_OPEN",
            Self::InvalidUrl => "INVALID_URL",
            Self::UnknownProfile => "UNKNOWN_PROFILE",
            Self::NoProfile => "NO_PROFILE",
            Self::ProfileRequired => "PROFILE_REQUIRED",
            Self::InvalidInput => "INVALID_INPUT",
            Self::ConfirmationRequired => "CONFIRMATION_REQUIRED",
            Self::NotSupported => "NOT_SUPPORTED",
            Self::SecretMissing => "SECRET_MISSING",
            Self::VaultLocked => "VAULT_LOCKED",
            Self::StoreNewerVersion => "STORE_NEWER_VERSION",
            Self::StoreCorrupt => "STORE_CORRUPT",
            Self::StoreBusy => "STORE_BUSY",
            Self::DiskFull => "DISK_FULL",
            Self::Io => "IO",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::UnknownAction => "UNKNOWN_ACTION",
            Self::UpdateFailed => "UPDATE_FAILED",
            Self::UpdateSignatureInvalid => "UPDATE_SIGNATURE_INVALID",
        }
    }

    pub const ALL: [Self; 36] = [
        Self::InvalidRequest,
        Self::AuthenticationFailed,
        Self::ReauthorizationRequired,
        Self::ConnectionDisconnected,
        Self::PermissionDenied,
        Self::NotFound,
        Self::OperationNotSupported,
        Self::Conflict,
        Self::PayloadTooLarge,
        Self::FieldNotUpdatable,
        Self::InsufficientCredits,
        Self::RateLimitExceeded,
        Self::InternalError,
        Self::SystemUnavailable,
        Self::PlatformUnreachable,
        Self::PlatformBadAnswer,
        Self::CircuitOpen,
        Self::InvalidUrl,
        Self::UnknownProfile,
        Self::NoProfile,
        Self::ProfileRequired,
        Self::InvalidInput,
        Self::ConfirmationRequired,
        Self::NotSupported,
        Self::SecretMissing,
        Self::VaultLocked,
        Self::StoreNewerVersion,
        Self::StoreCorrupt,
        Self::StoreBusy,
        Self::DiskFull,
        Self::Io,
        Self::Unauthenticated,
        Self::Forbidden,
        Self::UnknownAction,
        Self::UpdateFailed,
        Self::UpdateSignatureInvalid,
    ];
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the user can do about an error; the UI turns it into a button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// The same request may work later (after `retry_after_seconds`, when given).
    Retry,
    /// The connection's customer must reconnect it.
    Reauthorize,
    /// Look at the connection's page.
    OpenConnection,
    /// Add (or fix) a profile in settings.
    AddProfile,
    /// Provide the vault's key (keyring, passphrase or key file).
    UnlockVault,
    /// Correct the highlighted input.
    FixInput,
    /// Confirm and send the request again with the confirmation set.
    Confirm,
    /// Activate the inactive connection (credits or overage).
    Activate,
    /// Sync the profile to bring the mirror up to date.
    Sync,
    /// Reload the app (the launch token expired with its server).
    Reload,
}

/// An error as it crosses to the UI and to `--format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ActionError {
    pub code: Code,
    pub message: String,
    /// The platform's request id, to quote in a support request.
    pub request_id: Option<String>,
    pub next_step: Option<NextStep>,
    /// How long the platform asked to wait before retrying.
    pub retry_after_seconds: Option<u32>,
}

impl ActionError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            request_id: None,
            next_step: None,
            retry_after_seconds: None,
        }
    }

    pub fn with_next_step(mut self, step: NextStep) -> Self {
        self.next_step = Some(step);
        self
    }
}

impl std::fmt::Display for ActionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)?;
        if let Some(id) = &self.request_id {
            write!(f, " [request {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ActionError {}

impl From<&CoreError> for ActionError {
    fn from(err: &CoreError) -> Self {
        let code = err.code();
        Self {
            code,
            message: message_of(err),
            request_id: err.request_id().map(str::to_owned),
            next_step: next_step(code),
            retry_after_seconds: match err {
                CoreError::Client(client) => client
                    .retry_after()
                    .map(|wait| u32::try_from(wait.as_secs()).unwrap_or(u32::MAX)),
                _ => None,
            },
        }
    }
}

/// The message without what the other fields carry: a platform answer's own message, not
/// `NOT_FOUND (HTTP 404): ...` (the code and request id travel beside it).
fn message_of(err: &CoreError) -> String {
    match err {
        CoreError::Client(desk_client::ClientError::Api { message, .. }) if !message.is_empty() => {
            message.clone()
        }
        _ => err.to_string(),
    }
}

impl From<CoreError> for ActionError {
    fn from(err: CoreError) -> Self {
        Self::from(&err)
    }
}

/// The way forward each code suggests; `None` where the message is all there is.
fn next_step(code: Code) -> Option<NextStep> {
    match code {
        Code::ReauthorizationRequired => Some(NextStep::Reauthorize),
        Code::ConnectionDisconnected | Code::OperationNotSupported | Code::FieldNotUpdatable => {
            Some(NextStep::OpenConnection)
        }
        Code::InsufficientCredits => Some(NextStep::Activate),
        Code::RateLimitExceeded
        | Code::SystemUnavailable
        | Code::PlatformUnreachable
        | Code::CircuitOpen
        | Code::StoreBusy
        | Code::InternalError => Some(NextStep::Retry),
        Code::AuthenticationFailed | Code::UnknownProfile | Code::NoProfile => {
            Some(NextStep::AddProfile)
        }
        Code::ProfileRequired => Some(NextStep::AddProfile),
        Code::InvalidRequest | Code::InvalidInput | Code::InvalidUrl => Some(NextStep::FixInput),
        Code::ConfirmationRequired => Some(NextStep::Confirm),
        Code::VaultLocked => Some(NextStep::UnlockVault),
        Code::SecretMissing => Some(NextStep::Sync),
        Code::Unauthenticated => Some(NextStep::Reload),
        _ => None,
    }
}

impl CoreError {
    pub fn code(&self) -> Code {
        match self {
            Self::Client(err) => client_code(err),
            Self::Inbox(err) => Code::from_platform(err.code()),
            Self::Store(err) => match err.code() {
                "STORE_NEWER_VERSION" => Code::StoreNewerVersion,
                "STORE_CORRUPT" => Code::StoreCorrupt,
                "NOT_FOUND" => Code::NotFound,
                "INVALID_INPUT" => Code::InvalidInput,
                "STORE_BUSY" => Code::StoreBusy,
                "DISK_FULL" => Code::DiskFull,
                "IO" => Code::Io,
                _ => Code::InternalError,
            },
            Self::Alerts(err) => match err.code() {
                "NOT_FOUND" => Code::NotFound,
                "CONFLICT" => Code::Conflict,
                "STORE_NEWER_VERSION" => Code::StoreNewerVersion,
                "STORE_BUSY" => Code::StoreBusy,
                "IO" => Code::Io,
                _ => Code::InternalError,
            },
            Self::Vault(err) => match err.code() {
                "INVALID_INPUT" => Code::InvalidInput,
                "NOT_FOUND" => Code::SecretMissing,
                "CORRUPT" => Code::StoreCorrupt,
                "NEWER_VERSION" => Code::StoreNewerVersion,
                "DATABASE" | "INTERNAL" => Code::InternalError,
                "IO" => Code::Io,
                // Locked, wrong passphrase or key, no keyring, key-file trouble: all mean the
                // vault's key must be provided differently.
                _ => Code::VaultLocked,
            },
            Self::Engine(err) => Code::from_platform(err.code()),
            Self::UnknownProfile { .. } => Code::UnknownProfile,
            Self::Unknown(_) | Self::NoData(_) => Code::NotFound,
            Self::NoProfile => Code::NoProfile,
            Self::ProfileRequired(_) => Code::ProfileRequired,
            Self::InvalidInput(_) => Code::InvalidInput,
            Self::Corrupt(_) => Code::StoreCorrupt,
            Self::SecretMissing(_) => Code::SecretMissing,
            Self::NotSupported(_) => Code::NotSupported,
            Self::ConfirmationRequired(_) => Code::ConfirmationRequired,
            Self::AlreadyServing { .. } => Code::Conflict,
            Self::Internal(_) => Code::InternalError,
            Self::Io { .. } => Code::Io,
        }
    }

    /// The platform's request id, when the failure came from one of its answers.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Client(err) => err.request_id(),
            _ => None,
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn client_code(err: &desk_client::ClientError) -> Code {
    use desk_client::ClientError as C;
    match err {
        C::Api { code, .. } => Code::from_platform(*code),
        C::ReauthorizationRequired { .. } => Code::ReauthorizationRequired,
        C::ConnectionDisconnected { .. } => Code::ConnectionDisconnected,
        C::Unauthorized { .. } => Code::AuthenticationFailed,
        C::CircuitOpen { .. } => Code::CircuitOpen,
        C::Timeout { .. } | C::Transport { .. } => Code::PlatformUnreachable,
        C::Decode { .. } => Code::PlatformBadAnswer,
        C::InvalidUrl { .. } => Code::InvalidUrl,
        _ => Code::InternalError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_serde_spelling_as_str() {
        for code in Code::ALL {
            let json = serde_json::to_value(code).expect("serialises");
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
        }
    }

    #[test]
    fn a_platform_answer_keeps_its_code_request_id_and_wait() {
        let err = CoreError::Client(desk_client::ClientError::Api {
            status: 429,
            code: desk_platform::ErrorCode::RateLimitExceeded,
            error_type: "rate_limit_error".into(),
            message: "slow down".into(),
            request_id: Some("req_1".into()),
            retry_after: Some(std::time::Duration::from_secs(7)),
        });
        let action = ActionError::from(&err);
        assert_eq!(action.code, Code::RateLimitExceeded);
        assert_eq!(action.request_id.as_deref(), Some("req_1"));
        assert_eq!(action.retry_after_seconds, Some(7));
        assert_eq!(action.next_step, Some(NextStep::Retry));
        assert_eq!(action.message, "slow down");
        assert_eq!(
            action.to_string(),
            "slow down (RATE_LIMIT_EXCEEDED) [request req_1]"
        );
        let json = serde_json::to_value(&action).expect("serialises");
        assert_eq!(json["code"], "RATE_LIMIT_EXCEEDED");
        assert_eq!(json["next_step"], "retry");
    }
}
