//! Status polling: the fallback for webhooks that never arrive. Each pass lists the platform's
//! connections, compares their health with the mirror's, writes the ones that changed and
//! reports them (on the event stream too), so a connection that broke while no webhook got
//! through is still noticed.

use crate::desk::Desk;
use crate::events::{ConnectionHealth, DeskEvent, StatusChange};
use crate::session::Session;
use crate::CoreError;
use chrono::{DateTime, Utc};
use desk_client::{ConnectionFilter, ListOptions};
use desk_platform::connection::Connection;
use desk_platform::event::{Event, EventType};
use desk_store::ConnectionFilter as MirrorFilter;
use futures::TryStreamExt;
use serde_json::json;
use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

/// One pass: the platform's connections against the mirror's.
pub async fn poll_connection_status(
    desk: &Desk,
    session: &Session,
) -> Result<Vec<StatusChange>, CoreError> {
    Ok(poll_pass(desk, session).await?.changes)
}

/// What one pass saw: the changes, and every connection as the platform listed it (the
/// alerts' detection reads all of them, changed or not).
pub struct PollPass {
    pub changes: Vec<StatusChange>,
    pub connections: Vec<Connection>,
}

pub async fn poll_pass(desk: &Desk, session: &Session) -> Result<PollPass, CoreError> {
    let profile = session.profile.name.as_str();
    let platform: Vec<Connection> = session
        .client
        .connections(ConnectionFilter::default(), ListOptions::page_size(500))
        .try_collect()
        .await?;
    let mirrored: HashMap<String, ConnectionHealth> = desk
        .mirror()
        .connections(&MirrorFilter {
            profile: Some(profile.to_owned()),
            ..MirrorFilter::default()
        })
        .await?
        .into_iter()
        .map(|m| {
            (
                m.connection.id.clone(),
                ConnectionHealth::from(&m.connection),
            )
        })
        .collect();
    let mut changed = Vec::new();
    let mut changes = Vec::new();
    for connection in &platform {
        let after = ConnectionHealth::from(connection);
        let before = mirrored.get(&connection.id).copied();
        if before != Some(after) {
            changes.push(StatusChange {
                connection_id: connection.id.clone(),
                customer_id: connection.customer_id.clone(),
                before,
                after,
            });
            changed.push(connection.clone());
        }
    }
    if !changed.is_empty() {
        // No catalog at hand: the tier is read back from each connection's cost.
        desk.mirror()
            .upsert_connections(profile, &changed, &[])
            .await?;
    }
    for change in &changes {
        desk.events().emit(DeskEvent::ConnectionHealthChanged {
            profile: profile.to_owned(),
            change: change.clone(),
        });
    }
    Ok(PollPass {
        changes,
        connections: platform,
    })
}

/// Makini documents no event log: the status changes polling sees become the events our
/// platform would have sent, with `"derived": true` in their data, so the timeline and the
/// alerts show them like any other and say where they came from. A connection seen for the
/// first time gives none (nothing is known of what it was before).
pub fn derived_events(changes: &[StatusChange], at: DateTime<Utc>) -> Vec<Event> {
    let mut events = Vec::new();
    for change in changes {
        let Some(before) = change.before else {
            continue;
        };
        let after = change.after;
        let mut push = |kind: EventType, data: serde_json::Value| {
            events.push(Event {
                id: format!(
                    "evt_derived_{}_{}_{}",
                    change.connection_id,
                    kind.as_str(),
                    at.timestamp_micros()
                ),
                event_type: kind,
                created_at: at,
                connection_id: Some(change.connection_id.clone()),
                customer_id: Some(change.customer_id.clone()),
                data,
            });
        };
        if before.status != after.status {
            push(
                EventType::ConnectionStatusChanged,
                json!({"previous": before.status, "current": after.status,
                    "online": after.online, "derived": true}),
            );
        }
        if after.reauthorization_required && !before.reauthorization_required {
            push(
                EventType::ConnectionReauthorizationRequired,
                json!({"reason": "seen by status polling", "derived": true}),
            );
        }
    }
    events
}

/// Polls every `interval` until `shutdown` resolves; a failed pass is logged and retried at
/// the next one (the platform may be unreachable for a while).
pub async fn run_status_poll(
    desk: &Desk,
    session: &Session,
    interval: Duration,
    shutdown: impl Future<Output = ()>,
) {
    crate::periodic::every("status poll", interval, shutdown, || async {
        let changes = poll_connection_status(desk, session).await?;
        if !changes.is_empty() {
            tracing::info!(
                changed = changes.len(),
                "status poll found changed connections"
            );
        }
        Ok(())
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use desk_platform::connection::ConnectionStatus;

    fn health(status: ConnectionStatus, reauth: bool) -> ConnectionHealth {
        ConnectionHealth {
            status,
            online: true,
            reauthorization_required: reauth,
        }
    }

    #[test]
    fn polled_changes_become_events_marked_derived() {
        let at = Utc::now();
        let change = |before, after| StatusChange {
            connection_id: "c1".into(),
            customer_id: "cus_1".into(),
            before,
            after,
        };
        let events = derived_events(
            &[
                change(None, health(ConnectionStatus::Active, false)),
                change(
                    Some(health(ConnectionStatus::Active, false)),
                    health(ConnectionStatus::Inactive, true),
                ),
            ],
            at,
        );
        let kinds: Vec<_> = events.iter().map(|e| e.event_type).collect();
        assert_eq!(
            kinds,
            [
                EventType::ConnectionStatusChanged,
                EventType::ConnectionReauthorizationRequired
            ]
        );
        assert!(events.iter().all(|e| e.data["derived"] == true));
        assert_eq!(events[0].data["current"], "inactive");
        assert_ne!(events[0].id, events[1].id);
    }
}
