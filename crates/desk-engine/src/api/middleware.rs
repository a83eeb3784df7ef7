//! Request ids, the error envelope, and the last line of defence against panics.

use crate::error::EngineError;
use crate::token;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use desk_platform::ids::prefix;
use desk_platform::{ErrorCode, ErrorEnvelope};

tokio::task_local! {
    /// The id of the request being handled, so any error rendered inside it carries the id.
    static REQUEST_ID: String;
}

pub const REQUEST_ID_HEADER: &str = "x-request-id";

pub(crate) fn current_request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| token::new_id(prefix::REQUEST))
}

/// Gives every request an id, echoes it in `X-Request-Id`, and makes it visible to errors.
pub async fn request_id(request: Request, next: Next) -> Response {
    let id = token::new_id(prefix::REQUEST);
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    tracing::debug!(request_id = %id, %method, %path, status = response.status().as_u16(), "request");
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// An error answered with the platform's envelope.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }
}

impl From<EngineError> for ApiError {
    fn from(err: EngineError) -> Self {
        match err {
            EngineError::Api {
                code,
                message,
                retry_after,
            } => Self {
                code,
                message,
                retry_after,
            },
            other => {
                // The cause stays in the log with the request id; the client gets the id only.
                tracing::error!(request_id = %current_request_id(), error = %other, "internal error");
                Self::new(
                    ErrorCode::InternalError,
                    "the engine failed to handle this request",
                )
            }
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        EngineError::from(err).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorEnvelope::new(self.code, self.message, current_request_id());
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(seconds));
        }
        response
    }
}

pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    ApiError::new(
        ErrorCode::InternalError,
        "the engine failed to handle this request",
    )
    .into_response()
}
