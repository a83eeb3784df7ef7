//! `POST /oauth/token`: client credentials and refresh-token rotation.

use super::extract::{parse_json, read_body};
use super::responses::{BadRequest, PayloadTooLarge, Unauthorized};
use super::ApiError;
use crate::engine::Engine;
use crate::store::tokens::{self, AdminTokenKind};
use crate::token;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::Json;
use desk_platform::auth::{TokenRequest, TokenResponse};
use desk_platform::ids::prefix;
use desk_platform::ErrorCode;
use subtle::ConstantTimeEq;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<Engine> {
    OpenApiRouter::new().routes(routes!(issue_token))
}

fn denied(message: &str) -> ApiError {
    ApiError::new(ErrorCode::AuthenticationFailed, message)
}

/// Exchanges client credentials or a refresh token for a new token pair.
#[utoipa::path(post, path = "/oauth/token", tag = "auth",
    request_body(description = "form-encoded or JSON (any other content type is read as JSON)",
        content((TokenRequest = "application/x-www-form-urlencoded"), (TokenRequest = "application/json"))),
    responses((status = 200, body = TokenResponse), BadRequest, Unauthorized, PayloadTooLarge))]
async fn issue_token(
    State(engine): State<Engine>,
    request: Request,
) -> Result<Json<TokenResponse>, ApiError> {
    let requested = read_grant(request).await?;
    let granted = grant(&engine, requested).await?;
    Ok(Json(TokenResponse {
        access_token: granted.access_token,
        refresh_token: granted.refresh_token,
        token_type: "bearer".to_owned(),
        expires_in: engine.config.access_token_ttl.num_seconds(),
    }))
}

/// A token request, form-encoded or JSON.
pub(crate) async fn read_grant(request: Request) -> Result<TokenRequest, ApiError> {
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let bytes = read_body(request).await?;
    if is_form {
        serde_urlencoded::from_bytes(&bytes).map_err(|err| {
            ApiError::new(
                ErrorCode::InvalidRequest,
                format!("invalid token request: {err}"),
            )
        })
    } else {
        parse_json(&bytes)
    }
}

/// A new admin token pair, and when its access token expires.
pub(crate) struct Granted {
    pub access_token: String,
    pub refresh_token: String,
    pub access_expires: chrono::DateTime<chrono::Utc>,
}

/// Checks a grant (client credentials, or a refresh token, which is used up) and issues a new
/// pair: shared by our `/oauth/token` and Makini's `/link/token`.
pub(crate) async fn grant(engine: &Engine, grant: TokenRequest) -> Result<Granted, ApiError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let client_id = match grant {
        TokenRequest::ClientCredentials {
            client_id,
            client_secret,
        } => {
            let stored = tokens::client_secret_hash(&mut tx, &client_id).await?;
            let presented = token::hash(&client_secret);
            match stored {
                // Compared in constant time so response timing says nothing about the secret.
                Some(hash) if bool::from(hash.as_bytes().ct_eq(presented.as_bytes())) => client_id,
                _ => return Err(denied("unknown client_id or wrong client_secret")),
            }
        }
        TokenRequest::RefreshToken { refresh_token } => {
            let hash = token::hash(&refresh_token);
            let (client_id, family) =
                tokens::live_admin_token(&mut tx, &hash, AdminTokenKind::Refresh, now)
                    .await?
                    .ok_or_else(|| {
                        denied("the refresh token is unknown, expired or already used")
                    })?;
            tokens::revoke_family(&mut tx, &family).await?;
            client_id
        }
    };
    let family = token::new_id("fam_");
    let access_token = token::generate(prefix::ACCESS_TOKEN);
    let refresh_token = token::generate(prefix::REFRESH_TOKEN);
    let access_expires = now + engine.config.access_token_ttl;
    let refresh_expires = now + engine.config.refresh_token_ttl;
    for (value, kind, expires) in [
        (&access_token, AdminTokenKind::Access, access_expires),
        (&refresh_token, AdminTokenKind::Refresh, refresh_expires),
    ] {
        tokens::insert_admin_token(
            &mut tx,
            &token::hash(value),
            kind,
            &client_id,
            &family,
            expires,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Granted {
        access_token,
        refresh_token,
        access_expires,
    })
}
