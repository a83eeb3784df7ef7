//! A connection's story in one list (Airbyte's timeline, with auth and credits in it too), and
//! who authorized it, when, and how often since.

use chrono::{DateTime, Utc};
use desk_platform::connection::Connection;
use desk_platform::event::{Event, EventType};
use desk_platform::ledger::LedgerEntry;
use desk_store::{SyncRun, SyncRunState};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// Authorized, reauthorized, or asking for reauthorization.
    Auth,
    /// Status and online changes, disconnects.
    Status,
    /// The platform's syncs with the system (from webhooks) and the mirror's own pulls.
    Sync,
    /// Credits consumed or returned.
    Credits,
    /// Errors the system reported.
    System,
}

/// How bad an item is, for its color.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Neutral,
    Good,
    Attention,
    Broken,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TimelineItem {
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    pub tone: Tone,
    pub title: String,
    pub detail: Option<String>,
    /// Who acted, when known (the person who authorized, the admin client).
    pub actor: Option<String>,
    /// Where this came from: the platform event's id, `sync_run:N`, the ledger entry's id.
    pub source_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AuthorizationKind {
    /// The connection was created with credentials.
    Initial,
    Reauthorization,
}

/// One authorization of a connection.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Authorization {
    pub at: DateTime<Utc>,
    pub kind: AuthorizationKind,
    pub authorized_by: Option<String>,
    /// The credentials pointed at another account or instance than before.
    pub identity_changed: bool,
    /// The authorization in force now.
    pub current: bool,
}

fn text(data: &serde_json::Value, key: &str) -> Option<String> {
    data.get(key)
        .and_then(|value| value.as_str())
        .map(str::to_owned)
}

/// Authorizations newest first, from the connection's created and reauthorized events. When
/// the mirror holds none of them (events older than the inbox), the connection's own fields
/// say who authorized it last and when its token was issued.
pub(crate) fn authorizations(connection: &Connection, events: &[Event]) -> Vec<Authorization> {
    let mut found: Vec<Authorization> = events
        .iter()
        .filter_map(|event| {
            let kind = match event.event_type {
                EventType::ConnectionCreated => AuthorizationKind::Initial,
                EventType::ConnectionReauthorized => AuthorizationKind::Reauthorization,
                _ => return None,
            };
            Some(Authorization {
                at: event.created_at,
                kind,
                authorized_by: text(&event.data, "authorized_by"),
                identity_changed: event
                    .data
                    .get("identity_changed")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false),
                current: false,
            })
        })
        .collect();
    found.sort_by_key(|a| std::cmp::Reverse(a.at));
    if found.is_empty() {
        if let Some(at) = connection.token_issued_at.or(connection.connected_at) {
            found.push(Authorization {
                at,
                kind: AuthorizationKind::Initial,
                authorized_by: connection.authorized_by.clone(),
                identity_changed: false,
                current: false,
            });
        }
    }
    if let Some(first) = found.first_mut() {
        first.current = true;
        // The connection row is the truth for the latest authorization's person.
        if connection.authorized_by.is_some() {
            first.authorized_by = connection.authorized_by.clone();
        }
    }
    found
}

