//! The launch token and the checks every request passes.

use crate::ServerState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use desk_core::{ActionError, Code};
use rand::RngCore;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The cookie that carries the launch token after the first load.
pub const COOKIE: &str = "mdesk_session";

/// A random token made per launch; whoever has it may use the API.
#[derive(Clone)]
pub struct LaunchToken(String);

impl LaunchToken {
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison, so the token cannot be guessed byte by byte.
    pub fn matches(&self, candidate: &str) -> bool {
        bool::from(self.0.as_bytes().ct_eq(candidate.as_bytes()))
    }
}

impl std::fmt::Debug for LaunchToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LaunchToken(..)")
    }
}

pub(crate) fn error_response(status: StatusCode, error: ActionError) -> Response {
    (status, axum::Json(serde_json::json!({ "error": error }))).into_response()
}

/// The token a request carries: the cookie, or `Authorization: Bearer` (scripts).
fn presented_token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    bearer.or_else(|| cookie(headers, COOKIE))
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

pub(crate) async fn require_token(
    State(state): State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    match presented_token(request.headers()) {
        Some(token) if state.token.matches(token) => next.run(request).await,
        _ => error_response(
            StatusCode::UNAUTHORIZED,
            ActionError::new(
                Code::Unauthenticated,
                "this server needs its launch token: open the URL `mdesk serve` printed",
            )
            .with_next_step(desk_core::NextStep::Reload),
        ),
    }
}

/// Refuses a `Host` the server is not bound as (a DNS-rebinding page reaches us under its own
/// name) and an `Origin` of another site (a cross-site form or fetch).
pub(crate) async fn check_host_and_origin(
    State(state): State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let host_ok = host.is_some_and(|host| state.allowed_hosts.iter().any(|a| a == host));
    if !host_ok {
        tracing::warn!(host = ?host, "refused a request for another host name");
        return error_response(
            StatusCode::FORBIDDEN,
            ActionError::new(
                Code::Forbidden,
                "this server answers only to its own address (Host header refused)",
            ),
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let own = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|o| state.allowed_hosts.iter().any(|a| a == o));
        if !own {
            tracing::warn!(origin = ?origin, "refused a cross-origin request");
            return error_response(
                StatusCode::FORBIDDEN,
                ActionError::new(Code::Forbidden, "requests from other sites are refused"),
            );
        }
    }
    next.run(request).await
}
