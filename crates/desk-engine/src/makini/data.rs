//! Makini's data routes on a connection token: `GET /api/{eam|erp|wms}/{entity}` (a page, with
//! Makini's filters and sorts) and `GET /api/{ns}/{entity}/{key}`, over the same records our
//! `/api/v1/{entity}` serves, shaped as Makini's files document them. Soft-deleted records are
//! listed with their `deletedAt`, as makini-api.md says they are visible.

use super::auth::connection_of;
use super::error::{MakiniError, MakiniResult};
use super::query::{keyset_sorts, push_after, push_order, push_where, walk_key, ListQuery};
use super::request_path;
use super::schema::{self, Schema};
use super::shape::{self, Shape};
use super::walks::Position;
use crate::data::{self, Operation};
use crate::engine::Engine;
use crate::sandbox::system::admit_call;
use crate::store::connections::StoredConnection;
use crate::store::records::StoredRecord;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Uri};
use axum::Json;
use chrono::{DateTime, Utc};
use desk_makini::Namespace;
use desk_platform::ErrorCode;
use serde_json::{json, Value};
use sqlx::QueryBuilder;

type RecordRow = (
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

/// A record row, its `seq` and its sort values (a JSON array of text).
type PageRow = (
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    i64,
    String,
);

fn to_stored(
    (id, data, created_at, updated_at, deleted_at): RecordRow,
) -> MakiniResult<StoredRecord> {
    Ok(StoredRecord {
        id,
        data: serde_json::from_str(&data).map_err(crate::error::EngineError::from)?,
        created_at,
        updated_at,
        deleted_at,
    })
}

/// The shape and schema of `ns/path` for this connection, after the checks a data call takes:
/// the connection's own namespace, a documented list, the system's read capability, its
/// credentials, and the sandbox's rate limit and faults.
async fn admitted(
    engine: &Engine,
    stored: &StoredConnection,
    namespace: Namespace,
    path: &str,
) -> MakiniResult<(&'static Shape, &'static Schema)> {
    let system_id = stored.connection.system_id.clone().unwrap_or_default();
    let system = engine.catalog.require(&system_id)?;
    let own = Namespace::of(system.category);
    if own != namespace {
        return Err(MakiniError::new(
            ErrorCode::NotFound,
            format!(
                "This connection's data is under /api/{}, not /api/{}.",
                own.as_str(),
                namespace.as_str()
            ),
        ));
    }
    let shape = shape::by_path(path).ok_or_else(MakiniError::not_found)?;
    let documented = schema::list_route(namespace.as_str(), path)
        .and_then(|route| route.list_item())
        .and_then(|item| schema::schema(namespace.as_str(), item))
        .ok_or_else(MakiniError::not_found)?;
    if stored.connection.reauthorization_required {
        return Err(MakiniError::new(
            ErrorCode::ReauthorizationRequired,
            "The platform refused the stored credentials; the connection must be reauthorized.",
        ));
    }
    data::capability(engine, stored, shape.entity, Operation::Read)?;
    admit_call(engine, &stored.connection.id, &system_id).await?;
    Ok((shape, documented))
}

fn pairs_of(raw: Option<&str>) -> Vec<(String, String)> {
    serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default()
}

pub async fn list(
    State(engine): State<Engine>,
    Path(path): Path<String>,
    namespace: Namespace,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> MakiniResult<Json<Value>> {
    let (stored, _) = connection_of(&engine, &headers).await?;
    let (shape, documented) = admitted(&engine, &stored, namespace, &path).await?;
    let pairs = pairs_of(raw.as_deref());
    let query = ListQuery::parse(&pairs);
    let id = stored.connection.id.as_str();
    let mut db = engine.store.reader().acquire().await?;

    // A walk asking for a page shortly after one it was served continues from where that page
    // ended, without a new COUNT or an OFFSET over the list (see `walks`).
    let keyset = keyset_sorts(shape, &query);
    let key = walk_key(id, shape, &query);
    let max_seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM records")
        .fetch_one(&mut *db)
        .await?;
    let continuation = keyset
        .as_ref()
        .and_then(|_| engine.makini_walks.continuation(&key, query.page, max_seq));
    let total: i64 = match &continuation {
        Some(continuation) => continuation.from.total,
        None => {
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM records");
            push_where(&mut count, id, shape, documented, &query);
            count.build_query_scalar().fetch_one(&mut *db).await?
        }
    };

    let sort_values = match &keyset {
        Some(sorts) if !sorts.is_empty() => format!("json_array({})", sorts.join(", ")),
        _ => "'[]'".to_owned(),
    };
    let mut select = QueryBuilder::new(format!(
        "SELECT record_id, data, created_at, updated_at, deleted_at, seq, {sort_values} FROM records"
    ));
    push_where(&mut select, id, shape, documented, &query);
    if let (Some(sorts), Some(continuation)) = (&keyset, &continuation) {
        let from = &continuation.from;
        push_after(&mut select, sorts, &from.sort_values, from.seq);
    }
    push_order(&mut select, shape, &query);
    select.push(" LIMIT ");
    select.push_bind(i64::from(query.per_page));
    let offset = match &continuation {
        // The pages between: at most a few, skipped in the index from the position.
        Some(continuation) => i64::from(continuation.pages_between) * i64::from(query.per_page),
        None => query.offset(),
    };
    if offset > 0 {
        select.push(" OFFSET ");
        select.push_bind(offset);
    }
    let rows: Vec<PageRow> = select.build_query_as().fetch_all(&mut *db).await?;
    if let (Some(_), Some(last)) = (&keyset, rows.last()) {
        let values: Vec<String> = serde_json::from_str(&last.6).unwrap_or_default();
        engine.makini_walks.remember(
            key,
            Position {
                page: query.page,
                sort_values: values,
                seq: last.5,
                total,
                max_seq,
                at: std::time::Instant::now(),
            },
        );
    }
    let rows = rows
        .into_iter()
        .map(|(id, data, created, updated, deleted, _, _)| (id, data, created, updated, deleted));
    let items = rows
        .into_iter()
        .map(|row| to_stored(row).map(|record| shape::to_makini(shape, &record)))
        .collect::<MakiniResult<Vec<_>>>()?;
    Ok(Json(super::page::envelope(
        items,
        total,
        &query,
        &request_path(&headers, &uri),
        &pairs,
    )))
}

pub async fn get(
    State(engine): State<Engine>,
    Path((path, key)): Path<(String, String)>,
    namespace: Namespace,
    headers: HeaderMap,
) -> MakiniResult<Json<Value>> {
    let (stored, _) = connection_of(&engine, &headers).await?;
    let (shape, _) = admitted(&engine, &stored, namespace, &path).await?;
    let mut db = engine.store.reader().acquire().await?;
    let record = crate::store::records::get(&mut db, &stored.connection.id, shape.entity, &key)
        .await?
        .ok_or_else(MakiniError::not_found)?;
    Ok(Json(json!({"data": shape::to_makini(shape, &record)})))
}
