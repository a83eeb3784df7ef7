//! The alert queue: one alert per (connection, kind), the sources that reported it, and its
//! lifecycle (open, acknowledged, customer notified, resolved). [`AlertStore`] is the whole
//! interface the app uses, so a team server sharing one queue (PostgreSQL) can implement it
//! beside [`SqliteAlerts`], the app's own `alerts.db`.
//!
//! The rules live in the store, where every implementation must keep them:
//! - a report never opens a second unresolved alert for the same subject and kind;
//! - the state only moves forward, and only [`AlertStore::record_check`] with a passing
//!   check resolves (as `recovered` when no reauthorization happened since it opened).

mod error;
mod model;
mod sqlite;

pub use error::AlertsError;
pub use model::*;
pub use sqlite::{SqliteAlerts, DB_FILE};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub type Result<T, E = AlertsError> = std::result::Result<T, E>;

#[async_trait]
pub trait AlertStore: Send + Sync {
    /// Records a report: opens an alert, or adds the report (and its source) to the
    /// unresolved one.
    async fn report(&self, report: Report) -> Result<Reported>;
    async fn list(&self, filter: &AlertFilter) -> Result<Vec<Alert>>;
    async fn get(&self, id: &str) -> Result<AlertDetail>;
    /// The unresolved alert of (profile, kind, connection), if any.
    async fn unresolved(
        &self,
        profile: &str,
        kind: AlertKind,
        connection_id: Option<&str>,
    ) -> Result<Option<Alert>>;
    /// Open -> acknowledged (by whom). Idempotent; a resolved alert is refused.
    async fn acknowledge(&self, id: &str, by: &str, at: DateTime<Utc>) -> Result<Alert>;
    /// Holds notifications back until `until` (None: wake it now).
    async fn snooze(
        &self,
        id: &str,
        until: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<Alert>;
    /// The customer was told (how); keeps the notice's magic link for reuse.
    async fn mark_notified(
        &self,
        id: &str,
        via: &str,
        link: Option<(&str, DateTime<Utc>)>,
        at: DateTime<Utc>,
    ) -> Result<Alert>;
    /// Keeps the magic link a notice carried, so the next notice reuses it while valid.
    async fn keep_notice_link(
        &self,
        id: &str,
        url: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<Alert>;
    /// A reauthorization of the connection was tried (`ok`: the platform took it). Marks
    /// its unresolved alerts; resolving still waits for a live check.
    async fn note_reauthorization(
        &self,
        profile: &str,
        connection_id: &str,
        ok: bool,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Alert>>;
    /// The result of a live check: a passing one resolves the alert (resolved after a
    /// reauthorization, recovered otherwise); a failing one keeps it open and says why.
    async fn record_check(&self, id: &str, check: LiveCheck) -> Result<Alert>;
    /// Counts a condition (offline, a failed sync) seen for a subject; returns it so far.
    async fn observe(
        &self,
        profile: &str,
        kind: AlertKind,
        subject: &str,
        detail: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Observation>;
    /// The condition ended.
    async fn forget(&self, profile: &str, kind: AlertKind, subject: &str) -> Result<()>;
    async fn close(&self);
}
