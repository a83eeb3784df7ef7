//! Makini's admin ("system") routes on an admin token, and the connection-token routes
//! `integrations/current`, `raw/...` and `passthrough`, over the engine's own account.
//!
//! Makini has no customers: a connection created here is filed under the customer whose email
//! it names (one is made when none has it), and every listed connection carries its customer
//! in `user_metadata.customer_id`, where the adapter looks first.

use super::auth::connection_of;
use super::error::{MakiniError, MakiniResult};
use super::query::ListQuery;
use super::request_path;
use crate::api::extract::AdminAuth;
use crate::api::ApiError;
use crate::engine::Engine;
use crate::lifecycle;
use crate::store::connections::{self, StoredConnection};
use crate::store::{customers, records};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Uri};
use axum::Json;
use chrono::{DateTime, SecondsFormat, Utc};
use desk_platform::catalog::Deployment;
use desk_platform::connection::{ConnectionStatus, CreateConnection, TokenScope};
use desk_platform::customer::CreateCustomer;
use desk_platform::ErrorCode;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

fn time(at: Option<DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, |at| {
        Value::String(at.to_rfc3339_opts(SecondsFormat::Secs, true))
    })
}

fn pairs_of(raw: Option<&str>) -> Vec<(String, String)> {
    serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default()
}

fn admin(auth: Result<AdminAuth, ApiError>) -> MakiniResult<AdminAuth> {
    auth.map_err(|_| MakiniError::new(ErrorCode::AuthenticationFailed, "Unauthenticated."))
}

/// A connection as `GET /api/system/connections` lists it (the `Connection` schema, whose
/// `user_metadata` is JSON text).
fn connection_object(stored: &StoredConnection, client_id: &str) -> Value {
    let c = &stored.connection;
    let mut metadata = c.user_metadata.clone();
    metadata.insert("customer_id".to_owned(), json!(c.customer_id));
    json!({
        "key": c.id,
        "name": c.name,
        "email": c.email,
        "status": c.status.as_str(),
        "integration_name": c.system_id,
        "redirect": null,
        "scopes": "read write",
        "tags": [],
        // Typed as a string (JSON text) in Makini's file.
        "user_metadata": Value::Object(metadata).to_string(),
        "client_id": client_id,
        "created_at": time(Some(c.created_at)),
        "updated_at": time(c.last_sync_at.or(c.connected_at).or(Some(c.created_at))),
        "connected_at": time(c.connected_at),
    })
}

pub async fn client(auth: Result<AdminAuth, ApiError>) -> MakiniResult<Json<Value>> {
    let auth = admin(auth)?;
    Ok(Json(json!({"data": {
        "id": auth.client_id,
        "name": "Makini Desk local engine",
        "logo_url": "",
        "email": null,
        "default_redirect": "",
        "redirects": [],
    }})))
}

pub async fn platforms(
    State(engine): State<Engine>,
    auth: Result<AdminAuth, ApiError>,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> MakiniResult<Json<Value>> {
    admin(auth)?;
    let pairs = pairs_of(raw.as_deref());
    let query = ListQuery::parse(&pairs);
    let items: Vec<Value> = engine
        .catalog
        .systems()
        .iter()
        .map(|s| json!({"slug": s.id, "name": s.name, "category": s.category}))
        .collect();
    Ok(Json(super::page::slice(
        items,
        &query,
        &request_path(&headers, &uri),
        &pairs,
    )))
}

pub async fn list_connections(
    State(engine): State<Engine>,
    auth: Result<AdminAuth, ApiError>,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> MakiniResult<Json<Value>> {
    let auth = admin(auth)?;
    let pairs = pairs_of(raw.as_deref());
    let query = ListQuery::parse(&pairs);
    let mut db = engine.store.reader().acquire().await?;
    let (page, total) = connections::page(&mut db, query.offset(), query.per_page).await?;
    let items = page
        .iter()
        .map(|stored| connection_object(stored, &auth.client_id))
        .collect();
    Ok(Json(super::page::envelope(
        items,
        total,
        &query,
        &request_path(&headers, &uri),
        &pairs,
    )))
}

#[derive(Debug, Deserialize)]
struct CreateBody {
    name: String,
    email: String,
    provider: String,
    #[serde(default)]
    credentials: Map<String, Value>,
}

fn invalid(field: &str, message: &str) -> MakiniError {
    MakiniError::new(
        ErrorCode::InvalidRequest,
        format!("The given data was invalid. {field}: {message}"),
    )
}

/// `POST /api/system/connections`: answers the new connection's token (it does not expire and
/// has no refresh token on this engine, so both of those are null).
pub async fn create_connection(
    State(engine): State<Engine>,
    auth: Result<AdminAuth, ApiError>,
    body: Bytes,
) -> MakiniResult<Json<Value>> {
    let auth = admin(auth)?;
    let body: CreateBody = serde_json::from_slice(&body).map_err(|err| {
        invalid(
            "body",
            &format!("name, email and provider are required ({err})"),
        )
    })?;
    let wanted = desk_makini::squash(&body.provider);
    let system = engine
        .catalog
        .systems()
        .iter()
        .find(|s| desk_makini::squash(&s.id) == wanted || desk_makini::squash(&s.name) == wanted)
        .ok_or_else(|| invalid("provider", &format!("unknown provider {:?}", body.provider)))?;
    let customer_id = {
        let mut db = engine.store.reader().acquire().await?;
        customers::find_by_email(&mut db, &body.email).await?
    };
    let customer_id = match customer_id {
        Some(customer) => customer.id,
        None => {
            lifecycle::create_customer(
                &engine,
                CreateCustomer {
                    name: body.name.clone(),
                    email: Some(body.email.clone()),
                    account_manager: None,
                    metadata: Map::new(),
                },
            )
            .await?
            .id
        }
    };
    let credentials: BTreeMap<String, String> = body
        .credentials
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k, text)
        })
        .collect();
    let deployment = if system.supports(Deployment::Cloud) {
        Deployment::Cloud
    } else {
        system
            .deployments
            .first()
            .copied()
            .unwrap_or(Deployment::Cloud)
    };
    let created = lifecycle::create_connection(
        &engine,
        CreateConnection {
            customer_id,
            system_id: system.id.clone(),
            deployment,
            name: body.name,
            email: Some(body.email),
            credentials,
            user_metadata: Map::new(),
            sync: None,
            webhook: None,
        },
        &auth.client_id,
    )
    .await?;
    Ok(Json(json!({"data": {
        "access_token": created.token,
        "refresh_token": null,
        "expires_in": null,
    }})))
}

