use super::extract::{AdminAuth, ApiJson, BaseUrl, Path};
use super::responses::{BadRequest, Conflict, JsonBody, NotFound, PermissionDenied, Unauthorized};
use super::ApiError;
use crate::engine::Engine;
use crate::lifecycle::{self, MagicLinkView};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use desk_platform::connection::{CompleteMagicLink, Connection, CreateMagicLink, MagicLink};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<Engine> {
    OpenApiRouter::new()
        .routes(routes!(create_magic_link))
        .routes(routes!(view_magic_link, complete_magic_link))
}

/// Links issued before the move to `/connect/` (Makini's `POST /link/token` took `/link/`)
/// keep working: the same handlers, left out of the OpenAPI document. `POST /link/token`
/// itself is Makini's token endpoint; no link token is spelled `token` (they start `mlt_`).
pub fn legacy_routes() -> axum::Router<Engine> {
    axum::Router::new().route(
        "/link/{token}",
        axum::routing::get(view_magic_link).post(complete_magic_link),
    )
}

/// Creates a pending connection and the link its customer's IT admin opens to finish it.
#[utoipa::path(post, path = "/api/v1/magic-links", tag = "magic links", security(("admin" = [])), request_body = CreateMagicLink,
    responses((status = 201, body = MagicLink), JsonBody, Unauthorized, NotFound))]
async fn create_magic_link(
    State(engine): State<Engine>,
    _: AdminAuth,
    BaseUrl(base): BaseUrl,
    ApiJson(request): ApiJson<CreateMagicLink>,
) -> Result<(StatusCode, Json<MagicLink>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(lifecycle::create_magic_link(&engine, request, &base).await?),
    ))
}

/// What the link is for (the link token itself is the credential).
#[utoipa::path(get, path = "/connect/{token}", tag = "magic links",
    responses((status = 200, body = MagicLinkView), BadRequest, NotFound))]
async fn view_magic_link(
    State(engine): State<Engine>,
    Path(token): Path<String>,
) -> Result<Json<MagicLinkView>, ApiError> {
    Ok(Json(lifecycle::view_magic_link(&engine, &token).await?))
}

/// The customer finishes the flow with their credentials; the connection leaves `pending`.
#[utoipa::path(post, path = "/connect/{token}", tag = "magic links", request_body = CompleteMagicLink,
    responses((status = 200, body = Connection), JsonBody, PermissionDenied, NotFound, Conflict))]
async fn complete_magic_link(
    State(engine): State<Engine>,
    Path(token): Path<String>,
    ApiJson(request): ApiJson<CompleteMagicLink>,
) -> Result<Json<Connection>, ApiError> {
    Ok(Json(
        lifecycle::complete_magic_link(&engine, &token, request).await?,
    ))
}
