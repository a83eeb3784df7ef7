//! A native notification for each new alert, over the desktop's notification service
//! (org.freedesktop.Notifications on Linux, through notify-rust, which tauri-plugin-notification
//! wraps without click handling on Linux). Clicking it ("Open alert") opens the alert.

use crate::desktop;
use desk_alerts::AlertKind;
use desk_core::actions::AlertShown;
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Runtime};

/// Alerts that open together (a first start on a troubled account, a platform outage) are
/// not a wall of notifications: past [`BURST_SIZE`] within [`BURST_WINDOW`], one summary says
/// more opened, and the rest of that burst stays quiet (the tray and the queue count them).
const BURST_SIZE: usize = 3;
const BURST_WINDOW: Duration = Duration::from_secs(2);

/// What to show for the next new alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    One,
    Summary,
    Quiet,
}

#[derive(Debug, Default)]
pub struct Burst {
    recent: VecDeque<Instant>,
    summarized: bool,
}

impl Burst {
    pub fn admit(&mut self, now: Instant) -> Admit {
        while self
            .recent
            .front()
            .is_some_and(|at| now.duration_since(*at) > BURST_WINDOW)
        {
            self.recent.pop_front();
        }
        if self.recent.len() < BURST_SIZE {
            self.recent.push_back(now);
            self.summarized = false;
            Admit::One
        } else if !self.summarized {
            self.summarized = true;
            // The burst goes on as long as alerts keep coming.
            self.recent.push_back(now);
            Admit::Summary
        } else {
            self.recent.push_back(now);
            Admit::Quiet
        }
    }
}

/// What the notification says: a title naming what broke, and where.
pub fn text(alert: &AlertShown) -> (String, String) {
    let view = &alert.view;
    let title = match view.alert.kind {
        AlertKind::ReauthorizationRequired => "Reauthorization required",
        AlertKind::Offline => "Connection offline",
        AlertKind::SyncFailing => "Syncs are failing",
        AlertKind::SystemError => "System error",
        AlertKind::CreditsLow => "Credits running low",
    };
    let place = match (&view.connection_name, &view.customer_name) {
        (Some(connection), Some(customer)) => format!("{connection} ({customer})"),
        (Some(connection), None) => connection.clone(),
        (None, Some(customer)) => customer.clone(),
        (None, None) => view
            .alert
            .connection_id
            .clone()
            .unwrap_or_else(|| "The account".to_owned()),
    };
    let body = match &view.alert.detail {
        Some(detail) => format!("{place}: {detail}"),
        None => place,
    };
    (format!("{title}: {}", short(&body, 60)), body)
}

fn short(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Shows the notification for `alert` and waits (on a thread of its own) for a click, which
/// opens the alert in the window.
pub fn show<R: Runtime>(app: &AppHandle<R>, alert: &AlertShown) {
    let (summary, body) = text(alert);
    let route = format!("/alerts?alert={}", alert.view.alert.id);
    send(app, summary, body, "Open alert", route);
}

/// One notification for the rest of a burst of new alerts.
pub fn show_summary<R: Runtime>(app: &AppHandle<R>) {
    send(
        app,
        "More alerts opened".to_owned(),
        "Several alerts opened at once; the alerts queue has every one.".to_owned(),
        "Open alerts",
        "/alerts".to_owned(),
    );
}

/// A desktop with no notification service is logged, never an error for the alert.
fn send<R: Runtime>(
    app: &AppHandle<R>,
    summary: String,
    body: String,
    action: &'static str,
    route: String,
) {
    let app = app.clone();
    std::thread::spawn(move || {
        let mut notification = notify_rust::Notification::new();
        notification
            .appname("Makini Desk")
            .summary(&summary)
            .body(&body)
            .icon("makini-desk")
            .action("default", action);
        match notification.show() {
            Ok(handle) => {
                tracing::info!(summary = %summary, "notification sent");
                #[cfg(all(unix, not(target_os = "macos")))]
                handle.wait_for_action(|clicked| {
                    if clicked == "default" {
                        desktop::show_window(&app, Some(&route));
                    }
                });
                // Elsewhere the OS brings the app forward on a click by itself.
                #[cfg(not(all(unix, not(target_os = "macos"))))]
                drop((handle, app, route));
            }
            Err(err) => {
                tracing::warn!(summary = %summary, error = %err, "cannot show a notification (no notification service?)")
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_alerts_is_three_notifications_and_one_summary() {
        let mut burst = Burst::default();
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let admitted: Vec<Admit> = [0, 10, 20, 30, 40, 1500]
            .into_iter()
            .map(|ms| burst.admit(at(ms)))
            .collect();
        assert_eq!(
            admitted,
            [
                Admit::One,
                Admit::One,
                Admit::One,
                Admit::Summary,
                Admit::Quiet,
                Admit::Quiet
            ]
        );
        // Once the burst has been quiet for the window, each alert is its own notification.
        assert_eq!(burst.admit(at(1500 + 2100)), Admit::One);
    }
}
