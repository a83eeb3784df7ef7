use crate::harness::{config, TestEngine};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::Duration;
use desk_engine::EngineConfig;
use desk_platform::clock::Clock as _;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A real HTTP receiver on 127.0.0.1 that records what it gets and answers as told.
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    pub(crate) received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    /// Answer 500 to this many requests first.
    failures_left: Arc<AtomicUsize>,
    /// Never answer (the engine's timeout must cut it off).
    hang: bool,
    /// Set when a hanging request was given up by the engine (the handler is dropped then).
    abandoned: Arc<std::sync::atomic::AtomicBool>,
}

/// Marks a hanging request abandoned when the server drops its handler: the client hung up.
struct AbandonGuard(Arc<std::sync::atomic::AtomicBool>);

impl Drop for AbandonGuard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    receiver.received.lock().unwrap().push((headers, body));
    if receiver.hang {
        let _guard = AbandonGuard(receiver.abandoned.clone());
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    }
    let left = receiver.failures_left.load(Ordering::SeqCst);
    if left > 0 {
        receiver.failures_left.store(left - 1, Ordering::SeqCst);
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::OK
}

impl Receiver {
    pub(crate) async fn start(self) -> (Self, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let app = axum::Router::new()
            .route("/hooks", post(receive))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (self, url)
    }

    fn bodies(&self) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| serde_json::from_slice(b).unwrap())
            .collect()
    }
}

async fn subscribe(t: &TestEngine, id: &str, url: &str, events: Value) -> String {
    let reply = t
        .send(
            "PUT",
            &format!("/api/v1/connections/{id}/webhook"),
            Some(&t.token),
            Some(json!({"url": url, "events": events})),
        )
        .await;
    reply.body["secret"].as_str().unwrap().to_owned()
}

fn fast_retries() -> EngineConfig {
    EngineConfig {
        webhook_retry_base: std::time::Duration::from_secs(30),
        webhook_timeout: std::time::Duration::from_millis(500),
        ..config()
    }
}

#[tokio::test]
async fn webhooks_arrive_signed_and_verify_with_the_standard_webhooks_library() {
    let t = TestEngine::start().await;
    let (id, _) = t.synced("upkeep").await;
    let (receiver, url) = Receiver::default().start().await;
    let secret = subscribe(&t, &id, &url, json!([])).await;
    t.post(
        &format!("/api/v1/sandbox/connections/{id}/faults"),
        json!({"kind": "expire_credentials"}),
    )
    .await;
    // The clock stays at the wall clock: the public library checks the timestamp against it.
    t.post(&format!("/api/v1/connections/{id}/syncs"), json!({}))
        .await;
    t.engine.tick().await.unwrap();
    let received = receiver.received.lock().unwrap().clone();
    assert_eq!(
        received.len(),
        2,
        "reauthorization_required, then the failed sync"
    );
    let verifier = standardwebhooks::Webhook::new(&secret).unwrap();
    for (headers, body) in &received {
        assert_eq!(headers.get("content-type").unwrap(), "application/json");
        // The public library checks the timestamp against the wall clock, as a receiver would.
        verifier
            .verify(body, headers)
            .expect("signature verifies with the standardwebhooks crate");
        let event: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            headers.get("webhook-id").unwrap().to_str().unwrap(),
            event["id"]
        );
    }
    let events = t
        .walk(&format!("/api/v1/events?connection_id={id}"), 500)
        .await;
    let bodies = receiver.bodies();
    assert_eq!(
        bodies[0],
        events[events.len() - 2],
        "the webhook body is the logged event"
    );
    assert_eq!(bodies[0]["type"], "connection.reauthorization_required");
    assert_eq!(bodies[1]["type"], "sync.failed");
}

