//! What a call to the platform can fail with. The UI matches on [`ClientError::code`], never on
//! messages.

use chrono::{DateTime, Utc};
use desk_platform::ErrorCode;
use std::time::Duration;

/// Longest raw body kept in a message when an error answer is not the platform's envelope.
const RAW_BODY_LIMIT: usize = 1000;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The platform answered with an error (parsed from its envelope, or inferred from the status
    /// when the body was something else).
    #[error("{code} (HTTP {status}): {message}")]
    Api {
        status: u16,
        code: ErrorCode,
        error_type: String,
        message: String,
        request_id: Option<String>,
        /// From `Retry-After`, when the answer carried one.
        retry_after: Option<Duration>,
    },
    /// The connection's system refused its stored credentials: someone must reauthorize it.
    #[error(
        "the connection {} must be reauthorized: {message}",
        display_id(connection_id)
    )]
    ReauthorizationRequired {
        connection_id: Option<String>,
        message: String,
        request_id: Option<String>,
    },
    #[error(
        "the connection {} was disconnected: {message}",
        display_id(connection_id)
    )]
    ConnectionDisconnected {
        connection_id: Option<String>,
        message: String,
        request_id: Option<String>,
    },
    /// The admin credentials or the connection token were refused (after one fresh login, for
    /// admin calls).
    #[error("the platform refused the credentials: {message}")]
    Unauthorized {
        message: String,
        request_id: Option<String>,
    },
    /// Calls for this connection kept failing; the client stops sending them until `retry_at`.
    #[error("calls for connection {connection_id} keep failing; paused until {retry_at}")]
    CircuitOpen {
        connection_id: String,
        retry_at: DateTime<Utc>,
    },
    #[error("no answer from {url} in time ({method} {path}); the platform or the network is slow or down, try again")]
    Timeout {
        method: String,
        path: String,
        /// The platform's base URL.
        url: String,
    },
    /// No answer at all: one line with the address and why (the underlying error's chain of
    /// wrappers, "error sending request: client error (Connect): ...", is read into `reason`).
    #[error("cannot reach {url} ({reason}); is the platform's server running there, and is the address right? ({method} {path})")]
    Transport {
        method: String,
        path: String,
        /// The platform's base URL.
        url: String,
        /// `connection refused`, `host name not found`, `TLS handshake failed: ...`.
        reason: String,
    },
    /// A 2xx answer whose body is not what the contract says.
    #[error("unexpected answer to {path}: {message}")]
    Decode {
        path: String,
        request_id: Option<String>,
        message: String,
    },
    #[error("invalid platform URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The HTTP client could not be built (TLS backend initialisation).
    #[error("the HTTP client could not be set up: {source}")]
    Setup {
        #[source]
        source: reqwest::Error,
    },
}

fn display_id(id: &Option<String>) -> &str {
    id.as_deref().unwrap_or("(unknown)")
}

impl ClientError {
    /// A stable, machine-readable code: the platform's code for answers of the platform, and
    /// `CIRCUIT_OPEN`, `TIMEOUT`, `TRANSPORT_ERROR`, `DECODE_ERROR`, `INVALID_URL` for the rest.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Api { code, .. } => code.as_str(),
            Self::ReauthorizationRequired { .. } => ErrorCode::ReauthorizationRequired.as_str(),
            Self::ConnectionDisconnected { .. } => ErrorCode::ConnectionDisconnected.as_str(),
            Self::Unauthorized { .. } => ErrorCode::AuthenticationFailed.as_str(),
            Self::CircuitOpen { .. } => "CIRCUIT_OPEN",
            Self::Timeout { .. } => "TIMEOUT",
            Self::Transport { .. } => "TRANSPORT_ERROR",
            Self::Decode { .. } => "DECODE_ERROR",
            Self::InvalidUrl { .. } => "INVALID_URL",
            Self::Setup { .. } => "CLIENT_SETUP",
        }
    }

    /// The platform's request id, to quote in a support request.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { request_id, .. }
            | Self::ReauthorizationRequired { request_id, .. }
            | Self::ConnectionDisconnected { request_id, .. }
            | Self::Unauthorized { request_id, .. }
            | Self::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// How long the platform asked to wait (429/503 with `Retry-After`), for a "try again in
    /// ..." message; [`ClientError::CircuitOpen`] carries its own `retry_at`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A failure that says nothing about the request itself, only about the platform or the
    /// network right now: these feed the circuit breaker.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Api { status, .. } => *status == 429 || *status >= 500,
            Self::Timeout { .. } | Self::Transport { .. } => true,
            _ => false,
        }
    }

    /// Builds the error for a non-2xx answer. Lenient: any body shape is accepted, and what is
    /// missing is inferred from the status and the `X-Request-Id` header.
    pub(crate) fn from_answer(
        status: u16,
        header_request_id: Option<String>,
        retry_after: Option<Duration>,
        body: &[u8],
        connection_id: Option<&str>,
    ) -> Self {
        let parsed = ParsedEnvelope::parse(body);
        let known = parsed.code.as_deref().map(parse_code);
        // A code we do not know (another platform's spelling) says less than the status does;
        // it is kept in the message so it is still shown.
        let code = match known {
            Some(code) if code != ErrorCode::Other => code,
            _ => code_for_status(status),
        };
        let mut message = parsed
            .message
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| raw_message(status, body));
        if let (Some(raw), Some(ErrorCode::Other)) = (parsed.code.as_deref(), known) {
            message = format!("{raw}: {message}");
        }
        let request_id = parsed.request_id.or(header_request_id);
        let connection_id = connection_id.map(str::to_owned);
        match code {
            ErrorCode::ReauthorizationRequired => Self::ReauthorizationRequired {
                connection_id,
                message,
                request_id,
            },
            ErrorCode::ConnectionDisconnected => Self::ConnectionDisconnected {
                connection_id,
                message,
                request_id,
            },
            ErrorCode::AuthenticationFailed => Self::Unauthorized {
                message,
                request_id,
            },
            _ => Self::Api {
                status,
                code,
                error_type: parsed
                    .error_type
                    .unwrap_or_else(|| code.error_type().to_owned()),
                message,
                request_id,
                retry_after,
            },
        }
    }
}

