//! The app's own settings (`settings.json` in the data folder): thresholds the dashboard and
//! the alerts read. Written whole, through a temp file and a rename, so a crash never leaves
//! half a file.

use crate::desk::Desk;
use crate::CoreError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

const FILE: &str = "settings.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Warn (banner, and an alert once alerts land) when available credits fall below this;
    /// none: never.
    pub low_credit_threshold: Option<i64>,
    /// A connection holding credits with no sync, or no changed record, for this many days is
    /// idle.
    pub idle_days: u32,
    /// The days of ledger the forecast's rate is measured over.
    pub forecast_window_days: u32,
    /// An unresolved alert older than this many hours is marked escalated.
    pub alert_escalation_hours: u32,
    /// A connection offline for this many minutes opens an alert.
    pub offline_alert_minutes: u32,
    /// This many failed syncs of a connection in a row open an alert.
    pub sync_failure_alert_count: u32,
    /// Times in which alerts are recorded but not notified.
    pub maintenance_windows: Vec<MaintenanceWindow>,
    /// The customer notice's text with `{placeholders}` (crate::alerts::notice); none: the
    /// built-in one.
    pub notice_template: Option<String>,
    /// The window: a native notification for each new alert (never in snooze or maintenance).
    pub desktop_notifications: bool,
    /// The window: closing it keeps the app in the tray, syncing and watching for alerts,
    /// until Quit in the tray's menu.
    pub close_to_tray: bool,
    /// Where the window looks for updates (a `latest.json`); none: the release channel built
    /// into the app. https only, but for a loopback address (a local test or mirror).
    pub update_endpoint: Option<String>,
}

/// A planned outage: alerts opened inside it are recorded, never notified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceWindow {
    pub id: String,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    pub note: String,
}

impl Settings {
    /// A maintenance window is on at `at`.
    pub fn in_maintenance(&self, at: chrono::DateTime<chrono::Utc>) -> bool {
        self.maintenance_windows
            .iter()
            .any(|window| window.starts_at <= at && at < window.ends_at)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            low_credit_threshold: Some(5),
            idle_days: 14,
            forecast_window_days: 30,
            alert_escalation_hours: 24,
            offline_alert_minutes: 30,
            sync_failure_alert_count: 3,
            maintenance_windows: Vec::new(),
            notice_template: None,
            desktop_notifications: true,
            close_to_tray: false,
            update_endpoint: None,
        }
    }
}

impl Settings {
    pub fn validate(&self) -> Result<(), CoreError> {
        if let Some(threshold) = self.low_credit_threshold {
            if !(0..=1_000_000).contains(&threshold) {
                return Err(CoreError::InvalidInput(format!(
                    "low_credit_threshold {threshold}: choose 0 to 1000000, or none"
                )));
            }
        }
        if !(1..=365).contains(&self.idle_days) {
            return Err(CoreError::InvalidInput(format!(
                "idle_days {}: choose 1 to 365",
                self.idle_days
            )));
        }
        if !(1..=3650).contains(&self.forecast_window_days) {
            return Err(CoreError::InvalidInput(format!(
                "forecast_window_days {}: choose 1 to 3650",
                self.forecast_window_days
            )));
        }
        let ranges = [
            (
                "alert_escalation_hours",
                self.alert_escalation_hours,
                1,
                24 * 365,
            ),
            (
                "offline_alert_minutes",
                self.offline_alert_minutes,
                0,
                7 * 24 * 60,
            ),
            (
                "sync_failure_alert_count",
                self.sync_failure_alert_count,
                1,
                100,
            ),
        ];
        for (name, value, low, high) in ranges {
            if !(low..=high).contains(&value) {
                return Err(CoreError::InvalidInput(format!(
                    "{name} {value}: choose {low} to {high}"
                )));
            }
        }
        for window in &self.maintenance_windows {
            if window.ends_at <= window.starts_at {
                return Err(CoreError::InvalidInput(format!(
                    "maintenance window {}: it must end after it starts",
                    window.id
                )));
            }
        }
        if self
            .notice_template
            .as_ref()
            .is_some_and(|text| text.trim().is_empty() || text.len() > 20_000)
        {
            return Err(CoreError::InvalidInput(
                "notice_template: write 1 to 20000 characters, or none for the built-in one".into(),
            ));
        }
        if let Some(endpoint) = &self.update_endpoint {
            check_update_endpoint(endpoint)?;
        }
        Ok(())
    }
}

/// An update channel must be https, so nobody between the app and the channel can hold back a
/// release; plain http is accepted only on a loopback address, for tests and local mirrors.
/// (The manifest's signature is checked either way.)
pub fn check_update_endpoint(endpoint: &str) -> Result<reqwest::Url, CoreError> {
    let url = reqwest::Url::parse(endpoint).map_err(|err| {
        CoreError::InvalidInput(format!("update_endpoint {endpoint:?} is not a URL: {err}"))
    })?;
    let loopback = url.host_str().is_some_and(|host| {
        host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(CoreError::InvalidInput(format!(
            "update_endpoint {endpoint}: use https (plain http only on a loopback address)"
        ))),
        other => Err(CoreError::InvalidInput(format!(
            "update_endpoint {endpoint}: {other} is not a web address; use https"
        ))),
    }
}

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE)
}

/// The saved settings, or the defaults when none were saved.
pub(crate) fn load(data_dir: &Path) -> Result<Settings, CoreError> {
    let file = path(data_dir);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
        Err(err) => return Err(CoreError::io(&file, err)),
    };
    serde_json::from_str(&text).map_err(|err| {
        CoreError::Corrupt(format!(
            "{} is not valid settings ({err}); fix it or delete it to return to the defaults",
            file.display()
        ))
    })
}

pub(crate) fn save(data_dir: &Path, settings: &Settings) -> Result<(), CoreError> {
    let file = path(data_dir);
    let temp = data_dir.join(format!(".{FILE}.tmp"));
    let text = serde_json::to_vec_pretty(settings)
        .map_err(|err| CoreError::Internal(format!("settings do not serialize: {err}")))?;
    std::fs::write(&temp, text).map_err(|err| CoreError::io(&temp, err))?;
    std::fs::rename(&temp, &file).map_err(|err| CoreError::io(&file, err))
}

impl Desk {
    pub async fn settings(&self) -> Result<Settings, CoreError> {
        load(self.data_dir())
    }

    /// Replaces the settings after checking them.
    pub async fn save_settings(&self, settings: Settings) -> Result<Settings, CoreError> {
        settings.validate()?;
        let _writing = self.settings_lock().lock().await;
        save(self.data_dir(), &settings)?;
        Ok(settings)
    }
}
