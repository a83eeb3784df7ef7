//! A real engine on a loopback port, and small real servers that misbehave on purpose.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{TimeZone, Utc};
use desk_client::{ClientConfig, ConnectionClient, PlatformClient, RetryPolicy, Secret, Sleeper};
use desk_engine::{Engine, EngineConfig};
use desk_platform::clock::ManualClock;
use futures::future::BoxFuture;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub const CLIENT_ID: &str = "test-admin";
pub const CLIENT_SECRET: &str = "test-secret-123";
pub const SEED: u64 = 20_261_124;

pub fn engine_config() -> EngineConfig {
    EngineConfig {
        admin_client_id: CLIENT_ID.to_owned(),
        admin_client_secret: Some(CLIENT_SECRET.to_owned()),
        ..EngineConfig::default()
    }
}

/// A clock on a whole second, so HTTP dates (whole seconds) give exact waits.
pub fn clock() -> ManualClock {
    ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap())
}

/// Records every wait and moves the clock by it instead of sleeping.
#[derive(Debug, Clone)]
pub struct RecordingSleeper {
    pub waits: Arc<Mutex<Vec<Duration>>>,
    clock: ManualClock,
}

impl RecordingSleeper {
    pub fn new(clock: ManualClock) -> Self {
        Self {
            waits: Arc::default(),
            clock,
        }
    }

    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.waits.lock().unwrap().push(duration);
        self.clock
            .advance(chrono::Duration::from_std(duration).unwrap());
        Box::pin(async {})
    }
}

/// Client settings with the test's clock, a recording sleeper and a fixed seed.
pub fn client_config(clock: &ManualClock) -> (ClientConfig, RecordingSleeper) {
    let sleeper = RecordingSleeper::new(clock.clone());
    let config = ClientConfig::default()
        .with_clock(Arc::new(clock.clone()))
        .with_sleeper(Arc::new(sleeper.clone()))
        .with_rng_seed(SEED)
        .with_timeouts(Duration::from_secs(5), Duration::from_secs(10));
    (config, sleeper)
}

pub struct TestEngine {
    pub url: String,
    /// The served engine itself, to run its scheduler (`tick`) without waiting.
    pub engine: Engine,
    pub clock: ManualClock,
    shutdown: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl TestEngine {
    pub async fn start() -> Self {
        Self::start_with(engine_config()).await
    }

    pub async fn start_with(config: EngineConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = clock();
        let (engine, _) = Engine::open_with_clock(
            &dir.path().join("engine.db"),
            config,
            Arc::new(clock.clone()),
        )
        .await
        .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (shutdown, stopped) = oneshot::channel::<()>();
        let served = engine.clone();
        tokio::spawn(async move {
            desk_engine::serve(listener, served, async {
                // Either a send or the sender dropped with the test: both mean stop.
                drop(stopped.await);
            })
            .await
            .unwrap();
        });
        Self {
            url,
            engine,
            clock,
            shutdown: Some(shutdown),
            _dir: dir,
        }
    }

    pub fn client(&self) -> PlatformClient {
        self.client_with(client_config(&self.clock).0)
    }

    pub fn client_with(&self, config: ClientConfig) -> PlatformClient {
        PlatformClient::new(&self.url, CLIENT_ID, Secret::new(CLIENT_SECRET), config).unwrap()
    }
}

impl TestEngine {
    /// An UpKeep connection after its initial sync: (connection id, connection token).
    pub async fn synced(&self, client: &PlatformClient) -> (String, Secret) {
        client.sandbox_purchase_credits(8).await.unwrap();
        let customer = client
            .create_customer(&desk_platform::customer::CreateCustomer {
                name: "Synced".to_owned(),
                email: None,
                account_manager: None,
                metadata: serde_json::Map::new(),
            })
            .await
            .unwrap();
        let created = client
            .create_connection(&desk_platform::connection::CreateConnection {
                customer_id: customer.id,
                system_id: "upkeep".to_owned(),
                deployment: desk_platform::catalog::Deployment::Cloud,
                name: "Line maintenance".to_owned(),
                email: None,
                credentials: [
                    ("email".to_owned(), "ops@example.com".to_owned()),
                    ("password".to_owned(), "hunter2".to_owned()),
                ]
                .into(),
                user_metadata: serde_json::Map::new(),
                sync: None,
                webhook: None,
            })
            .await
            .unwrap();
        let id = created.connection.id;
        // The served engine's own scheduler may have claimed the initial sync before `tick`
        // did; either way, wait (bounded) until it has completed.
        for _ in 0..500 {
            self.engine.tick().await.unwrap();
            let status = client.sync_status(&id).await.unwrap();
            if status.state == "completed" {
                return (id, Secret::new(created.token));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the initial sync of {id} did not complete");
    }
}

impl Drop for TestEngine {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // An error only means the engine task has already ended.
            if shutdown.send(()).is_err() {
                eprintln!("the engine had already stopped");
            }
        }
    }
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".to_owned())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn envelope(status: u16, code: &str) -> Self {
        Self::json(
            status,
            serde_json::json!({"error": {"code": code, "type": "test_error",
                "message": format!("scripted {code}"), "request_id": format!("req_{status}")}}),
        )
    }

