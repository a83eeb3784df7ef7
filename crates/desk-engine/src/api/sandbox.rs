//! Sandbox routes of the local engine: make the imitation misbehave or change the account.

use super::extract::{AdminAuth, ApiJson, Path};
use super::responses::{Conflict, JsonBody, NotFound, Unauthorized};
use super::ApiError;
use crate::engine::Engine;
use crate::lifecycle;
use crate::sandbox::system::{Fault, SandboxSettings};
use axum::extract::State;
use axum::Json;
use desk_platform::account::Plan;
use desk_platform::ledger::LedgerEntry;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<Engine> {
    OpenApiRouter::new()
        .routes(routes!(purchase_credits))
        .routes(routes!(set_plan))
        .routes(routes!(inject_fault))
        .routes(routes!(configure_connection))
}

/// Makes the connection's simulated system misbehave: expired credentials, offline and back,
/// a rate-limit storm, a failing next sync, a system error.
#[utoipa::path(post, path = "/api/v1/sandbox/connections/{id}/faults", tag = "sandbox", security(("admin" = [])), request_body = Fault,
    responses((status = 200, body = desk_platform::connection::Connection), JsonBody, Unauthorized, NotFound, Conflict))]
async fn inject_fault(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
    ApiJson(fault): ApiJson<Fault>,
) -> Result<Json<desk_platform::connection::Connection>, ApiError> {
    crate::sandbox::system::inject(&engine, &id, fault).await?;
    let mut db = engine.store.reader().acquire().await?;
    let stored = crate::store::connections::get(&mut db, &id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                desk_platform::ErrorCode::NotFound,
                "the connection vanished",
            )
        })?;
    Ok(Json(stored.connection))
}

/// Sizes the simulated system (records per entity at the initial sync) and its rate limit.
#[utoipa::path(put, path = "/api/v1/sandbox/connections/{id}", tag = "sandbox", security(("admin" = [])), request_body = SandboxSettings,
    responses((status = 204), JsonBody, Unauthorized, NotFound))]
async fn configure_connection(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
    ApiJson(settings): ApiJson<SandboxSettings>,
) -> Result<axum::http::StatusCode, ApiError> {
    crate::sandbox::system::configure(&engine, &id, settings).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Purchase {
    pub credits: i64,
}

/// Buys credits for the local account (one `purchase` ledger entry).
#[utoipa::path(post, path = "/api/v1/sandbox/credits", tag = "sandbox", security(("admin" = [])), request_body = Purchase,
    responses((status = 200, body = LedgerEntry), JsonBody, Unauthorized))]
async fn purchase_credits(
    State(engine): State<Engine>,
    _: AdminAuth,
    ApiJson(request): ApiJson<Purchase>,
) -> Result<Json<LedgerEntry>, ApiError> {
    Ok(Json(
        lifecycle::purchase_credits(&engine, request.credits).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPlan {
    pub plan: Plan,
}

/// Switches the local account between `trial` and `paid`.
#[utoipa::path(put, path = "/api/v1/sandbox/plan", tag = "sandbox", security(("admin" = [])), request_body = SetPlan,
    responses((status = 200, body = desk_platform::account::Account), JsonBody, Unauthorized))]
async fn set_plan(
    State(engine): State<Engine>,
    _: AdminAuth,
    ApiJson(request): ApiJson<SetPlan>,
) -> Result<Json<desk_platform::account::Account>, ApiError> {
    lifecycle::set_plan(&engine, request.plan).await?;
    let mut db = engine.store.reader().acquire().await?;
    Ok(Json(crate::store::accounts::get(&mut db).await?))
}
