//! Detection by the app's own eyes: the status poll (every connection on its interval, the
//! webhook's fallback) and the app's failed calls during syncs. Also where a problem that
//! looks gone is checked live, so an alert resolves without anyone asking.

use super::{Alerts, UNRESOLVED};
use crate::session::Session;
use crate::sync::SyncReport;
use crate::CoreError;
use chrono::{Duration, Utc};
use desk_alerts::{Alert, AlertFilter, AlertKind, Report, Source};
use desk_platform::connection::{Connection, ConnectionStatus};
use desk_platform::ErrorCode;
use std::collections::{BTreeMap, HashMap};

/// `AUTHENTICATION_FAILED` this many syncs in a row counts as a reauthorization required.
const AUTH_FAILURES: i64 = 2;

fn report(session: &Session, kind: AlertKind, c: Option<&Connection>, source: Source) -> Report {
    Report {
        profile: session.profile.name.clone(),
        kind,
        connection_id: c.map(|c| c.id.clone()),
        customer_id: c.map(|c| c.customer_id.clone()),
        system_id: c.and_then(|c| c.system_id.clone()),
        source,
        at: Utc::now(),
        detail: None,
        in_maintenance: false,
    }
}

async fn unresolved(alerts: &Alerts, profile: &str) -> Result<Vec<Alert>, CoreError> {
    Ok(alerts
        .store
        .list(&AlertFilter {
            profile: Some(profile.to_owned()),
            states: UNRESOLVED.to_vec(),
            ..AlertFilter::default()
        })
        .await?)
}

/// After a status poll: report what the platform shows broken, and check live the alerts
/// whose problem the listing no longer shows.
pub async fn after_poll(
    alerts: &Alerts,
    session: &Session,
    connections: &[Connection],
) -> Result<(), CoreError> {
    let profile = session.profile.name.as_str();
    let settings = alerts.settings()?;
    let now = Utc::now();
    let offline_after = Duration::minutes(i64::from(settings.offline_alert_minutes));
    for c in connections {
        if matches!(
            c.status,
            ConnectionStatus::Disconnected | ConnectionStatus::Pending
        ) {
            continue;
        }
        if c.reauthorization_required {
            alerts
                .raise(Report {
                    detail: Some("the status poll found reauthorization required".into()),
                    ..report(
                        session,
                        AlertKind::ReauthorizationRequired,
                        Some(c),
                        Source::Poll,
                    )
                })
                .await?;
        }
        if c.online {
            alerts
                .store
                .forget(profile, AlertKind::Offline, &c.id)
                .await?;
        } else {
            let seen = alerts
                .store
                .observe(profile, AlertKind::Offline, &c.id, None, now)
                .await?;
            if now - seen.first_at >= offline_after {
                alerts
                    .raise(Report {
                        detail: Some(format!(
                            "offline since {}",
                            seen.first_at.format("%Y-%m-%d %H:%M UTC")
                        )),
                        ..report(session, AlertKind::Offline, Some(c), Source::Poll)
                    })
                    .await?;
            }
        }
    }
    let by_id: HashMap<&str, &Connection> =
        connections.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut credits_alert = None;
    for alert in unresolved(alerts, profile).await? {
        let Some(id) = alert.connection_id.as_deref() else {
            credits_alert = Some(alert);
            continue;
        };
        let Some(c) = by_id.get(id) else { continue };
        let looks_healed = match alert.kind {
            AlertKind::ReauthorizationRequired => !c.reauthorization_required,
            AlertKind::Offline => c.online,
            AlertKind::SystemError => c.online && !c.reauthorization_required,
            // Healed by a successful sync, seen in `after_sync`.
            AlertKind::SyncFailing | AlertKind::CreditsLow => false,
        };
        if looks_healed {
            alerts.check(session, &alert).await?;
        }
    }
    credits(alerts, session, &settings, credits_alert).await
}

async fn credits(
    alerts: &Alerts,
    session: &Session,
    settings: &crate::settings::Settings,
    open: Option<Alert>,
) -> Result<(), CoreError> {
    let Some(threshold) = settings.low_credit_threshold else {
        return Ok(());
    };
    let account = session.client.account().await?;
    let available = account.credits.available;
    if available < threshold {
        alerts
            .raise(Report {
                detail: Some(format!(
                    "{available} credits available, below the threshold of {threshold}"
                )),
                ..report(session, AlertKind::CreditsLow, None, Source::Poll)
            })
            .await?;
    } else if let Some(alert) = open {
        alerts.check(session, &alert).await?;
    }
    Ok(())
}

/// After a sync: entity pulls refused for reauthorization (or refused authentication twice
/// in a row) and repeated failures become alerts; a connection that synced cleanly ends its
/// failure streak and its sync alert is checked live.
pub async fn after_sync(
    alerts: &Alerts,
    session: &Session,
    report_of_sync: &SyncReport,
) -> Result<(), CoreError> {
    let profile = session.profile.name.as_str();
    let settings = alerts.settings()?;
    let mut by_connection: BTreeMap<&str, Vec<&crate::sync::EntityReport>> = BTreeMap::new();
    for entity in &report_of_sync.entities {
        by_connection
            .entry(entity.connection_id.as_str())
            .or_default()
            .push(entity);
    }
    let store = &alerts.store;
    let now = Utc::now();
    for (id, entities) in by_connection {
        let failed: Vec<_> = entities.iter().filter(|e| e.error_code.is_some()).collect();
        let mirrored = session_connection(alerts, id).await;
        let Some(first) = failed.first() else {
            store.forget(profile, AlertKind::SyncFailing, id).await?;
            store
                .forget(profile, AlertKind::ReauthorizationRequired, id)
                .await?;
            if let Some(alert) = store
                .unresolved(profile, AlertKind::SyncFailing, Some(id))
                .await?
            {
                alerts.check(session, &alert).await?;
            }
            continue;
        };
        let detail = format!(
            "{}: {}",
            first.entity,
            first.error.as_deref().unwrap_or("failed")
        );
        let code = |code: ErrorCode| {
            failed
                .iter()
                .any(|e| e.error_code.as_deref() == Some(code.as_str()))
        };
        let refused = if code(ErrorCode::ReauthorizationRequired) {
            true
        } else if code(ErrorCode::AuthenticationFailed) {
            let seen = store
                .observe(
                    profile,
                    AlertKind::ReauthorizationRequired,
                    id,
                    Some(&detail),
                    now,
                )
                .await?;
            seen.count >= AUTH_FAILURES
        } else {
            false
        };
        if refused {
            alerts
                .raise(Report {
                    detail: Some(detail.clone()),
                    ..report(
                        session,
                        AlertKind::ReauthorizationRequired,
                        mirrored.as_ref(),
                        Source::ApiError,
                    )
                })
                .await?;
        }
        let seen = store
            .observe(profile, AlertKind::SyncFailing, id, Some(&detail), now)
            .await?;
        if seen.count >= i64::from(settings.sync_failure_alert_count) {
            alerts
                .raise(Report {
                    detail: Some(format!(
                        "{} failed syncs in a row; last: {detail}",
                        seen.count
                    )),
                    ..report(
                        session,
                        AlertKind::SyncFailing,
                        mirrored.as_ref(),
                        Source::ApiError,
                    )
                })
                .await?;
        }
    }
    Ok(())
}

/// The connection as a report names it (customer, system), when the mirror holds it.
async fn session_connection(alerts: &Alerts, id: &str) -> Option<Connection> {
    alerts
        .mirror
        .connection(id)
        .await
        .ok()
        .map(|m| m.connection)
}
