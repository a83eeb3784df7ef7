//! Webhooks (and events caught up from the platform's log) into alerts, as the inbox
//! processes them: a reauthorization required opens (or joins) the connection's alert at once.
//! A failure is recorded on the webhook like the mirror's.

use super::{Alerts, UNRESOLVED};
use crate::events::AlertChangeKind;
use crate::CoreError;
use chrono::Duration;
use desk_alerts::{AlertFilter, AlertKind, Report, Source};
use desk_inbox::{ApplyError, EventApplier};
use desk_platform::event::{Event, EventType};
use futures::future::BoxFuture;

pub struct AlertApplier {
    alerts: Alerts,
    profile: String,
}

impl AlertApplier {
    /// Applies events of `profile` to the alert queue.
    pub fn new(alerts: Alerts, profile: impl Into<String>) -> Self {
        Self {
            alerts,
            profile: profile.into(),
        }
    }

    fn report(&self, event: &Event, kind: AlertKind, detail: Option<String>) -> Report {
        Report {
            profile: self.profile.clone(),
            kind,
            connection_id: event.connection_id.clone(),
            customer_id: event.customer_id.clone(),
            system_id: None,
            source: Source::Webhook,
            at: event.created_at,
            detail,
            in_maintenance: false,
        }
    }

    async fn apply_event(&self, event: &Event) -> Result<(), CoreError> {
        let text = |key: &str| {
            event
                .data
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let store = &self.alerts.store;
        let connection = event.connection_id.as_deref();
        let mut report = match (event.event_type, connection) {
            (EventType::ConnectionReauthorizationRequired, Some(_)) => self.report(
                event,
                AlertKind::ReauthorizationRequired,
                text("reason").or(Some("the platform requires reauthorization".into())),
            ),
            (EventType::SystemError, Some(_)) => {
                self.report(event, AlertKind::SystemError, text("message"))
            }
            (EventType::CreditsLow, _) => Report {
                connection_id: None,
                customer_id: None,
                ..self.report(event, AlertKind::CreditsLow, text("message"))
            },
            (EventType::SyncFailed, Some(id)) => {
                let error = text("error");
                let seen = store
                    .observe(
                        &self.profile,
                        AlertKind::SyncFailing,
                        id,
                        error.as_deref(),
                        event.created_at,
                    )
                    .await?;
                let needed = i64::from(self.alerts.settings()?.sync_failure_alert_count);
                if seen.count < needed {
                    return Ok(());
                }
                let detail = format!(
                    "{} failed syncs in a row; last: {}",
                    seen.count,
                    error.unwrap_or_else(|| "no error given".into())
                );
                self.report(event, AlertKind::SyncFailing, Some(detail))
            }
            (EventType::SyncCompleted, Some(id)) => {
                return Ok(store
                    .forget(&self.profile, AlertKind::SyncFailing, id)
                    .await?)
            }
            (EventType::ConnectionStatusChanged, Some(id)) => {
                return self.watch_offline(event, id).await;
            }
            (EventType::ConnectionReauthorized, Some(id)) => {
                let by = text("authorized_by").unwrap_or_else(|| "someone".into());
                let noted = store
                    .note_reauthorization(
                        &self.profile,
                        id,
                        true,
                        &format!("reauthorized by {by}"),
                        event.created_at,
                    )
                    .await?;
                for alert in noted {
                    self.alerts
                        .announce(AlertChangeKind::Reauthorized, &alert, false)
                        .await?;
                }
                return Ok(());
            }
            _ => return Ok(()),
        };
        if let Some(id) = connection {
            if let Ok(mirrored) = self.alerts.mirror.connection(id).await {
                report.system_id = mirrored.connection.system_id;
            }
        }
        self.alerts.raise(report).await?;
        Ok(())
    }

    /// Offline since when: the threshold is checked by the status poll, which sees the time
    /// pass; an event that says the system answers again ends the watch.
    async fn watch_offline(&self, event: &Event, id: &str) -> Result<(), CoreError> {
        let online = event.data.get("online").and_then(|v| v.as_bool());
        let store = &self.alerts.store;
        match online {
            Some(false) => {
                store
                    .observe(
                        &self.profile,
                        AlertKind::Offline,
                        id,
                        None,
                        event.created_at,
                    )
                    .await?;
                let threshold =
                    Duration::minutes(i64::from(self.alerts.settings()?.offline_alert_minutes));
                let open = store
                    .list(&AlertFilter {
                        profile: Some(self.profile.clone()),
                        kinds: vec![AlertKind::Offline],
                        connection_id: Some(id.to_owned()),
                        states: UNRESOLVED.to_vec(),
                        ..AlertFilter::default()
                    })
                    .await?;
                // With no threshold (0 minutes) the webhook opens it at once.
                if threshold.is_zero() || !open.is_empty() {
                    self.alerts
                        .raise(self.report(event, AlertKind::Offline, Some("offline".into())))
                        .await?;
                }
            }
            Some(true) => store.forget(&self.profile, AlertKind::Offline, id).await?,
            None => {}
        }
        Ok(())
    }
}

impl EventApplier for AlertApplier {
    fn name(&self) -> &str {
        "alerts"
    }

    fn apply<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(async move {
            self.apply_event(event)
                .await
                .map_err(|err| ApplyError::new(err.to_string()))
        })
    }
}

/// The appliers a process that processes the folder's inbox runs, in order: the mirror's,
/// then the alerts' (which reads the mirror's names).
pub async fn appliers(
    desk: &crate::Desk,
    profile: &str,
) -> Result<Vec<std::sync::Arc<dyn EventApplier>>, CoreError> {
    Ok(vec![
        std::sync::Arc::new(
            crate::mirror_applier::MirrorApplier::new(desk.mirror().clone(), profile)
                .with_pulls(desk.pull_sender()),
        ),
        std::sync::Arc::new(AlertApplier::new(Alerts::of(desk).await?, profile)),
    ])
}
