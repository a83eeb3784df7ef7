//! Makini-format webhooks: a connection's webhook set to `format: makini` receives Makini's
//! legacy payloads after each sync run that changed records, signed over the body.

use crate::harness::{credentials_for, TestEngine};
use crate::webhooks::Receiver;
use axum::http::StatusCode;
use chrono::Duration;
use desk_platform::webhook_signature::{verify_body_hmac, WebhookKey};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Takes what `receiver` got, checking each request's signature and connection header.
fn take_verified(receiver: &Receiver, secret: &str, connection_id: &str) -> Vec<Value> {
    let key = WebhookKey::from_secret(secret).unwrap();
    let received = std::mem::take(&mut *receiver.received.lock().unwrap());
    received
        .iter()
        .map(|(headers, body)| {
            assert_eq!(headers["content-type"], "application/json");
            assert!(
                headers.get("webhook-signature").is_none(),
                "no Standard Webhooks headers"
            );
            let signature = headers["x-webhook-signature"].to_str().unwrap();
            assert!(
                signature.len() == 64 && signature.bytes().all(|b| b.is_ascii_hexdigit()),
                "{signature}"
            );
            verify_body_hmac(&key, Some(signature), body).expect("the body HMAC verifies");
            let mut tampered = body.to_vec();
            tampered.push(b' ');
            assert!(verify_body_hmac(&key, Some(signature), &tampered).is_err());
            assert_eq!(headers["x-makini-connection"], connection_id);
            serde_json::from_slice(body).unwrap()
        })
        .collect()
}

/// `PUT .../webhook` with `settings`.
async fn set_webhook(t: &TestEngine, id: &str, settings: Value) -> crate::harness::Reply {
    t.send(
        "PUT",
        &format!("/api/v1/connections/{id}/webhook"),
        Some(&t.token),
        Some(settings),
    )
    .await
}
/// Record-change payloads by event name, their ids joined in arrival order.
fn changes(bodies: &[Value]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for body in bodies {
        let event = body["event"].as_str().unwrap();
        if event.ends_with(".inserted")
            || event.ends_with(".updated")
            || event.ends_with(".deleted")
        {
            let ids = body["body"].as_array().unwrap();
            assert!(
                !ids.is_empty() && ids.len() <= 500,
                "{event}: {}",
                ids.len()
            );
            out.entry(event.to_owned())
                .or_default()
                .extend(ids.iter().map(|id| id.as_str().unwrap().to_owned()));
        }
    }
    out
}

/// Every record of every entity of the connection, by (entity, id).
async fn snapshot(t: &TestEngine, token: &str) -> BTreeMap<(String, String), Value> {
    let mut all = BTreeMap::new();
    for entity in [
        "purchase-orders",
        "work-orders",
        "inventory-items",
        "vendors",
        "assets",
    ] {
        for record in t.walk_data(&format!("/api/v1/{entity}"), token, 500).await {
            let id = record["id"].as_str().unwrap().to_owned();
            all.insert((entity.to_owned(), id), record);
        }
    }
    all
}

