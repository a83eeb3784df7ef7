use super::extract::{AdminAuth, ApiJson, ApiQuery, ConnectionAuth, OptionalJson, Path};
use super::responses::{
    BadRequest, Conflict, InsufficientCredits, JsonBody, NotFound, PermissionDenied, Unauthorized,
};
use super::ApiError;
use crate::cursor;
use crate::engine::Engine;
use crate::lifecycle;
use crate::store::connections;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use desk_platform::connection::{
    Activate, Connection, ConnectionCreated, ConnectionStatus, ConnectionToken, CreateConnection,
    Reauthorize, TestConnection, TestResult, WebhookSecret, WebhookSettings,
};
use desk_platform::{ErrorCode, Page};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<Engine> {
    OpenApiRouter::new()
        .routes(routes!(list_connections, create_connection))
        .routes(routes!(get_connection))
        .routes(routes!(test_connection))
        .routes(routes!(reauthorize))
        .routes(routes!(issue_token))
        .routes(routes!(activate))
        .routes(routes!(disconnect))
        .routes(routes!(delete_data))
        .routes(routes!(set_webhook))
        .routes(routes!(current_connection))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConnectionsQuery {
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub customer_id: Option<String>,
    /// pending, synchronizing, in_progress, active, inactive, overage, disconnected
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/connections", tag = "connections", security(("admin" = [])), params(ConnectionsQuery),
    responses((status = 200, body = Page<Connection>), BadRequest, Unauthorized))]
async fn list_connections(
    State(engine): State<Engine>,
    _: AdminAuth,
    ApiQuery(query): ApiQuery<ConnectionsQuery>,
) -> Result<Json<Page<Connection>>, ApiError> {
    let limit = cursor::limit(query.limit)?;
    let after = cursor::decode(query.cursor.as_deref())?;
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(ConnectionStatus::parse(text).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidRequest,
                format!("unknown status {text:?}"),
            )
        })?),
    };
    let mut db = engine.store.reader().acquire().await?;
    let rows =
        connections::list(&mut db, after, limit, query.customer_id.as_deref(), status).await?;
    let rows = rows
        .into_iter()
        .map(|(seq, stored)| (seq, stored.connection))
        .collect();
    Ok(Json(cursor::page(rows, limit)))
}

/// Creates a connection: credits are consumed, or it is created `inactive` when the pool is short.
/// The token and webhook secret are returned this once.
#[utoipa::path(post, path = "/api/v1/connections", tag = "connections", security(("admin" = [])), request_body = CreateConnection,
    responses((status = 201, body = ConnectionCreated), JsonBody, Unauthorized, NotFound))]
async fn create_connection(
    State(engine): State<Engine>,
    admin: AdminAuth,
    ApiJson(request): ApiJson<CreateConnection>,
) -> Result<(StatusCode, Json<ConnectionCreated>), ApiError> {
    let created = lifecycle::create_connection(&engine, request, &admin.client_id).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/connections/{id}", tag = "connections", security(("admin" = [])),
    responses((status = 200, body = Connection), BadRequest, Unauthorized, NotFound))]
async fn get_connection(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
) -> Result<Json<Connection>, ApiError> {
    let mut db = engine.store.reader().acquire().await?;
    let stored = connections::get(&mut db, &id).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::NotFound, format!("no connection with id {id:?}"))
    })?;
    Ok(Json(stored.connection))
}

/// Checks credentials (the stored state, or candidate credentials) and reachability; changes nothing.
#[utoipa::path(post, path = "/api/v1/connections/{id}/test", tag = "connections", security(("admin" = [])), request_body = Option<TestConnection>,
    responses((status = 200, body = TestResult), JsonBody, Unauthorized, NotFound, Conflict))]
async fn test_connection(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
    OptionalJson(request): OptionalJson<TestConnection>,
) -> Result<Json<TestResult>, ApiError> {
    Ok(Json(
        lifecycle::test_connection(&engine, &id, request).await?,
    ))
}

/// New credentials, same connection id, a new token; the old token dies at once.
#[utoipa::path(post, path = "/api/v1/connections/{id}/reauthorize", tag = "connections", security(("admin" = [])), request_body = Reauthorize,
    responses((status = 200, body = ConnectionToken), JsonBody, Unauthorized, NotFound, Conflict))]
async fn reauthorize(
    State(engine): State<Engine>,
    admin: AdminAuth,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<Reauthorize>,
) -> Result<Json<ConnectionToken>, ApiError> {
    Ok(Json(
        lifecycle::reauthorize(&engine, &id, request, &admin.client_id).await?,
    ))
}

/// Issues a new connection token (shown once); the previous one dies.
#[utoipa::path(post, path = "/api/v1/connections/{id}/token", tag = "connections", security(("admin" = [])),
    responses((status = 200, body = ConnectionToken), BadRequest, Unauthorized, NotFound, Conflict))]
async fn issue_token(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
) -> Result<Json<ConnectionToken>, ApiError> {
    Ok(Json(lifecycle::issue_token(&engine, &id).await?))
}

/// An inactive connection takes its credits now, or becomes `overage` on a paid plan.
#[utoipa::path(post, path = "/api/v1/connections/{id}/activate", tag = "connections", security(("admin" = [])), request_body = Option<Activate>,
    responses((status = 200, body = Connection), JsonBody, Unauthorized, InsufficientCredits, PermissionDenied, NotFound, Conflict))]
async fn activate(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
    OptionalJson(request): OptionalJson<Activate>,
) -> Result<Json<Connection>, ApiError> {
    Ok(Json(lifecycle::activate(&engine, &id, request).await?))
}

/// Token invalid at once, schedules stopped, credits returned, data kept.
#[utoipa::path(post, path = "/api/v1/connections/{id}/disconnect", tag = "connections", security(("admin" = [])),
    responses((status = 200, body = Connection), BadRequest, Unauthorized, NotFound, Conflict))]
async fn disconnect(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
) -> Result<Json<Connection>, ApiError> {
    Ok(Json(lifecycle::disconnect(&engine, &id).await?))
}

/// Deletes the synced data of a disconnected connection.
#[utoipa::path(delete, path = "/api/v1/connections/{id}/data", tag = "connections", security(("admin" = [])),
    responses((status = 200, body = Connection), BadRequest, Unauthorized, NotFound, Conflict))]
async fn delete_data(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
) -> Result<Json<Connection>, ApiError> {
    Ok(Json(lifecycle::delete_data(&engine, &id).await?))
}

/// Sets where the connection's webhooks go, which events and in which format (`standard`:
/// Standard Webhooks with the event JSON; `makini`: Makini's `{"event", "body": [ids]}` with the
/// record changes of each sync run, its body HMAC in `X-Webhook-Signature` and the connection in
/// `X-Makini-Connection`); returns the signing secret.
#[utoipa::path(put, path = "/api/v1/connections/{id}/webhook", tag = "connections", security(("admin" = [])), request_body = WebhookSettings,
    responses((status = 200, body = WebhookSecret), JsonBody, Unauthorized, NotFound))]
async fn set_webhook(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<WebhookSettings>,
) -> Result<Json<WebhookSecret>, ApiError> {
    Ok(Json(WebhookSecret {
        secret: lifecycle::set_webhook(&engine, &id, request).await?,
    }))
}

/// The connection a connection token belongs to (data routes' "who am I").
#[utoipa::path(get, path = "/api/v1/connection", tag = "data", security(("connection" = [])),
    responses((status = 200, body = Connection), Unauthorized))]
async fn current_connection(auth: ConnectionAuth) -> Json<Connection> {
    Json(auth.connection.connection)
}
