//! The built-in applier: what events say about each connection, kept in `connection_state`.
//!
//! Each group of fields (status+online, reauthorization, last sync, last system error) remembers
//! the version of the event that last set it. An event older than that version is out of order
//! and skipped, so a connection never moves backwards. Because every group is a last-writer-wins
//! register ordered by `created_at`, any delivery order (shuffled, duplicated) converges to the
//! state of in-order delivery. Whole-connection versioning would not: an older
//! `reauthorization_required` arriving after a newer `status_changed` would be lost.
//!
//! Ties: events of one group with the same `created_at` (and rank) are applied in arrival order.
//! Event ids are random, so they cannot order such events, and the engine stamps every event of
//! one transaction (and every event under a frozen test clock) with the same time; treating a
//! tie as "older" would wrongly skip, say, a disconnect that follows a status change. Only exact
//! ties give up order-independence.

use crate::error::{ApplyError, InboxError};
use crate::model::ConnectionState;
use crate::store::{format_time, parse_time};
use desk_platform::connection::ConnectionStatus;
use desk_platform::event::{Event, EventType};
use rusqlite::{params, Connection, ToSql};
use serde_json::Value;
use sqlx::SqliteConnection;

/// What the built-in applier did with one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Application {
    /// State changed (or was confirmed); the note says how.
    Applied(String),
    /// Older than what was already applied to the same fields; nothing changed.
    OutOfOrder(String),
    /// The event concerns no connection (e.g. `credits.low`).
    NothingToApply(String),
}

/// `created_at|rank|id`; its `created_at|rank` part orders events, as text (fixed-width times).
/// `connection.created` ranks before any other event with the same timestamp, since it is by
/// definition a connection's first. The id is kept to name the event in notes.
pub fn version(event: &Event) -> String {
    let rank = u8::from(event.event_type != EventType::ConnectionCreated);
    format!("{}|{rank}|{}", format_time(event.created_at), event.id)
}

/// Length of the ordering part of a version: fixed-width time, `|`, rank. (The SQL in
/// `update!` spells it as 29.)
const ORDER_KEY_LEN: usize = 29;

/// The part of a version that orders events: `created_at|rank`, without the id.
fn order_key(version: &str) -> &str {
    version.get(..ORDER_KEY_LEN).unwrap_or(version)
}

fn version_id(version: &str) -> &str {
    version.splitn(3, '|').nth(2).unwrap_or(version)
}

#[derive(Debug, Clone, Copy)]
enum Group {
    Status,
    Auth,
    Sync,
    System,
}

impl Group {
    fn column(self) -> &'static str {
        match self {
            Self::Status => "status_version",
            Self::Auth => "auth_version",
            Self::Sync => "sync_version",
            Self::System => "system_version",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Auth => "reauthorization",
            Self::Sync => "last sync",
            Self::System => "system error",
        }
    }
}

fn group_of(kind: EventType) -> Option<Group> {
    match kind {
        EventType::ConnectionCreated
        | EventType::ConnectionStatusChanged
        | EventType::ConnectionDisconnected => Some(Group::Status),
        EventType::ConnectionReauthorizationRequired | EventType::ConnectionReauthorized => {
            Some(Group::Auth)
        }
        EventType::SyncCompleted | EventType::SyncFailed => Some(Group::Sync),
        EventType::SystemError => Some(Group::System),
        EventType::CreditsLow => None,
    }
}

fn text(data: &Value, name: &str) -> Option<String> {
    match data.get(name) {
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    }
}

fn status_field(data: &Value, name: &str) -> Result<Option<ConnectionStatus>, ApplyError> {
    match data.get(name).and_then(Value::as_str) {
        None => Ok(None),
        Some(text) => ConnectionStatus::parse(text).map(Some).ok_or_else(|| {
            ApplyError::new(format!("data.{name} {text:?} is not a connection status"))
        }),
    }
}

/// The status and online flag a status-group event (`connection.created`, `.status_changed`,
/// `.disconnected`) sets. Derived from the event alone (never from a previous state), so the
/// result does not depend on delivery order; the mirror's applier uses it too.
pub fn status_of(event: &Event) -> Result<(ConnectionStatus, bool), ApplyError> {
    let data = &event.data;
    let status = match event.event_type {
        EventType::ConnectionDisconnected => ConnectionStatus::Disconnected,
        EventType::ConnectionStatusChanged => status_field(data, "current")?
            .ok_or_else(|| ApplyError::new("status_changed without data.current"))?,
        _ => status_field(data, "status")?.unwrap_or(ConnectionStatus::Pending),
    };
    let online = match event.event_type {
        EventType::ConnectionDisconnected => false,
        _ => data
            .get("online")
            .and_then(Value::as_bool)
            .unwrap_or(status.is_live()),
    };
    Ok((status, online))
}

