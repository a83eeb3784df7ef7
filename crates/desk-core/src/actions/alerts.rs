//! The alert queue: list (filters, age, sort), one alert with its sources, history and the
//! connection's authorizations, acknowledge (several at once), snooze, the customer notice,
//! the live check that resolves, and maintenance windows.

use super::timeline::{authorizations, Authorization};
use crate::alerts::{notice, Alerts, UNRESOLVED};
use crate::desk::Desk;
use crate::events::AlertChangeKind;
use crate::settings::{MaintenanceWindow, Settings};
use crate::CoreError;
use chrono::{DateTime, Duration, Utc};
use desk_alerts::{Alert, AlertChange, AlertFilter, AlertKind, AlertState, SourceReport};
use desk_platform::connection::Connection;
use desk_platform::customer::Customer;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsListRequest {
    /// Any of these states; none given: the unresolved ones (all of them with `all`).
    pub states: Vec<AlertState>,
    pub all: bool,
    pub kinds: Vec<AlertKind>,
    pub customer_id: Option<String>,
    pub connection_id: Option<String>,
    /// Only alerts open at least this many hours.
    pub min_age_hours: Option<u32>,
    /// Oldest first unless set.
    pub newest_first: bool,
    pub limit: Option<u32>,
}

/// An alert as the queue shows it: with its age, the escalation mark and names to read.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AlertView {
    #[serde(flatten)]
    pub alert: Alert,
    /// Seconds open (until resolved, for a resolved one).
    pub age_seconds: i64,
    /// Unresolved past the escalation age (settings' `alert_escalation_hours`).
    pub escalated: bool,
    pub snoozed: bool,
    pub connection_name: Option<String>,
    pub customer_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AlertsPage {
    pub alerts: Vec<AlertView>,
    /// Unresolved and not snoozed, whatever the filters.
    pub open_count: u32,
    pub escalation_hours: u32,
}

fn view(
    alert: Alert,
    now: DateTime<Utc>,
    settings: &Settings,
    names: (Option<String>, Option<String>),
) -> AlertView {
    let until = alert.resolved_at.unwrap_or(now);
    let age = until - alert.opened_at;
    let escalated = alert.state != AlertState::Resolved
        && age >= Duration::hours(i64::from(settings.alert_escalation_hours));
    AlertView {
        age_seconds: age.num_seconds().max(0),
        escalated,
        snoozed: alert.snoozed_at(now),
        connection_name: names.0,
        customer_name: names.1,
        alert,
    }
}

/// Names of connections and customers, read once per answer.
async fn names(
    desk: &Desk,
    alerts: &[Alert],
) -> Result<HashMap<String, (Option<String>, Option<String>)>, CoreError> {
    let mut customers: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut out = HashMap::new();
    for alert in alerts {
        if !customers.contains_key(&alert.profile) {
            let list = desk.mirror().customers(&alert.profile).await?;
            customers.insert(
                alert.profile.clone(),
                list.into_iter().map(|c| (c.id, c.name)).collect(),
            );
        }
        let connection = match alert.connection_id.as_deref() {
            Some(id) => desk
                .mirror()
                .connection(id)
                .await
                .ok()
                .map(|m| m.connection.name),
            None => None,
        };
        let customer = alert
            .customer_id
            .as_ref()
            .and_then(|id| customers.get(&alert.profile)?.get(id).cloned());
        out.insert(alert.id.clone(), (connection, customer));
    }
    Ok(out)
}

async fn views(desk: &Desk, alerts: Vec<Alert>) -> Result<Vec<AlertView>, CoreError> {
    let settings = desk.settings().await?;
    let now = Utc::now();
    let mut names = names(desk, &alerts).await?;
    Ok(alerts
        .into_iter()
        .map(|alert| {
            let named = names.remove(&alert.id).unwrap_or_default();
            view(alert, now, &settings, named)
        })
        .collect())
}

/// The profile the queue shows: the shown (active) one.
async fn profile(desk: &Desk) -> Result<String, CoreError> {
    Ok(crate::profiles::resolve_or_create_profile(desk, None)
        .await?
        .name)
}

