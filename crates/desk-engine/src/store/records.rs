//! The synced records the data API serves.

use crate::error::EngineError;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::SqliteConnection;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub id: String,
    pub data: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl StoredRecord {
    /// The wire form: the record's fields with its id and times.
    pub fn to_json(&self) -> Value {
        let mut object = match &self.data {
            Value::Object(map) => map.clone(),
            _ => serde_json::Map::new(),
        };
        object.insert("id".to_owned(), Value::String(self.id.clone()));
        object.insert("created_at".to_owned(), serde_json::json!(self.created_at));
        object.insert("updated_at".to_owned(), serde_json::json!(self.updated_at));
        object.insert("deleted_at".to_owned(), serde_json::json!(self.deleted_at));
        Value::Object(object)
    }
}

type Row = (
    i64,
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

fn from_row(
    (seq, id, data, created_at, updated_at, deleted_at): Row,
) -> Result<(i64, StoredRecord), EngineError> {
    Ok((
        seq,
        StoredRecord {
            id,
            data: serde_json::from_str(&data)?,
            created_at,
            updated_at,
            deleted_at,
        },
    ))
}

/// Inserts or replaces a record; an existing record keeps its `seq` (its place in cursor walks).
pub async fn upsert(
    db: &mut SqliteConnection,
    connection_id: &str,
    entity: &str,
    record: &StoredRecord,
) -> Result<(), EngineError> {
    sqlx::query(
        "INSERT INTO records (connection_id, entity, record_id, data, created_at, updated_at, deleted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (connection_id, entity, record_id) DO UPDATE SET
            data = excluded.data, updated_at = excluded.updated_at, deleted_at = excluded.deleted_at",
    )
    .bind(connection_id)
    .bind(entity)
    .bind(&record.id)
    .bind(record.data.to_string())
    .bind(record.created_at)
    .bind(record.updated_at)
    .bind(record.deleted_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get(
    db: &mut SqliteConnection,
    connection_id: &str,
    entity: &str,
    id: &str,
) -> Result<Option<StoredRecord>, EngineError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT seq, record_id, data, created_at, updated_at, deleted_at FROM records
         WHERE connection_id = ? AND entity = ? AND record_id = ?",
    )
    .bind(connection_id)
    .bind(entity)
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.map(|row| from_row(row).map(|(_, record)| record))
        .transpose()
}

pub async fn count(
    db: &mut SqliteConnection,
    connection_id: &str,
    entity: &str,
) -> Result<i64, EngineError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM records WHERE connection_id = ? AND entity = ? AND deleted_at IS NULL",
    )
    .bind(connection_id)
    .bind(entity)
    .fetch_one(db)
    .await?)
}

/// Deletes every record of a connection (the admin's "delete data" after a disconnect).
pub async fn delete_all(
    db: &mut SqliteConnection,
    connection_id: &str,
) -> Result<u64, EngineError> {
    let result = sqlx::query("DELETE FROM records WHERE connection_id = ?")
        .bind(connection_id)
        .execute(db)
        .await?;
    Ok(result.rows_affected())
}

/// A page as wire JSON built by SQLite itself (`json_set` over the stored document), so serving
/// a page never parses and re-serialises each record in Rust: the hot path of a client's sync.
/// Times are stored as RFC 3339 with `+00:00`; the wire spells UTC `Z`, as serde does.
pub async fn list_json(
    db: &mut SqliteConnection,
    connection_id: &str,
    entity: &str,
    after_seq: i64,
    limit: u32,
    modified_after: Option<DateTime<Utc>>,
) -> Result<Vec<(i64, String)>, EngineError> {
    Ok(sqlx::query_as(
        "SELECT seq, json_set(data, '$.id', record_id,
                    '$.created_at', replace(created_at, '+00:00', 'Z'),
                    '$.updated_at', replace(updated_at, '+00:00', 'Z'),
                    '$.deleted_at', replace(deleted_at, '+00:00', 'Z'))
         FROM records
         WHERE connection_id = ? AND entity = ? AND seq > ?
           AND (? IS NULL OR updated_at > ?)
           AND (? IS NOT NULL OR deleted_at IS NULL)
         ORDER BY seq LIMIT ?",
    )
    .bind(connection_id)
    .bind(entity)
    .bind(after_seq)
    .bind(modified_after)
    .bind(modified_after)
    .bind(modified_after)
    .bind(i64::from(limit) + 1)
    .fetch_all(db)
    .await?)
}

/// Page `offset..offset + limit` of an entity's live records as wire JSON, oldest first: the
/// Makini surface's raw table data.
pub async fn page_json(
    db: &mut SqliteConnection,
    connection_id: &str,
    entity: &str,
    offset: i64,
    limit: u32,
) -> Result<Vec<String>, EngineError> {
    Ok(sqlx::query_scalar(
        "SELECT json_set(data, '$.id', record_id,
                    '$.created_at', replace(created_at, '+00:00', 'Z'),
                    '$.updated_at', replace(updated_at, '+00:00', 'Z'),
                    '$.deleted_at', replace(deleted_at, '+00:00', 'Z'))
         FROM records
         WHERE connection_id = ? AND entity = ? AND deleted_at IS NULL
         ORDER BY seq LIMIT ? OFFSET ?",
    )
    .bind(connection_id)
    .bind(entity)
    .bind(i64::from(limit))
    .bind(offset)
    .fetch_all(db)
    .await?)
}