/// `UPDATE connection_state SET <group fields>` that also moves the connection's newest-event
/// marker forward (never back), in the same statement. Its binds after the group's own: the
/// version, then (version, event id), (version, event time), (version, version), then the
/// connection id. All SET expressions see the row as it was, so they all compare against the
/// old `last_version`; ties move the marker (arrival order), as for the groups. 29 is
/// `ORDER_KEY_LEN`.
macro_rules! update {
    ($set:literal) => {
        concat!(
            "UPDATE connection_state SET ",
            $set,
            ", last_event_id = CASE WHEN COALESCE(substr(last_version, 1, 29), '') <= substr(?, 1, 29) THEN ? ELSE last_event_id END",
            ", last_event_at = CASE WHEN COALESCE(substr(last_version, 1, 29), '') <= substr(?, 1, 29) THEN ? ELSE last_event_at END",
            ", last_version = CASE WHEN COALESCE(substr(last_version, 1, 29), '') <= substr(?, 1, 29) THEN ? ELSE last_version END",
            " WHERE connection_id = ?"
        )
    };
}

/// Runs an [`update!`] statement: the group's own values, then the guard that only moves the
/// connection's last applied event forward, and the row's key. Written once, so the order of
/// these seven placeholders cannot drift between groups.
fn update_with_guard(
    db: &Connection,
    sql: &str,
    own: &[&dyn ToSql],
    (version, event_id, at, connection_id): (&str, &str, &str, &str),
) -> rusqlite::Result<usize> {
    let guard: [&dyn ToSql; 7] = [
        &version,
        &event_id,
        &version,
        &at,
        &version,
        &version,
        &connection_id,
    ];
    let params: Vec<&dyn ToSql> = own.iter().copied().chain(guard).collect();
    db.prepare_cached(sql)?.execute(params.as_slice())
}

/// `records` is a number, or (per entity) an object or array of numbers that are summed.
fn record_count(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Object(map) => map.values().map(Value::as_i64).sum(),
        Value::Array(items) => items.iter().map(Value::as_i64).sum(),
        other => other.as_i64(),
    }
}

/// Applies one event inside the caller's transaction (the processor's savepoint).
pub fn apply(db: &Connection, event: &Event) -> Result<Application, ApplyError> {
    let Some(group) = group_of(event.event_type) else {
        return Ok(Application::NothingToApply(format!(
            "{} is account-wide; no connection state to change",
            event.event_type
        )));
    };
    let Some(connection_id) = event.connection_id.as_deref() else {
        if event.event_type == EventType::SystemError {
            return Ok(Application::NothingToApply(
                "system.error without a connection".to_owned(),
            ));
        }
        return Err(ApplyError::new(format!(
            "{} has no connection_id",
            event.event_type
        )));
    };
    // Creates the row on first sight and reads the group's version in one statement.
    let sql = format!(
        "INSERT INTO connection_state (connection_id, customer_id) VALUES (?, ?)
         ON CONFLICT(connection_id) DO UPDATE
         SET customer_id = COALESCE(connection_state.customer_id, excluded.customer_id)
         RETURNING {}",
        group.column()
    );
    let current: Option<String> = db
        .prepare_cached(&sql)?
        .query_row(params![connection_id, event.customer_id], |row| row.get(0))?;
    let version = version(event);
    if let Some(current) = current
        .as_deref()
        .filter(|current| order_key(&version) < order_key(current))
    {
        return Ok(Application::OutOfOrder(format!(
            "older than {} already applied to the {} of {connection_id}",
            version_id(current),
            group.label()
        )));
    }
    let data = &event.data;
    let at = format_time(event.created_at);
    let guard = (
        version.as_str(),
        event.id.as_str(),
        at.as_str(),
        connection_id,
    );
    let note = match group {
        Group::Status => {
            let (status, online) = status_of(event)?;
            update_with_guard(
                db,
                update!("status = ?, online = ?, status_version = ?"),
                &[&status.as_str(), &online, &version],
                guard,
            )?;
            format!(
                "status {} ({})",
                status.as_str(),
                if online { "online" } else { "offline" }
            )
        }
        Group::Auth => {
            let required = event.event_type == EventType::ConnectionReauthorizationRequired;
            let reason = if required { text(data, "reason") } else { None };
            update_with_guard(
                db,
                update!(
                    "reauthorization_required = ?, reauthorization_reason = ?, auth_version = ?"
                ),
                &[&required, &reason, &version],
                guard,
            )?;
            if required {
                "reauthorization required"
            } else {
                "reauthorized"
            }
            .to_owned()
        }
        Group::Sync => {
            let completed = event.event_type == EventType::SyncCompleted;
            let records = record_count(data.get("records"));
            let error = if completed { None } else { text(data, "error") };
            update_with_guard(
                db,
                update!("last_sync_id = ?, last_sync_result = ?, last_sync_error = ?, last_sync_records = ?, last_sync_at = ?, sync_version = ?"),
                &[
                    &text(data, "sync_id"),
                    &if completed { "completed" } else { "failed" },
                    &error,
                    &records,
                    &at,
                    &version,
                ],
                guard,
            )?;
            format!(
                "last sync {}",
                if completed { "completed" } else { "failed" }
            )
        }
        Group::System => {
            let message = text(data, "error")
                .or_else(|| text(data, "message"))
                .unwrap_or_else(|| data.to_string());
            update_with_guard(
                db,
                update!("last_system_error = ?, last_system_error_at = ?, system_version = ?"),
                &[&message, &at, &version],
                guard,
            )?;
            "system error recorded".to_owned()
        }
    };
    Ok(Application::Applied(note))
}

