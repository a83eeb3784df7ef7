//! A native notification for each new alert, over the desktop's notification service
//! (org.freedesktop.Notifications on Linux, through notify-rust, which tauri-plugin-notification
//! wraps without click handling on Linux). Clicking it ("Open alert") opens the alert.

use crate::desktop;
use desk_alerts::AlertKind;
use desk_core::actions::AlertShown;
use tauri::{AppHandle, Runtime};

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

/// Shows the notification and waits (on a thread of its own) for a click, which opens the
/// alert in the window. A desktop with no notification service is logged, never an error
/// for the alert.
pub fn show<R: Runtime>(app: &AppHandle<R>, alert: &AlertShown) {
    let (summary, body) = text(alert);
    let route = format!("/alerts?alert={}", alert.view.alert.id);
    let app = app.clone();
    let id = alert.view.alert.id.clone();
    std::thread::spawn(move || {
        let mut notification = notify_rust::Notification::new();
        notification
            .appname("Makini Desk")
            .summary(&summary)
            .body(&body)
            .icon("makini-desk")
            .action("default", "Open alert");
        match notification.show() {
            Ok(handle) => {
                tracing::info!(alert = %id, summary = %summary, "notification sent");
                #[cfg(all(unix, not(target_os = "macos")))]
                handle.wait_for_action(|action| {
                    if action == "default" {
                        desktop::show_window(&app, Some(&route));
                    }
                });
                // Elsewhere the OS brings the app forward on a click by itself.
                #[cfg(not(all(unix, not(target_os = "macos"))))]
                drop((handle, app, route));
            }
            Err(err) => {
                tracing::warn!(alert = %id, error = %err, "cannot show a notification (no notification service?)")
            }
        }
    });
}