/// The fields of an error body that were present. Our platform's envelope is `{"error":
/// {...}}`; Makini's shape is not documented (makini-api.md), so flat objects (`{"code",
/// "message", "request_id"}`), Laravel's `{"message", "errors"}`, `{"error": "text"}`, camelCase
/// and numeric codes are read too. Anything else gives nothing and the status speaks.
#[derive(Default)]
struct ParsedEnvelope {
    code: Option<String>,
    error_type: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

impl ParsedEnvelope {
    fn parse(body: &[u8]) -> Self {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            return Self::default();
        };
        match value.get("error") {
            Some(error @ serde_json::Value::Object(_)) => {
                let mut parsed = Self::fields(error);
                // A request id beside the envelope rather than in it.
                parsed.request_id = parsed
                    .request_id
                    .or_else(|| Self::fields(&value).request_id);
                parsed
            }
            Some(serde_json::Value::String(text)) => {
                let flat = Self::fields(&value);
                match flat.message {
                    // `{"error": "invalid_client", "message": "..."}`: the short one is a code.
                    Some(message) => Self {
                        code: Some(text.clone()),
                        message: Some(message),
                        ..flat
                    },
                    None => Self {
                        message: Some(text.clone()),
                        ..flat
                    },
                }
            }
            _ => Self::fields(&value),
        }
    }

