//! The local engine of a data folder, run in-process on a loopback port and reached over real
//! HTTP like any platform, so one client path serves the local engine and remote ones.
//!
//! Whoever serves the engine of a folder (`mdesk engine serve`, the app, a short `mdesk sync`)
//! holds the folder's serving lock ([`crate::serving`]) and announces its address in
//! `engine/serving.json`; others attach to it instead of opening a second engine on the same
//! store. A stale file (its server was killed) is noticed by a probe and ignored.

use crate::serving::{read_record, Role, ServingLock};
use crate::CoreError;
use desk_engine::{Engine, EngineConfig};
use std::path::Path;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The engine's store inside its folder.
pub const ENGINE_DB: &str = "engine.db";
pub use crate::serving::{ServingRecord, SERVING_FILE};
/// A serving engine answers on loopback at once; one that does not within this is not there.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The URL of an engine serving `dir` right now, if one answers.
pub async fn find_serving(dir: &Path) -> Option<String> {
    let record = read_record(&dir.join(SERVING_FILE))?;
    let http = reqwest::Client::builder()
        .timeout(PROBE_TIMEOUT)
        .no_proxy()
        .build()
        .ok()?;
    // The OpenAPI document is public and names the engine: a different program that took the
    // port would not answer it.
    match http
        .get(format!("{}/openapi.json", record.url))
        .send()
        .await
    {
        Ok(answer) if answer.status().is_success() => Some(record.url),
        Ok(answer) => {
            tracing::debug!(url = %record.url, status = %answer.status(), "the announced engine answers oddly; not attaching");
            None
        }
        Err(err) => {
            tracing::debug!(url = %record.url, error = %err, "the announced engine is gone");
            None
        }
    }
}

/// An engine served by this process until [`InProcessEngine::stop`].
pub struct InProcessEngine {
    lock: ServingLock,
    base_url: String,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<Result<(), desk_engine::EngineError>>,
}

impl InProcessEngine {
    /// Takes the folder's serving lock (refused with [`CoreError::AlreadyServing`] when another
    /// process serves it), opens the engine store in `dir` (created, and seeded as `config`
    /// says, when new), serves it on a free loopback port with its background jobs, and
    /// announces it.
    pub async fn start(dir: &Path, config: EngineConfig) -> Result<Self, CoreError> {
        let mut lock = ServingLock::claim(dir, Role::Engine)?;
        let (engine, _info) = Engine::open(&dir.join(ENGINE_DB), config).await?;
        let listener = match tokio::net::TcpListener::bind(("127.0.0.1", 0)).await {
            Ok(listener) => listener,
            Err(err) => {
                engine.close().await;
                return Err(CoreError::io(dir, err));
            }
        };
        let addr = listener
            .local_addr()
            .map_err(|err| CoreError::io(dir, err))?;
        let base_url = format!("http://{addr}");
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(desk_engine::serve(listener, engine, async move {
            if stopped.await.is_err() {
                tracing::debug!("the session dropped the engine's stop signal; stopping");
            }
        }));
        lock.announce(&base_url)?;
        tracing::info!(%base_url, "local engine started in-process");
        Ok(Self {
            lock,
            base_url,
            shutdown,
            task,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stops serving after in-flight requests, stops the background jobs and closes the store.
    pub async fn stop(mut self) -> Result<(), CoreError> {
        self.lock.withdraw();
        if self.shutdown.send(()).is_err() {
            tracing::debug!("the local engine had stopped already");
        }
        let served = self.task.await;
        // The lock is released only once the store is closed.
        drop(self.lock);
        match served {
            Ok(served) => Ok(served?),
            Err(err) => Err(CoreError::Internal(format!(
                "the local engine's task ended abnormally: {err}"
            ))),
        }
    }
}