    pub fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// A real HTTP server on 127.0.0.1 that answers from a script, in order, repeating the last
/// answer once the script is used up, and records what it was asked.
#[derive(Clone)]
pub struct ScriptedServer {
    pub url: String,
    script: Arc<Mutex<VecDeque<Reply>>>,
    pub requests: Arc<Mutex<Vec<(Method, String)>>>,
}

impl ScriptedServer {
    pub async fn start(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = Self {
            url,
            script: Arc::new(Mutex::new(script.into())),
            requests: Arc::default(),
        };
        let state = server.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, _headers: HeaderMap, _body: Bytes| {
                let state = state.clone();
                async move { state.answer(method, uri).await }
            },
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        server
    }

    async fn answer(&self, method: Method, uri: Uri) -> Response {
        self.requests
            .lock()
            .unwrap()
            .push((method, uri.to_string()));
        let reply = {
            let mut script = self.script.lock().unwrap();
            if script.len() > 1 {
                script.pop_front().unwrap()
            } else {
                script.front().cloned().unwrap()
            }
        };
        tokio::time::sleep(reply.delay).await;
        let mut response =
            (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
        for (name, value) in reply.headers {
            response.headers_mut().insert(
                HeaderName::from_static(name),
                HeaderValue::from_str(&value).unwrap(),
            );
        }
        response
    }

    pub fn hits(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    pub fn set_script(&self, script: Vec<Reply>) {
        *self.script.lock().unwrap() = script.into();
    }

    /// A data client for this server, with the test's clock and sleeper and `retry`.
    pub fn data_client(
        &self,
        clock: &ManualClock,
        retry: RetryPolicy,
    ) -> (ConnectionClient, RecordingSleeper) {
        let (config, sleeper) = client_config(clock);
        let client = ConnectionClient::new(
            &self.url,
            "conn_test",
            Secret::new("ct_test"),
            config.with_retry(retry),
        )
        .unwrap();
        (client, sleeper)
    }
}

/// A listener on 127.0.0.1 that accepts connections and drops them at once, at most `limit`
/// times; `accepts` counts them.
pub async fn dropping_listener(limit: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepts = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepts);
    tokio::spawn(async move {
        for _ in 0..limit {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (url, accepts)
}

/// A loopback address nothing listens on (bound, then released).
pub async fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

pub fn retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        ..RetryPolicy::default()
    }
}

/// Every item of a stream, bounded so a runaway stream fails the test instead of hanging it.
pub async fn collect<T>(
    stream: impl futures::Stream<Item = Result<T, desk_client::ClientError>>,
) -> Vec<T> {
    use futures::StreamExt;
    let items: Vec<_> = stream.take(10_000).collect().await;
    assert!(items.len() < 10_000, "the stream did not end");
    items.into_iter().map(Result::unwrap).collect()
}
