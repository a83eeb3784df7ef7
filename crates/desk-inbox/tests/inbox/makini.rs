//! Makini-format webhooks: record changes reach the appliers with our entity names and the
//! connection from the header or the query; everything else is skipped, saying why.

use crate::support::{key, Harness};
use axum::body::Body;
use base64::Engine as _;
use desk_inbox::{
    ApplyError, ChangeKind, EventApplier, InboxConfig, ListFilter, Processing, RecordChange,
    SignatureCheck, WebhookSummary,
};
use desk_platform::event::Event;
use futures::future::BoxFuture;
use http::{Request, StatusCode};
use std::sync::{Arc, Mutex};

/// Keeps the record changes it is handed.
#[derive(Default)]
struct Changes(Mutex<Vec<RecordChange>>);

impl EventApplier for Changes {
    fn name(&self) -> &str {
        "changes"
    }

    fn apply<'a>(&'a self, _: &'a Event) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(async { Ok(()) })
    }

    fn apply_record_change<'a>(
        &'a self,
        change: &'a RecordChange,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        self.0.lock().unwrap().push(change.clone());
        Box::pin(async { Ok(()) })
    }
}

async fn harness(adjust: impl FnOnce(InboxConfig) -> InboxConfig) -> (Harness, Arc<Changes>) {
    let changes = Arc::new(Changes::default());
    let applier: Arc<dyn EventApplier> = changes.clone();
    let harness = Harness::with(|config| {
        adjust(InboxConfig {
            appliers: vec![applier],
            ..config
        })
    })
    .await;
    (harness, changes)
}

/// A Makini-format POST to `path`, signed over the body as `signature` says.
fn makini(path: &str, body: &str, headers: &[(&str, &str)], signature: Signature) -> Request<Body> {
    let hmac = key().body_hmac(body.as_bytes());
    let value = match signature {
        Signature::Hex => hex::encode(hmac),
        Signature::Base64 => base64::engine::general_purpose::STANDARD.encode(hmac),
    };
    let mut request = Request::post(path)
        .header("content-type", "application/json")
        .header("x-webhook-signature", value);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

#[derive(Clone, Copy)]
enum Signature {
    Hex,
    Base64,
}

async fn all(harness: &Harness) -> Vec<WebhookSummary> {
    let mut page = harness
        .inbox
        .list(&ListFilter {
            limit: Some(100),
            ..ListFilter::default()
        })
        .await
        .unwrap()
        .data;
    page.sort_by_key(|w| w.seq);
    page
}

#[tokio::test]
async fn a_record_change_reaches_the_appliers_with_our_entity_and_the_connection_of_its_header() {
    let (harness, changes) = harness(|config| config).await;
    let body = r#"{"event":"inventories.updated","body":["inv_1","inv_2"]}"#;
    let request = makini(
        "/webhooks",
        body,
        &[("x-makini-connection", "conn_1")],
        Signature::Hex,
    );
    assert_eq!(harness.post(request).await.0, StatusCode::OK);
    harness.inbox.process_pending().await.unwrap();

    assert_eq!(
        *changes.0.lock().unwrap(),
        [RecordChange {
            connection_id: "conn_1".to_owned(),
            entity: "inventory-items".to_owned(),
            change: ChangeKind::Updated,
            ids: vec!["inv_1".to_owned(), "inv_2".to_owned()],
            event: "inventories.updated".to_owned(),
        }]
    );
    let [webhook] = &all(&harness).await[..] else {
        panic!("one webhook stored")
    };
    assert_eq!(webhook.processing, Processing::Processed, "{webhook:?}");
    assert_eq!(webhook.connection_id.as_deref(), Some("conn_1"));
    assert_eq!(webhook.event_type.as_deref(), Some("inventories.updated"));
    assert!(webhook
        .note
        .as_deref()
        .unwrap()
        .contains("2 inventory-items updated of conn_1"));
}

#[tokio::test]
async fn a_base64_signature_and_the_connection_query_parameter_work_too_and_the_header_is_configurable(
) {
    let (harness, changes) = harness(|config| InboxConfig {
        makini_connection_header: Some("x-tenant-connection".to_owned()),
        ..config
    })
    .await;
    let deleted = r#"{"event":"assets.deleted","body":["a_9"]}"#;
    let by_query = makini(
        "/webhooks?connection=conn_q",
        deleted,
        &[("x-makini-connection", "ignored")],
        Signature::Base64,
    );
    assert_eq!(harness.post(by_query).await.0, StatusCode::OK);
    let inserted = r#"{"event":"work-orders.inserted","body":["wo_1"]}"#;
    let by_header = makini(
        "/webhooks?connection=conn_q",
        inserted,
        &[("x-tenant-connection", "conn_h")],
        Signature::Hex,
    );
    assert_eq!(harness.post(by_header).await.0, StatusCode::OK);
    harness.inbox.process_pending().await.unwrap();

    let seen: Vec<(String, String, ChangeKind)> = changes
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|c| (c.connection_id.clone(), c.entity.clone(), c.change))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "conn_q".to_owned(),
                "assets".to_owned(),
                ChangeKind::Deleted
            ),
            (
                "conn_h".to_owned(),
                "work-orders".to_owned(),
                ChangeKind::Inserted
            ),
        ]
    );
}

