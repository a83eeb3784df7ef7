//! The desk the window serves, for the app's whole life: opened before the window, with its
//! events forwarded to the window and its background jobs running, and closed at exit, as
//! `mdesk serve` does for a browser.

use crate::ShellConfig;
use desk_core::actions::Profile;
use desk_core::jobs::JobIntervals;
use desk_core::{ActionError, Code, CoreError, Desk, DeskConfig, DeskEvent, NextStep};
use desk_inbox::{Inbox, InboxConfig};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::{broadcast, oneshot};

/// The Tauri event every `DeskEvent` reaches the window as.
pub const DESK_EVENT: &str = "desk-event";

/// At exit, how long a running job pass (a sync, a poll) may take to finish before it is
/// dropped. A dropped sync loses nothing: each page is committed with its cursor and the next
/// start resumes.
const JOBS_GRACE: Duration = Duration::from_secs(10);
/// At exit, how long commands still running may keep the desk before it is closed without them.
const COMMANDS_GRACE: Duration = Duration::from_secs(5);

/// Tauri state: the open desk (`None` once closed) and its background tasks.
pub struct DeskHost {
    desk: RwLock<Option<Arc<Desk>>>,
    background: Mutex<Option<Background>>,
}

struct Background {
    stop: oneshot::Sender<()>,
    jobs: JoinHandle<()>,
    events: JoinHandle<()>,
}

impl DeskHost {
    /// Opens the data folder and, on first start, creates the local engine's profile, so the
    /// first command finds a profile to show. Blocks for the mirror and that profile only.
    pub fn open(config: &ShellConfig) -> Result<Self, CoreError> {
        let mut desk_config = DeskConfig::new(&config.data_dir);
        desk_config.vault = config.vault.clone();
        let desk = tauri::async_runtime::block_on(Desk::open(desk_config))?;
        tracing::info!(data_dir = %config.data_dir.display(), "data folder open");
        let first = desk_core::profiles::resolve_or_create_profile(&desk, None);
        if let Err(err) = tauri::async_runtime::block_on(first) {
            // The window still opens: the UI shows the error's way forward (unlock the vault,
            // choose a profile) from the commands' answers.
            tracing::warn!(code = %err.code(), error = %err, "no profile to show yet");
        }
        Ok(Self {
            desk: RwLock::new(Some(Arc::new(desk))),
            background: Mutex::new(None),
        })
    }

    /// Starts forwarding events to `app`'s windows and the background jobs, which connect to
    /// the profile's platform first (starting the local engine in-process for a local
    /// profile). Once; a closed desk starts nothing.
    pub fn start<R: Runtime>(&self, app: &AppHandle<R>, intervals: JobIntervals) {
        let Ok(desk) = self.desk() else { return };
        let mut background = self
            .background
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if background.is_some() {
            return;
        }
        // Subscribed before the jobs start, so the window sees the first sync from its start.
        let events = tauri::async_runtime::spawn(forward_events(app.clone(), desk.subscribe()));
        let (stop, stopped) = oneshot::channel();
        let jobs = tauri::async_runtime::spawn(run_background(desk, intervals, stopped));
        *background = Some(Background { stop, jobs, events });
    }

    /// The desk, for one command.
    pub fn desk(&self) -> Result<Arc<Desk>, ActionError> {
        self.desk
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| {
                ActionError::new(Code::InternalError, "the app is closing")
                    .with_next_step(NextStep::Reload)
            })
    }

    /// Stops the jobs, waits for commands in flight, then closes the desk (its sessions, so an
    /// in-process engine stops and withdraws `serving.json`, then its databases). Closing twice
    /// does nothing.
    pub async fn close(&self) {
        let Some(desk) = self
            .desk
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return;
        };
        let background = self
            .background
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let events = match background {
            Some(Background { stop, jobs, events }) => {
                if stop.send(()).is_err() {
                    tracing::debug!("the background jobs had ended already");
                }
                stop_jobs(jobs).await;
                Some(events)
            }
            None => None,
        };
        match sole_owner(desk, COMMANDS_GRACE).await {
            Some(desk) => {
                desk.close().await;
                tracing::info!("data folder closed");
            }
            None => tracing::warn!(
                grace_seconds = COMMANDS_GRACE.as_secs(),
                "commands still held the data folder at exit; it was not closed cleanly"
            ),
        }
        // The desk's event bus is gone with it; nothing is left to forward.
        if let Some(events) = events {
            events.abort();
        }
    }
}

