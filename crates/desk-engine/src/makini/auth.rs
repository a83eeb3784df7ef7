//! Makini's tokens: `POST /link/token` (client credentials or a refresh token, JSON or a form)
//! answering `expires_in` as the Unix time of expiry, as Makini documents; and the connection
//! a data call's bearer token belongs to.

use super::error::{MakiniError, MakiniResult};
use crate::api::auth::{grant, read_grant};
use crate::engine::Engine;
use crate::store::connections::StoredConnection;
use crate::store::tokens;
use crate::token;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use axum::Json;
use desk_platform::connection::{ConnectionStatus, TokenScope};
use desk_platform::ErrorCode;
use serde_json::{json, Value};

/// `POST /link/token`. The admin clients are the engine's own (`mdesk engine serve` prints one).
pub async fn link_token(
    State(engine): State<Engine>,
    request: Request,
) -> MakiniResult<Json<Value>> {
    let requested = read_grant(request).await?;
    let granted = grant(&engine, requested).await?;
    Ok(Json(json!({
        "access_token": granted.access_token,
        "refresh_token": granted.refresh_token,
        "token_type": "bearer",
        "expires_in": granted.access_expires.timestamp(),
    })))
}

fn bearer(headers: &HeaderMap) -> MakiniResult<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| MakiniError::new(ErrorCode::AuthenticationFailed, "Unauthenticated."))
}

/// The connection a connection token reaches, and what the token may do. A connection that
/// needs reauthorization is still answered here: Makini reports that in `sync_status`
/// (`fail`), so `integrations/current` must work; data routes refuse it themselves.
pub async fn connection_of(
    engine: &Engine,
    headers: &HeaderMap,
) -> MakiniResult<(StoredConnection, TokenScope)> {
    let presented = bearer(headers)?;
    let mut db = engine.store.reader().acquire().await?;
    let unknown = || MakiniError::new(ErrorCode::AuthenticationFailed, "Unauthenticated.");
    let owner = tokens::connection_of_token(&mut db, &token::hash(presented))
        .await?
        .ok_or_else(unknown)?;
    if owner.revoked {
        return Err(unknown());
    }
    let stored = crate::store::connections::get(&mut db, &owner.connection_id)
        .await?
        .ok_or_else(unknown)?;
    if stored.connection.status == ConnectionStatus::Disconnected {
        return Err(MakiniError::new(
            ErrorCode::ConnectionDisconnected,
            "The connection was removed.",
        ));
    }
    Ok((stored, owner.scope))
}
