//! What makes the window behave like a desktop app, beside the desk it serves: one instance
//! (a second launch focuses the first and hands it its `makini-desk://` link), the window's
//! size and place remembered (saved when they change, not only at exit), the tray with the
//! open-alerts count, a native notification for each new alert, and closing to the tray when
//! the user chose so in settings.
//!
//! Only the real window takes these ([`plugins`] and [`setup`] are called by `run`): the mock
//! runtime of the shell's tests has no tray, session bus or notification service.

use crate::notify::{Admit, Burst};
use crate::tray::AlertsTray;
use crate::DeskHost;
use desk_core::actions::{alert_show, AlertShowRequest, SyncRunRequest};
use desk_core::DeskEvent;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt as _, StateFlags};

/// The Tauri event that asks the UI to open a path (`ui/src/lib/platform/tauri.ts`).
pub const NAVIGATE_EVENT: &str = "desk-navigate";
const MAIN_WINDOW: &str = "main";
/// A move or resize is saved once it has been still this long.
const SAVE_STATE_AFTER: Duration = Duration::from_millis(400);

/// Set by the tray's Quit, so closing is not turned into hiding.
#[derive(Default)]
pub struct Quitting(AtomicBool);

impl Quitting {
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The plugins of the real window. Single instance comes first, as its docs ask, so a second
/// process hands over before it sets anything else up.
pub fn plugins<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            tracing::info!(?args, "a second launch; showing this window instead");
            let route = crate::deep_link::route_in_args(args.iter().skip(1));
            show_window(app, route.as_deref());
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(StateFlags::all() & !StateFlags::VISIBLE)
                .build(),
        )
        .manage(Quitting::default())
        .on_window_event(on_window_event)
}

/// After the app is built: the tray, the alerts watcher, and the launch's own link.
pub fn setup<R: Runtime>(app: &AppHandle<R>) {
    match AlertsTray::build(app) {
        Ok(tray) => {
            app.manage(tray);
        }
        // A desktop without a tray (no StatusNotifier host) still gets the window.
        Err(err) => tracing::warn!(error = %err, "no tray icon"),
    }
    if let Ok(desk) = app.state::<DeskHost>().desk() {
        // Only the subscription is kept: holding the desk itself would keep it from closing
        // at exit (the host waits to be its only owner).
        let events = desk.subscribe();
        drop(desk);
        tauri::async_runtime::spawn(watch_alerts(app.clone(), events));
    }
    if let Some(route) = crate::deep_link::route_in_args(std::env::args().skip(1)) {
        open_route_at_start(app, &route);
    }
}

/// Shows, unminimizes and focuses the main window, then opens `route` in it.
pub fn show_window<R: Runtime>(app: &AppHandle<R>, route: Option<&str>) {
    let Some(window) = app.get_webview_window(MAIN_WINDOW) else {
        tracing::warn!("no main window to show");
        return;
    };
    for (what, result) in [
        ("show", window.show()),
        ("unminimize", window.unminimize()),
        ("focus", window.set_focus()),
    ] {
        if let Err(err) = result {
            tracing::warn!(error = %err, "cannot {what} the window");
        }
    }
    if let Some(route) = route {
        tracing::info!(route, "opening a route");
        if let Err(err) = window.emit(NAVIGATE_EVENT, route) {
            tracing::warn!(error = %err, route, "cannot open the route in the window");
        }
    }
}

/// The tray's "Sync now": the shown profile's sync, whose progress the window shows as usual.
pub fn sync_now<R: Runtime>(app: &AppHandle<R>) {
    let Ok(desk) = app.state::<DeskHost>().desk() else {
        return;
    };
    tauri::async_runtime::spawn(async move {
        match desk_core::actions::sync_run(&desk, SyncRunRequest::default()).await {
            Ok(report) => {
                tracing::info!(connections = report.connections, "sync from the tray done")
            }
            Err(err) => {
                tracing::warn!(code = %err.code(), error = %err, "sync from the tray failed")
            }
        }
    });
}

/// The launch's link: the UI is not listening yet, so the window loads that path instead (the
/// app's asset protocol answers index.html for every path, and the router reads it).
fn open_route_at_start<R: Runtime>(app: &AppHandle<R>, route: &str) {
    let Some(window) = app.get_webview_window(MAIN_WINDOW) else {
        return;
    };
    let mut url = match window.url() {
        Ok(url) => url,
        Err(err) => {
            tracing::warn!(error = %err, route, "cannot open the launch's link");
            return;
        }
    };
    let (path, query) = route.split_once('?').unwrap_or((route, ""));
    url.set_path(path);
    url.set_query(Some(query).filter(|query| !query.is_empty()));
    tracing::info!(route, "opening the launch's link");
    if let Err(err) = window.navigate(url) {
        tracing::warn!(error = %err, route, "cannot open the launch's link");
    }
}

