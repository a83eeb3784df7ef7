//! What an alert is: its kind, where reports came from, its lifecycle, and the requests the
//! store answers. Every type here crosses to the UI (ts-rs) and the CLI's JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong. One unresolved alert exists per (connection, kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The system refused the stored credentials: the customer must reconnect.
    ReauthorizationRequired,
    /// The system has not answered for longer than the threshold.
    Offline,
    /// Syncs failed several times in a row (the failing entity and error in `detail`).
    SyncFailing,
    /// The system reported an internal error.
    SystemError,
    /// The account's available credits fell below the threshold (account-wide).
    CreditsLow,
}

impl AlertKind {
    pub const ALL: [Self; 5] = [
        Self::ReauthorizationRequired,
        Self::Offline,
        Self::SyncFailing,
        Self::SystemError,
        Self::CreditsLow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReauthorizationRequired => "reauthorization_required",
            Self::Offline => "offline",
            Self::SyncFailing => "sync_failing",
            Self::SystemError => "system_error",
            Self::CreditsLow => "credits_low",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// The lifecycle. Moves forward only: open -> acknowledged -> customer notified -> resolved
/// (steps may be skipped; resolved only through a passing live check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Open,
    Acknowledged,
    CustomerNotified,
    Resolved,
}

impl AlertState {
    pub const ALL: [Self; 4] = [
        Self::Open,
        Self::Acknowledged,
        Self::CustomerNotified,
        Self::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::CustomerNotified => "customer_notified",
            Self::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }
}

/// Who reported a problem. (`AlertSource` in TypeScript: the inbox's `Source` is how a webhook
/// arrived.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "AlertSource")]
pub enum Source {
    /// A platform webhook processed by the inbox (or an event caught up from its log).
    Webhook,
    /// The status poll of every connection.
    Poll,
    /// A call of the app's own (a sync, an action) that failed.
    ApiError,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Poll => "poll",
            Self::ApiError => "api_error",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Webhook, Self::Poll, Self::ApiError]
            .into_iter()
            .find(|source| source.as_str() == text)
    }
}

/// How a resolved alert ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Fixed by a reauthorization (or a person), then confirmed by a live check.
    Resolved,
    /// The platform healed by itself; confirmed by a live check.
    Recovered,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resolved => "resolved",
            Self::Recovered => "recovered",
        }
    }
}

/// One alert as the queue shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Alert {
    pub id: String,
    pub profile: String,
    pub kind: AlertKind,
    /// None for account-wide kinds (credits running low).
    pub connection_id: Option<String>,
    pub customer_id: Option<String>,
    pub system_id: Option<String>,
    pub state: AlertState,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<Resolution>,
    /// The sources that reported it, in the order they first did.
    pub sources: Vec<Source>,
    /// The latest reason reported (the platform's reason, the failing entity and error).
    pub detail: Option<String>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub notified_at: Option<DateTime<Utc>>,
    /// How the customer was told (`mailto`, `copied`, `cli`...).
    pub notified_via: Option<String>,
    pub snoozed_until: Option<DateTime<Utc>>,
    /// Opened during a maintenance window: recorded, not notified.
    pub in_maintenance: bool,
    /// The last reauthorization of the connection since the alert opened.
    pub reauthorized_at: Option<DateTime<Utc>>,
    pub last_check_at: Option<DateTime<Utc>>,
    pub last_check_ok: Option<bool>,
    pub last_check_message: Option<String>,
    /// The magic link the last notice carried, reused while it is valid.
    pub notice_link: Option<String>,
    pub notice_link_expires_at: Option<DateTime<Utc>>,
}

impl Alert {
    /// Snoozed at `now`: no notification, and the queue shows it apart.
    pub fn snoozed_at(&self, now: DateTime<Utc>) -> bool {
        self.snoozed_until.is_some_and(|until| until > now)
    }
}

/// One source's reports of an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SourceReport {
    pub source: Source,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub count: i64,
    pub detail: Option<String>,
}

/// One change in an alert's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AlertChange {
    pub at: DateTime<Utc>,
    /// opened, reported, acknowledged, snoozed, notified, reauthorized,
    /// reauthorization_failed, check_failed, resolved, recovered.
    pub change: String,
    pub by: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AlertDetail {
    pub alert: Alert,
    pub reports: Vec<SourceReport>,
    pub history: Vec<AlertChange>,
}

/// A source saw a problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub profile: String,
    pub kind: AlertKind,
    pub connection_id: Option<String>,
    pub customer_id: Option<String>,
    pub system_id: Option<String>,
    pub source: Source,
    pub at: DateTime<Utc>,
    pub detail: Option<String>,
    /// A maintenance window is on: an alert opened now is not notified.
    pub in_maintenance: bool,
}

/// What a report did.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub alert: Alert,
    /// A new alert was opened (else an unresolved one took the report).
    pub opened: bool,
    /// The report's source had not reported this alert before.
    pub new_source: bool,
}

/// Which alerts, in what order. Filters are AND-ed; empty means any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertFilter {
    pub profile: Option<String>,
    pub states: Vec<AlertState>,
    pub kinds: Vec<AlertKind>,
    pub customer_id: Option<String>,
    pub connection_id: Option<String>,
    /// Only alerts opened at or before this time (an age filter).
    pub opened_before: Option<DateTime<Utc>>,
    /// Oldest first (by opening time) unless `newest_first`.
    pub newest_first: bool,
    pub limit: Option<u32>,
}

/// A live status check of an alert's connection (or of the account, for credits).
#[derive(Debug, Clone, PartialEq)]
pub struct LiveCheck {
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub message: String,
}

/// A condition being watched before it becomes an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub count: i64,
    pub detail: Option<String>,
}
