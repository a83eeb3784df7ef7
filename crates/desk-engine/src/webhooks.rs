//! Signed webhook delivery: an outbox of deliveries written with the events themselves, attempts
//! with exponential backoff and jitter for up to a day, a log per attempt, and resends.
//!
//! A connection's webhook is written in its format: Standard Webhooks with our event JSON, or
//! Makini's legacy payloads ([`makini`]), which go through the same queue, retries and log.

pub mod makini;

use crate::engine::Engine;
use crate::error::EngineError;
use crate::store::deliveries::{self, Attempt, Delivery};
use crate::token;
use chrono::{DateTime, Duration, Utc};
use desk_platform::connection::WebhookFormat;
use desk_platform::event::Event;
use desk_platform::ids::prefix;
use desk_platform::webhook_signature::WebhookKey;
use rand::Rng;
use sqlx::SqliteConnection;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Where an event goes: the webhook of its connection when it subscribes to the type; for
/// account events (`credits.low`), every distinct URL subscribed to them.
pub async fn enqueue(db: &mut SqliteConnection, event: &Event) -> Result<(), EngineError> {
    let targets: Vec<(Option<String>, String, String, String, String)> = sqlx::query_as(
        "SELECT id, webhook_url, webhook_secret, webhook_events, webhook_format FROM connections
         WHERE webhook_url IS NOT NULL AND webhook_secret IS NOT NULL
           AND (id = ? OR (? IS NULL AND status != 'disconnected'))",
    )
    .bind(&event.connection_id)
    .bind(&event.connection_id)
    .fetch_all(&mut *db)
    .await?;
    // Account-level subscriptions get every event they subscribe to (none named: all).
    let account: Vec<(String, String, String)> =
        sqlx::query_as("SELECT url, secret, events FROM account_webhooks ORDER BY url")
            .fetch_all(&mut *db)
            .await?;
    let mut urls = HashSet::new();
    for (url, secret, events) in account {
        let events: Vec<String> = serde_json::from_str(&events)?;
        let subscribed = events.is_empty() || events.iter().any(|e| e == event.event_type.as_str());
        if subscribed && urls.insert(url.clone()) {
            let delivery = new_delivery(event, event.connection_id.clone(), url, secret);
            deliveries::insert(db, &delivery).await?;
        }
    }
    for (connection_id, url, secret, events, format) in targets {
        let events: Vec<String> = serde_json::from_str(&events)?;
        let subscribed = if event.connection_id.is_some() {
            events.is_empty() || events.iter().any(|e| e == event.event_type.as_str())
        } else {
            events.iter().any(|e| e == event.event_type.as_str())
        };
        if !subscribed || !urls.insert(url.clone()) {
            continue;
        }
        let connection_id = event.connection_id.clone().or(connection_id);
        let mut delivery = new_delivery(event, connection_id, url, secret);
        if WebhookFormat::parse(&format) == Some(WebhookFormat::Makini) {
            makini::for_event(&mut delivery, event);
        }
        deliveries::insert(db, &delivery).await?;
    }
    Ok(())
}

/// The event's own delivery (part 0) in the standard format.
pub(crate) fn new_delivery(
    event: &Event,
    connection_id: Option<String>,
    url: String,
    secret: String,
) -> Delivery {
    Delivery {
        id: token::new_id(prefix::DELIVERY),
        event_id: event.id.clone(),
        connection_id,
        url,
        secret,
        state: "pending".to_owned(),
        attempts: 0,
        first_attempt_at: None,
        next_attempt_at: event.created_at,
        last_status: None,
        last_error: None,
        created_at: event.created_at,
        format: WebhookFormat::Standard.as_str().to_owned(),
        part: 0,
        body: None,
    }
}

/// Work being done right now (deliveries attempted, connections syncing), so none is done twice
/// at once by the background loop and an explicit tick.
#[derive(Debug, Default)]
pub struct InFlight(Mutex<HashSet<String>>);

impl InFlight {
    pub(crate) fn claim(&self, id: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned())
    }

    pub(crate) fn release(&self, id: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}

/// Starts the attempts of every due delivery: one task per receiving URL, which attempts that
/// URL's deliveries in event order (so a receiver sees a connection's events in order when they
/// succeed), while a receiver that hangs holds back only its own URL. Returns the tasks (tests
/// wait for them; the background loop does not).
pub async fn dispatch_due(
    engine: &Engine,
) -> Result<Vec<tokio::task::JoinHandle<()>>, EngineError> {
    let now = engine.clock.now();
    let due = {
        let mut db = engine.store.reader().acquire().await?;
        deliveries::due(&mut db, now, 256).await?
    };
    let mut by_url: Vec<(String, Vec<Delivery>)> = Vec::new();
    for delivery in due {
        if !engine.in_flight.claim(&delivery.id) {
            continue;
        }
        match by_url.iter_mut().find(|(url, _)| *url == delivery.url) {
            Some((_, queue)) => queue.push(delivery),
            None => by_url.push((delivery.url.clone(), vec![delivery])),
        }
    }
    let mut tasks = Vec::new();
    for (_, queue) in by_url {
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            for delivery in queue {
                let id = delivery.id.clone();
                if let Err(err) = attempt(&engine, delivery).await {
                    tracing::error!(delivery = %id, error = %err, "webhook attempt could not be recorded");
                }
                engine.in_flight.release(&id);
            }
        }));
    }
    Ok(tasks)
}

