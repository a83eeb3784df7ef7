//! The local engine, run in-process on a loopback port and reached over real HTTP, exactly as
//! the app will reach Makini's cloud: one client path for both.

use crate::error::ShellError;
use desk_engine::seed::Seed;
use desk_engine::{Engine, EngineConfig};
use desk_platform::account::Account;
use desk_platform::auth::{TokenRequest, TokenResponse};
use desk_platform::ErrorEnvelope;
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use tauri::async_runtime::JoinHandle;
use tokio::sync::{oneshot, OnceCell};

/// File beside engine.db holding the admin client secret of this install.
// The vault (desk-vault, through desk-core) will hold this secret once desk-core lands; until
// then it is a file readable only by the user, like the vault's own key-file fallback.
const SECRET_FILE: &str = "admin-client-secret";
const DB_FILE: &str = "engine.db";
/// Every request to the engine gives up after this long; it is on this machine, so it is generous.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the app waits at exit for the engine to finish in-flight writes.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What the first screen shows: where the engine listens and the account it serves.
#[derive(Debug, Clone, Serialize)]
pub struct EngineStatus {
    pub base_url: String,
    pub account: Account,
}

/// The engine of this install, started once (by the app's setup or by the first command,
/// whichever comes first) and stopped when the app exits.
pub struct LocalEngine {
    dir: PathBuf,
    running: OnceCell<Running>,
    server: Mutex<Option<Server>>,
}

struct Running {
    base_url: String,
    client_id: String,
    client_secret: String,
    http: reqwest::Client,
}

struct Server {
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl LocalEngine {
    /// `dir` holds engine.db and the admin secret; nothing is created until the engine starts.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            running: OnceCell::new(),
            server: Mutex::new(None),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }

    /// Starts the engine unless it runs already; a failed start is retried by the next call.
    pub async fn ensure_started(&self) -> Result<&str, ShellError> {
        let running = self.running.get_or_try_init(|| self.start()).await?;
        Ok(&running.base_url)
    }

    async fn start(&self) -> Result<Running, ShellError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| ShellError::AppData {
            path: self.dir.display().to_string(),
            source,
        })?;
        let client_secret = load_or_create_secret(&self.dir.join(SECRET_FILE))?;
        let config = EngineConfig {
            seed: Some(Seed::Demo),
            admin_client_secret: Some(client_secret.clone()),
            ..EngineConfig::default()
        };
        let client_id = config.admin_client_id.clone();
        let (engine, info) = Engine::open(&self.db_path(), config).await?;
        // Bound here to learn the port before serving, but registered with the runtime only in
        // the server's task, so it belongs to the runtime that polls it.
        let port_error =
            |err: std::io::Error| ShellError::EngineStart(format!("no loopback port: {err}"));
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(port_error)?;
        listener.set_nonblocking(true).map_err(port_error)?;
        let addr = listener.local_addr().map_err(port_error)?;
        let base_url = format!("http://{addr}");
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            // The engine is on loopback: a proxy from the environment must never see its tokens.
            .no_proxy()
            .build()
            .map_err(|err| ShellError::EngineStart(format!("no HTTP client: {err}")))?;

        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tauri::async_runtime::spawn(async move {
            let stopped = async {
                if stop.await.is_err() {
                    tracing::debug!("the app dropped the engine's stop signal; stopping");
                }
            };
            let listener = match tokio::net::TcpListener::from_std(listener) {
                Ok(listener) => listener,
                Err(err) => {
                    tracing::error!(error = %err, "the local engine cannot listen");
                    engine.close().await;
                    return;
                }
            };
            if let Err(err) = desk_engine::serve(listener, engine, stopped).await {
                tracing::error!(error = %err, "the local engine stopped with an error");
            }
        });
        match self.server.lock() {
            Ok(mut server) => *server = Some(Server { shutdown, task }),
            Err(poisoned) => *poisoned.into_inner() = Some(Server { shutdown, task }),
        }
        tracing::info!(%base_url, created = info.created, db = %self.db_path().display(), "local engine listening");
        Ok(Running {
            base_url,
            client_id,
            client_secret,
            http,
        })
    }

    /// The account, read from the engine over HTTP with a fresh client-credentials token.
    pub async fn status(&self) -> Result<EngineStatus, ShellError> {
        self.ensure_started().await?;
        let running = self
            .running
            .get()
            .ok_or_else(|| ShellError::EngineStart("the engine is not running".to_owned()))?;
        let token: TokenResponse = running
            .call(
                "POST /oauth/token",
                running
                    .http
                    .post(format!("{}/oauth/token", running.base_url))
                    .json(&TokenRequest::ClientCredentials {
                        client_id: running.client_id.clone(),
                        client_secret: running.client_secret.clone(),
                    }),
            )
            .await?;
        let account: Account = running
            .call(
                "GET /api/v1/account",
                running
                    .http
                    .get(format!("{}/api/v1/account", running.base_url))
                    .bearer_auth(&token.access_token),
            )
            .await?;
        Ok(EngineStatus {
            base_url: running.base_url.clone(),
            account,
        })
    }

    /// Asks the server to stop and waits (bounded) for in-flight requests and the store to close.
    pub async fn stop(&self) {
        let server = match self.server.lock() {
            Ok(mut server) => server.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        let Some(Server { shutdown, task }) = server else {
            return;
        };
        if shutdown.send(()).is_err() {
            tracing::warn!("the local engine had already stopped");
        }
        match tokio::time::timeout(SHUTDOWN_GRACE, task).await {
            Ok(Ok(())) => tracing::info!("local engine stopped"),
            Ok(Err(err)) => tracing::error!(error = %err, "the local engine's task failed"),
            Err(_) => tracing::warn!("the local engine did not stop within {SHUTDOWN_GRACE:?}"),
        }
    }
}

