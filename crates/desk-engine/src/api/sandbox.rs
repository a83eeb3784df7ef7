//! Sandbox routes of the local engine: make the imitation misbehave or change the account.

use super::extract::{AdminAuth, ApiJson};
use super::ApiError;
use crate::engine::Engine;
use crate::lifecycle;
use axum::extract::State;
use axum::Json;
use desk_platform::account::Plan;
use desk_platform::ledger::LedgerEntry;
use desk_platform::ErrorEnvelope;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<Engine> {
    OpenApiRouter::new()
        .routes(routes!(purchase_credits))
        .routes(routes!(set_plan))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Purchase {
    pub credits: i64,
}

/// Buys credits for the local account (one `purchase` ledger entry).
#[utoipa::path(post, path = "/api/v1/sandbox/credits", tag = "sandbox", security(("admin" = [])), request_body = Purchase,
    responses((status = 200, body = LedgerEntry), (status = 400, body = ErrorEnvelope)))]
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
    responses((status = 200, body = desk_platform::account::Account), (status = 400, body = ErrorEnvelope)))]
async fn set_plan(
    State(engine): State<Engine>,
    _: AdminAuth,
    ApiJson(request): ApiJson<SetPlan>,
) -> Result<Json<desk_platform::account::Account>, ApiError> {
    lifecycle::set_plan(&engine, request.plan).await?;
    let mut db = engine.store.reader().acquire().await?;
    Ok(Json(crate::store::accounts::get(&mut db).await?))
}
