//! Webhook deliveries and their attempts.

use crate::error::EngineError;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: String,
    pub event_id: String,
    pub connection_id: Option<String>,
    pub url: String,
    #[serde(skip)]
    pub secret: String,
    /// pending, succeeded, failed
    pub state: String,
    pub attempts: i64,
    pub first_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// `standard` or `makini` (the connection's webhook format when it was queued).
    pub format: String,
    /// 0: the event's own delivery; 1, 2...: the record changes a sync run sends with it.
    pub part: i64,
    /// What is sent when it is not the event as the log stores it (Makini's payloads).
    #[serde(skip)]
    pub body: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Attempt {
    #[serde(skip)]
    pub delivery_id: String,
    pub attempt: i64,
    pub at: DateTime<Utc>,
    pub status: Option<i64>,
    pub latency_ms: i64,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
}

const COLUMNS: &str = "id, event_id, connection_id, url, secret, state, attempts, first_attempt_at, next_attempt_at, last_status, last_error, created_at, format, part, body";

pub async fn insert(db: &mut SqliteConnection, d: &Delivery) -> Result<(), EngineError> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, event_id, connection_id, url, secret, state, attempts, next_attempt_at, created_at, format, part, body)
         VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) ON CONFLICT (event_id, url, part) DO NOTHING",
    )
    .bind(&d.id)
    .bind(&d.event_id)
    .bind(&d.connection_id)
    .bind(&d.url)
    .bind(&d.secret)
    .bind(&d.state)
    .bind(d.next_attempt_at)
    .bind(d.created_at)
    .bind(&d.format)
    .bind(d.part)
    .bind(&d.body)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn due(
    db: &mut SqliteConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Delivery>, EngineError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ?
         ORDER BY seq LIMIT ?"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

type EventRow = (
    String,
    String,
    DateTime<Utc>,
    Option<String>,
    Option<String>,
    String,
);

/// The event exactly as the log stores it: the webhook body.
pub async fn event_body(db: &mut SqliteConnection, event_id: &str) -> Result<String, EngineError> {
    let row: Option<EventRow> = sqlx::query_as(
        "SELECT id, type, created_at, connection_id, customer_id, data FROM events WHERE id = ?",
    )
    .bind(event_id)
    .fetch_optional(db)
    .await?;
    let (id, kind, created_at, connection_id, customer_id, data) =
        row.ok_or_else(|| EngineError::Corrupt(format!("delivery of a missing event {event_id}")))?;
    let data: serde_json::Value = serde_json::from_str(&data)?;
    Ok(serde_json::json!({"id": id, "type": kind, "created_at": created_at, "connection_id": connection_id,
                          "customer_id": customer_id, "data": data})
    .to_string())
}

pub async fn record_attempt(
    db: &mut SqliteConnection,
    d: &Delivery,
    attempt: &Attempt,
) -> Result<(), EngineError> {
    sqlx::query(
        "INSERT INTO webhook_attempts (delivery_id, attempt, at, status, latency_ms, response_excerpt, error)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&attempt.delivery_id)
    .bind(attempt.attempt)
    .bind(attempt.at)
    .bind(attempt.status)
    .bind(attempt.latency_ms)
    .bind(&attempt.response_excerpt)
    .bind(&attempt.error)
    .execute(&mut *db)
    .await?;
    sqlx::query(
        "UPDATE webhook_deliveries SET state = ?, attempts = ?, first_attempt_at = ?, next_attempt_at = ?,
            last_status = ?, last_error = ? WHERE id = ?",
    )
    .bind(&d.state)
    .bind(d.attempts)
    .bind(d.first_attempt_at)
    .bind(d.next_attempt_at)
    .bind(d.last_status)
    .bind(&d.last_error)
    .bind(&d.id)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get(db: &mut SqliteConnection, id: &str) -> Result<Option<Delivery>, EngineError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_deliveries WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?)
}

pub async fn attempts(db: &mut SqliteConnection, id: &str) -> Result<Vec<Attempt>, EngineError> {
    Ok(sqlx::query_as(
        "SELECT delivery_id, attempt, at, status, latency_ms, response_excerpt, error FROM webhook_attempts
         WHERE delivery_id = ? ORDER BY attempt",
    )
    .bind(id)
    .fetch_all(db)
    .await?)
}

pub async fn list(
    db: &mut SqliteConnection,
    after_seq: i64,
    limit: u32,
    connection_id: Option<&str>,
    state: Option<&str>,
) -> Result<Vec<(i64, Delivery)>, EngineError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT seq, id FROM webhook_deliveries WHERE seq > ? AND (? IS NULL OR connection_id = ?)
           AND (? IS NULL OR state = ?) ORDER BY seq LIMIT ?",
    )
    .bind(after_seq)
    .bind(connection_id)
    .bind(connection_id)
    .bind(state)
    .bind(state)
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *db)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (seq, id) in rows {
        if let Some(delivery) = get(db, &id).await? {
            out.push((seq, delivery));
        }
    }
    Ok(out)
}

pub async fn reschedule(
    db: &mut SqliteConnection,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<Delivery>, EngineError> {
    sqlx::query("UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?, first_attempt_at = NULL WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(&mut *db)
        .await?;
    get(db, id).await
}

pub async fn reschedule_failed_since(
    db: &mut SqliteConnection,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, EngineError> {
    Ok(sqlx::query(
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?, first_attempt_at = NULL
         WHERE state = 'failed' AND created_at >= ?",
    )
    .bind(now)
    .bind(since)
    .execute(db)
    .await?
    .rows_affected())
}