/// The tray's count and a notification for each new alert, from the desk's events (until the
/// desk closes and the stream with it); the count starts from the alerts queue. The desk is
/// taken from the host for each use, never held between events.
async fn watch_alerts<R: Runtime>(
    app: AppHandle<R>,
    mut events: tokio::sync::broadcast::Receiver<DeskEvent>,
) {
    if let Ok(desk) = app.state::<DeskHost>().desk() {
        match desk_core::actions::alerts_list(&desk, Default::default()).await {
            Ok(page) => set_tray_count(&app, page.open_count),
            Err(err) => tracing::debug!(code = %err.code(), error = %err, "no alert count yet"),
        }
    }
    let mut burst = Burst::default();
    loop {
        let event = match events.recv().await {
            Ok(event) => event,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the tray fell behind the desk's events");
                continue;
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        let DeskEvent::AlertChanged {
            alert,
            open_count,
            notify,
            ..
        } = event
        else {
            continue;
        };
        set_tray_count(&app, open_count);
        if !notify {
            continue;
        }
        let Ok(desk) = app.state::<DeskHost>().desk() else {
            return;
        };
        let wanted = match desk.settings().await {
            Ok(settings) => settings.desktop_notifications,
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the settings; notifying");
                true
            }
        };
        if !wanted {
            tracing::debug!(alert = %alert.id, "notifications are off in settings");
            continue;
        }
        match alert_show(
            &desk,
            AlertShowRequest {
                id: alert.id.clone(),
            },
        )
        .await
        {
            Ok(shown) => match burst.admit(std::time::Instant::now()) {
                Admit::One => crate::notify::show(&app, &shown),
                Admit::Summary => crate::notify::show_summary(&app),
                Admit::Quiet => {
                    tracing::debug!(alert = %alert.id, "not notified: part of a burst already summarized")
                }
            },
            Err(err) => {
                tracing::warn!(alert = %alert.id, code = %err.code(), error = %err, "cannot read the new alert to notify")
            }
        }
    }
}

fn set_tray_count<R: Runtime>(app: &AppHandle<R>, open: u32) {
    if let Some(tray) = app.try_state::<AlertsTray<R>>() {
        tray.set_count(open);
    }
}

/// Closing to the tray when chosen; saving the window's state once a move or resize settles.
fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    match event {
        WindowEvent::CloseRequested { api, .. } if window.label() == MAIN_WINDOW => {
            let app = window.app_handle();
            let quitting = app.try_state::<Quitting>().is_some_and(|q| q.is_set());
            if !quitting && close_to_tray(app) && app.try_state::<AlertsTray<R>>().is_some() {
                api.prevent_close();
                if let Err(err) = window.hide() {
                    tracing::warn!(error = %err, "cannot hide the window");
                } else {
                    tracing::info!("the window is hidden; the app keeps running in the tray");
                }
            }
        }
        WindowEvent::Moved(_) | WindowEvent::Resized(_) => save_state_soon(window.app_handle()),
        _ => {}
    }
}

fn close_to_tray<R: Runtime>(app: &AppHandle<R>) -> bool {
    let Ok(desk) = app.state::<DeskHost>().desk() else {
        return false;
    };
    match tauri::async_runtime::block_on(desk.settings()) {
        Ok(settings) => settings.close_to_tray,
        Err(err) => {
            tracing::warn!(error = %err, "cannot read the settings; closing");
            false
        }
    }
}

/// Saves the windows' state [`SAVE_STATE_AFTER`] after the last move or resize of a burst.
fn save_state_soon<R: Runtime>(app: &AppHandle<R>) {
    static GENERATION: AtomicU64 = AtomicU64::new(0);
    let mine = GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SAVE_STATE_AFTER).await;
        if GENERATION.load(Ordering::SeqCst) != mine {
            return;
        }
        // On the main thread: the plugin locks its cache there too (in its own window-event
        // handler), and from another thread the save would hold that lock while it waits for
        // the main thread to read the window's size, a deadlock.
        let handle = app.clone();
        let saved = app.run_on_main_thread(move || {
            match handle.save_window_state(StateFlags::all() & !StateFlags::VISIBLE) {
                Ok(()) => tracing::debug!("window state saved"),
                Err(err) => tracing::warn!(error = %err, "cannot save the window's state"),
            }
        });
        if let Err(err) = saved {
            tracing::warn!(error = %err, "cannot save the window's state");
        }
    });
}
