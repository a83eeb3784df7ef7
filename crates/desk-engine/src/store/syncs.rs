//! Sync runs and per-entity cursors.

use crate::error::EngineError;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SyncRun {
    pub id: String,
    pub connection_id: String,
    pub kind: String,
    pub state: String,
    pub entities: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub records: i64,
    pub error: Option<String>,
}

pub async fn insert_run(db: &mut SqliteConnection, run: &SyncRun) -> Result<(), EngineError> {
    sqlx::query(
        "INSERT INTO sync_runs (id, connection_id, kind, state, entities, started_at, finished_at, records, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&run.id)
    .bind(&run.connection_id)
    .bind(&run.kind)
    .bind(&run.state)
    .bind(&run.entities)
    .bind(run.started_at)
    .bind(run.finished_at)
    .bind(run.records)
    .bind(&run.error)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn finish_run(
    db: &mut SqliteConnection,
    id: &str,
    state: &str,
    finished_at: DateTime<Utc>,
    records: i64,
    error: Option<&str>,
) -> Result<(), EngineError> {
    sqlx::query(
        "UPDATE sync_runs SET state = ?, finished_at = ?, records = ?, error = ? WHERE id = ?",
    )
    .bind(state)
    .bind(finished_at)
    .bind(records)
    .bind(error)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn latest_run(
    db: &mut SqliteConnection,
    connection_id: &str,
) -> Result<Option<SyncRun>, EngineError> {
    Ok(sqlx::query_as(
        "SELECT id, connection_id, kind, state, entities, started_at, finished_at, records, error
         FROM sync_runs WHERE connection_id = ? ORDER BY seq DESC LIMIT 1",
    )
    .bind(connection_id)
    .fetch_optional(db)
    .await?)
}

pub async fn last_success(
    db: &mut SqliteConnection,
    connection_id: &str,
) -> Result<Option<DateTime<Utc>>, EngineError> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(finished_at) FROM sync_runs WHERE connection_id = ? AND state = 'completed'",
    )
    .bind(connection_id)
    .fetch_one(db)
    .await?)
}

/// The connection's runs still `in_progress`, failed with `error` (its run ended without
/// recording an end).
pub async fn fail_unfinished(
    db: &mut SqliteConnection,
    connection_id: &str,
    now: DateTime<Utc>,
    error: &str,
) -> Result<u64, EngineError> {
    Ok(sqlx::query(
        "UPDATE sync_runs SET state = 'failed', finished_at = ?, error = ?
         WHERE connection_id = ? AND state = 'in_progress'",
    )
    .bind(now)
    .bind(error)
    .bind(connection_id)
    .execute(db)
    .await?
    .rows_affected())
}

/// Runs left `in_progress` by a stopped engine; they are failed on start and re-run.
pub async fn fail_interrupted(
    db: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> Result<u64, EngineError> {
    Ok(sqlx::query(
        "UPDATE sync_runs SET state = 'failed', finished_at = ?, error = 'the engine stopped during the sync; it runs again'
         WHERE state = 'in_progress'",
    )
    .bind(now)
    .execute(db)
    .await?
    .rows_affected())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Cursor {
    pub entity: String,
    pub synced_until: DateTime<Utc>,
    pub records: i64,
    pub last_sync_at: DateTime<Utc>,
}

pub async fn cursors(
    db: &mut SqliteConnection,
    connection_id: &str,
) -> Result<Vec<Cursor>, EngineError> {
    Ok(sqlx::query_as(
        "SELECT entity, synced_until, records, last_sync_at FROM sync_cursors WHERE connection_id = ? ORDER BY entity",
    )
    .bind(connection_id)
    .fetch_all(db)
    .await?)
}

pub async fn set_cursor(
    db: &mut SqliteConnection,
    connection_id: &str,
    cursor: &Cursor,
) -> Result<(), EngineError> {
    sqlx::query(
        "INSERT INTO sync_cursors (connection_id, entity, synced_until, records, last_sync_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (connection_id, entity) DO UPDATE SET
            synced_until = excluded.synced_until, records = excluded.records, last_sync_at = excluded.last_sync_at",
    )
    .bind(connection_id)
    .bind(&cursor.entity)
    .bind(cursor.synced_until)
    .bind(cursor.records)
    .bind(cursor.last_sync_at)
    .execute(db)
    .await?;
    Ok(())
}
