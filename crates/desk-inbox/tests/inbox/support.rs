use axum::body::Body;
use chrono::{DateTime, TimeZone, Utc};
use desk_inbox::{Inbox, InboxConfig};
use desk_platform::clock::ManualClock;
use desk_platform::event::{Event, EventType};
use desk_platform::webhook_signature::WebhookKey;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;
use tempfile::TempDir;
use tower::ServiceExt;

pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

pub fn key() -> WebhookKey {
    WebhookKey::from_secret(SECRET).unwrap()
}

pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

pub struct Harness {
    pub dir: TempDir,
    pub inbox: Inbox,
    pub clock: ManualClock,
}

impl Harness {
    /// An inbox without a background processor, so tests decide when processing happens.
    pub async fn new() -> Self {
        Self::with(|config| config).await
    }

    pub async fn with(adjust: impl FnOnce(InboxConfig) -> InboxConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::new(start_time());
        let config = InboxConfig {
            clock: Arc::new(clock.clone()),
            background_processing: false,
            ..InboxConfig::with_secret(key())
        };
        let inbox = Inbox::open(dir.path(), adjust(config)).await.unwrap();
        Self { dir, inbox, clock }
    }

    pub fn now(&self) -> i64 {
        use desk_platform::clock::Clock;
        self.clock.now().timestamp()
    }

    /// POSTs through the router without a socket.
    pub async fn post(&self, request: Request<Body>) -> (StatusCode, serde_json::Value) {
        let response = self.inbox.router().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, json)
    }

    /// Signs and POSTs an event as the platform would.
    pub async fn deliver(&self, event: &Event) -> StatusCode {
        self.post(signed(event, self.now())).await.0
    }

    /// [`Self::deliver`] for futures that must own their event (`join_all` over a map).
    pub async fn deliver_owned(&self, event: Event) -> StatusCode {
        self.deliver(&event).await
    }
}

pub fn event(
    id: &str,
    kind: EventType,
    connection: &str,
    seconds: i64,
    data: serde_json::Value,
) -> Event {
    Event {
        id: id.to_owned(),
        event_type: kind,
        created_at: start_time() + chrono::Duration::seconds(seconds),
        connection_id: Some(connection.to_owned()),
        customer_id: Some("cus_1".to_owned()),
        data,
    }
}

pub fn status_changed(id: &str, connection: &str, seconds: i64, current: &str) -> Event {
    event(
        id,
        EventType::ConnectionStatusChanged,
        connection,
        seconds,
        serde_json::json!({"previous": "active", "current": current, "online": current == "active"}),
    )
}

pub fn signed_raw(id: &str, body: Vec<u8>, timestamp: i64) -> Request<Body> {
    let signature = key().sign(id, timestamp, &body);
    Request::post("/webhooks")
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(Body::from(body))
        .unwrap()
}

pub fn signed(event: &Event, timestamp: i64) -> Request<Body> {
    signed_raw(&event.id, serde_json::to_vec(event).unwrap(), timestamp)
}
