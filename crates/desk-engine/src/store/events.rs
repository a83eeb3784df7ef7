use crate::error::EngineError;
use chrono::{DateTime, Utc};
use desk_platform::event::{Event, EventType};
use sqlx::SqliteConnection;

/// Appends an event; it is committed with the change it records (same transaction).
pub async fn append(db: &mut SqliteConnection, event: &Event) -> Result<i64, EngineError> {
    let seq = sqlx::query(
        "INSERT INTO events (id, type, created_at, connection_id, customer_id, data)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&event.id)
    .bind(event.event_type.as_str())
    .bind(event.created_at)
    .bind(&event.connection_id)
    .bind(&event.customer_id)
    .bind(event.data.to_string())
    .execute(db)
    .await?
    .last_insert_rowid();
    Ok(seq)
}

/// The seq of an event id, to resume `?after=`.
pub async fn seq_of(db: &mut SqliteConnection, id: &str) -> Result<Option<i64>, EngineError> {
    Ok(sqlx::query_scalar("SELECT seq FROM events WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await?)
}

type EventRow = (
    i64,
    String,
    String,
    DateTime<Utc>,
    Option<String>,
    Option<String>,
    String,
);

pub async fn list(
    db: &mut SqliteConnection,
    after_seq: i64,
    limit: u32,
    connection_id: Option<&str>,
) -> Result<Vec<(i64, Event)>, EngineError> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT seq, id, type, created_at, connection_id, customer_id, data FROM events
         WHERE seq > ? AND (? IS NULL OR connection_id = ?) ORDER BY seq LIMIT ?",
    )
    .bind(after_seq)
    .bind(connection_id)
    .bind(connection_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(
            |(seq, id, kind, created_at, connection_id, customer_id, data)| {
                let event_type = EventType::parse(&kind)
                    .ok_or_else(|| EngineError::Corrupt(format!("unknown event type {kind}")))?;
                let data = serde_json::from_str(&data)?;
                Ok((
                    seq,
                    Event {
                        id,
                        event_type,
                        created_at,
                        connection_id,
                        customer_id,
                        data,
                    },
                ))
            },
        )
        .collect()
}