#[derive(sqlx::FromRow)]
struct StateRow {
    connection_id: String,
    customer_id: Option<String>,
    status: Option<String>,
    online: Option<bool>,
    reauthorization_required: bool,
    reauthorization_reason: Option<String>,
    last_sync_id: Option<String>,
    last_sync_result: Option<String>,
    last_sync_error: Option<String>,
    last_sync_records: Option<i64>,
    last_sync_at: Option<String>,
    last_system_error: Option<String>,
    last_system_error_at: Option<String>,
    last_event_id: Option<String>,
    last_event_at: Option<String>,
}

fn optional_time(text: Option<&str>) -> Result<Option<chrono::DateTime<chrono::Utc>>, InboxError> {
    text.map(parse_time).transpose()
}

impl StateRow {
    fn into_state(self) -> Result<ConnectionState, InboxError> {
        Ok(ConnectionState {
            disconnected: self.status.as_deref() == Some("disconnected"),
            last_sync_at: optional_time(self.last_sync_at.as_deref())?,
            last_system_error_at: optional_time(self.last_system_error_at.as_deref())?,
            last_event_at: optional_time(self.last_event_at.as_deref())?,
            connection_id: self.connection_id,
            customer_id: self.customer_id,
            status: self.status,
            online: self.online,
            reauthorization_required: self.reauthorization_required,
            reauthorization_reason: self.reauthorization_reason,
            last_sync_id: self.last_sync_id,
            last_sync_result: self.last_sync_result,
            last_sync_error: self.last_sync_error,
            last_sync_records: self.last_sync_records,
            last_system_error: self.last_system_error,
            last_event_id: self.last_event_id,
        })
    }
}

const STATE_COLUMNS: &str = "connection_id, customer_id, status, online, reauthorization_required,
    reauthorization_reason, last_sync_id, last_sync_result, last_sync_error, last_sync_records,
    last_sync_at, last_system_error, last_system_error_at, last_event_id, last_event_at";

pub async fn get(
    db: &mut SqliteConnection,
    connection_id: &str,
) -> Result<Option<ConnectionState>, InboxError> {
    let sql = format!("SELECT {STATE_COLUMNS} FROM connection_state WHERE connection_id = ?");
    let row: Option<StateRow> = sqlx::query_as(&sql)
        .bind(connection_id)
        .fetch_optional(db)
        .await?;
    row.map(StateRow::into_state).transpose()
}

pub async fn all(db: &mut SqliteConnection) -> Result<Vec<ConnectionState>, InboxError> {
    let sql = format!("SELECT {STATE_COLUMNS} FROM connection_state ORDER BY connection_id");
    let rows: Vec<StateRow> = sqlx::query_as(&sql).fetch_all(db).await?;
    rows.into_iter().map(StateRow::into_state).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_order_key_is_the_time_and_rank_whose_length_the_sql_assumes() {
        let event = Event {
            id: "evt_abc".to_owned(),
            event_type: EventType::ConnectionStatusChanged,
            created_at: chrono::Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
            connection_id: None,
            customer_id: None,
            data: serde_json::json!({}),
        };
        let version = version(&event);
        assert_eq!(order_key(&version), "2026-03-01T12:00:00.000000Z|1");
        assert_eq!(order_key(&version).len(), ORDER_KEY_LEN);
        assert_eq!(version_id(&version), "evt_abc");
    }
}
