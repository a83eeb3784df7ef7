//! Status polling: the fallback for webhooks that never arrive. Each pass lists the platform's
//! connections, compares their health with the mirror's, writes the ones that changed and
//! reports them (on the event stream too), so a connection that broke while no webhook got
//! through is still noticed.

use crate::desk::Desk;
use crate::events::{ConnectionHealth, DeskEvent, StatusChange};
use crate::session::Session;
use crate::CoreError;
use desk_client::{ConnectionFilter, ListOptions};
use desk_platform::connection::Connection;
use desk_store::ConnectionFilter as MirrorFilter;
use futures::TryStreamExt;
use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

/// One pass: the platform's connections against the mirror's.
pub async fn poll_connection_status(
    desk: &Desk,
    session: &Session,
) -> Result<Vec<StatusChange>, CoreError> {
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
    for connection in platform {
        let after = ConnectionHealth::from(&connection);
        let before = mirrored.get(&connection.id).copied();
        if before != Some(after) {
            changes.push(StatusChange {
                connection_id: connection.id.clone(),
                customer_id: connection.customer_id.clone(),
                before,
                after,
            });
            changed.push(connection);
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
    Ok(changes)
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