pub async fn alerts_list(desk: &Desk, request: AlertsListRequest) -> Result<AlertsPage, CoreError> {
    let alerts = Alerts::of(desk).await?;
    let profile = profile(desk).await?;
    let now = Utc::now();
    let states = match (request.states.is_empty(), request.all) {
        (false, _) => request.states,
        (true, true) => Vec::new(),
        (true, false) => UNRESOLVED.to_vec(),
    };
    let listed = alerts
        .store
        .list(&AlertFilter {
            profile: Some(profile.clone()),
            states,
            kinds: request.kinds,
            customer_id: request.customer_id,
            connection_id: request.connection_id,
            opened_before: request
                .min_age_hours
                .map(|hours| now - Duration::hours(i64::from(hours))),
            newest_first: request.newest_first,
            limit: Some(request.limit.unwrap_or(500).min(5_000)),
        })
        .await?;
    Ok(AlertsPage {
        alerts: views(desk, listed).await?,
        open_count: alerts.open_count(&profile, now).await?,
        escalation_hours: desk.settings().await?.alert_escalation_hours,
    })
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertShowRequest {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AlertShown {
    #[serde(flatten)]
    pub view: AlertView,
    /// Each source's reports: first and last time, how many.
    pub reports: Vec<SourceReport>,
    pub history: Vec<AlertChange>,
    /// The connection as mirrored (who authorized it, when its token was issued).
    pub connection: Option<Connection>,
    pub customer: Option<Customer>,
    /// Newest first: who authorized it and when, and every reauthorization before.
    pub authorizations: Vec<Authorization>,
}

pub async fn alert_show(desk: &Desk, request: AlertShowRequest) -> Result<AlertShown, CoreError> {
    let alerts = Alerts::of(desk).await?;
    let detail = alerts.store.get(&request.id).await?;
    let (connection, customer, auths) = match detail.alert.connection_id.as_deref() {
        Some(id) => match crate::offline::show_connection(desk, id).await {
            Ok(shown) => {
                let events = desk
                    .mirror()
                    .events(&shown.connection.profile, Some(id), 500)
                    .await?;
                let auths = authorizations(&shown.connection.connection, &events);
                (Some(shown.connection.connection), shown.customer, auths)
            }
            Err(err) => {
                tracing::debug!(id, error = %err, "the alert's connection is not mirrored");
                (None, None, Vec::new())
            }
        },
        None => (None, None, Vec::new()),
    };
    let view = views(desk, vec![detail.alert])
        .await?
        .pop()
        .ok_or_else(|| CoreError::Internal("an alert view went missing".into()))?;
    Ok(AlertShown {
        view,
        reports: detail.reports,
        history: detail.history,
        connection,
        customer,
        authorizations: auths,
    })
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct AlertAcknowledgeRequest {
    /// One or several alerts (the queue's bulk acknowledge).
    pub ids: Vec<String>,
    /// Who acknowledges (default: the signed-in OS user).
    #[serde(default)]
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AlertsChanged {
    pub alerts: Vec<AlertView>,
}

fn whoami() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "support".to_owned())
}

pub async fn alert_acknowledge(
    desk: &Desk,
    request: AlertAcknowledgeRequest,
) -> Result<AlertsChanged, CoreError> {
    if request.ids.is_empty() || request.ids.len() > 1_000 {
        return Err(CoreError::InvalidInput("ids: name 1 to 1000 alerts".into()));
    }
    let by = request
        .by
        .map(|by| by.trim().to_owned())
        .filter(|by| !by.is_empty())
        .unwrap_or_else(whoami);
    let alerts = Alerts::of(desk).await?;
    let mut changed = Vec::new();
    for id in &request.ids {
        let before = alerts.store.get(id).await?.alert;
        let alert = alerts.store.acknowledge(id, &by, Utc::now()).await?;
        if before.acknowledged_at.is_none() {
            alerts
                .announce(AlertChangeKind::Acknowledged, &alert, false)
                .await?;
        }
        changed.push(alert);
    }
    Ok(AlertsChanged {
        alerts: views(desk, changed).await?,
    })
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct AlertSnoozeRequest {
    pub id: String,
    /// An RFC 3339 time, a date, or a span ahead (`2h`, `1d`); none wakes the alert now.
    #[serde(default)]
    pub until: Option<String>,
}

pub async fn alert_snooze(
    desk: &Desk,
    request: AlertSnoozeRequest,
) -> Result<AlertView, CoreError> {
    let now = Utc::now();
    let until = match request.until.as_deref() {
        Some(text) => {
            let until = crate::time_input::parse_until(text, now)?;
            if until <= now {
                return Err(CoreError::InvalidInput(format!(
                    "until {text:?} is in the past; snooze until a later time"
                )));
            }
            Some(until)
        }
        None => None,
    };
    let alerts = Alerts::of(desk).await?;
    let alert = alerts.store.snooze(&request.id, until, now).await?;
    alerts
        .announce(AlertChangeKind::Snoozed, &alert, false)
        .await?;
    one(desk, alert).await
}

async fn one(desk: &Desk, alert: Alert) -> Result<AlertView, CoreError> {
    views(desk, vec![alert])
        .await?
        .pop()
        .ok_or_else(|| CoreError::Internal("an alert view went missing".into()))
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct AlertNoticeRequest {
    pub id: String,
    /// Preview this template instead of the saved one (the template editor).
    #[serde(default)]
    pub template: Option<String>,
    /// Add a magic link when the platform offers one (made once, reused while valid).
    #[serde(default = "yes")]
    pub magic_link: bool,
    /// The notice was sent (how: `mailto`, `copied`, `cli`...): the alert becomes
    /// customer-notified. None: a preview.
    #[serde(default)]
    pub sent_via: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Notice {
    pub alert_id: String,
    /// The customer's address, when the mirror knows it.
    pub to: Option<String>,
    pub subject: String,
    pub text: String,
    pub mailto: String,
    pub magic_link: Option<String>,
    pub magic_link_expires_at: Option<DateTime<Utc>>,
    /// Why there is no link (the platform offers none, or making one failed).
    pub magic_link_missing: Option<String>,
    /// The template the text was made from, and what it may use.
    pub template: String,
    pub placeholders: Vec<String>,
    pub state: AlertState,
}

pub async fn alert_notice(desk: &Desk, request: AlertNoticeRequest) -> Result<Notice, CoreError> {
    let alerts = Alerts::of(desk).await?;
    let mut alert = alerts.store.get(&request.id).await?.alert;
    let Some(connection_id) = alert.connection_id.clone() else {
        return Err(CoreError::InvalidInput(format!(
            "alert {} is about the account, not a customer's connection: it has no customer notice",
            alert.id
        )));
    };
    let shown = crate::offline::show_connection(desk, &connection_id).await?;
    let connection = shown.connection.connection;
    let customer = shown.customer;
    let session = desk.session(None).await?;
    let catalog = super::systems_list(desk, super::SystemsListRequest::default()).await?;
    let system = catalog
        .systems
        .iter()
        .find(|s| Some(&s.id) == connection.system_id.as_ref());
    let system_name = system
        .map(|s| s.name.clone())
        .or_else(|| connection.system_id.clone())
        .unwrap_or_else(|| "your system".into());
    let now = Utc::now();
    let mut missing = None;
    if request.magic_link && alert.state != AlertState::Resolved {
        let valid = alert
            .notice_link_expires_at
            .is_some_and(|expires| expires > now + Duration::hours(1));
        if !valid {
            let made = super::magic_link_create(
                desk,
                super::MagicLinkCreateRequest {
                    customer_id: connection.customer_id.clone(),
                    system_id: connection.system_id.clone(),
                    name: format!("{} (reconnect)", connection.name),
                    expires_in_days: None,
                },
            )
            .await;
            match made {
                Ok(link) => {
                    alert = alerts
                        .store
                        .keep_notice_link(&alert.id, &link.url, link.expires_at)
                        .await?;
                }
                Err(err) if err.code() == crate::Code::OperationNotSupported => {
                    missing =
                        Some("this platform offers no magic links: send the steps alone".into());
                }
                Err(err) => missing = Some(format!("no magic link could be made: {err}")),
            }
        }
    }
    let link_line = match (&alert.notice_link, alert.notice_link_expires_at) {
        (Some(url), Some(expires)) if request.magic_link && missing.is_none() => format!(
            "Reconnect here: {url}\n(the link works until {})\n",
            expires.format("%Y-%m-%d %H:%M UTC")
        ),
        _ => String::new(),
    };
    let settings = desk.settings().await?;
    let template = request
        .template
        .clone()
        .or(settings.notice_template)
        .unwrap_or_else(|| notice::DEFAULT_TEMPLATE.to_owned());
    let customer_name = customer.as_ref().map_or("there", |c| c.name.as_str());
    let text = notice::render(
        &template,
        &notice::NoticeFacts {
            alert: &alert,
            customer: customer_name,
            system: &system_name,
            auth: system.map(|s| &s.auth),
            connection: &connection.name,
            link: link_line,
        },
    );
    let to = customer
        .as_ref()
        .and_then(|c| c.email.clone())
        .or_else(|| connection.email.clone())
        .filter(|email| !email.is_empty());
    let subject = notice::subject(&system_name, &connection.name);
    if let Some(via) = request.sent_via.as_deref() {
        let link = alert
            .notice_link
            .as_deref()
            .zip(alert.notice_link_expires_at);
        alert = alerts
            .store
            .mark_notified(&alert.id, via, link, now)
            .await?;
        alerts
            .announce(AlertChangeKind::CustomerNotified, &alert, false)
            .await?;
    }
    drop(session);
    Ok(Notice {
        alert_id: alert.id.clone(),
        mailto: notice::mailto(to.as_deref(), &subject, &text),
        to,
        subject,
        text,
        magic_link: alert.notice_link.clone().filter(|_| missing.is_none()),
        magic_link_expires_at: alert.notice_link_expires_at.filter(|_| missing.is_none()),
        magic_link_missing: missing,
        template,
        placeholders: notice::PLACEHOLDERS
            .iter()
            .map(|p| format!("{{{p}}}"))
            .collect(),
        state: alert.state,
    })
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertResolveCheckRequest {
    pub id: String,
}

/// Runs the live check now: passing, the alert resolves (or is recovered); failing, it stays
/// and says why.
pub async fn alert_resolve_check(
    desk: &Desk,
    request: AlertResolveCheckRequest,
) -> Result<AlertView, CoreError> {
    let alerts = Alerts::of(desk).await?;
    let alert = alerts.store.get(&request.id).await?.alert;
    let session = desk.session(Some(&alert.profile)).await?;
    let checked = alerts.check(&session, &alert).await?;
    one(desk, checked).await
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceWindowAddRequest {
    /// RFC 3339 times, or dates (UTC).
    pub starts_at: String,
    pub ends_at: String,
    #[serde(default)]
    pub note: Option<String>,
}

pub async fn maintenance_window_add(
    desk: &Desk,
    request: MaintenanceWindowAddRequest,
) -> Result<Settings, CoreError> {
    let now = Utc::now();
    let starts_at = crate::time_input::parse_until(&request.starts_at, now)?;
    let ends_at = crate::time_input::parse_until(&request.ends_at, now)?;
    let mut settings = desk.settings().await?;
    settings.maintenance_windows.push(MaintenanceWindow {
        id: format!("mw_{:012x}", rand::random::<u64>() >> 16),
        starts_at,
        ends_at,
        note: request.note.unwrap_or_default().trim().to_owned(),
    });
    settings.maintenance_windows.sort_by_key(|w| w.starts_at);
    desk.save_settings(settings).await
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceWindowRemoveRequest {
    pub id: String,
}

pub async fn maintenance_window_remove(
    desk: &Desk,
    request: MaintenanceWindowRemoveRequest,
) -> Result<Settings, CoreError> {
    let mut settings = desk.settings().await?;
    let before = settings.maintenance_windows.len();
    settings.maintenance_windows.retain(|w| w.id != request.id);
    if settings.maintenance_windows.len() == before {
        return Err(CoreError::Unknown(format!(
            "no maintenance window {:?}",
            request.id
        )));
    }
    desk.save_settings(settings).await
}

/// A fault for the local engine's simulated system (the sandbox), to show and try every
/// alert and recovery path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SandboxFaultKind {
    ExpireCredentials,
    GoOffline,
    ComeOnline,
    RateLimit,
    FailNextSync,
    SystemError,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SandboxFaultRequest {
    pub connection_id: String,
    pub kind: SandboxFaultKind,
}

pub async fn sandbox_fault(
    desk: &Desk,
    request: SandboxFaultRequest,
) -> Result<Connection, CoreError> {
    use desk_client::{FaultKind as F, SandboxFault};
    let kind = match request.kind {
        SandboxFaultKind::ExpireCredentials => F::ExpireCredentials,
        SandboxFaultKind::GoOffline => F::GoOffline,
        SandboxFaultKind::ComeOnline => F::ComeOnline,
        SandboxFaultKind::RateLimit => F::RateLimit,
        SandboxFaultKind::FailNextSync => F::FailNextSync,
        SandboxFaultKind::SystemError => F::SystemError,
    };
    let session = desk.session(None).await?;
    Ok(session
        .client
        .sandbox_fault(&request.connection_id, &SandboxFault::new(kind))
        .await?)
}

/// The local engine's account as a sandbox: buy credits, switch between trial and paid, to see
/// every credit state (a short pool, a trial's limits) without a real invoice.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxAccountRequest {
    /// Credits to buy (one `purchase` ledger entry), 1 to 100,000.
    pub purchase_credits: Option<i64>,
    pub plan: Option<desk_platform::account::Plan>,
}

/// Changes the local engine's account as asked, then mirrors the pool and ledger at once (the
/// dashboard and the low-pool alert's check see it without a sync); answers the account as
/// the overview shows it.
pub async fn sandbox_account(
    desk: &Desk,
    request: SandboxAccountRequest,
) -> Result<super::AccountSummary, CoreError> {
    if let Some(credits) = request.purchase_credits {
        if !(1..=100_000).contains(&credits) {
            return Err(CoreError::InvalidInput(format!(
                "purchase_credits must be 1 to 100000, not {credits}"
            )));
        }
    }
    if request.purchase_credits.is_none() && request.plan.is_none() {
        return Err(CoreError::InvalidInput(
            "give purchase_credits, plan or both".to_owned(),
        ));
    }
    let session = desk.session(None).await?;
    if let Some(plan) = request.plan {
        session.client.sandbox_set_plan(plan).await?;
    }
    if let Some(credits) = request.purchase_credits {
        session.client.sandbox_purchase_credits(credits).await?;
    }
    super::lifecycle::refresh_pool(desk, &session, desk_client::LedgerFilter::default()).await?;
    super::account_summary(desk, super::AccountSummaryRequest {}).await
}
