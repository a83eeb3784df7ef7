use crate::support::*;
use axum::body::Body;
use desk_inbox::{legacy_event_id, InboxConfig, ListFilter, Processing, SignatureCheck};
use desk_platform::webhook_signature::WebhookKey;
use http::{Request, StatusCode};
use serde_json::json;

async fn only_row(harness: &Harness) -> desk_inbox::WebhookSummary {
    let page = harness.inbox.list(&ListFilter::default()).await.unwrap();
    assert_eq!(page.data.len(), 1, "{page:?}");
    page.data.into_iter().next().unwrap()
}

#[tokio::test]
async fn a_signed_event_is_answered_200_only_once_it_is_in_the_database() {
    let harness = Harness::new().await;
    let event = status_changed("evt_1", "conn_1", 0, "active");
    let (status, body) = harness.post(signed(&event, harness.now())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["received"], true);
    assert_eq!(body["duplicate"], false);
    let row = only_row(&harness).await;
    assert_eq!(row.id.as_deref(), Some("evt_1"));
    assert_eq!(row.signature, SignatureCheck::Valid);
    assert_eq!(row.processing, Processing::Pending);
    assert_eq!(row.status, Some(200));
    assert_eq!(row.event_type.as_deref(), Some("connection.status_changed"));
    assert_eq!(row.connection_id.as_deref(), Some("conn_1"));
}