pub async fn delete_connection(
    State(engine): State<Engine>,
    auth: Result<AdminAuth, ApiError>,
    Path(id): Path<String>,
) -> MakiniResult<Json<Value>> {
    let auth = admin(auth)?;
    lifecycle::disconnect(&engine, &id).await?;
    let mut db = engine.store.reader().acquire().await?;
    let stored = connections::get(&mut db, &id)
        .await?
        .ok_or_else(MakiniError::not_found)?;
    Ok(Json(
        json!({"data": connection_object(&stored, &auth.client_id)}),
    ))
}

/// `POST /api/system/connections/{id}/token`: a new main token; as Makini documents it may, it
/// replaces the one before (named read tokens, `/api/v1/.../tokens`, live on).
pub async fn issue_token(
    State(engine): State<Engine>,
    auth: Result<AdminAuth, ApiError>,
    Path(id): Path<String>,
) -> MakiniResult<Json<Value>> {
    admin(auth)?;
    let issued = lifecycle::issue_token(&engine, &id).await?;
    Ok(Json(
        json!({"data": {"token": issued.token, "expires_in": null}}),
    ))
}

fn metadata_entries(stored: &StoredConnection) -> Vec<Value> {
    stored
        .connection
        .user_metadata
        .iter()
        .map(|(key, value)| {
            let text = match value {
                Value::String(s) => Value::String(s.clone()),
                Value::Null => Value::Null,
                other => Value::String(other.to_string()),
            };
            json!({"key": key, "value": text})
        })
        .collect()
}

pub async fn metadata(
    State(engine): State<Engine>,
    auth: Result<AdminAuth, ApiError>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> MakiniResult<Json<Value>> {
    admin(auth)?;
    let pairs = pairs_of(raw.as_deref());
    let mut db = engine.store.reader().acquire().await?;
    let stored = connections::get(&mut db, &id)
        .await?
        .ok_or_else(MakiniError::not_found)?;
    Ok(Json(super::page::slice(
        metadata_entries(&stored),
        &ListQuery::parse(&pairs),
        &request_path(&headers, &uri),
        &pairs,
    )))
}

#[derive(Debug, Deserialize)]
struct MetadataEntry {
    key: String,
    #[serde(default)]
    value: Value,
}

/// `POST .../metadata` with `[{key, value}]`: each key is set (a null value removes it).
pub async fn set_metadata(
    State(engine): State<Engine>,
    auth: Result<AdminAuth, ApiError>,
    Path(id): Path<String>,
    body: Bytes,
) -> MakiniResult<Json<Value>> {
    admin(auth)?;
    let entries: Vec<MetadataEntry> = serde_json::from_slice(&body)
        .map_err(|err| invalid("body", &format!("a list of {{key, value}} ({err})")))?;
    let mut tx = engine.store.begin().await?;
    let mut stored = connections::get(&mut tx, &id)
        .await?
        .ok_or_else(MakiniError::not_found)?;
    for entry in entries {
        if entry.key.trim().is_empty() {
            return Err(invalid("key", "must not be empty"));
        }
        if entry.value.is_null() {
            stored.connection.user_metadata.remove(&entry.key);
        } else {
            stored
                .connection
                .user_metadata
                .insert(entry.key, entry.value);
        }
    }
    connections::update(&mut tx, &stored).await?;
    tx.commit().await?;
    Ok(Json(json!({"data": metadata_entries(&stored)})))
}

/// Makini's `sync_status` for a connection: `fail` when the system refused its credentials
/// (the documented reauthorization signal), `inprogress` while a sync runs, `error` after a
/// failed one, `fulldone` once synced.
fn sync_status(stored: &StoredConnection, state: &str) -> &'static str {
    if stored.connection.reauthorization_required {
        return "fail";
    }
    match (stored.connection.status, state) {
        (ConnectionStatus::Pending, _) => "inprogress",
        (_, "in_progress") => "inprogress",
        (ConnectionStatus::Synchronizing, _) => "inprogress",
        (_, "failed") => "error",
        (_, "completed") => "fulldone",
        _ => "done",
    }
}