#[tokio::test]
async fn only_subscribed_event_types_are_sent() {
    let t = TestEngine::start().await;
    let (id, _) = t.synced("upkeep").await;
    let (receiver, url) = Receiver::default().start().await;
    subscribe(&t, &id, &url, json!(["connection.status_changed"])).await;
    t.post(
        &format!("/api/v1/sandbox/connections/{id}/faults"),
        json!({"kind": "system_error"}),
    )
    .await;
    t.post(
        &format!("/api/v1/sandbox/connections/{id}/faults"),
        json!({"kind": "go_offline"}),
    )
    .await;
    t.engine.tick().await.unwrap();
    let types: Vec<Value> = receiver
        .bodies()
        .iter()
        .map(|b| b["type"].clone())
        .collect();
    assert_eq!(types, [json!("connection.status_changed")]);
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_backoff_and_the_same_webhook_id() {
    let t = TestEngine::start_with(fast_retries()).await;
    let (id, _) = t.synced("upkeep").await;
    let receiver = Receiver {
        failures_left: Arc::new(AtomicUsize::new(2)),
        ..Receiver::default()
    };
    let (receiver, url) = receiver.start().await;
    subscribe(&t, &id, &url, json!([])).await;
    t.post(
        &format!("/api/v1/sandbox/connections/{id}/faults"),
        json!({"kind": "system_error"}),
    )
    .await;
    t.engine.tick().await.unwrap();
    assert_eq!(receiver.received.lock().unwrap().len(), 1);
    t.clock.advance(Duration::seconds(10));
    t.engine.tick().await.unwrap();
    assert_eq!(
        receiver.received.lock().unwrap().len(),
        1,
        "not before the retry base"
    );
    t.clock.advance(Duration::seconds(30));
    t.engine.tick().await.unwrap();
    assert_eq!(receiver.received.lock().unwrap().len(), 2);
    t.clock.advance(Duration::seconds(80));
    t.engine.tick().await.unwrap();
    let received = receiver.received.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    let ids: Vec<_> = received
        .iter()
        .map(|(h, _)| h.get("webhook-id").unwrap().clone())
        .collect();
    assert!(ids.iter().all(|i| *i == ids[0]));
    let deliveries = t
        .walk(
            &format!("/api/v1/webhooks/deliveries?connection_id={id}"),
            10,
        )
        .await;
    assert_eq!(deliveries[0]["state"], "succeeded");
    let detail = t
        .get(&format!(
            "/api/v1/webhooks/deliveries/{}",
            deliveries[0]["id"].as_str().unwrap()
        ))
        .await
        .body;
    let log: Vec<Value> = detail["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].clone())
        .collect();
    assert_eq!(log, [json!(500), json!(500), json!(200)]);
}

#[tokio::test]
async fn a_hanging_receiver_never_holds_other_deliveries_back() {
    // A timeout long enough that "the fast one arrived first" cannot be a timing accident.
    let config = EngineConfig {
        webhook_timeout: std::time::Duration::from_secs(5),
        ..fast_retries()
    };
    let t = TestEngine::start_with(config).await;
    let (slow_id, _) = t.synced("upkeep").await;
    let (fast_id, _) = t.synced("maintainx").await;
    let (slow, slow_url) = Receiver {
        hang: true,
        ..Receiver::default()
    }
    .start()
    .await;
    let (fast, fast_url) = Receiver::default().start().await;
    subscribe(&t, &slow_id, &slow_url, json!([])).await;
    subscribe(&t, &fast_id, &fast_url, json!([])).await;
    t.post(
        &format!("/api/v1/sandbox/connections/{slow_id}/faults"),
        json!({"kind": "system_error"}),
    )
    .await;
    t.post(
        &format!("/api/v1/sandbox/connections/{fast_id}/faults"),
        json!({"kind": "system_error"}),
    )
    .await;
    let tasks = tokio::spawn({
        let engine = t.engine.clone();
        async move { engine.tick().await.unwrap() }
    });
    // Bounded wait: the engine's timeout (5 s) ends the slow attempt in any case.
    for _ in 0..2000 {
        if !fast.received.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(fast.received.lock().unwrap().len(), 1);
    assert!(
        !slow.abandoned.load(Ordering::SeqCst),
        "the fast receiver got its webhook while the slow one was still hanging, not after it"
    );
    tasks.await.unwrap();
    // The receiver's server notices the hang-up on its own schedule: wait for it, bounded.
    for _ in 0..2000 {
        if slow.abandoned.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(
        slow.abandoned.load(Ordering::SeqCst),
        "the engine hung up on the slow receiver"
    );
    assert_eq!(slow.received.lock().unwrap().len(), 1);
    let slow_delivery = t
        .walk(
            &format!("/api/v1/webhooks/deliveries?connection_id={slow_id}"),
            10,
        )
        .await;
    assert_eq!(slow_delivery[0]["state"], "pending");
    assert!(slow_delivery[0]["last_error"]
        .as_str()
        .unwrap()
        .contains("no answer"));
}

#[tokio::test]
async fn a_delivery_that_fails_for_a_day_is_failed_and_can_be_resent() {
    let t = TestEngine::start_with(fast_retries()).await;
    let (id, _) = t.synced("upkeep").await;
    let receiver = Receiver {
        failures_left: Arc::new(AtomicUsize::new(1000)),
        ..Receiver::default()
    };
    let (receiver, url) = receiver.start().await;
    subscribe(&t, &id, &url, json!(["system.error"])).await;
    t.post(
        &format!("/api/v1/sandbox/connections/{id}/faults"),
        json!({"kind": "system_error"}),
    )
    .await;
    let since = t.clock.now() - Duration::seconds(1);
    for _ in 0..40 {
        t.engine.tick().await.unwrap();
        t.clock.advance(Duration::hours(2));
    }
    let attempts = receiver.received.lock().unwrap().len();
    assert!(
        (10..=14).contains(&attempts),
        "30 s doubling for a day is about a dozen attempts, got {attempts}"
    );
    let failed = t.walk("/api/v1/webhooks/deliveries?state=failed", 10).await;
    assert_eq!(failed.len(), 1);
    receiver.failures_left.store(0, Ordering::SeqCst);
    let resent = t
        .post(
            "/api/v1/webhooks/deliveries/resend",
            json!({"since": since}),
        )
        .await;
    assert_eq!(resent.body["resent"], 1);
    t.engine.tick().await.unwrap();
    assert_eq!(
        t.walk("/api/v1/webhooks/deliveries?state=succeeded", 10)
            .await
            .len(),
        1
    );
    assert_eq!(receiver.received.lock().unwrap().len(), attempts + 1);
}

#[tokio::test]
async fn a_restarted_engine_delivers_what_was_pending_exactly_once() {
    let t = TestEngine::start_with(fast_retries()).await;
    let (id, _) = t.synced("upkeep").await;
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/hooks");
    subscribe(&t, &id, &url, json!([])).await;
    t.post(
        &format!("/api/v1/sandbox/connections/{id}/faults"),
        json!({"kind": "go_offline"}),
    )
    .await;
    t.post(
        &format!("/api/v1/sandbox/connections/{id}/faults"),
        json!({"kind": "come_online"}),
    )
    .await;
    t.engine.tick().await.unwrap(); // nobody listens: both attempts fail with a refused connection
    t.engine.close().await;
    let (engine, _) = desk_engine::Engine::open_with_clock(
        &t.dir.path().join("engine.db"),
        fast_retries(),
        Arc::new(t.clock.clone()),
    )
    .await
    .unwrap();
    let t = TestEngine {
        router: engine.router(),
        engine,
        ..t
    };
    let receiver = Receiver::default();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let app = axum::Router::new()
        .route("/hooks", post(receive))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    for _ in 0..5 {
        t.clock.advance(Duration::minutes(5));
        t.engine.tick().await.unwrap();
    }
    let ids: Vec<String> = receiver
        .bodies()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids.len(),
        2,
        "both pending deliveries arrived once each: {ids:?}"
    );
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn an_account_subscription_gets_every_connections_events_signed_with_the_secret_it_brought() {
    let t = TestEngine::start().await;
    let (first, _) = t.synced("upkeep").await;
    let (second, _) = t.synced("upkeep").await;
    let (receiver, url) = Receiver::default().start().await;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let reply = t
        .send(
            "PUT",
            "/api/v1/webhooks/subscriptions",
            Some(&t.token),
            Some(json!({"url": url, "events": [], "secret": secret})),
        )
        .await;
    assert_eq!(reply.body["secret"], secret);
    // Its own webhook too: the account subscription is delivered beside it, not instead.
    let (own, own_url) = Receiver::default().start().await;
    subscribe(&t, &first, &own_url, json!([])).await;
    for id in [&first, &second] {
        t.post(
            &format!("/api/v1/sandbox/connections/{id}/faults"),
            json!({"kind": "go_offline"}),
        )
        .await;
    }
    t.engine.tick().await.unwrap();
    let verifier = standardwebhooks::Webhook::new(secret).unwrap();
    let received = receiver.received.lock().unwrap().clone();
    let connections: Vec<Value> = received
        .iter()
        .map(|(headers, body)| {
            verifier
                .verify(body, headers)
                .expect("signed with the secret given");
            serde_json::from_slice::<Value>(body).unwrap()["connection_id"].clone()
        })
        .collect();
    assert!(connections.contains(&json!(first)) && connections.contains(&json!(second)));
    assert!(own
        .bodies()
        .iter()
        .all(|b| b["connection_id"] == json!(first)));
    assert!(!own.bodies().is_empty());

    let refused = t
        .send(
            "PUT",
            "/api/v1/webhooks/subscriptions",
            Some(&t.token),
            Some(json!({"url": "ftp://nope", "events": []})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
}
