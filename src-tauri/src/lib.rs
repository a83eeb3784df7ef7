//! The Makini Desk window: a thin Tauri shell over desk-core, as `mdesk serve` is for a browser.
//!
//! - every action of desk-core's list is a command of the same name ([`commands`]);
//! - every `DeskEvent` reaches the window as the `desk-event` Tauri event;
//! - desk-core's background jobs (sync, status poll, event catch-up) run for the app's life;
//! - at exit the jobs stop and the desk closes (its local engine, then its databases).
//!
//! The data folder is the CLI's (`mdesk`): `MDESK_DATA_DIR`, else `<OS data dir>/makini-desk`,
//! so the window, the browser mode and the terminal show the same mirror and the same engine.
//! Everything is generic over the Tauri runtime, so tests drive the shell with
//! `tauri::test::mock_builder()` and no window.

mod commands;
pub mod deep_link;
mod desktop;
mod error;
mod host;
mod notify;
mod tray;
pub mod updates;

pub use error::ShellError;
pub use host::{DeskHost, DESK_EVENT};

use desk_core::jobs::JobIntervals;
use desk_core::VaultAccess;
use std::path::PathBuf;
use tauri::{AppHandle, Manager, RunEvent, Runtime};

/// What the shell opens.
#[derive(Debug, Clone)]
pub struct ShellConfig {
    pub data_dir: PathBuf,
    pub vault: VaultAccess,
    pub jobs: JobIntervals,
}

impl ShellConfig {
    /// The CLI's rules: `MDESK_DATA_DIR` or `<OS data dir>/makini-desk`; the vault's key from
    /// `MDESK_VAULT_KEY_FILE`, `MDESK_VAULT_PASSPHRASE`, else the OS keyring.
    pub fn from_env() -> Result<Self, ShellError> {
        let data_dir = match std::env::var_os("MDESK_DATA_DIR").filter(|dir| !dir.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => dirs::data_dir()
                .map(|dir| dir.join("makini-desk"))
                .ok_or(ShellError::NoDataDir)?,
        };
        let key_file = std::env::var_os("MDESK_VAULT_KEY_FILE")
            .filter(|file| !file.is_empty())
            .map(PathBuf::from);
        let mut jobs = JobIntervals::default();
        if let Some(seconds) = seconds_from_env("MDESK_POLL_SECONDS")? {
            jobs.poll = seconds;
        }
        if let Some(seconds) = seconds_from_env("MDESK_SYNC_SECONDS")? {
            jobs.sync = seconds;
        }
        Ok(Self {
            data_dir,
            vault: VaultAccess::from_env(key_file),
            jobs,
        })
    }
}

/// `MDESK_POLL_SECONDS` (status polls and event catch-up) and `MDESK_SYNC_SECONDS` (syncs), as
/// `mdesk serve --poll/--sync` set them: a whole number of seconds, 1 or more.
fn seconds_from_env(name: &'static str) -> Result<Option<std::time::Duration>, ShellError> {
    let Some(value) = std::env::var_os(name).filter(|value| !value.is_empty()) else {
        return Ok(None);
    };
    match value
        .to_str()
        .and_then(|text| text.trim().parse::<u64>().ok())
    {
        Some(seconds) if seconds > 0 => Ok(Some(std::time::Duration::from_secs(seconds))),
        _ => Err(ShellError::BadSetting {
            name,
            value: value.to_string_lossy().into_owned(),
        }),
    }
}