impl Running {
    async fn call<T: DeserializeOwned>(
        &self,
        what: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ShellError> {
        let unreachable = |source| ShellError::EngineUnreachable {
            base_url: self.base_url.clone(),
            source,
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let body = response.bytes().await.map_err(unreachable)?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|err| ShellError::EngineAnswer {
                what,
                detail: err.to_string(),
            });
        }
        match serde_json::from_slice::<ErrorEnvelope>(&body) {
            Ok(envelope) => Err(ShellError::EngineRefused {
                what,
                code: envelope.error.code.as_str().to_owned(),
                message: envelope.error.message,
            }),
            Err(_) => Err(ShellError::EngineAnswer {
                what,
                detail: format!("HTTP {status} without the error envelope"),
            }),
        }
    }
}

/// Reads this install's admin secret, or makes one on first start (0600 on Unix).
fn load_or_create_secret(path: &Path) -> Result<String, ShellError> {
    let io_error = |source| ShellError::AppData {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(secret) if !secret.trim().is_empty() => return Ok(secret.trim().to_owned()),
        Ok(_) => {
            return Err(io_error(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the admin secret file is empty; delete it to make a new one",
            )))
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(io_error(err)),
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!("cs_{}", hex::encode(bytes));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io_error)?;
    file.write_all(secret.as_bytes()).map_err(io_error)?;
    file.sync_all().map_err(io_error)?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_status_reads_the_demo_account_from_the_engine_over_http() {
        let dir = tempfile::tempdir().expect("temp dir");
        let engine = LocalEngine::new(dir.path().join("engine"));
        let status = engine.status().await.expect("status");
        assert!(status.base_url.starts_with("http://127.0.0.1:"));
        assert_eq!(status.account.plan, desk_platform::account::Plan::Paid);
        let credits = status.account.credits;
        assert_eq!(credits.available, credits.purchased - credits.in_use);
        assert!(engine.db_path().exists());
        engine.stop().await;
    }

    #[test]
    fn the_admin_secret_is_kept_across_starts_and_readable_only_by_the_user() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(SECRET_FILE);
        let first = load_or_create_secret(&path).expect("created");
        let second = load_or_create_secret(&path).expect("read back");
        assert_eq!(first, second);
        assert!(first.starts_with("cs_") && first.len() == 3 + 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_second_start_of_the_same_store_reuses_its_secret() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = LocalEngine::new(dir.path().to_path_buf());
        let before = first.status().await.expect("first status");
        first.stop().await;
        let second = LocalEngine::new(dir.path().to_path_buf());
        let after = second.status().await.expect("second status");
        assert_eq!(before.account.id, after.account.id);
        second.stop().await;
    }
}