/// Every `DeskEvent` to the window. A window that falls behind loses the oldest events (the
/// bus never waits for it) and is told so in the log; forwarding goes on.
async fn forward_events<R: Runtime>(app: AppHandle<R>, mut events: broadcast::Receiver<DeskEvent>) {
    loop {
        match events.recv().await {
            Ok(event) => {
                if let Err(err) = app.emit(DESK_EVENT, &event) {
                    tracing::warn!(error = %err, "cannot send a desk event to the window");
                }
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "the window fell behind the desk's events; skipped some"
                );
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// Attaches the inbox, connects to the platform, then runs desk-core's jobs until `stopped`.
async fn run_background(desk: Arc<Desk>, intervals: JobIntervals, stopped: oneshot::Receiver<()>) {
    match desk_core::profiles::resolve_or_create_profile(&desk, None).await {
        Ok(profile) => {
            if let Err(err) = attach_inbox(&desk, &profile).await {
                tracing::warn!(code = %err.code(), error = %err, "the inbox is not processing in this window");
            }
        }
        // Logged at open already; the jobs retry on every pass.
        Err(err) => tracing::debug!(code = %err.code(), error = %err, "no profile for the inbox"),
    }
    match desk.session(None).await {
        Ok(session) => tracing::info!(
            profile = %session.profile.name,
            base_url = %session.base_url(),
            "connected to the platform"
        ),
        // The jobs retry on every pass; the UI shows the error when it asks.
        Err(err) => {
            tracing::warn!(code = %err.code(), error = %err, "cannot connect to the platform yet")
        }
    }
    let shutdown = async move {
        if stopped.await.is_err() {
            tracing::debug!("the jobs' stop signal was dropped; stopping");
        }
    };
    desk_core::jobs::run(&desk, intervals, shutdown).await;
}

/// The data folder's inbox, processing in this process with the mirror applier, so events the
/// catch-up job fetches reach the mirror (as in `mdesk serve`). The window serves no webhook
/// receiver, so the inbox needs no signing secret here.
async fn attach_inbox(desk: &Desk, profile: &Profile) -> Result<(), CoreError> {
    let dir = desk.inbox_dir();
    std::fs::create_dir_all(&dir).map_err(|source| CoreError::Io {
        path: dir.clone(),
        source,
    })?;
    let appliers = desk_core::alerts::applier::appliers(desk, &profile.name).await?;
    let inbox = Inbox::open(
        &dir,
        InboxConfig {
            appliers,
            ..InboxConfig::default()
        },
    )
    .await?;
    desk.attach_inbox(inbox)
}

/// Waits for the jobs to end their pass, dropping it after [`JOBS_GRACE`].
async fn stop_jobs(mut jobs: JoinHandle<()>) {
    match tokio::time::timeout(JOBS_GRACE, &mut jobs).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => tracing::warn!(error = %err, "the background jobs ended abnormally"),
        Err(_) => {
            tracing::warn!(
                grace_seconds = JOBS_GRACE.as_secs(),
                "a background pass did not finish in time; dropping it (a sync resumes at the next start)"
            );
            jobs.abort();
            // Awaited so the task has dropped its hold on the desk before it is closed.
            if let Err(err) = jobs.await {
                tracing::debug!(error = %err, "the dropped jobs task");
            }
        }
    }
}

/// The desk itself once nobody else holds it, or `None` after `grace`.
async fn sole_owner(mut desk: Arc<Desk>, grace: Duration) -> Option<Desk> {
    let deadline = Instant::now() + grace;
    loop {
        match Arc::try_unwrap(desk) {
            Ok(desk) => return Some(desk),
            Err(shared) if Instant::now() < deadline => {
                desk = shared;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(_) => return None,
        }
    }
}