    fn fields(object: &serde_json::Value) -> Self {
        let text = |keys: &[&str]| {
            keys.iter().find_map(|key| match object.get(*key)? {
                serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let mut message = text(&["message", "error_description", "detail", "title"]);
        if let Some(errors) = object.get("errors").filter(|e| !e.is_null()) {
            // Validation details (Laravel's `errors: {field: [..]}`), kept with the message.
            let details = errors.to_string();
            message = Some(match message {
                Some(m) => format!("{m} {details}"),
                None => details,
            });
        }
        Self {
            code: text(&["code", "error_code", "errorCode"]),
            error_type: text(&["type", "error_type"]),
            message,
            request_id: text(&["request_id", "requestId", "request-id", "trace_id"]),
        }
    }
}

fn parse_code(text: &str) -> ErrorCode {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).unwrap_or(ErrorCode::Other)
}

/// The code an answer without one most likely means.
fn code_for_status(status: u16) -> ErrorCode {
    match status {
        400 => ErrorCode::InvalidRequest,
        401 => ErrorCode::AuthenticationFailed,
        402 => ErrorCode::InsufficientCredits,
        403 => ErrorCode::PermissionDenied,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::OperationNotSupported,
        409 => ErrorCode::Conflict,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        422 => ErrorCode::FieldNotUpdatable,
        429 => ErrorCode::RateLimitExceeded,
        500 => ErrorCode::InternalError,
        503 => ErrorCode::SystemUnavailable,
        _ => ErrorCode::Other,
    }
}

fn raw_message(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return format!("HTTP {status} with an empty body");
    }
    let mut end = text.len().min(RAW_BODY_LIMIT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Why a request got no answer, in a few words, from the innermost error that says it: the
/// I/O error's kind, a DNS or TLS failure, else the innermost message.
pub(crate) fn transport_reason(err: &reqwest::Error) -> String {
    let mut innermost: &dyn std::error::Error = err;
    let mut messages = vec![err.to_string()];
    while let Some(next) = innermost.source() {
        innermost = next;
        messages.push(next.to_string());
        if let Some(io) = next.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            let known = match io.kind() {
                K::ConnectionRefused => Some("connection refused"),
                K::ConnectionReset => Some("connection reset"),
                K::ConnectionAborted => Some("connection aborted"),
                K::TimedOut => Some("timed out"),
                K::AddrNotAvailable => Some("address not available"),
                K::HostUnreachable => Some("host unreachable"),
                K::NetworkUnreachable => Some("network unreachable"),
                _ => None,
            };
            if let Some(known) = known {
                return known.to_owned();
            }
        }
    }
    let all = messages.join(": ").to_ascii_lowercase();
    if all.contains("dns error") || all.contains("failed to lookup address") {
        return "host name not found".to_owned();
    }
    if all.contains("certificate") || all.contains("tls") || all.contains("handshake") {
        return format!("TLS handshake failed: {innermost}");
    }
    innermost.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_gives_every_field_and_a_special_code_its_own_variant() {
        let body = br#"{"error":{"code":"REAUTHORIZATION_REQUIRED","type":"authentication_error","message":"expired","request_id":"req_1"}}"#;
        let err = ClientError::from_answer(401, None, None, body, Some("conn_1"));
        assert!(matches!(
            &err,
            ClientError::ReauthorizationRequired { connection_id: Some(id), request_id: Some(rid), .. }
                if id == "conn_1" && rid == "req_1"
        ));
    }

    #[test]
    fn a_foreign_body_keeps_its_text_and_the_header_request_id() {
        let err = ClientError::from_answer(502, Some("req_h".into()), None, b"Bad Gateway", None);
        match err {
            ClientError::Api {
                code,
                message,
                request_id,
                ..
            } => {
                assert_eq!(code, ErrorCode::Other);
                assert_eq!(message, "Bad Gateway");
                assert_eq!(request_id.as_deref(), Some("req_h"));
            }
            other => panic!("{other:?}"),
        }
    }

    proptest::proptest! {
        #[test]
        fn any_error_body_gives_an_error_with_a_message_and_never_panics(
            status in 400u16..600,
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..2000),
        ) {
            let err = ClientError::from_answer(status, Some("req_h".into()), None, &body, None);
            proptest::prop_assert!(!err.to_string().is_empty());
            proptest::prop_assert!(err.request_id().is_some());
            if let ClientError::Api { status: kept, message, .. } = &err {
                proptest::prop_assert_eq!(*kept, status);
                // Random bytes are never an envelope: the message is the raw text, cut short.
                proptest::prop_assert!(!message.is_empty() && message.len() <= RAW_BODY_LIMIT);
            }
        }
    }

    #[test]
    fn makini_shaped_bodies_give_code_message_and_request_id() {
        let flat = br#"{"code":"unauthenticated","message":"Token expired","request_id":"r1"}"#;
        let err = ClientError::from_answer(401, None, None, flat, None);
        assert!(
            matches!(&err, ClientError::Unauthorized { message, request_id: Some(r) }
                if message == "unauthenticated: Token expired" && r == "r1"),
            "{err:?}"
        );
        let laravel =
            br#"{"message":"The given data was invalid.","errors":{"email":["required"]}}"#;
        let err = ClientError::from_answer(422, Some("h".into()), None, laravel, None);
        match err {
            ClientError::Api {
                message,
                request_id,
                ..
            } => {
                assert!(message.contains("invalid") && message.contains("required"));
                assert_eq!(request_id.as_deref(), Some("h"));
            }
            other => panic!("{other:?}"),
        }
        let numeric = br#"{"error":{"code":429,"message":"slow down"},"requestId":"r2"}"#;
        let err = ClientError::from_answer(429, None, None, numeric, None);
        assert_eq!(err.code(), "RATE_LIMIT_EXCEEDED");
        assert_eq!(err.request_id(), Some("r2"));
        for odd in [
            &b"[1,2]"[..],
            b"\"x\"",
            b"null",
            br#"{"error":[]}"#,
            br#"{"message":7}"#,
        ] {
            let err = ClientError::from_answer(500, None, None, odd, None);
            assert_eq!(err.code(), "INTERNAL_ERROR");
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn unknown_codes_parse_as_other_and_keep_the_status() {
        let body = br#"{"error":{"code":"BRAND_NEW","message":"m"}}"#;
        let err = ClientError::from_answer(418, None, None, body, None);
        assert!(matches!(
            err,
            ClientError::Api {
                status: 418,
                code: ErrorCode::Other,
                ..
            }
        ));
    }
}