#[tokio::test]
async fn a_tampered_body_is_invalid_and_never_reaches_an_applier() {
    let (harness, changes) = harness(|config| config).await;
    let signed = r#"{"event":"inventories.updated","body":["inv_1"]}"#;
    let hmac = hex::encode(key().body_hmac(signed.as_bytes()));
    let tampered = r#"{"event":"inventories.updated","body":["inv_666"]}"#;
    let request = Request::post("/webhooks")
        .header("content-type", "application/json")
        .header("x-webhook-signature", hmac)
        .header("x-makini-connection", "conn_1")
        .body(Body::from(tampered))
        .unwrap();
    assert_eq!(harness.post(request).await.0, StatusCode::UNAUTHORIZED);
    harness.inbox.process_pending().await.unwrap();
    assert!(changes.0.lock().unwrap().is_empty());
    let [webhook] = &all(&harness).await[..] else {
        panic!("stored for inspection")
    };
    assert_eq!(webhook.signature, SignatureCheck::Invalid);
    assert_eq!(webhook.processing, Processing::Skipped);
}

#[tokio::test]
async fn every_copy_of_a_record_change_is_processed_since_a_retry_looks_like_a_second_change() {
    let (harness, changes) = harness(|config| config).await;
    let body = r#"{"event":"vendors.updated","body":["v_1"]}"#;
    let send = || {
        makini(
            "/webhooks",
            body,
            &[("x-makini-connection", "conn_1")],
            Signature::Hex,
        )
    };
    assert_eq!(harness.post(send()).await.0, StatusCode::OK);
    harness.inbox.process_pending().await.unwrap();
    let (status, answer) = harness.post(send()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["duplicate"], true, "{answer}");
    harness.inbox.process_pending().await.unwrap();

    assert_eq!(changes.0.lock().unwrap().len(), 2);
    let stored = all(&harness).await;
    assert!(
        stored.iter().all(|w| w.processing == Processing::Processed),
        "{stored:?}"
    );
    assert!(stored[1]
        .note
        .as_deref()
        .unwrap()
        .contains("processed again"));
}

#[tokio::test]
async fn other_makini_events_and_changes_of_no_known_connection_are_skipped_with_the_reason() {
    let (harness, changes) = harness(|config| config).await;
    let cases = [
        (
            r#"{"event":"connection.status_changed","body":["conn_1"]}"#,
            "names only the connection",
        ),
        (
            r#"{"event":"meters.reading","body":{"value":3}}"#,
            "no applier for event type \"meters.reading\"",
        ),
        (
            r#"{"event":"assets.updated","body":["a_1"]}"#,
            "for no known connection",
        ),
    ];
    for (body, _) in &cases {
        let request = makini("/webhooks", body, &[], Signature::Hex);
        assert_eq!(harness.post(request).await.0, StatusCode::OK, "{body}");
    }
    harness.inbox.process_pending().await.unwrap();
    assert!(changes.0.lock().unwrap().is_empty());
    for (webhook, (body, reason)) in all(&harness).await.iter().zip(cases) {
        assert_eq!(webhook.processing, Processing::Skipped, "{body}");
        let note = webhook.note.as_deref().unwrap_or_default();
        assert!(note.contains(reason), "{body}: {note}");
    }
}
