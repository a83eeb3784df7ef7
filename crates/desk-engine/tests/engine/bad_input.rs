use crate::harness::TestEngine;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

async fn post_raw(
    t: &TestEngine,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> crate::harness::Reply {
    let request = Request::post(path)
        .header("authorization", format!("Bearer {}", t.token))
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap();
    t.raw(request).await
}

async fn counts(t: &TestEngine) -> (usize, usize, usize) {
    (
        t.walk("/api/v1/customers", 500).await.len(),
        t.walk("/api/v1/connections", 500).await.len(),
        t.walk("/api/v1/credits/ledger", 500).await.len(),
    )
}

#[tokio::test]
async fn malformed_bodies_get_the_envelope_and_change_nothing() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    let before = counts(&t).await;
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        ("application/json", b"{not json".to_vec(), StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        ("application/json", vec![0xff, 0xfe, 0x00], StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        ("application/json", b"[]".to_vec(), StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        ("application/json", json!({"customer_id": customer, "system_id": 7}).to_string().into_bytes(), StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        ("application/json", json!({"customer_id": customer, "system_id": "upkeep", "deployment": "moon", "name": "x"}).to_string().into_bytes(), StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        ("application/json", json!({"customer_id": customer, "system_id": "upkeep", "deployment": "cloud", "name": "x", "surprise": 1}).to_string().into_bytes(), StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        ("text/plain", b"hello".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE"),
        ("application/json", vec![b' '; 1024 * 1024 + 10], StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE"),
    ];
    for (content_type, body, status, code) in cases {
        let reply = post_raw(&t, "/api/v1/connections", content_type, body).await;
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(reply.code(), code);
    }
    assert_eq!(counts(&t).await, before);
}

#[tokio::test]
async fn unknown_ids_are_not_found_and_unknown_values_are_invalid() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    assert_eq!(
        t.get("/api/v1/customers/cus_nope").await.code(),
        "NOT_FOUND"
    );
    assert_eq!(
        t.get("/api/v1/connections/conn_nope").await.code(),
        "NOT_FOUND"
    );
    assert_eq!(
        t.post("/api/v1/connections/conn_nope/disconnect", json!({}))
            .await
            .code(),
        "NOT_FOUND"
    );
    let no_customer = t.connect("cus_missing", "upkeep", "cloud").await;
    assert_eq!(no_customer.status, StatusCode::NOT_FOUND);
    let no_system = t
        .post("/api/v1/connections", json!({"customer_id": customer, "system_id": "not-a-system", "deployment": "cloud", "name": "x"}))
        .await;
    assert_eq!(no_system.code(), "NOT_FOUND");
    assert_eq!(
        t.get("/api/v1/connections?status=sleeping").await.code(),
        "INVALID_REQUEST"
    );
    assert_eq!(
        t.get("/api/v1/connections?limit=0").await.code(),
        "INVALID_REQUEST"
    );
    assert_eq!(
        t.get("/api/v1/connections?limit=501").await.code(),
        "INVALID_REQUEST"
    );
    assert_eq!(
        t.get("/api/v1/connections?cursor=%%%").await.code(),
        "INVALID_REQUEST"
    );
    assert_eq!(
        t.get("/api/v1/events?after=evt_unknown").await.code(),
        "NOT_FOUND"
    );
    assert_eq!(t.get("/api/v1/nothing-here").await.code(), "NOT_FOUND");
    assert_eq!(
        t.send("DELETE", "/api/v1/account", Some(&t.token), None)
            .await
            .code(),
        "OPERATION_NOT_SUPPORTED"
    );
}

#[tokio::test]
async fn credentials_are_checked_against_the_systems_form() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    let base =
        json!({"customer_id": customer, "system_id": "upkeep", "deployment": "cloud", "name": "x"});
    let with = |credentials: serde_json::Value| {
        let mut body = base.clone();
        body["credentials"] = credentials;
        body
    };
    let missing = t
        .post("/api/v1/connections", with(json!({"email": "a@b.c"})))
        .await;
    assert_eq!(missing.code(), "INVALID_REQUEST");
    assert!(missing.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("password"));
    let unknown = t
        .post(
            "/api/v1/connections",
            with(json!({"email": "a@b.c", "password": "p", "pin": "1"})),
        )
        .await;
    assert!(unknown.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("pin"));
    let refused = t
        .post(
            "/api/v1/connections",
            with(json!({"email": "a@b.c", "password": "invalid-pw"})),
        )
        .await;
    assert_eq!(refused.code(), "INVALID_REQUEST");
    let on_prem = t
        .post("/api/v1/connections", json!({"customer_id": customer, "system_id": "upkeep", "deployment": "on_premises", "name": "x", "credentials": {"email": "a@b.c", "password": "p"}}))
        .await;
    assert_eq!(
        on_prem.code(),
        "INVALID_REQUEST",
        "UpKeep has no on-premises deployment"
    );
    assert!(t.walk("/api/v1/connections", 100).await.is_empty());
    assert_eq!(t.account_credits().await["in_use"], 0);
}

#[tokio::test]
async fn empty_names_and_bad_emails_are_refused() {
    let t = TestEngine::start().await;
    assert_eq!(
        t.post("/api/v1/customers", json!({"name": "  "}))
            .await
            .code(),
        "INVALID_REQUEST"
    );
    assert_eq!(
        t.post("/api/v1/customers", json!({"name": "A", "email": "nope"}))
            .await
            .code(),
        "INVALID_REQUEST"
    );
    assert_eq!(
        t.post("/api/v1/customers", json!({"name": "x".repeat(201)}))
            .await
            .code(),
        "INVALID_REQUEST"
    );
}
