//! The error envelope and its codes: what every non-2xx answer of the platform carries.
//!
//! The UI and the client match on [`ErrorCode`], never on messages.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Machine-readable error codes. Unknown codes from a newer platform parse as `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    InvalidRequest,
    AuthenticationFailed,
    ReauthorizationRequired,
    ConnectionDisconnected,
    PermissionDenied,
    NotFound,
    OperationNotSupported,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    FieldNotUpdatable,
    InsufficientCredits,
    RateLimitExceeded,
    InternalError,
    SystemUnavailable,
    #[serde(other)]
    Other,
}

impl ErrorCode {
    /// The HTTP status this code is always sent with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidRequest => 400,
            Self::AuthenticationFailed
            | Self::ReauthorizationRequired
            | Self::ConnectionDisconnected => 401,
            Self::InsufficientCredits => 402,
            Self::PermissionDenied => 403,
            Self::NotFound => 404,
            Self::OperationNotSupported => 405,
            Self::Conflict => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::FieldNotUpdatable => 422,
            Self::RateLimitExceeded => 429,
            Self::InternalError | Self::Other => 500,
            Self::SystemUnavailable => 503,
        }
    }

    /// The coarse error family (`type` in the envelope).
    pub fn error_type(self) -> &'static str {
        match self {
            Self::InvalidRequest
            | Self::PayloadTooLarge
            | Self::UnsupportedMediaType
            | Self::FieldNotUpdatable
            | Self::OperationNotSupported
            | Self::Conflict
            | Self::NotFound => "invalid_request_error",
            Self::AuthenticationFailed
            | Self::ReauthorizationRequired
            | Self::ConnectionDisconnected
            | Self::PermissionDenied => "authentication_error",
            Self::InsufficientCredits => "billing_error",
            Self::RateLimitExceeded => "rate_limit_error",
            Self::SystemUnavailable => "system_error",
            Self::InternalError | Self::Other => "api_error",
        }
    }

    /// The wire spelling, e.g. `RATE_LIMIT_EXCEEDED`.
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
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::FieldNotUpdatable => "FIELD_NOT_UPDATABLE",
            Self::InsufficientCredits => "INSUFFICIENT_CREDITS",
            Self::RateLimitExceeded => "RATE_LIMIT_EXCEEDED",
            Self::InternalError => "INTERNAL_ERROR",
            Self::SystemUnavailable => "SYSTEM_UNAVAILABLE",
            Self::Other => "OTHER",
        }
    }

    /// Whether a client may retry the same request later and expect a different outcome.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            Self::RateLimitExceeded | Self::SystemUnavailable | Self::InternalError
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `{"error": {...}}`, the body of every error answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ApiErrorBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiErrorBody {
    pub code: ErrorCode,
    #[serde(rename = "type")]
    pub error_type: String,
    pub message: String,
    pub request_id: String,
}

impl ErrorEnvelope {
    pub fn new(code: ErrorCode, message: impl Into<String>, request_id: impl Into<String>) -> Self {
        Self {
            error: ApiErrorBody {
                code,
                error_type: code.error_type().to_owned(),
                message: message.into(),
                request_id: request_id.into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_in_screaming_snake_case_and_unknown_ones_parse_as_other() {
        let json = serde_json::to_string(&ErrorCode::RateLimitExceeded).unwrap();
        assert_eq!(json, "\"RATE_LIMIT_EXCEEDED\"");
        let parsed: ErrorCode = serde_json::from_str("\"SOMETHING_NEW\"").unwrap();
        assert_eq!(parsed, ErrorCode::Other);
    }

    #[test]
    fn as_str_matches_the_serde_spelling_for_every_code() {
        for code in [
            ErrorCode::InvalidRequest,
            ErrorCode::AuthenticationFailed,
            ErrorCode::ReauthorizationRequired,
            ErrorCode::ConnectionDisconnected,
            ErrorCode::PermissionDenied,
            ErrorCode::NotFound,
            ErrorCode::OperationNotSupported,
            ErrorCode::Conflict,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::FieldNotUpdatable,
            ErrorCode::InsufficientCredits,
            ErrorCode::RateLimitExceeded,
            ErrorCode::InternalError,
            ErrorCode::SystemUnavailable,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json.trim_matches('"'), code.as_str());
        }
    }
}
