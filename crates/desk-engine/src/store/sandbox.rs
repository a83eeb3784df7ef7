//! The state of each connection's simulated system.

use crate::error::EngineError;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use std::collections::BTreeMap;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SystemState {
    pub connection_id: String,
    pub seed: i64,
    pub online: bool,
    pub offline_until: Option<DateTime<Utc>>,
    pub credentials_valid: bool,
    pub rate_limit_until: Option<DateTime<Utc>>,
    pub rate_limit_per_minute: Option<i64>,
    pub fail_next_sync: bool,
    pub fail_next_call: bool,
    pub records_per_entity: Option<i64>,
    pub generated: String,
}

impl SystemState {
    /// How many records of each entity the system has generated so far.
    pub fn generated(&self) -> Result<BTreeMap<String, u64>, EngineError> {
        Ok(serde_json::from_str(&self.generated)?)
    }
}

pub async fn get(
    db: &mut SqliteConnection,
    connection_id: &str,
) -> Result<Option<SystemState>, EngineError> {
    Ok(
        sqlx::query_as("SELECT * FROM sandbox_systems WHERE connection_id = ?")
            .bind(connection_id)
            .fetch_optional(db)
            .await?,
    )
}

/// The system's state, created on first use with a seed derived from the connection id.
pub async fn ensure(
    db: &mut SqliteConnection,
    connection_id: &str,
) -> Result<SystemState, EngineError> {
    if let Some(state) = get(db, connection_id).await? {
        return Ok(state);
    }
    let seed = connection_id
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    // SQLite integers are signed; the bits are what matter.
    let seed = i64::from_ne_bytes(seed.to_ne_bytes());
    sqlx::query("INSERT INTO sandbox_systems (connection_id, seed) VALUES (?, ?)")
        .bind(connection_id)
        .bind(seed)
        .execute(&mut *db)
        .await?;
    get(db, connection_id)
        .await?
        .ok_or_else(|| EngineError::Corrupt(format!("sandbox state of {connection_id} vanished")))
}

pub async fn save(db: &mut SqliteConnection, state: &SystemState) -> Result<(), EngineError> {
    sqlx::query(
        "UPDATE sandbox_systems SET online = ?, offline_until = ?, credentials_valid = ?, rate_limit_until = ?,
            rate_limit_per_minute = ?, fail_next_sync = ?, fail_next_call = ?, records_per_entity = ?, generated = ?
         WHERE connection_id = ?",
    )
    .bind(state.online)
    .bind(state.offline_until)
    .bind(state.credentials_valid)
    .bind(state.rate_limit_until)
    .bind(state.rate_limit_per_minute)
    .bind(state.fail_next_sync)
    .bind(state.fail_next_call)
    .bind(state.records_per_entity)
    .bind(&state.generated)
    .bind(&state.connection_id)
    .execute(db)
    .await?;
    Ok(())
}
