//! What a command answers when it fails: a stable `code` the UI matches on, and a message a
//! person can read. The UI never matches on the message.

use serde::ser::SerializeStruct;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    /// The OS gave no per-user data folder, or it cannot be written.
    #[error("the app-data folder {path} cannot be used: {source}")]
    AppData {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the OS gave no app-data folder: {0}")]
    NoAppDataDir(#[source] tauri::Error),
    /// The local engine could not open its store.
    #[error("the local engine could not open its store: {0}")]
    EngineStore(#[from] desk_engine::EngineError),
    /// The local engine could not get a loopback port, or no HTTP client could be made for it.
    #[error("the local engine did not start: {0}")]
    EngineStart(String),
    /// No answer over HTTP (refused, reset, timed out).
    #[error("the engine at {base_url} did not answer: {source}")]
    EngineUnreachable {
        base_url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The engine answered with its error envelope.
    #[error("the engine refused {what}: {code} {message}")]
    EngineRefused {
        what: &'static str,
        code: String,
        message: String,
    },
    /// The engine answered something that is not the contract's shape.
    #[error("the engine's answer to {what} is not what the contract says: {detail}")]
    EngineAnswer { what: &'static str, detail: String },
}

impl ShellError {
    /// The stable code the UI matches on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AppData { .. } | Self::NoAppDataDir(_) => "APP_DATA_UNAVAILABLE",
            Self::EngineStore(_) | Self::EngineStart(_) => "ENGINE_START_FAILED",
            Self::EngineUnreachable { .. } => "ENGINE_UNREACHABLE",
            Self::EngineRefused { .. } => "ENGINE_REFUSED",
            Self::EngineAnswer { .. } => "ENGINE_BAD_ANSWER",
        }
    }
}

/// `{ "code": "ENGINE_UNREACHABLE", "message": "..." }`, plus the platform's own code when the
/// engine refused.
impl Serialize for ShellError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let platform_code = match self {
            Self::EngineRefused { code, .. } => Some(code.as_str()),
            _ => None,
        };
        let mut s = serializer.serialize_struct("ShellError", 3)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("platform_code", &platform_code)?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_crosses_to_the_ui_with_its_code_and_message() {
        let err = ShellError::EngineRefused {
            what: "GET /api/v1/account",
            code: "AUTHENTICATION_FAILED".to_owned(),
            message: "bad token".to_owned(),
        };
        let json = serde_json::to_value(&err).expect("serializes");
        assert_eq!(json["code"], "ENGINE_REFUSED");
        assert_eq!(json["platform_code"], "AUTHENTICATION_FAILED");
        assert!(json["message"]
            .as_str()
            .is_some_and(|m| m.contains("bad token")));
    }
}
