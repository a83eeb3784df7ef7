//! Extractors that answer bad input with the error envelope instead of axum's plain text.

use super::ApiError;
use crate::engine::Engine;
use crate::store::tokens::{self, AdminTokenKind};
use crate::token;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use desk_platform::ErrorCode;
use serde::de::DeserializeOwned;

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim();
            mime.eq_ignore_ascii_case("application/json")
                || mime.to_ascii_lowercase().ends_with("+json")
        })
}

pub(super) async fn read_body(request: Request) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, &())
        .await
        .map_err(|rejection| match rejection {
            BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
                ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    "the request body is larger than 1 MiB",
                )
            }
            other => ApiError::new(
                ErrorCode::InvalidRequest,
                format!("the request body could not be read: {other}"),
            ),
        })
}

pub(super) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = if path == "." || path.is_empty() {
            format!("invalid JSON body: {inner}")
        } else {
            format!("invalid JSON body at {path}: {inner}")
        };
        ApiError::new(ErrorCode::InvalidRequest, message)
    })
}

/// A JSON body: 415 for another content type, 413 above the limit, 400 with the path of the
/// first bad field otherwise.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as Content-Type: application/json",
            ));
        }
        let bytes = read_body(request).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A JSON body that may be left out entirely (actions whose options all have defaults).
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<Self, Self::Rejection> {
        let has_type = request.headers().contains_key(CONTENT_TYPE);
        let json = is_json(request.headers());
        let bytes = read_body(request).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(T::default()));
        }
        if has_type && !json {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as Content-Type: application/json",
            ));
        }
        parse_json(&bytes).map(OptionalJson)
    }
}

/// Query strings, with the envelope on a bad parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query)
            .map(ApiQuery)
            .map_err(|err| {
                ApiError::new(
                    ErrorCode::InvalidRequest,
                    format!("invalid query string: {err}"),
                )
            })
    }
}

/// Path parameters, with the envelope on a bad one (a segment that does not decode to UTF-8).
/// Named `Path` like axum's so utoipa still reads the handlers' path parameters from it.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|err| ApiError::new(ErrorCode::InvalidRequest, format!("invalid path: {err}")))
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
        ApiError::new(
            ErrorCode::AuthenticationFailed,
            "missing Authorization: Bearer header",
        )
    })?;
    let value = header.to_str().map_err(|_| {
        ApiError::new(
            ErrorCode::AuthenticationFailed,
            "the Authorization header is not text",
        )
    })?;
    let (scheme, token) = value.split_once(' ').ok_or_else(|| {
        ApiError::new(
            ErrorCode::AuthenticationFailed,
            "expected Authorization: Bearer <token>",
        )
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::new(
            ErrorCode::AuthenticationFailed,
            "expected Authorization: Bearer <token>",
        ));
    }
    Ok(token.trim())
}

/// An admin route's caller: a live access token. Carries the admin client id.
pub struct AdminAuth {
    pub client_id: String,
}

impl FromRequestParts<Engine> for AdminAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        engine: &Engine,
    ) -> Result<Self, Self::Rejection> {
        let presented = bearer(parts)?;
        let mut db = engine.store.reader().acquire().await?;
        let now = engine.clock.now();
        match tokens::live_admin_token(&mut db, &token::hash(presented), AdminTokenKind::Access, now).await? {
            Some((client_id, _family)) => Ok(Self { client_id }),
            None => Err(ApiError::new(
                ErrorCode::AuthenticationFailed,
                "the access token is unknown, expired or revoked; request a new one at /oauth/token",
            )),
        }
    }
}

/// The URL this request reached the engine at, for links the engine hands out.
pub struct BaseUrl(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BaseUrl {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let host = parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .unwrap_or("127.0.0.1");
        Ok(Self(format!("http://{host}")))
    }
}

/// A data route's caller: a live connection token. Refuses tokens of disconnected connections and
/// connections waiting for reauthorization with their own codes, so clients can react.
pub struct ConnectionAuth {
    pub connection: crate::store::connections::StoredConnection,
    /// What the presented token may do: a named `read` token reaches reads only.
    pub scope: desk_platform::connection::TokenScope,
}

impl ConnectionAuth {
    /// Refuses a write on a read-only token.
    pub fn require_write(&self) -> Result<(), ApiError> {
        if self.scope == desk_platform::connection::TokenScope::Read {
            return Err(ApiError::new(
                ErrorCode::PermissionDenied,
                "this token is read-only: writes take the connection's main token",
            ));
        }
        Ok(())
    }
}

impl FromRequestParts<Engine> for ConnectionAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        engine: &Engine,
    ) -> Result<Self, Self::Rejection> {
        use desk_platform::connection::ConnectionStatus;
        let presented = bearer(parts)?;
        let mut db = engine.store.reader().acquire().await?;
        let unknown = || {
            ApiError::new(
                ErrorCode::AuthenticationFailed,
                "the connection token is unknown or was replaced",
            )
        };
        let owner = tokens::connection_of_token(&mut db, &token::hash(presented))
            .await?
            .ok_or_else(unknown)?;
        let revoked = owner.revoked;
        let stored = crate::store::connections::get(&mut db, &owner.connection_id)
            .await?
            .ok_or_else(unknown)?;
        if stored.connection.status == ConnectionStatus::Disconnected {
            return Err(ApiError::new(
                ErrorCode::ConnectionDisconnected,
                "the connection was disconnected; its token no longer works",
            ));
        }
        if revoked {
            return Err(unknown());
        }
        if stored.connection.reauthorization_required {
            return Err(ApiError::new(
                ErrorCode::ReauthorizationRequired,
                "the system refused the stored credentials; the connection must be reauthorized",
            ));
        }
        Ok(Self {
            connection: stored,
            scope: owner.scope,
        })
    }
}

/// The `{entity}` of a data route, refused as an unknown route before any auth when it names no
/// entity of the data API (so `/api/v1/typo` answers 404, not 401).
pub struct KnownEntity;

impl<S: Send + Sync> FromRequestParts<S> for KnownEntity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(params) = axum::extract::Path::<
            std::collections::HashMap<String, String>,
        >::from_request_parts(parts, state)
        .await
        .map_err(|err| ApiError::new(ErrorCode::InvalidRequest, format!("invalid path: {err}")))?;
        match params.get("entity") {
            Some(entity) if desk_platform::catalog::ENTITIES.contains(&entity.as_str()) => Ok(Self),
            _ => Err(ApiError::new(ErrorCode::NotFound, "no such route")),
        }
    }
}