/// Attempts every due delivery and waits for the outcomes (tests and `tick`).
pub async fn deliver_due(engine: &Engine) -> Result<usize, EngineError> {
    let tasks = dispatch_due(engine).await?;
    let count = tasks.len();
    for task in tasks {
        if let Err(err) = task.await {
            tracing::error!(error = %err, "webhook task failed");
        }
    }
    Ok(count)
}

async fn attempt(engine: &Engine, mut delivery: Delivery) -> Result<(), EngineError> {
    let now = engine.clock.now();
    let body = {
        let mut db = engine.store.reader().acquire().await?;
        // A pass that read the due list before another pass recorded this delivery's attempt
        // (and released it) holds a stale row: read it again now that it is claimed, and leave
        // it when it is no longer due, or the receiver would get it twice.
        let still_due = deliveries::get(&mut db, &delivery.id)
            .await?
            .is_some_and(|current| {
                current.state == "pending"
                    && current.attempts == delivery.attempts
                    && current.next_attempt_at <= now
            });
        if !still_due {
            return Ok(());
        }
        match &delivery.body {
            Some(body) => body.clone(),
            None => deliveries::event_body(&mut db, &delivery.event_id).await?,
        }
    };
    let key = WebhookKey::from_secret(&delivery.secret)
        .map_err(|err| EngineError::Corrupt(format!("webhook secret of {}: {err}", delivery.id)))?;
    let request = engine
        .http
        .post(&delivery.url)
        .header("content-type", "application/json")
        .header(
            "user-agent",
            concat!("makini-desk-engine/", env!("CARGO_PKG_VERSION")),
        );
    let request = match WebhookFormat::parse(&delivery.format) {
        Some(WebhookFormat::Makini) => makini::signed(request, &key, &delivery, &body),
        _ => {
            let signature = key.sign(&delivery.event_id, now.timestamp(), body.as_bytes());
            request
                .header("webhook-id", &delivery.event_id)
                .header("webhook-timestamp", now.timestamp().to_string())
                .header("webhook-signature", signature)
        }
    };
    let started = Instant::now();
    let result = request
        .body(body)
        .timeout(engine.config.webhook_timeout)
        .send()
        .await;
    let (status, excerpt, error) = match result {
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (
                Some(status),
                Some(text.chars().take(512).collect::<String>()),
                None,
            )
        }
        Err(err) if err.is_timeout() => (
            None,
            None,
            Some(format!(
                "no answer within {} s",
                engine.config.webhook_timeout.as_secs()
            )),
        ),
        Err(err) => (None, None, Some(format!("request failed: {err}"))),
    };
    let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let finished = engine.clock.now();
    delivery.attempts += 1;
    let first = *delivery.first_attempt_at.get_or_insert(now);
    let succeeded = status.is_some_and(|s| (200..300).contains(&s));
    delivery.last_status = status.map(i64::from);
    delivery.last_error = error.clone().or_else(|| {
        status
            .filter(|_| !succeeded)
            .map(|s| format!("answered {s}"))
    });
    if succeeded {
        delivery.state = "succeeded".to_owned();
    } else {
        let next = finished + backoff(engine.config.webhook_retry_base, delivery.attempts);
        if next - first > engine.config.webhook_max_age {
            delivery.state = "failed".to_owned();
            tracing::warn!(delivery = %delivery.id, url = %delivery.url, "webhook delivery failed for good");
        } else {
            delivery.next_attempt_at = next;
        }
    }
    let record = Attempt {
        delivery_id: delivery.id.clone(),
        attempt: delivery.attempts,
        at: now,
        status: status.map(i64::from),
        latency_ms,
        response_excerpt: excerpt,
        error,
    };
    let mut tx = engine.store.begin().await?;
    deliveries::record_attempt(&mut tx, &delivery, &record).await?;
    tx.commit().await?;
    Ok(())
}

/// `base * 2^(attempt-1)`, times a jitter of 0.75 to 1.25 so retries from many deliveries spread.
pub fn backoff(base: std::time::Duration, attempt: i64) -> Duration {
    let exponent = u32::try_from(attempt.clamp(1, 30) - 1).unwrap_or(0);
    let millis = (base.as_millis() as f64)
        * 2f64.powi(exponent as i32)
        * rand::thread_rng().gen_range(0.75..1.25);
    Duration::milliseconds(millis.min(86_400_000.0) as i64)
}

/// Resends one delivery (any state): it is attempted at the next pass with a fresh schedule.
pub async fn resend(engine: &Engine, id: &str) -> Result<Delivery, EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let delivery = deliveries::reschedule(&mut tx, id, now)
        .await?
        .ok_or_else(|| EngineError::not_found("delivery", id))?;
    tx.commit().await?;
    Ok(delivery)
}

/// Resends every failed delivery created since `since`.
pub async fn resend_failed_since(
    engine: &Engine,
    since: DateTime<Utc>,
) -> Result<u64, EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let count = deliveries::reschedule_failed_since(&mut tx, since, now).await?;
    tx.commit().await?;
    Ok(count)
}

pub type SharedInFlight = Arc<InFlight>;
