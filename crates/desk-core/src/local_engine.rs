//! The local engine of a data folder, run in-process on a loopback port and reached over real
//! HTTP like any platform, so one client path serves the local engine and remote ones.
//!
//! Whoever serves the engine of a folder (`mdesk engine serve`, the app, a short `mdesk sync`)
//! announces its address in `engine/serving.json`; others attach to it instead of opening a
//! second engine on the same store. A stale file (its server was killed) is noticed by a probe
//! and ignored.

use crate::CoreError;
use desk_engine::{Engine, EngineConfig};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The engine's store inside its folder.
pub const ENGINE_DB: &str = "engine.db";
/// Who serves the folder's engine right now.
pub const SERVING_FILE: &str = "serving.json";
/// A serving engine answers on loopback at once; one that does not within this is not there.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServingRecord {
    pub url: String,
    pub pid: u32,
}

/// Writes `serving.json` (atomically: a reader never sees half a file).
pub fn announce(dir: &Path, url: &str) -> Result<(), CoreError> {
    let record = ServingRecord {
        url: url.to_owned(),
        pid: std::process::id(),
    };
    let path = dir.join(SERVING_FILE);
    let temp = dir.join(format!("{SERVING_FILE}.{}", std::process::id()));
    let text = serde_json::to_vec_pretty(&record)
        .map_err(|err| CoreError::InvalidInput(err.to_string()))?;
    std::fs::write(&temp, text).map_err(|err| CoreError::io(&temp, err))?;
    std::fs::rename(&temp, &path).map_err(|err| CoreError::io(&path, err))
}

/// Removes `serving.json` if it still names this process at `url` (another server may have
/// taken over since).
pub fn withdraw(dir: &Path, url: &str) {
    let path = dir.join(SERVING_FILE);
    match read_record(&path) {
        Some(record) if record.url == url && record.pid == std::process::id() => {
            if let Err(err) = std::fs::remove_file(&path) {
                tracing::warn!(path = %path.display(), error = %err, "cannot remove the serving file");
            }
        }
        _ => {}
    }
}

fn read_record(path: &Path) -> Option<ServingRecord> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return None,
        Err(err) => {
            tracing::warn!(path = %path.display(), error = %err, "cannot read the serving file");
            return None;
        }
    };
    match serde_json::from_slice(&text) {
        Ok(record) => Some(record),
        Err(err) => {
            tracing::warn!(path = %path.display(), error = %err, "ignoring an unreadable serving file");
            None
        }
    }
}

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
    dir: PathBuf,
    base_url: String,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<Result<(), desk_engine::EngineError>>,
}

impl InProcessEngine {
    /// Opens the engine store in `dir` (created, and seeded as `config` says, when new), serves
    /// it on a free loopback port with its background jobs, and announces it.
    pub async fn start(dir: &Path, config: EngineConfig) -> Result<Self, CoreError> {
        std::fs::create_dir_all(dir).map_err(|err| CoreError::io(dir, err))?;
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
        announce(dir, &base_url)?;
        tracing::info!(%base_url, "local engine started in-process");
        Ok(Self {
            dir: dir.to_path_buf(),
            base_url,
            shutdown,
            task,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stops serving after in-flight requests, stops the background jobs and closes the store.
    pub async fn stop(self) -> Result<(), CoreError> {
        withdraw(&self.dir, &self.base_url);
        if self.shutdown.send(()).is_err() {
            tracing::debug!("the local engine had stopped already");
        }
        match self.task.await {
            Ok(served) => Ok(served?),
            Err(err) => Err(CoreError::Internal(format!(
                "the local engine's task ended abnormally: {err}"
            ))),
        }
    }
}
