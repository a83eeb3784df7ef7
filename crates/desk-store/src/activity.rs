//! Events seen (webhooks or the event log) and the mirror's own sync runs.

use crate::error::{Result, StoreError};
use crate::mirror::Mirror;
use crate::time;
use chrono::{DateTime, Utc};
use desk_platform::event::{Event, EventType};
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncRunState {
    Running,
    Completed,
    Failed,
    /// Left running by a process that stopped; found by the next run of the same entity.
    Interrupted,
}

impl SyncRunState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::Running,
            Self::Completed,
            Self::Failed,
            Self::Interrupted,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }
}

/// One pull of one entity of one connection into the mirror.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SyncRun {
    pub id: i64,
    pub profile: String,
    pub connection_id: String,
    pub entity: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub state: SyncRunState,
    pub records: i64,
    pub error: Option<String>,
}

impl Mirror {
    /// Stores events not seen before (by id); returns how many were new.
    pub async fn record_events(&self, profile: &str, events: &[Event]) -> Result<u64> {
        let seen_at = time::format(Utc::now());
        let mut tx = self.begin().await?;
        let mut added = 0;
        for event in events {
            added += sqlx::query(
                "INSERT OR IGNORE INTO events (profile, id, type, created_at, connection_id,
                    customer_id, data, seen_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(profile)
            .bind(&event.id)
            .bind(event.event_type.as_str())
            .bind(time::format(event.created_at))
            .bind(&event.connection_id)
            .bind(&event.customer_id)
            .bind(event.data.to_string())
            .bind(&seen_at)
            .execute(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?
            .rows_affected();
        }
        tx.commit().await.map_err(|err| self.fail(err))?;
        Ok(added)
    }

    /// The newest events first, optionally of one connection.
    pub async fn events(
        &self,
        profile: &str,
        connection_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT id, type, created_at, connection_id, customer_id, data FROM events
             WHERE profile = ?1 AND (?2 IS NULL OR connection_id = ?2)
             ORDER BY created_at DESC, id DESC LIMIT ?3",
        )
        .bind(profile)
        .bind(connection_id)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("type")?;
                let data: String = row.try_get("data")?;
                Ok(Event {
                    id: row.try_get("id")?,
                    event_type: EventType::parse(&kind)
                        .ok_or_else(|| StoreError::bad_row(format!("event type {kind:?}")))?,
                    created_at: time::parse(&row.try_get::<String, _>("created_at")?)?,
                    connection_id: row.try_get("connection_id")?,
                    customer_id: row.try_get("customer_id")?,
                    data: serde_json::from_str(&data).map_err(StoreError::bad_row)?,
                })
            })
            .collect()
    }

    /// Opens a run. Runs of the same entity still marked running were left by a process that
    /// stopped half-way: they are marked interrupted.
    pub async fn start_sync_run(
        &self,
        profile: &str,
        connection_id: &str,
        entity: &str,
        started_at: DateTime<Utc>,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE sync_runs SET state = 'interrupted', finished_at = ?4
             WHERE profile = ?1 AND connection_id = ?2 AND entity = ?3 AND state = 'running'",
        )
        .bind(profile)
        .bind(connection_id)
        .bind(entity)
        .bind(time::format(started_at))
        .execute(&mut *tx)
        .await
        .map_err(|err| self.fail(err))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sync_runs (profile, connection_id, entity, started_at, state)
             VALUES (?, ?, ?, ?, 'running') RETURNING id",
        )
        .bind(profile)
        .bind(connection_id)
        .bind(entity)
        .bind(time::format(started_at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|err| self.fail(err))?;
        tx.commit().await.map_err(|err| self.fail(err))?;
        Ok(id)
    }

    /// Closes a run as completed or failed (with the reason).
    pub async fn finish_sync_run(
        &self,
        id: i64,
        state: SyncRunState,
        records: i64,
        error: Option<&str>,
        finished_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE sync_runs SET state = ?, records = ?, error = ?, finished_at = ? WHERE id = ?",
        )
        .bind(state.as_str())
        .bind(records)
        .bind(error)
        .bind(time::format(finished_at))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|err| self.fail(err))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("sync run", id.to_string()));
        }
        tx.commit().await.map_err(|err| self.fail(err))
    }

    /// The newest runs first, optionally of one connection.
    pub async fn sync_runs(
        &self,
        profile: &str,
        connection_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<SyncRun>> {
        let rows = sqlx::query(
            "SELECT * FROM sync_runs WHERE profile = ?1 AND (?2 IS NULL OR connection_id = ?2)
             ORDER BY id DESC LIMIT ?3",
        )
        .bind(profile)
        .bind(connection_id)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        rows.iter()
            .map(|row| {
                let state: String = row.try_get("state")?;
                Ok(SyncRun {
                    id: row.try_get("id")?,
                    profile: row.try_get("profile")?,
                    connection_id: row.try_get("connection_id")?,
                    entity: row.try_get("entity")?,
                    started_at: time::parse(&row.try_get::<String, _>("started_at")?)?,
                    finished_at: time::parse_opt(row.try_get("finished_at")?)?,
                    state: SyncRunState::parse(&state)
                        .ok_or_else(|| StoreError::bad_row(format!("sync run state {state:?}")))?,
                    records: row.try_get("records")?,
                    error: row.try_get("error")?,
                })
            })
            .collect()
    }
}
