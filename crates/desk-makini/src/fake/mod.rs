//! A fake of Makini's documented API, in memory, served by axum on 127.0.0.1: what tests of
//! the adapter (here and in desk-core) talk to over real HTTP. It follows makini-api.md and
//! the OpenAPI files: `/link/token` answering an expiry timestamp, `{"data"}` wrapping,
//! Laravel-style `meta`/`links` pages, `filter[field:op]` with every documented operator
//! spelling, `filterMatch`, `sort[field]=0|1`, connection tokens, and 429 with `Retry-After`.
//! Tests shape it through [`FakeMakini::with_state`].

mod query;
mod routes;

use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub use query::{matches, select};

/// One connection of the fake: Makini's object, its tokens, its integration and its data.
#[derive(Debug, Clone, Default)]
pub struct FakeConnection {
    /// As `GET /api/system/connections` lists it.
    pub object: Value,
    pub tokens: Vec<String>,
    pub sync_status: String,
    /// Records per `ns/entity` path (`eam/work-orders`).
    pub records: HashMap<String, Vec<Value>>,
    pub metadata: Vec<Value>,
}

#[derive(Debug, Default)]
pub struct FakeState {
    pub client_id: String,
    pub client_secret: String,
    /// Seconds an admin token lives; `expires_in` answers now plus this, as a timestamp.
    pub token_lifetime: i64,
    pub admin_tokens: HashMap<String, i64>,
    pub refresh_tokens: Vec<String>,
    pub logins: u64,
    pub refreshes: u64,
    pub client: Value,
    pub platforms: Vec<Value>,
    pub connections: Vec<FakeConnection>,
    /// The next this many data calls answer 429 with `Retry-After: retry_after`.
    pub rate_limited: u32,
    pub retry_after: u64,
    /// The next call answers this status and raw body (an error shape under test).
    pub next_error: Option<(u16, String)>,
    /// Data pages hold at most this many records, whatever `per_page` asks (None: as asked).
    pub max_per_page: Option<u64>,
    /// Page `.0` of every data list answers status `.1`, until this is cleared.
    pub failing_page: Option<(u64, u16)>,
    /// Every request as `METHOD path?query`, for assertions.
    pub requests: Vec<String>,
    pub(crate) counter: u64,
}

impl FakeState {
    pub(crate) fn next_id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{:06}", self.counter)
    }

    pub fn connection_mut(&mut self, key: &str) -> Option<&mut FakeConnection> {
        self.connections
            .iter_mut()
            .find(|c| c.object["key"].as_str() == Some(key))
    }

    /// Adds a connection with `token` and returns its key.
    pub fn add_connection(
        &mut self,
        name: &str,
        email: &str,
        provider: &str,
        token: &str,
    ) -> String {
        let key = format!("0900020761{:04}", self.connections.len() + 1);
        self.connections.push(FakeConnection {
            object: json!({
                "key": key, "name": name, "email": email, "status": "active",
                "integration_name": provider, "redirect": "https://example.com/back",
                "scopes": "read write", "tags": ["fake"], "user_metadata": "{}",
                "client_id": self.client_id, "created_at": "2026-01-01 10:00:00",
                "updated_at": "2026-01-01 10:00:00", "connected_at": "2026-01-01 10:00:00",
            }),
            tokens: vec![token.to_owned()],
            sync_status: "done".to_owned(),
            records: HashMap::new(),
            metadata: Vec::new(),
        });
        key
    }
}

pub struct FakeMakini {
    pub url: String,
    pub addr: SocketAddr,
    state: Arc<Mutex<FakeState>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl FakeMakini {
    /// Serves a fake for the admin client `client_id`/`client_secret` on a loopback port.
    pub async fn start(client_id: &str, client_secret: &str) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(FakeState {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            token_lifetime: 30 * 86_400,
            client: json!({"id": "app_1", "name": "Fake Integrator", "email": "dev@example.com",
                "logo_url": "", "default_redirect": "https://example.com/back", "redirects": []}),
            platforms: vec![
                json!({"slug": "maintainx", "name": "MaintainX", "category": "cmms"}),
                json!({"slug": "inextia", "name": "Inextia", "category": "erp"}),
            ],
            retry_after: 1,
            ..FakeState::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = routes::router(Arc::clone(&state));
        tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    drop(stopped.await);
                })
                .await;
            if let Err(err) = served {
                tracing::warn!(%err, "the fake Makini stopped");
            }
        });
        Ok(Self {
            url: format!("http://{addr}"),
            addr,
            state,
            _stop: stop,
        })
    }

    /// Reads or changes the fake's state.
    pub fn with_state<T>(&self, f: impl FnOnce(&mut FakeState) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut state)
    }
}
