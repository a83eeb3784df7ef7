//! The core's jobs against the real local engine on a loopback port and a real inbox.
#![allow(clippy::unwrap_used)] // a failed step is a failed test

mod alerts;
mod lifecycle;
mod listing;
mod makini;
mod makini_engine;
mod statement_balance;
mod support;
mod sync;
mod tokens;
mod types;
mod webhook_pulls;

use desk_client::{ClientConfig, PlatformClient, Secret};
use desk_core::catch_up::EventCatchUp;
use desk_engine::{Engine, EngineConfig};
use desk_inbox::{Inbox, InboxConfig, ListFilter};
use desk_platform::webhook_signature::WebhookKey;
use serde_json::{json, Value};

struct Platform {
    base: String,
    client: PlatformClient,
    http: reqwest::Client,
    admin: String,
    _stop: tokio::sync::oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

async fn platform() -> Platform {
    let dir = tempfile::tempdir().unwrap();
    let config = EngineConfig {
        admin_client_secret: Some("s3cret".to_owned()),
        ..EngineConfig::default()
    };
    let (engine, _) = Engine::open(&dir.path().join("engine.db"), config)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(desk_engine::serve(listener, engine, async {
        let _ = stopped.await;
    }));
    let client = PlatformClient::new(
        &base,
        "mdesk-local",
        Secret::from("s3cret"),
        ClientConfig::default(),
    )
    .unwrap();
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "mdesk-local"),
            ("client_secret", "s3cret"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let admin = token["access_token"].as_str().unwrap().to_owned();
    Platform {
        base,
        client,
        http,
        admin,
        _stop: stop,
        _dir: dir,
    }
}

impl Platform {
    async fn post(&self, path: &str, body: Value) -> Value {
        self.http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.admin)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The served engine's scheduler runs the initial sync within a second; after it, the log
    /// only grows when the test acts (the next sync is an hour away).
    async fn initial_sync_done(&self, id: &str) {
        for _ in 0..200 {
            let status: Value = self
                .http
                .get(format!("{}/api/v1/connections/{id}/sync-status", self.base))
                .bearer_auth(&self.admin)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if status["state"] == "completed" {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the initial sync did not run");
    }

    async fn event_ids(&self) -> Vec<String> {
        let page: Value = self
            .http
            .get(format!("{}/api/v1/events?limit=500", self.base))
            .bearer_auth(&self.admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

async fn inbox(dir: &std::path::Path) -> Inbox {
    let key = WebhookKey::from_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    Inbox::open(
        dir,
        InboxConfig {
            background_processing: false,
            ..InboxConfig::with_secret(key)
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn catching_up_stores_and_processes_every_missed_event_once() {
    let p = platform().await;
    let customer = p.post("/api/v1/customers", json!({"name": "Acme"})).await;
    let created = p
        .post(
            "/api/v1/connections",
            json!({"customer_id": customer["id"], "system_id": "upkeep", "deployment": "cloud",
            "name": "Plant", "credentials": {"email": "a@b.example", "password": "p"}}),
        )
        .await;
    let id = created["connection"]["id"].as_str().unwrap().to_owned();
    p.initial_sync_done(&id).await;
    p.post(
        &format!("/api/v1/sandbox/connections/{id}/faults"),
        json!({"kind": "expire_credentials"}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let inbox = inbox(dir.path()).await;
    let catch_up = EventCatchUp::new(p.client.clone(), inbox.clone());

    let first = catch_up.run_once().await.unwrap();
    let expected = p.event_ids().await;
    assert_eq!(first.stored, expected.len());
    assert_eq!(
        first.last_event_id.as_deref(),
        expected.last().map(String::as_str)
    );
    inbox.process_pending().await.unwrap();
    let state = inbox.connection_state(&id).await.unwrap().unwrap();
    assert!(state.reauthorization_required, "{state:?}");

    let again = catch_up.run_once().await.unwrap();
    assert_eq!(
        (again.fetched, again.stored),
        (0, 0),
        "nothing new: the cursor moved past everything"
    );

    p.post(
        &format!("/api/v1/sandbox/connections/{id}/faults"),
        json!({"kind": "go_offline"}),
    )
    .await;
    let later = catch_up.run_once().await.unwrap();
    assert_eq!(later.stored, 1);
    inbox.process_pending().await.unwrap();
    assert_eq!(
        inbox.connection_state(&id).await.unwrap().unwrap().online,
        Some(false)
    );

    let all = inbox
        .list(&ListFilter {
            limit: Some(100),
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(all.data.len(), expected.len() + 1);
    assert!(
        all.data
            .iter()
            .all(|w| w.processing.as_str() == "processed"),
        "{:?}",
        all.data
    );
}

#[tokio::test]
async fn an_event_that_came_by_webhook_is_not_stored_again_by_catch_up() {
    let p = platform().await;
    let customer = p.post("/api/v1/customers", json!({"name": "Acme"})).await;
    let dir = tempfile::tempdir().unwrap();
    let inbox = inbox(dir.path()).await;
    let key = WebhookKey::from_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
    let serving = inbox.clone();
    tokio::spawn(async move { serving.serve(listener, std::future::pending()).await });
    let created = p
        .post(
            "/api/v1/connections",
            json!({"customer_id": customer["id"], "system_id": "upkeep", "deployment": "cloud",
        "name": "Plant", "credentials": {"email": "a@b.example", "password": "p"}}),
        )
        .await;
    p.initial_sync_done(created["connection"]["id"].as_str().unwrap())
        .await;
    let total = p.event_ids().await.len();
    // The first event arrives by webhook (signed as the platform signs it); catch-up then finds it.
    let events: Value = p
        .http
        .get(format!("{}/api/v1/events", p.base))
        .bearer_auth(&p.admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let event: desk_platform::event::Event =
        serde_json::from_value(events["data"][0].clone()).unwrap();
    let http = desk_inbox::http_client().unwrap();
    let sent = desk_inbox::send_event(&http, &url, &key, &event, chrono::Utc::now().timestamp())
        .await
        .unwrap();
    assert_eq!(sent.status, 200);
    let summary = EventCatchUp::new(p.client.clone(), inbox.clone())
        .run_once()
        .await
        .unwrap();
    assert_eq!(summary.already_received, 1);
    assert_eq!(summary.stored, total - 1, "the rest came by catch-up only");
}