pub async fn current(
    State(engine): State<Engine>,
    headers: HeaderMap,
) -> MakiniResult<Json<Value>> {
    let (stored, _) = connection_of(&engine, &headers).await?;
    let status = crate::sync::status(&engine, &stored.connection.id).await?;
    let company = {
        let mut db = engine.store.reader().acquire().await?;
        customers::get(&mut db, &stored.connection.customer_id)
            .await?
            .map(|c| c.name)
    };
    let c = &stored.connection;
    Ok(Json(json!({"data": {
        "id": c.id,
        "company_name": company.unwrap_or_else(|| c.name.clone()),
        "email": c.email,
        "provider": c.system_id,
        "updated_at": time(c.last_sync_at.or(Some(c.created_at))),
        "sync_status": sync_status(&stored, &status.state),
        "sync_updated_at": time(status.last_successful_sync_at.or(c.last_sync_at)),
    }})))
}

fn require_full(scope: TokenScope) -> MakiniResult<()> {
    if scope == TokenScope::Read {
        return Err(MakiniError::new(
            ErrorCode::PermissionDenied,
            "This token is read-only.",
        ));
    }
    Ok(())
}

/// `DELETE /api/integrations/current`: the connection removes itself (a disconnect).
pub async fn remove_current(
    State(engine): State<Engine>,
    headers: HeaderMap,
) -> MakiniResult<Json<Value>> {
    let (stored, scope) = connection_of(&engine, &headers).await?;
    require_full(scope)?;
    lifecycle::disconnect(&engine, &stored.connection.id).await?;
    Ok(Json(
        json!({"data": {"id": stored.connection.id, "removed": true}}),
    ))
}

/// `GET /api/raw/tables`: the entities the connection's system holds, as its raw tables.
pub async fn raw_tables(
    State(engine): State<Engine>,
    headers: HeaderMap,
) -> MakiniResult<Json<Value>> {
    let (stored, _) = connection_of(&engine, &headers).await?;
    let system = engine
        .catalog
        .require(stored.connection.system_id.as_deref().unwrap_or_default())?;
    let tables: Vec<&String> = system
        .entities
        .iter()
        .filter(|(_, capability)| capability.read)
        .map(|(name, _)| name)
        .collect();
    Ok(Json(json!({"data": tables})))
}

/// `GET /api/raw/tables/{table}/data?page=`: the stored records as the system holds them.
pub async fn raw_table_data(
    State(engine): State<Engine>,
    Path(table): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> MakiniResult<Json<Value>> {
    let (stored, _) = connection_of(&engine, &headers).await?;
    crate::data::capability(&engine, &stored, &table, crate::data::Operation::Read)?;
    let pairs = pairs_of(raw.as_deref());
    let query = ListQuery::parse(&pairs);
    let mut db = engine.store.reader().acquire().await?;
    let id = &stored.connection.id;
    let total = records::count(&mut db, id, &table).await?;
    let rows = records::page_json(&mut db, id, &table, query.offset(), query.per_page).await?;
    let items = rows
        .iter()
        .map(|text| serde_json::from_str(text).map_err(crate::error::EngineError::from))
        .collect::<Result<Vec<Value>, _>>()?;
    Ok(Json(super::page::envelope(
        items,
        total,
        &query,
        &request_path(&headers, &uri),
        &pairs,
    )))
}

/// `POST /api/passthrough`: the simulated systems have no API of their own to pass a call to.
pub async fn passthrough(
    State(engine): State<Engine>,
    headers: HeaderMap,
) -> MakiniResult<Json<Value>> {
    let (_, scope) = connection_of(&engine, &headers).await?;
    require_full(scope)?;
    Err(MakiniError::new(
        ErrorCode::OperationNotSupported,
        "The local engine's simulated systems have no API of their own to pass a call through to.",
    ))
}
