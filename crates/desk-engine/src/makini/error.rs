//! Errors on the Makini surface. Makini documents no error body (the FAQ names a code, a type,
//! a message and a request id), so the surface answers Laravel's `message` with those three
//! beside it, flat: what Makini's stack most likely sends, and what the adapter reads leniently.

use crate::api::middleware::current_request_id;
use crate::api::ApiError;
use crate::error::EngineError;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use desk_platform::ErrorCode;
use serde_json::json;

#[derive(Debug)]
pub struct MakiniError(pub ApiError);

pub type MakiniResult<T> = Result<T, MakiniError>;

impl MakiniError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(ApiError::new(code, message))
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "No query results.")
    }
}

impl From<ApiError> for MakiniError {
    fn from(err: ApiError) -> Self {
        Self(err)
    }
}

impl From<EngineError> for MakiniError {
    fn from(err: EngineError) -> Self {
        Self(err.into())
    }
}

impl From<sqlx::Error> for MakiniError {
    fn from(err: sqlx::Error) -> Self {
        Self(err.into())
    }
}

impl IntoResponse for MakiniError {
    fn into_response(self) -> Response {
        let code = self.0.code();
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = json!({
            "message": self.0.message(),
            "code": code.as_str(),
            "type": code.error_type(),
            "request_id": current_request_id(),
        });
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = self.0.retry_after() {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(seconds));
        }
        response
    }
}