fn event_item(event: &Event) -> TimelineItem {
    let data = &event.data;
    let (kind, tone, title, detail) = match event.event_type {
        EventType::ConnectionCreated => (
            TimelineKind::Auth,
            Tone::Good,
            "Connection created".to_owned(),
            text(data, "status").map(|s| format!("status {s}")),
        ),
        EventType::ConnectionReauthorized => (
            TimelineKind::Auth,
            Tone::Good,
            "Reauthorized".to_owned(),
            data.get("identity_changed")
                .and_then(serde_json::Value::as_bool)
                .filter(|changed| *changed)
                .map(|_| "the credentials point at another account or instance".to_owned()),
        ),
        EventType::ConnectionReauthorizationRequired => (
            TimelineKind::Auth,
            Tone::Broken,
            "Reauthorization required".to_owned(),
            text(data, "reason"),
        ),
        EventType::ConnectionStatusChanged => {
            let online = data.get("online").and_then(serde_json::Value::as_bool);
            let current = text(data, "current").unwrap_or_default();
            let previous = text(data, "previous").unwrap_or_default();
            let tone = match online {
                Some(false) => Tone::Broken,
                _ => Tone::Neutral,
            };
            let title = match online {
                Some(false) => "System went offline".to_owned(),
                _ if previous != current => format!("Status {previous} → {current}"),
                _ => "System back online".to_owned(),
            };
            (TimelineKind::Status, tone, title, None)
        }
        EventType::ConnectionDisconnected => (
            TimelineKind::Status,
            Tone::Neutral,
            "Disconnected".to_owned(),
            Some("token invalidated, syncs stopped, credits returned".to_owned()),
        ),
        EventType::SyncCompleted => (
            TimelineKind::Sync,
            Tone::Good,
            format!(
                "Platform {} sync completed",
                text(data, "kind").unwrap_or_default()
            )
            .replace("  ", " "),
            data.get("records")
                .and_then(serde_json::Value::as_i64)
                .map(|n| format!("{n} records")),
        ),
        EventType::SyncFailed => (
            TimelineKind::Sync,
            Tone::Broken,
            "Platform sync failed".to_owned(),
            text(data, "error").or_else(|| data.get("error").map(|e| e.to_string())),
        ),
        EventType::SystemError => (
            TimelineKind::System,
            Tone::Broken,
            "System error".to_owned(),
            text(data, "message").or_else(|| text(data, "error")),
        ),
        EventType::CreditsLow => (
            TimelineKind::Credits,
            Tone::Attention,
            "Credits running low".to_owned(),
            None,
        ),
    };
    TimelineItem {
        at: event.created_at,
        kind,
        tone,
        title,
        detail,
        actor: text(data, "authorized_by"),
        source_id: event.id.clone(),
    }
}

fn run_item(run: &SyncRun) -> TimelineItem {
    let (tone, verb) = match run.state {
        SyncRunState::Completed => (Tone::Good, "pulled"),
        SyncRunState::Failed => (Tone::Broken, "failed pulling"),
        SyncRunState::Running => (Tone::Neutral, "pulling"),
        SyncRunState::Interrupted => (Tone::Attention, "interrupted pulling"),
    };
    TimelineItem {
        at: run.finished_at.unwrap_or(run.started_at),
        kind: TimelineKind::Sync,
        tone,
        title: format!("Mirror {verb} {}", run.entity),
        detail: match &run.error {
            Some(error) => Some(error.clone()),
            None => Some(format!("{} records", run.records)),
        },
        actor: None,
        source_id: format!("sync_run:{}", run.id),
    }
}

fn ledger_item(entry: &LedgerEntry) -> TimelineItem {
    // `delta` moves `available` (negative: consumed); `overage_delta` moves the overage in
    // use (positive: consumed beyond the pool).
    let consumed = entry.overage_delta - entry.delta;
    let title = match consumed {
        n if n > 0 => format!("{n} credits consumed"),
        n => format!("{} credits returned", -n),
    };
    TimelineItem {
        at: entry.at,
        kind: TimelineKind::Credits,
        tone: Tone::Neutral,
        title,
        detail: Some(
            format!("{:?}, pool balance {}", entry.reason, entry.balance_after).to_lowercase(),
        ),
        actor: None,
        source_id: entry.id.clone(),
    }
}

/// Events, the mirror's pulls and ledger entries of one connection, newest first.
pub(crate) fn timeline(
    events: &[Event],
    runs: &[SyncRun],
    ledger: &[LedgerEntry],
) -> Vec<TimelineItem> {
    let mut items: Vec<TimelineItem> = events
        .iter()
        .map(event_item)
        .chain(runs.iter().map(run_item))
        .chain(ledger.iter().map(ledger_item))
        .collect();
    items.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.source_id.cmp(&a.source_id)));
    items
}
