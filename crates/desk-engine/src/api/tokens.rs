//! Named connection tokens (admin token): issued beside the main token, listed, revoked.

use super::extract::{AdminAuth, ApiJson, Path};
use super::responses::{BadRequest, Conflict, JsonBody, NotFound, Unauthorized};
use super::ApiError;
use crate::engine::Engine;
use crate::lifecycle;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use desk_platform::connection::{IssueNamedToken, NamedToken, NamedTokenIssued};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<Engine> {
    OpenApiRouter::new()
        .routes(routes!(list_named_tokens, issue_named_token))
        .routes(routes!(revoke_named_token))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NamedTokens {
    pub data: Vec<NamedToken>,
}

/// An additional token under a name (`scope: read` reaches the data routes' reads only). The
/// connection's main token keeps working; issuing a name again replaces that name's token only.
#[utoipa::path(post, path = "/api/v1/connections/{id}/tokens", tag = "connections", security(("admin" = [])), request_body = IssueNamedToken,
    responses((status = 201, body = NamedTokenIssued), JsonBody, Unauthorized, NotFound, Conflict))]
async fn issue_named_token(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<IssueNamedToken>,
) -> Result<(StatusCode, Json<NamedTokenIssued>), ApiError> {
    let issued = lifecycle::issue_named_token(&engine, &id, request).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// The connection's named tokens (never their values), live ones first.
#[utoipa::path(get, path = "/api/v1/connections/{id}/tokens", tag = "connections", security(("admin" = [])),
    responses((status = 200, body = NamedTokens), BadRequest, Unauthorized, NotFound))]
async fn list_named_tokens(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
) -> Result<Json<NamedTokens>, ApiError> {
    Ok(Json(NamedTokens {
        data: lifecycle::named_tokens(&engine, &id).await?,
    }))
}

/// Revokes the live token of that name at once; the main token and other names are untouched.
#[utoipa::path(delete, path = "/api/v1/connections/{id}/tokens/{name}", tag = "connections", security(("admin" = [])),
    responses((status = 200, body = NamedToken), BadRequest, Unauthorized, NotFound))]
async fn revoke_named_token(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path((id, name)): Path<(String, String)>,
) -> Result<Json<NamedToken>, ApiError> {
    Ok(Json(
        lifecycle::revoke_named_token(&engine, &id, &name).await?,
    ))
}
