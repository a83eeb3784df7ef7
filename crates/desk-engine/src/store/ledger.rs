use crate::error::EngineError;
use chrono::{DateTime, Utc};
use desk_platform::ledger::{LedgerEntry, LedgerReason};
use sqlx::SqliteConnection;

pub async fn append(db: &mut SqliteConnection, entry: &LedgerEntry) -> Result<(), EngineError> {
    sqlx::query(
        "INSERT INTO ledger (id, at, connection_id, delta, overage_delta, reason, balance_after)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&entry.id)
    .bind(entry.at)
    .bind(&entry.connection_id)
    .bind(entry.delta)
    .bind(entry.overage_delta)
    .bind(entry.reason.as_str())
    .bind(entry.balance_after)
    .execute(db)
    .await?;
    Ok(())
}

type LedgerRow = (
    i64,
    String,
    DateTime<Utc>,
    Option<String>,
    i64,
    i64,
    String,
    i64,
);

pub async fn list(
    db: &mut SqliteConnection,
    after_seq: i64,
    limit: u32,
    connection_id: Option<&str>,
) -> Result<Vec<(i64, LedgerEntry)>, EngineError> {
    let rows: Vec<LedgerRow> = sqlx::query_as(
        "SELECT seq, id, at, connection_id, delta, overage_delta, reason, balance_after
         FROM ledger WHERE seq > ? AND (? IS NULL OR connection_id = ?) ORDER BY seq LIMIT ?",
    )
    .bind(after_seq)
    .bind(connection_id)
    .bind(connection_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(
            |(seq, id, at, connection_id, delta, overage_delta, reason, balance_after)| {
                let reason = LedgerReason::parse(&reason).ok_or_else(|| {
                    EngineError::Corrupt(format!("unknown ledger reason {reason}"))
                })?;
                Ok((
                    seq,
                    LedgerEntry {
                        id,
                        at,
                        connection_id,
                        delta,
                        overage_delta,
                        reason,
                        balance_after,
                    },
                ))
            },
        )
        .collect()
}