#[tokio::test]
async fn a_sync_run_that_changed_records_sends_makini_payloads_of_its_ids_signed_over_the_body() {
    let t = TestEngine::start().await;
    let (id, token) = t.synced("upkeep").await;
    let (receiver, url) = Receiver::default().start().await;
    let reply = set_webhook(
        &t,
        &id,
        json!({"url": url, "events": [], "format": "makini"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let secret = reply.body["secret"].as_str().unwrap().to_owned();
    let before = snapshot(&t, &token).await;

    t.clock.advance(Duration::days(1));
    t.engine.tick().await.unwrap();
    let bodies = take_verified(&receiver, &secret, &id);
    let after = snapshot(&t, &token).await;

    assert!(
        bodies.contains(&json!({"event": "sync.completed", "body": [id]})),
        "the run's own event names its connection: {bodies:?}"
    );
    let makini_name = |entity: &str| match entity {
        "inventory-items" => "inventories".to_owned(),
        other => other.to_owned(),
    };
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for ((entity, record_id), record) in &after {
        let kind = match before.get(&(entity.clone(), record_id.clone())) {
            None => "inserted",
            Some(old) if old != record => "updated",
            Some(_) => continue,
        };
        expected
            .entry(format!("{}.{kind}", makini_name(entity)))
            .or_default()
            .insert(record_id.clone());
    }
    let sent: BTreeMap<String, BTreeSet<String>> = changes(&bodies)
        .into_iter()
        .map(|(event, ids)| (event, ids.into_iter().collect()))
        .collect();
    assert!(
        expected.contains_key("inventories.updated"),
        "a day changes some inventory: {expected:?}"
    );
    assert_eq!(
        sent, expected,
        "exactly the run's changes, under Makini's names"
    );

    // A run that changed nothing sends no record payload.
    t.post(&format!("/api/v1/connections/{id}/syncs"), json!({}))
        .await;
    t.engine.tick().await.unwrap();
    let quiet = take_verified(&receiver, &secret, &id);
    assert!(changes(&quiet).is_empty(), "{quiet:?}");
    assert!(quiet.contains(&json!({"event": "sync.completed", "body": [id]})));

    // The delivery log lists them like any other delivery.
    let log = t
        .walk(
            &format!("/api/v1/webhooks/deliveries?connection_id={id}"),
            100,
        )
        .await;
    assert!(log
        .iter()
        .all(|d| d["format"] == "makini" && d["state"] == "succeeded"));
    assert!(log.iter().any(|d| d["part"].as_i64().unwrap() > 0));
}

#[tokio::test]
async fn a_large_first_sync_is_sent_in_chunks_of_at_most_500_ids() {
    let t = TestEngine::start().await;
    t.buy(8).await;
    let customer = t.customer("Chunked").await;
    let (receiver, url) = Receiver::default().start().await;
    let created = t
        .post(
            "/api/v1/connections",
            json!({"customer_id": customer, "system_id": "upkeep", "deployment": "cloud",
                   "name": "Big", "credentials": credentials_for("upkeep"),
                   "sync": {"history_days": 250},
                   "webhook": {"url": url, "events": ["sync.completed"], "format": "makini"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["connection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = created.body["webhook_secret"].as_str().unwrap().to_owned();
    t.engine.tick().await.unwrap();

    let bodies = take_verified(&receiver, &secret, &id);
    let work_orders: Vec<&Value> = bodies
        .iter()
        .filter(|b| b["event"] == "work-orders.inserted")
        .collect();
    let sizes: Vec<usize> = work_orders
        .iter()
        .map(|b| b["body"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [500, 500, 250], "5 a day over 250 days");
    let ids: BTreeSet<&str> = work_orders
        .iter()
        .flat_map(|b| b["body"].as_array().unwrap())
        .map(|id| id.as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1250, "no id sent twice");
    // Only `sync.completed` is subscribed: no `connection.created` or status payloads.
    assert!(bodies
        .iter()
        .all(|b| b["event"].as_str().unwrap().contains('.')
            && !b["event"].as_str().unwrap().starts_with("connection.")));
    assert!(bodies.contains(&json!({"event": "sync.completed", "body": [id]})));
}

#[tokio::test]
async fn connection_events_in_makini_format_name_the_connection_and_an_unknown_format_is_refused() {
    let t = TestEngine::start().await;
    let (id, _) = t.synced("upkeep").await;
    let (receiver, url) = Receiver::default().start().await;
    let refused = set_webhook(&t, &id, json!({"url": url, "format": "svix"})).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let settings = json!({"url": url, "events": ["connection.reauthorization_required"],
                          "format": "makini"});
    let reply = set_webhook(&t, &id, settings).await;
    let secret = reply.body["secret"].as_str().unwrap().to_owned();
    t.post(
        &format!("/api/v1/sandbox/connections/{id}/faults"),
        json!({"kind": "expire_credentials"}),
    )
    .await;
    t.engine.tick().await.unwrap();
    let bodies = take_verified(&receiver, &secret, &id);
    assert_eq!(
        bodies,
        [json!({"event": "connection.reauthorization_required", "body": [id]})]
    );

    // Back to the standard format: Standard Webhooks headers and the event JSON again.
    set_webhook(
        &t,
        &id,
        json!({"url": url, "events": ["connection.reauthorized"]}),
    )
    .await;
    t.post(
        &format!("/api/v1/connections/{id}/reauthorize"),
        json!({"credentials": credentials_for("upkeep")}),
    )
    .await;
    t.engine.tick().await.unwrap();
    let received = std::mem::take(&mut *receiver.received.lock().unwrap());
    assert_eq!(received.len(), 1);
    let (headers, body) = &received[0];
    assert!(headers.get("webhook-signature").is_some());
    assert!(headers.get("x-makini-connection").is_none());
    let event: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(event["type"], "connection.reauthorized");
}
