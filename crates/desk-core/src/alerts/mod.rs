//! Alerts in the app: reports from the three sources (webhooks through [`applier`], the
//! status poll and failed calls through [`detect`]) into the queue of desk-alerts, every change
//! as a [`DeskEvent::AlertChanged`], the live check that alone resolves an alert, and the
//! customer's [`notice`].

pub mod applier;
pub mod detect;
pub mod notice;

use crate::desk::Desk;
use crate::events::{AlertChangeKind, DeskEvent, EventBus};
use crate::session::Session;
use crate::settings;
use crate::CoreError;
use chrono::{DateTime, Utc};
use desk_alerts::{
    Alert, AlertFilter, AlertKind, AlertState, AlertStore, LiveCheck, Report, Reported,
};
use desk_platform::connection::{ConnectionStatus, TestConnection};
use std::path::PathBuf;
use std::sync::Arc;

/// What alert work needs, without the whole [`Desk`] (the inbox's applier outlives no desk
/// but is built before the server starts).
#[derive(Clone)]
pub struct Alerts {
    pub(crate) store: Arc<dyn AlertStore>,
    events: EventBus,
    data_dir: PathBuf,
    pub(crate) mirror: desk_store::Mirror,
}

/// Unresolved states: what the queue and the open count hold.
pub const UNRESOLVED: [AlertState; 3] = [
    AlertState::Open,
    AlertState::Acknowledged,
    AlertState::CustomerNotified,
];

impl Alerts {
    pub async fn of(desk: &Desk) -> Result<Self, CoreError> {
        Ok(Self {
            store: desk.alerts().await?,
            events: desk.events().clone(),
            data_dir: desk.data_dir().to_path_buf(),
            mirror: desk.mirror().clone(),
        })
    }

    pub(crate) fn settings(&self) -> Result<settings::Settings, CoreError> {
        settings::load(&self.data_dir)
    }

    /// Records a report; a new alert or a new source is announced.
    pub async fn raise(&self, mut report: Report) -> Result<Reported, CoreError> {
        report.in_maintenance = self.settings()?.in_maintenance(report.at);
        let reported = self.store.report(report).await?;
        if reported.opened {
            let notify = !reported.alert.in_maintenance;
            self.announce(AlertChangeKind::Opened, &reported.alert, notify)
                .await?;
        } else if reported.new_source {
            self.announce(AlertChangeKind::Reported, &reported.alert, false)
                .await?;
        }
        Ok(reported)
    }

    /// Emits the change with the profile's open count after it.
    pub async fn announce(
        &self,
        change: AlertChangeKind,
        alert: &Alert,
        notify: bool,
    ) -> Result<(), CoreError> {
        let open_count = self.open_count(&alert.profile, Utc::now()).await?;
        self.events.emit(DeskEvent::AlertChanged {
            profile: alert.profile.clone(),
            change,
            alert: alert.clone(),
            open_count,
            notify,
        });
        Ok(())
    }

    /// Unresolved alerts that are not snoozed at `now`.
    pub async fn open_count(&self, profile: &str, now: DateTime<Utc>) -> Result<u32, CoreError> {
        let alerts = self
            .store
            .list(&AlertFilter {
                profile: Some(profile.to_owned()),
                states: UNRESOLVED.to_vec(),
                ..AlertFilter::default()
            })
            .await?;
        let count = alerts.iter().filter(|a| !a.snoozed_at(now)).count();
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    /// Runs the live check of `alert` and records it: the only way an alert resolves.
    pub async fn check(&self, session: &Session, alert: &Alert) -> Result<Alert, CoreError> {
        let check = live_check(session, alert, &self.settings()?).await;
        let checked = self.store.record_check(&alert.id, check).await?;
        let change = if checked.state == AlertState::Resolved {
            AlertChangeKind::Resolved
        } else {
            AlertChangeKind::CheckFailed
        };
        self.announce(change, &checked, false).await?;
        Ok(checked)
    }

    /// A reauthorization of `connection_id` was tried from this app: noted on its alerts,
    /// then (when the platform took it) each is checked live at once.
    pub async fn after_reauthorization(
        &self,
        session: &Session,
        connection_id: &str,
        outcome: Result<(), String>,
    ) -> Result<(), CoreError> {
        let profile = session.profile.name.as_str();
        let (ok, message) = match &outcome {
            Ok(()) => (true, "reauthorized from Makini Desk".to_owned()),
            Err(message) => (false, message.clone()),
        };
        let noted = self
            .store
            .note_reauthorization(profile, connection_id, ok, &message, Utc::now())
            .await?;
        for alert in noted {
            if ok {
                self.announce(AlertChangeKind::Reauthorized, &alert, false)
                    .await?;
                self.check(session, &alert).await?;
            } else {
                self.announce(AlertChangeKind::CheckFailed, &alert, false)
                    .await?;
            }
        }
        Ok(())
    }
}

/// Asks the platform now whether the alert's problem is gone: the connection's status (and
/// the platform's own test of its stored credentials and reachability, where offered), or the
/// account's available credits. A failed call is a failed check, never a resolution.
pub async fn live_check(
    session: &Session,
    alert: &Alert,
    settings: &settings::Settings,
) -> LiveCheck {
    let at = Utc::now();
    let outcome = match alert.connection_id.as_deref() {
        None => check_credits(session, settings).await,
        Some(id) => check_connection(session, id, alert.kind).await,
    };
    match outcome {
        Ok(message) => LiveCheck {
            at,
            ok: true,
            message,
        },
        Err(message) => LiveCheck {
            at,
            ok: false,
            message,
        },
    }
}

async fn check_credits(session: &Session, settings: &settings::Settings) -> Result<String, String> {
    let account = session
        .client
        .account()
        .await
        .map_err(|err| format!("the account could not be read: {err}"))?;
    let available = account.credits.available;
    match settings.low_credit_threshold {
        Some(threshold) if available < threshold => Err(format!(
            "{available} credits available, still below the threshold of {threshold}"
        )),
        _ => Ok(format!("{available} credits available")),
    }
}

async fn check_connection(session: &Session, id: &str, kind: AlertKind) -> Result<String, String> {
    let connection = session
        .client
        .connection(id)
        .await
        .map_err(|err| format!("the connection's status could not be read: {err}"))?;
    if connection.status == ConnectionStatus::Disconnected {
        return Err("the connection is disconnected".to_owned());
    }
    if connection.reauthorization_required {
        return Err("the platform still reports that reauthorization is required".to_owned());
    }
    if !connection.online && kind != AlertKind::ReauthorizationRequired {
        return Err("the system still does not answer".to_owned());
    }
    match session
        .client
        .test_connection(id, &TestConnection { credentials: None })
        .await
    {
        Ok(test) if test.ok => Ok(format!(
            "live check passed: {}",
            test.checks
                .iter()
                .map(|check| check.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )),
        Ok(test) => Err(format!(
            "live check failed: {}",
            test.checks
                .iter()
                .filter(|check| !check.ok)
                .map(|check| format!("{}: {}", check.name, check.message))
                .collect::<Vec<_>>()
                .join("; ")
        )),
        Err(err) => match CoreError::from(err) {
            // Makini offers no test of a stored connection: its status is the live check.
            err if err.code() == crate::Code::OperationNotSupported => {
                Ok("the connection's live status is healthy".to_owned())
            }
            err => Err(format!("the live check could not run: {err}")),
        },
    }
}
