//! Sync status and manual syncs of a connection, and its webhook deliveries.

use super::extract::{AdminAuth, ApiJson, ApiQuery, OptionalJson, Path};
use super::responses::{BadRequest, Conflict, JsonBody, NotFound, Unauthorized};
use super::ApiError;
use crate::cursor;
use crate::engine::Engine;
use crate::store::deliveries::{self, Attempt, Delivery};
use crate::sync::{self, SyncRequest, SyncStatus};
use crate::webhooks;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use desk_platform::{ErrorCode, Page};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<Engine> {
    OpenApiRouter::new()
        .routes(routes!(sync_status))
        .routes(routes!(request_sync))
        .routes(routes!(list_deliveries))
        .routes(routes!(get_delivery))
        .routes(routes!(resend_delivery))
        .routes(routes!(resend_failed))
}

#[utoipa::path(get, path = "/api/v1/connections/{id}/sync-status", tag = "syncs", security(("admin" = [])),
    responses((status = 200, body = SyncStatus), BadRequest, Unauthorized, NotFound))]
async fn sync_status(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
) -> Result<Json<SyncStatus>, ApiError> {
    Ok(Json(sync::status(&engine, &id).await?))
}

/// Queues a manual sync (`full: true` re-pulls the whole history window); it starts within a second.
#[utoipa::path(post, path = "/api/v1/connections/{id}/syncs", tag = "syncs", security(("admin" = [])), request_body = Option<SyncRequest>,
    responses((status = 202, body = SyncStatus), JsonBody, Unauthorized, NotFound, Conflict))]
async fn request_sync(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
    OptionalJson(request): OptionalJson<SyncRequest>,
) -> Result<(StatusCode, Json<SyncStatus>), ApiError> {
    Ok((
        StatusCode::ACCEPTED,
        Json(sync::request(&engine, &id, request).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub connection_id: Option<String>,
    /// pending, succeeded, failed
    pub state: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/webhooks/deliveries", tag = "webhooks", security(("admin" = [])), params(DeliveriesQuery),
    responses((status = 200, body = Page<Delivery>), BadRequest, Unauthorized))]
async fn list_deliveries(
    State(engine): State<Engine>,
    _: AdminAuth,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> Result<Json<Page<Delivery>>, ApiError> {
    if query
        .state
        .as_deref()
        .is_some_and(|s| !["pending", "succeeded", "failed"].contains(&s))
    {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "state must be pending, succeeded or failed",
        ));
    }
    let limit = cursor::limit(query.limit)?;
    let after = cursor::decode(query.cursor.as_deref())?;
    let mut db = engine.store.reader().acquire().await?;
    let rows = deliveries::list(
        &mut db,
        after,
        limit,
        query.connection_id.as_deref(),
        query.state.as_deref(),
    )
    .await?;
    Ok(Json(cursor::page(rows, limit)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: Delivery,
    pub attempt_log: Vec<Attempt>,
}

#[utoipa::path(get, path = "/api/v1/webhooks/deliveries/{id}", tag = "webhooks", security(("admin" = [])),
    responses((status = 200, body = DeliveryDetail), BadRequest, Unauthorized, NotFound))]
async fn get_delivery(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
) -> Result<Json<DeliveryDetail>, ApiError> {
    let mut db = engine.store.reader().acquire().await?;
    let delivery = deliveries::get(&mut db, &id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no delivery with id {id:?}")))?;
    let attempt_log = deliveries::attempts(&mut db, &id).await?;
    Ok(Json(DeliveryDetail {
        delivery,
        attempt_log,
    }))
}

#[utoipa::path(post, path = "/api/v1/webhooks/deliveries/{id}/resend", tag = "webhooks", security(("admin" = [])),
    responses((status = 202, body = Delivery), BadRequest, Unauthorized, NotFound))]
async fn resend_delivery(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Delivery>), ApiError> {
    Ok((
        StatusCode::ACCEPTED,
        Json(webhooks::resend(&engine, &id).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendFailed {
    pub since: DateTime<Utc>,
}

/// Resends every delivery that failed for good, created since a time.
#[utoipa::path(post, path = "/api/v1/webhooks/deliveries/resend", tag = "webhooks", security(("admin" = [])), request_body = ResendFailed,
    responses((status = 202, body = Object), JsonBody, Unauthorized))]
async fn resend_failed(
    State(engine): State<Engine>,
    _: AdminAuth,
    ApiJson(request): ApiJson<ResendFailed>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let count = webhooks::resend_failed_since(&engine, request.since).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({"resent": count})),
    ))
}
