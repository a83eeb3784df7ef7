//! The data API's rules: what a system allows per entity, frozen records, validation, and
//! write-through into the record store.

use crate::engine::Engine;
use crate::error::EngineError;
use crate::sandbox::generate;
use crate::store::records::{self, StoredRecord};
use crate::store::{connections::StoredConnection, sandbox};
use desk_platform::catalog::{EntityCapability, ENTITIES};
use desk_platform::ErrorCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Fields the platform owns; a write may not set them.
const READ_ONLY_FIELDS: [&str; 4] = ["id", "created_at", "updated_at", "deleted_at"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Read,
    Create,
    Update,
    Delete,
}

/// The capability of the connection's system for `entity`, checked for `operation`.
pub fn capability<'a>(
    engine: &'a Engine,
    connection: &StoredConnection,
    entity: &str,
    operation: Operation,
) -> Result<&'a EntityCapability, EngineError> {
    if !ENTITIES.contains(&entity) {
        return Err(EngineError::api(
            ErrorCode::NotFound,
            format!("no entity {entity:?}; known: {}", ENTITIES.join(", ")),
        ));
    }
    let system = engine.catalog.require(
        connection
            .connection
            .system_id
            .as_deref()
            .unwrap_or_default(),
    )?;
    let unsupported = |what: &str| {
        EngineError::api(
            ErrorCode::OperationNotSupported,
            format!("{} does not support {what} {entity}", system.name),
        )
    };
    let capability = system
        .entities
        .get(entity)
        .ok_or_else(|| unsupported("reading"))?;
    let allowed = match operation {
        Operation::Read => capability.read,
        Operation::Create => capability.create,
        Operation::Update => capability.update,
        Operation::Delete => capability.delete,
    };
    if !allowed {
        let verb = match operation {
            Operation::Read => "reading",
            Operation::Create => "creating",
            Operation::Update => "updating",
            Operation::Delete => "deleting",
        };
        return Err(unsupported(verb));
    }
    Ok(capability)
}

/// The field every record of an entity needs to be created.
fn required_field(entity: &str) -> &'static str {
    match entity {
        "work-orders" => "title",
        "purchase-orders" => "vendor_id",
        _ => "name",
    }
}

fn validate_fields(
    entity: &str,
    fields: &Map<String, Value>,
    creating: bool,
) -> Result<(), EngineError> {
    if let Some(field) = READ_ONLY_FIELDS.iter().find(|f| fields.contains_key(**f)) {
        return Err(EngineError::api(
            ErrorCode::FieldNotUpdatable,
            format!("{field} is set by the platform"),
        ));
    }
    let required = required_field(entity);
    let present = fields
        .get(required)
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty());
    if creating && !present {
        return Err(EngineError::invalid(format!(
            "{entity} need a non-empty text field {required:?}"
        )));
    }
    if fields.get(required).is_some_and(|v| !v.is_string()) {
        return Err(EngineError::invalid(format!("{required} must be text")));
    }
    Ok(())
}

