//! A real engine on a temp-dir store, driven through its router without a socket.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use desk_engine::{Engine, EngineConfig};
use desk_platform::clock::ManualClock;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

pub const CLIENT_ID: &str = "test-admin";
pub const CLIENT_SECRET: &str = "test-secret-123";

pub struct TestEngine {
    pub engine: Engine,
    pub router: axum::Router,
    pub clock: ManualClock,
    pub token: String,
    pub dir: tempfile::TempDir,
}

pub fn config() -> EngineConfig {
    EngineConfig {
        admin_client_id: CLIENT_ID.to_owned(),
        admin_client_secret: Some(CLIENT_SECRET.to_owned()),
        // Tests move the clock by days; token expiry has tests of its own.
        access_token_ttl: chrono::Duration::days(365),
        ..EngineConfig::default()
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The error code of an envelope, asserting the envelope's shape on the way.
    pub fn code(&self) -> &str {
        let error = &self.body["error"];
        assert!(
            error["request_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("req_")),
            "{}",
            self.body
        );
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}",
            self.body
        );
        assert!(error["type"].is_string(), "{}", self.body);
        error["code"].as_str().unwrap_or_default()
    }
}

impl TestEngine {
    pub async fn start() -> Self {
        Self::start_with(config()).await
    }

    pub async fn start_with(config: EngineConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::new(chrono::Utc::now());
        let (engine, _) = Engine::open_with_clock(
            &dir.path().join("engine.db"),
            config,
            Arc::new(clock.clone()),
        )
        .await
        .unwrap();
        let router = engine.router();
        let mut test = Self {
            engine,
            router,
            clock,
            token: String::new(),
            dir,
        };
        test.token = test.login().await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        test
    }

    pub async fn login(&self) -> Value {
        let reply = self
            .send(
                "POST",
                "/oauth/token",
                None,
                Some(json!({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .unwrap();
        self.raw(request).await
    }

    pub async fn raw(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, Some(&self.token), None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send("POST", path, Some(&self.token), Some(body)).await
    }

    pub async fn account_credits(&self) -> Value {
        let reply = self.get("/api/v1/account").await;
        assert_eq!(reply.status, StatusCode::OK);
        reply.body["credits"].clone()
    }

    pub async fn buy(&self, credits: i64) {
        let reply = self
            .post("/api/v1/sandbox/credits", json!({"credits": credits}))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }

    pub async fn set_plan(&self, plan: &str) {
        let reply = self
            .send(
                "PUT",
                "/api/v1/sandbox/plan",
                Some(&self.token),
                Some(json!({"plan": plan})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }

    pub async fn customer(&self, name: &str) -> String {
        let reply = self
            .post(
                "/api/v1/customers",
                json!({"name": name, "account_manager": "Ada"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body["id"].as_str().unwrap().to_owned()
    }

    /// Creates a connection to a tier-1 cloud CMMS (1 credit) unless told otherwise.
    pub async fn connect(&self, customer: &str, system: &str, deployment: &str) -> Reply {
        let credentials = credentials_for(system);
        self.post(
            "/api/v1/connections",
            json!({"customer_id": customer, "system_id": system, "deployment": deployment,
                   "name": format!("{system} link"), "credentials": credentials}),
        )
        .await
    }

    /// A connection to `system` after its initial sync: (connection id, connection token).
    pub async fn synced(&self, system: &str) -> (String, String) {
        self.buy(8).await;
        let customer = self.customer("Synced").await;
        let created = self.connect(&customer, system, "cloud").await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        self.engine.tick().await.unwrap();
        let id = created.body["connection"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        (id, created.body["token"].as_str().unwrap().to_owned())
    }

    /// A data route called with a connection token.
    pub async fn data(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
        self.send(method, path, Some(token), body).await
    }

    /// Every page of a data list, following `next_cursor`.
    pub async fn walk_data(&self, path: &str, token: &str, limit: u32) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let separator = if path.contains('?') { '&' } else { '?' };
        for _ in 0..100_000 {
            let url = match &cursor {
                Some(c) => format!("{path}{separator}limit={limit}&cursor={c}"),
                None => format!("{path}{separator}limit={limit}"),
            };
            let reply = self.data("GET", &url, token, None).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            items.extend(reply.body["data"].as_array().unwrap().iter().cloned());
            match reply.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return items,
            }
        }
        panic!("the walk did not end");
    }

    /// All pages of a list, following `next_cursor`.
    pub async fn walk(&self, path: &str, limit: u32) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let separator = if path.contains('?') { '&' } else { '?' };
        for _ in 0..10_000 {
            let url = match &cursor {
                Some(c) => format!("{path}{separator}limit={limit}&cursor={c}"),
                None => format!("{path}{separator}limit={limit}"),
            };
            let reply = self.get(&url).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            items.extend(reply.body["data"].as_array().unwrap().iter().cloned());
            match reply.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return items,
            }
        }
        panic!("the walk did not end");
    }
}

/// Valid credentials for the systems the tests use.
pub fn credentials_for(system: &str) -> Value {
    match system {
        "upkeep" => json!({"email": "ops@example.com", "password": "hunter2"}),
        "maintainx" => json!({"api_key": "mx-key"}),
        "netsuite" => {
            json!({"account_id": "1234567", "consumer_key": "ck", "consumer_secret": "cs",
                             "token_id": "ti", "token_secret": "ts"})
        }
        "sap-s4hana" => {
            json!({"host": "https://erp.example.com", "client_id": "c", "client_secret": "s"})
        }
        "sap-ecc" => json!({"host": "sap.example.com", "system_number": "00", "client": "100",
                            "username": "RFC_USER", "password": "pw"}),
        other => panic!("no test credentials for {other}"),
    }
}