/// The app's configuration (`tauri.conf.json`, linked from the repository root into this crate's
/// folder, where the Tauri CLI reads it too; its capabilities; with the `custom-protocol` feature,
/// the embedded ui/dist), for any runtime.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// The app, built (data folder open, first profile made, background jobs started), not yet
/// running: `tauri::Builder::default()` for the window, `tauri::test::mock_builder()` in tests.
pub fn app<R: Runtime>(
    builder: tauri::Builder<R>,
    config: ShellConfig,
) -> Result<tauri::App<R>, ShellError> {
    // Before the window exists, so a data folder that cannot be opened is an error message
    // and exit status, not a window that cannot work.
    let host = DeskHost::open(&config).map_err(|source| ShellError::Desk {
        data_dir: config.data_dir.clone(),
        source: Box::new(source),
    })?;
    let started = std::time::Instant::now();
    let app = builder
        // When the window's page has loaded (the UI's shell painted), for the start-up bench.
        .on_page_load(move |webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                tracing::info!(
                    window = webview.label(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "page loaded"
                );
            }
        })
        .plugin(updates::plugin())
        .manage(updates::PendingUpdate::default())
        .manage(host)
        .invoke_handler(commands::handler())
        .build(context())?;
    app.state::<DeskHost>().start(app.handle(), config.jobs);
    Ok(app)
}

/// Runs the app, with the desktop's plugins, tray and notifications ([`desktop`]), until its
/// last window closes (or Quit in the tray) or the process is asked to stop (Ctrl-C, SIGTERM),
/// then closes the desk.
pub fn run<R: Runtime>(builder: tauri::Builder<R>, config: ShellConfig) -> Result<(), ShellError> {
    let app = app(desktop::plugins(builder), config)?;
    desktop::setup(app.handle());
    stop_on_signal(app.handle().clone());
    app.run(on_event);
    Ok(())
}

/// Closes the desk when the app exits.
pub fn on_event<R: Runtime>(app: &AppHandle<R>, event: RunEvent) {
    if let RunEvent::Exit = event {
        shutdown(app);
    }
}

/// Stops the jobs and closes the desk; what exit does, callable from tests. Closing twice does
/// nothing.
pub fn shutdown<R: Runtime>(app: &AppHandle<R>) {
    if let Some(host) = app.try_state::<DeskHost>() {
        tauri::async_runtime::block_on(host.close());
    }
}

/// A signal ends the app the way closing its window does, so the desk closes cleanly.
fn stop_on_signal<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let signal = termination().await;
        tracing::info!(signal, "asked to stop; exiting");
        app.exit(0);
    });
}

async fn termination() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = ctrl_c() => "SIGINT",
            },
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                ctrl_c().await
            }
        }
    }
    #[cfg(not(unix))]
    {
        ctrl_c().await
    }
}

async fn ctrl_c() -> &'static str {
    if let Err(err) = tokio::signal::ctrl_c().await {
        tracing::warn!(error = %err, "cannot listen for Ctrl-C");
        std::future::pending::<()>().await;
    }
    "SIGINT"
}

/// Logs to stderr (filtered by `RUST_LOG`, default: info for the shell and desk-core) and to a
/// daily rotating file in `<data dir>/logs`, as the CLI does. Keep the guard until exit: it
/// flushes the file.
pub fn init_tracing(config: &ShellConfig) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::layer::{Layer as _, SubscriberExt as _};
    use tracing_subscriber::util::SubscriberInitExt as _;
    use tracing_subscriber::{fmt, EnvFilter};

    let console_filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,makini_desk_lib=info,desk_core=info"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let console = fmt::layer()
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .with_filter(console_filter);
    let log_dir = config.data_dir.join("logs");
    let (file, guard) = match std::fs::create_dir_all(&log_dir) {
        Ok(()) => {
            let (writer, guard) = tracing_appender::non_blocking(tracing_appender::rolling::daily(
                &log_dir,
                "makini-desk.log",
            ));
            let layer = fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(EnvFilter::new("info"));
            (Some(layer), Some(guard))
        }
        Err(err) => {
            eprintln!(
                "makini-desk: no log file: cannot create {}: {err}",
                log_dir.display()
            );
            (None, None)
        }
    };
    if let Err(err) = tracing_subscriber::registry()
        .with(console)
        .with(file)
        .try_init()
    {
        eprintln!("makini-desk: logging was already set up: {err}");
    }
    guard
}
