//! Data routes, on a connection token: `/api/v1/{entity}` for the unified entities.

use super::extract::{ApiJson, ApiQuery, ConnectionAuth, KnownEntity, Path};
use super::responses::{
    BadRequest, FieldNotUpdatable, JsonBody, NotFound, OperationNotSupported, PermissionDenied,
    SystemCall, Unauthorized,
};
use super::ApiError;
use crate::cursor;
use crate::data::{self, Batch, BatchResult, Operation};
use crate::engine::Engine;
use crate::sandbox::system::admit_call;
use crate::store::records;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Utc};
use desk_platform::ErrorCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<Engine> {
    OpenApiRouter::new()
        .routes(routes!(list_records, create_record))
        .routes(routes!(batch_records))
        .routes(routes!(get_record, update_record, delete_record))
}

async fn admitted(engine: &Engine, auth: &ConnectionAuth) -> Result<(), ApiError> {
    let system = auth
        .connection
        .connection
        .system_id
        .clone()
        .unwrap_or_default();
    Ok(admit_call(engine, &auth.connection.connection.id, &system).await?)
}

/// `{entity}` in the document: one of the data API's entities (any other answers 404 before
/// any auth, see [`KnownEntity`]), so a client or a fuzzer can name one.
pub struct Entity;

impl utoipa::PartialSchema for Entity {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("An entity of the data API; any other answers 404."))
            .enum_values(Some(desk_platform::catalog::ENTITIES))
            .into()
    }
}

impl utoipa::ToSchema for Entity {}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RecordsQuery {
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    /// Only records changed after this time (RFC 3339); deleted records are then listed too.
    pub modified_after: Option<DateTime<Utc>>,
}

/// Records of one entity, oldest first; cursors stay valid while records change.
#[utoipa::path(get, path = "/api/v1/{entity}", tag = "data", security(("connection" = [])), params(("entity" = Entity, Path), RecordsQuery),
    responses((status = 200, body = Page<Object>), BadRequest, Unauthorized, NotFound, OperationNotSupported, SystemCall))]
async fn list_records(
    State(engine): State<Engine>,
    _: KnownEntity,
    auth: ConnectionAuth,
    Path(entity): Path<String>,
    ApiQuery(query): ApiQuery<RecordsQuery>,
) -> Result<axum::response::Response, ApiError> {
    data::capability(&engine, &auth.connection, &entity, Operation::Read)?;
    admitted(&engine, &auth).await?;
    let limit = cursor::limit(query.limit)?;
    let after = cursor::decode(query.cursor.as_deref())?;
    let mut db = engine.store.reader().acquire().await?;
    let id = &auth.connection.connection.id;
    let rows = records::list_json(&mut db, id, &entity, after, limit, query.modified_after).await?;
    let page = cursor::page(rows, limit);
    // The records are JSON already; only the envelope is written here.
    let mut body = String::with_capacity(page.data.iter().map(String::len).sum::<usize>() + 64);
    body.push_str("{\"data\":[");
    body.push_str(&page.data.join(","));
    body.push_str("],\"next_cursor\":");
    body.push_str(
        &serde_json::to_string(&page.next_cursor).map_err(crate::error::EngineError::from)?,
    );
    body.push('}');
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/{entity}/{id}", tag = "data", security(("connection" = [])), params(("entity" = Entity, Path)),
    responses((status = 200, body = Object), BadRequest, Unauthorized, NotFound, OperationNotSupported, SystemCall))]
async fn get_record(
    State(engine): State<Engine>,
    _: KnownEntity,
    auth: ConnectionAuth,
    Path((entity, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    data::capability(&engine, &auth.connection, &entity, Operation::Read)?;
    admitted(&engine, &auth).await?;
    let mut db = engine.store.reader().acquire().await?;
    let record = records::get(&mut db, &auth.connection.connection.id, &entity, &id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no {entity} record {id:?}")))?;
    Ok(Json(record.to_json()))
}

#[utoipa::path(post, path = "/api/v1/{entity}", tag = "data", security(("connection" = [])), params(("entity" = Entity, Path)), request_body = Object,
    responses((status = 201, body = Object), JsonBody, Unauthorized, PermissionDenied, NotFound, OperationNotSupported, FieldNotUpdatable, SystemCall))]
async fn create_record(
    State(engine): State<Engine>,
    _: KnownEntity,
    auth: ConnectionAuth,
    Path(entity): Path<String>,
    ApiJson(fields): ApiJson<Map<String, Value>>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    auth.require_write()?;
    data::capability(&engine, &auth.connection, &entity, Operation::Create)?;
    admitted(&engine, &auth).await?;
    let record = data::create(&engine, &auth.connection, &entity, fields).await?;
    Ok((StatusCode::CREATED, Json(record.to_json())))
}

/// Changes some fields; a record in a frozen state answers `FIELD_NOT_UPDATABLE`.
#[utoipa::path(patch, path = "/api/v1/{entity}/{id}", tag = "data", security(("connection" = [])), params(("entity" = Entity, Path)), request_body = Object,
    responses((status = 200, body = Object), JsonBody, Unauthorized, PermissionDenied, NotFound, OperationNotSupported, FieldNotUpdatable, SystemCall))]
async fn update_record(
    State(engine): State<Engine>,
    _: KnownEntity,
    auth: ConnectionAuth,
    Path((entity, id)): Path<(String, String)>,
    ApiJson(fields): ApiJson<Map<String, Value>>,
) -> Result<Json<Value>, ApiError> {
    auth.require_write()?;
    data::capability(&engine, &auth.connection, &entity, Operation::Update)?;
    admitted(&engine, &auth).await?;
    Ok(Json(
        data::update(&engine, &auth.connection, &entity, &id, fields)
            .await?
            .to_json(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/{entity}/{id}", tag = "data", security(("connection" = [])), params(("entity" = Entity, Path)),
    responses((status = 200, body = Object), BadRequest, Unauthorized, PermissionDenied, NotFound, OperationNotSupported, SystemCall))]
async fn delete_record(
    State(engine): State<Engine>,
    _: KnownEntity,
    auth: ConnectionAuth,
    Path((entity, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    auth.require_write()?;
    data::capability(&engine, &auth.connection, &entity, Operation::Delete)?;
    admitted(&engine, &auth).await?;
    Ok(Json(
        data::delete(&engine, &auth.connection, &entity, &id)
            .await?
            .to_json(),
    ))
}

/// The answer of a batch write: each operation's outcome in order, and how many failed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchOutcome {
    pub results: Vec<BatchResult>,
    pub failed: usize,
}

/// Up to 100 writes; the answer says which failed and why.
#[utoipa::path(post, path = "/api/v1/{entity}/batch", tag = "data", security(("connection" = [])), params(("entity" = Entity, Path)), request_body = Batch,
    responses((status = 200, body = BatchOutcome), JsonBody, Unauthorized, PermissionDenied, NotFound, SystemCall))]
async fn batch_records(
    State(engine): State<Engine>,
    _: KnownEntity,
    auth: ConnectionAuth,
    Path(entity): Path<String>,
    ApiJson(batch): ApiJson<Batch>,
) -> Result<Json<BatchOutcome>, ApiError> {
    auth.require_write()?;
    admitted(&engine, &auth).await?;
    let results = data::batch(&engine, &auth.connection, &entity, batch).await?;
    let failed = results.iter().filter(|r| !r.ok).count();
    Ok(Json(BatchOutcome { results, failed }))
}