#[tokio::test]
async fn a_second_copy_of_an_id_is_answered_200_and_stored_as_a_duplicate_of_the_first() {
    let harness = Harness::new().await;
    let event = status_changed("evt_1", "conn_1", 0, "active");
    assert_eq!(harness.deliver(&event).await, StatusCode::OK);
    let (status, body) = harness.post(signed(&event, harness.now())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["duplicate"], true);
    assert_eq!(body["duplicate_of"], "evt_1");
    let page = harness
        .inbox
        .list(&ListFilter {
            oldest_first: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data[0].duplicate_of, None);
    assert_eq!(page.data[1].duplicate_of.as_deref(), Some("evt_1"));
    assert_eq!(page.data[1].processing, Processing::Skipped);
}

#[tokio::test]
async fn the_database_itself_refuses_a_second_first_copy_of_an_id() {
    let harness = Harness::new().await;
    let event = status_changed("evt_1", "conn_1", 0, "active");
    assert_eq!(harness.deliver(&event).await, StatusCode::OK);
    assert_eq!(harness.deliver(&event).await, StatusCode::OK);
    let db = rusqlite::Connection::open(harness.dir.path().join("inbox.db")).unwrap();
    // Turning the stored duplicate into a first copy would make two.
    let refused = db.execute(
        "UPDATE webhooks SET duplicate_of_seq = NULL, duplicate_of = NULL
          WHERE duplicate_of_seq IS NOT NULL",
        [],
    );
    let message = refused.unwrap_err().to_string();
    assert!(message.contains("UNIQUE"), "{message}");
    // The writer's lookup of a first copy goes through that same index, not a scan.
    let plan: String = db
        .query_row(
            "EXPLAIN QUERY PLAN SELECT seq FROM webhooks
              WHERE event_id = 'evt_1' AND accepted = 1 AND duplicate_of_seq IS NULL",
            [],
            |row| row.get(3),
        )
        .unwrap();
    assert!(plan.contains("webhooks_by_event"), "{plan}");
}

#[tokio::test]
async fn a_wrong_signature_is_answered_401_stored_with_its_reason_and_never_processed() {
    let harness = Harness::new().await;
    let event = status_changed("evt_1", "conn_1", 0, "active");
    let mut request = signed(&event, harness.now());
    request.headers_mut().insert(
        "webhook-signature",
        "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
            .parse()
            .unwrap(),
    );
    let (status, body) = harness.post(request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "AUTHENTICATION_FAILED");
    let row = only_row(&harness).await;
    assert_eq!(row.signature, SignatureCheck::Invalid);
    assert_eq!(row.processing, Processing::Skipped);
    harness.inbox.process_pending().await.unwrap();
    assert_eq!(
        harness.inbox.connection_state("conn_1").await.unwrap(),
        None
    );
    let detail = harness.inbox.show(&row.seq.to_string()).await.unwrap();
    assert!(detail
        .signature_reason
        .unwrap()
        .contains("no v1 signature matches"));
}

#[tokio::test]
async fn a_request_without_signature_headers_is_answered_401_as_missing() {
    let harness = Harness::new().await;
    let request = Request::post("/webhooks")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"id":"evt_1","type":"sync.completed"}"#))
        .unwrap();
    assert_eq!(harness.post(request).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(only_row(&harness).await.signature, SignatureCheck::Missing);
}

#[tokio::test]
async fn a_timestamp_more_than_five_minutes_old_is_answered_401_as_stale() {
    let harness = Harness::new().await;
    let event = status_changed("evt_1", "conn_1", 0, "active");
    let (status, _) = harness.post(signed(&event, harness.now() - 301)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(only_row(&harness).await.signature, SignatureCheck::Stale);
}

#[tokio::test]
async fn a_signed_body_that_is_not_json_is_answered_400_and_stored_for_inspection() {
    let harness = Harness::new().await;
    let (status, body) = harness
        .post(signed_raw("evt_1", b"{not json".to_vec(), harness.now()))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "INVALID_REQUEST");
    let row = only_row(&harness).await;
    assert_eq!(row.status, Some(400));
    assert_eq!(row.processing, Processing::Skipped);
    let detail = harness.inbox.show(&row.seq.to_string()).await.unwrap();
    assert_eq!(detail.body, "{not json");
}

#[tokio::test]
async fn a_signed_body_without_id_or_type_is_answered_400() {
    let harness = Harness::new().await;
    let no_type = br#"{"id":"evt_1"}"#.to_vec();
    assert_eq!(
        harness
            .post(signed_raw("evt_1", no_type, harness.now()))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let no_id = br#"{"type":"sync.completed"}"#.to_vec();
    assert_eq!(
        harness
            .post(signed_raw("evt_2", no_id, harness.now()))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_body_above_one_mebibyte_is_answered_413_whether_declared_or_streamed() {
    let harness = Harness::new().await;
    let huge = vec![b' '; desk_inbox::MAX_BODY_BYTES + 1];
    let (status, body) = harness
        .post(signed_raw("evt_big", huge.clone(), harness.now()))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["code"], "PAYLOAD_TOO_LARGE");
    let mut declared = signed_raw("evt_big2", huge, harness.now());
    declared.headers_mut().insert(
        "content-length",
        (desk_inbox::MAX_BODY_BYTES + 1)
            .to_string()
            .parse()
            .unwrap(),
    );
    assert_eq!(
        harness.post(declared).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let page = harness.inbox.list(&ListFilter::default()).await.unwrap();
    assert!(page
        .data
        .iter()
        .all(|row| row.status == Some(413) && row.processing == Processing::Skipped));
    assert_eq!(page.data.len(), 2);
}

#[tokio::test]
async fn exactly_one_mebibyte_is_still_accepted() {
    let harness = Harness::new().await;
    let mut body = br#"{"id":"evt_1","type":"credits.low","pad":""#.to_vec();
    let tail = br#""}"#;
    body.resize(desk_inbox::MAX_BODY_BYTES - tail.len(), b'x');
    body.extend_from_slice(tail);
    assert_eq!(
        harness
            .post(signed_raw("evt_1", body, harness.now()))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_non_json_content_type_is_answered_415() {
    let harness = Harness::new().await;
    let event = status_changed("evt_1", "conn_1", 0, "active");
    let mut request = signed(&event, harness.now());
    request
        .headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    let (status, body) = harness.post(request).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["error"]["code"], "UNSUPPORTED_MEDIA_TYPE");
    assert_eq!(only_row(&harness).await.status, Some(415));
}

#[tokio::test]
async fn every_answer_carries_a_json_body_and_a_request_id() {
    let harness = Harness::new().await;
    let event = status_changed("evt_1", "conn_1", 0, "active");
    let response =
        tower::ServiceExt::oneshot(harness.inbox.router(), signed(&event, harness.now()))
            .await
            .unwrap();
    assert!(response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .starts_with("req_"));
    assert_eq!(response.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn a_legacy_makini_payload_signed_over_the_body_is_accepted_and_deduplicated_by_its_bytes() {
    let harness = Harness::new().await;
    let body = br#"{"event":"assets.updated","body":["a1","a2"]}"#;
    let request = || {
        Request::post("/webhooks")
            .header("content-type", "application/json")
            .header("x-webhook-signature", hex::encode(key().body_hmac(body)))
            .body(Body::from(body.to_vec()))
            .unwrap()
    };
    assert_eq!(harness.post(request()).await.0, StatusCode::OK);
    let (status, answer) = harness.post(request()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["duplicate"], true);
    harness.inbox.process_pending().await.unwrap();
    let first = harness.inbox.show(&legacy_event_id(body)).await.unwrap();
    assert_eq!(first.summary.event_type.as_deref(), Some("assets.updated"));
    assert_eq!(first.scheme.as_deref(), Some("body_hmac"));
    assert_eq!(first.summary.processing, Processing::Skipped);
    assert_eq!(first.siblings.len(), 1);
}

#[tokio::test]
async fn a_profile_route_verifies_with_that_profile_secret() {
    let other = WebhookKey::from_bytes(b"profile-secret".to_vec()).unwrap();
    let harness = Harness::with(|config| {
        let mut config = InboxConfig { ..config };
        config
            .profile_secrets
            .insert("staging".to_owned(), other.clone());
        config
    })
    .await;
    let event = status_changed("evt_1", "conn_1", 0, "active");
    let body = serde_json::to_vec(&event).unwrap();
    let now = harness.now();
    let request = |path: &str| {
        Request::post(path)
            .header("content-type", "application/json")
            .header("webhook-id", "evt_1")
            .header("webhook-timestamp", now.to_string())
            .header("webhook-signature", other.sign("evt_1", now, &body))
            .body(Body::from(body.clone()))
            .unwrap()
    };
    assert_eq!(
        harness.post(request("/webhooks")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        harness.post(request("/webhooks/staging")).await.0,
        StatusCode::OK
    );
    let page = harness
        .inbox
        .list(&ListFilter {
            signature: Some(SignatureCheck::Valid),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.data[0].profile.as_deref(), Some("staging"));
}

#[tokio::test]
async fn credentials_in_headers_are_stored_redacted() {
    let harness = Harness::new().await;
    let event = status_changed("evt_1", "conn_1", 0, "active");
    let mut request = signed(&event, harness.now());
    request
        .headers_mut()
        .insert("authorization", "Bearer very-secret-token".parse().unwrap());
    harness.post(request).await;
    let detail = harness.inbox.show("evt_1").await.unwrap();
    assert!(detail
        .headers
        .contains(&("authorization".to_owned(), "[redacted]".to_owned())));
    let file = std::fs::read(harness.inbox.path()).unwrap();
    let wal = std::fs::read(harness.inbox.path().with_extension("db-wal")).unwrap_or_default();
    let needle = b"very-secret-token";
    assert!(!file.windows(needle.len()).any(|w| w == needle));
    assert!(!wal.windows(needle.len()).any(|w| w == needle));
}

#[tokio::test]
async fn a_signed_event_of_an_unknown_type_is_accepted_and_skipped_by_processing() {
    let harness = Harness::new().await;
    let body = serde_json::to_vec(
        &json!({"id": "evt_9", "type": "future.thing", "created_at": "2026-03-01T12:00:00Z"}),
    )
    .unwrap();
    assert_eq!(
        harness
            .post(signed_raw("evt_9", body, harness.now()))
            .await
            .0,
        StatusCode::OK
    );
    harness.inbox.process_pending().await.unwrap();
    let row = harness.inbox.show("evt_9").await.unwrap().summary;
    assert_eq!(row.processing, Processing::Skipped);
    assert!(row.note.unwrap().contains("no applier"));
}

#[tokio::test]
async fn a_signed_body_that_is_not_utf8_is_answered_400_and_its_exact_bytes_are_kept() {
    use base64::Engine as _;
    let harness = Harness::new().await;
    let bytes = b"{\"id\":\"evt_1\",\"type\":\"\xff\xfe\"}".to_vec();
    let (status, _) = harness
        .post(signed_raw("evt_1", bytes.clone(), harness.now()))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let detail = harness.inbox.show("evt_1").await.unwrap();
    let kept = base64::engine::general_purpose::STANDARD
        .decode(detail.body_base64)
        .unwrap();
    assert_eq!(kept, bytes);
    assert!(detail
        .answer_reason
        .unwrap()
        .starts_with("body is not JSON"));
}

#[tokio::test]
async fn after_the_inbox_closes_requests_are_answered_500_so_senders_retry() {
    let harness = Harness::new().await;
    let router = harness.inbox.router();
    harness.inbox.close().await;
    let event = status_changed("evt_1", "conn_1", 0, "active");
    let response = tower::ServiceExt::oneshot(router, signed(&event, harness.now()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
