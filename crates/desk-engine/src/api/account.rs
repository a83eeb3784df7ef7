//! The account, the catalog, the credit ledger and the event log.

use super::extract::{AdminAuth, ApiJson, ApiQuery, Path};
use super::responses::{BadRequest, JsonBody, NotFound, Unauthorized};
use super::ApiError;
use crate::cursor;
use crate::engine::Engine;
use crate::store::{accounts, events, ledger};
use axum::extract::State;
use axum::Json;
use desk_platform::account::Account;
use desk_platform::catalog::System;
use desk_platform::connection::{TestCredentials, TestResult};
use desk_platform::event::Event;
use desk_platform::ledger::LedgerEntry;
use desk_platform::ErrorCode;
use desk_platform::Page;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<Engine> {
    OpenApiRouter::new()
        .routes(routes!(get_account))
        .routes(routes!(list_systems))
        .routes(routes!(test_credentials))
        .routes(routes!(list_ledger))
        .routes(routes!(list_events))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/account", tag = "account", security(("admin" = [])),
    responses((status = 200, body = Account), Unauthorized))]
async fn get_account(
    State(engine): State<Engine>,
    _: AdminAuth,
) -> Result<Json<Account>, ApiError> {
    let mut db = engine.store.reader().acquire().await?;
    Ok(Json(accounts::get(&mut db).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SystemsQuery {
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    /// Only systems of this category (erp, cmms, eam, wms, other).
    pub category: Option<desk_platform::catalog::Category>,
    /// Only systems of this tier (1, 2, 3).
    pub tier: Option<u8>,
    /// Text in the name, vendor or id.
    pub search: Option<String>,
}

/// The catalog, in a stable order; cursors index into it.
#[utoipa::path(get, path = "/api/v1/systems", tag = "account", security(("admin" = [])), params(SystemsQuery),
    responses((status = 200, body = Page<System>), BadRequest, Unauthorized))]
async fn list_systems(
    State(engine): State<Engine>,
    _: AdminAuth,
    ApiQuery(query): ApiQuery<SystemsQuery>,
) -> Result<Json<Page<System>>, ApiError> {
    let limit = cursor::limit(query.limit)?;
    let after = cursor::decode(query.cursor.as_deref())?;
    let needle = query.search.as_deref().map(str::to_lowercase);
    let rows = engine
        .catalog
        .systems()
        .iter()
        .enumerate()
        .map(|(index, system)| (index as i64 + 1, system))
        .filter(|(seq, _)| *seq > after)
        .filter(|(_, s)| query.category.is_none_or(|c| s.category == c))
        .filter(|(_, s)| query.tier.is_none_or(|t| s.tier == t))
        .filter(|(_, s)| {
            needle.as_deref().is_none_or(|n| {
                [&s.name, &s.vendor, &s.id]
                    .iter()
                    .any(|field| field.to_lowercase().contains(n))
            })
        })
        .take(limit as usize + 1)
        .map(|(seq, system)| (seq, system.clone()))
        .collect();
    Ok(Json(cursor::page(rows, limit)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub connection_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/credits/ledger", tag = "account", security(("admin" = [])), params(LedgerQuery),
    responses((status = 200, body = Page<LedgerEntry>), BadRequest, Unauthorized))]
async fn list_ledger(
    State(engine): State<Engine>,
    _: AdminAuth,
    ApiQuery(query): ApiQuery<LedgerQuery>,
) -> Result<Json<Page<LedgerEntry>>, ApiError> {
    let limit = cursor::limit(query.limit)?;
    let after = cursor::decode(query.cursor.as_deref())?;
    let mut db = engine.store.reader().acquire().await?;
    let rows = ledger::list(&mut db, after, limit, query.connection_id.as_deref()).await?;
    Ok(Json(cursor::page(rows, limit)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Resume after this event id (exclusive).
    pub after: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub connection_id: Option<String>,
}

/// The account's event log: the same events as the webhooks, oldest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "account", security(("admin" = [])), params(EventsQuery),
    responses((status = 200, body = Page<Event>), BadRequest, Unauthorized, NotFound))]
async fn list_events(
    State(engine): State<Engine>,
    _: AdminAuth,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Json<Page<Event>>, ApiError> {
    let limit = cursor::limit(query.limit)?;
    let mut db = engine.store.reader().acquire().await?;
    let after = match (query.cursor.as_deref(), query.after.as_deref()) {
        (Some(c), _) if !c.is_empty() => cursor::decode(Some(c))?,
        (_, Some(event_id)) if !event_id.is_empty() => {
            events::seq_of(&mut db, event_id).await?.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!("no event with id {event_id:?}"),
                )
            })?
        }
        _ => 0,
    };
    let rows = events::list(&mut db, after, limit, query.connection_id.as_deref()).await?;
    Ok(Json(cursor::page(rows, limit)))
}

/// Checks candidate credentials against a system before connecting; creates nothing.
#[utoipa::path(post, path = "/api/v1/systems/{id}/test", tag = "account", security(("admin" = [])), request_body = TestCredentials,
    responses((status = 200, body = TestResult), JsonBody, Unauthorized, NotFound))]
async fn test_credentials(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<TestCredentials>,
) -> Result<Json<TestResult>, ApiError> {
    Ok(Json(crate::lifecycle::test_credentials(
        &engine, &id, &request,
    )?))
}