pub async fn create(
    engine: &Engine,
    connection: &StoredConnection,
    entity: &str,
    fields: Map<String, Value>,
) -> Result<StoredRecord, EngineError> {
    capability(engine, connection, entity, Operation::Create)?;
    validate_fields(entity, &fields, true)?;
    let now = engine.clock.now();
    let id = &connection.connection.id;
    let mut tx = engine.store.begin().await?;
    let mut state = sandbox::ensure(&mut tx, id).await?;
    let mut generated = state.generated()?;
    let n = generated.get(entity).copied().unwrap_or(0) + 1;
    generated.insert(entity.to_owned(), n);
    state.generated = serde_json::to_string(&generated)?;
    sandbox::save(&mut tx, &state).await?;
    let record = StoredRecord {
        id: generate::record_id(entity, n),
        data: Value::Object(fields),
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    records::upsert(&mut tx, id, entity, &record).await?;
    tx.commit().await?;
    Ok(record)
}

pub async fn update(
    engine: &Engine,
    connection: &StoredConnection,
    entity: &str,
    record_id: &str,
    fields: Map<String, Value>,
) -> Result<StoredRecord, EngineError> {
    let capability = capability(engine, connection, entity, Operation::Update)?.clone();
    validate_fields(entity, &fields, false)?;
    let now = engine.clock.now();
    let id = &connection.connection.id;
    let mut tx = engine.store.begin().await?;
    let mut record = live_record(&mut tx, id, entity, record_id).await?;
    let state_field = if entity == "work-orders" {
        "state"
    } else {
        "status"
    };
    if let Some(state) = record.data.get(state_field).and_then(Value::as_str) {
        if capability.frozen_when.iter().any(|frozen| frozen == state) {
            return Err(EngineError::api(
                ErrorCode::FieldNotUpdatable,
                format!(
                    "{record_id} is {state}: the system does not allow changes to a {state} record"
                ),
            ));
        }
    }
    if let Value::Object(data) = &mut record.data {
        data.extend(fields);
    }
    record.updated_at = now;
    records::upsert(&mut tx, id, entity, &record).await?;
    tx.commit().await?;
    Ok(record)
}

pub async fn delete(
    engine: &Engine,
    connection: &StoredConnection,
    entity: &str,
    record_id: &str,
) -> Result<StoredRecord, EngineError> {
    capability(engine, connection, entity, Operation::Delete)?;
    let now = engine.clock.now();
    let id = &connection.connection.id;
    let mut tx = engine.store.begin().await?;
    let mut record = live_record(&mut tx, id, entity, record_id).await?;
    record.deleted_at = Some(now);
    record.updated_at = now;
    records::upsert(&mut tx, id, entity, &record).await?;
    tx.commit().await?;
    Ok(record)
}

async fn live_record(
    db: &mut sqlx::SqliteConnection,
    connection_id: &str,
    entity: &str,
    record_id: &str,
) -> Result<StoredRecord, EngineError> {
    records::get(db, connection_id, entity, record_id)
        .await?
        .filter(|r| r.deleted_at.is_none())
        .ok_or_else(|| EngineError::not_found(entity, record_id))
}

/// One operation of a batch write.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum BatchOperation {
    Create {
        #[schema(value_type = Object)]
        data: Map<String, Value>,
    },
    Update {
        id: String,
        #[schema(value_type = Object)]
        data: Map<String, Value>,
    },
    Delete {
        id: String,
    },
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    pub operations: Vec<BatchOperation>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BatchResult {
    pub index: usize,
    pub ok: bool,
    pub id: Option<String>,
    pub error: Option<BatchError>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BatchError {
    pub code: ErrorCode,
    pub message: String,
}

pub const MAX_BATCH: usize = 100;

/// Each operation on its own: one refused record does not undo the others, and the answer says
/// which failed and why, as the platform's batch writes do.
pub async fn batch(
    engine: &Engine,
    connection: &StoredConnection,
    entity: &str,
    batch: Batch,
) -> Result<Vec<BatchResult>, EngineError> {
    if batch.operations.is_empty() || batch.operations.len() > MAX_BATCH {
        return Err(EngineError::invalid(format!(
            "a batch holds 1 to {MAX_BATCH} operations"
        )));
    }
    let mut results = Vec::with_capacity(batch.operations.len());
    for (index, operation) in batch.operations.into_iter().enumerate() {
        let outcome = match operation {
            BatchOperation::Create { data } => create(engine, connection, entity, data).await,
            BatchOperation::Update { id, data } => {
                update(engine, connection, entity, &id, data).await
            }
            BatchOperation::Delete { id } => delete(engine, connection, entity, &id).await,
        };
        results.push(match outcome {
            Ok(record) => BatchResult {
                index,
                ok: true,
                id: Some(record.id),
                error: None,
            },
            Err(EngineError::Api { code, message, .. }) => BatchResult {
                index,
                ok: false,
                id: None,
                error: Some(BatchError { code, message }),
            },
            Err(other) => return Err(other),
        });
    }
    Ok(results)
}
