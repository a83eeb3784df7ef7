use crate::harness::{credentials_for, TestEngine};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_magic_link_creates_a_pending_connection_its_customer_finishes() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    let link = t
        .post(
            "/api/v1/magic-links",
            json!({"customer_id": customer, "name": "Plant SAP", "expires_in": 3600}),
        )
        .await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.body);
    let connection_id = link.body["connection_id"].as_str().unwrap().to_owned();
    let pending = t.get(&format!("/api/v1/connections/{connection_id}")).await;
    assert_eq!(pending.body["status"], "pending");
    assert_eq!(pending.body["credits"], 0);
    let url = link.body["url"].as_str().unwrap();
    let path = &url[url.find("/connect/").unwrap()..];
    let view = t.send("GET", path, None, None).await;
    assert_eq!(view.body["customer_name"], "Acme");
    let finish = json!({"system_id": "upkeep", "deployment": "cloud", "credentials": credentials_for("upkeep"), "authorized_by": "it@acme.example"});
    let done = t.send("POST", path, None, Some(finish.clone())).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["status"], "synchronizing");
    assert_eq!(done.body["authorized_by"], "it@acme.example");
    assert!(
        done.body.get("token").is_none(),
        "the customer never sees the token"
    );
    assert_eq!(t.account_credits().await["in_use"], 1);
    let again = t.send("POST", path, None, Some(finish)).await;
    assert_eq!(again.code(), "CONFLICT");
}

#[tokio::test]
async fn an_expired_or_unknown_link_cannot_be_used() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    let link = t
        .post(
            "/api/v1/magic-links",
            json!({"customer_id": customer, "system_id": "upkeep", "name": "x", "expires_in": 60}),
        )
        .await;
    let url = link.body["url"].as_str().unwrap();
    let path = url[url.find("/connect/").unwrap()..].to_owned();
    t.clock.advance(chrono::Duration::seconds(61));
    let finish = json!({"deployment": "cloud", "credentials": credentials_for("upkeep"), "authorized_by": "it"});
    assert_eq!(
        t.send("POST", &path, None, Some(finish.clone()))
            .await
            .code(),
        "PERMISSION_DENIED"
    );
    assert_eq!(
        t.send("POST", "/connect/mlt_forged", None, Some(finish))
            .await
            .code(),
        "NOT_FOUND"
    );
    let bad_expiry = t
        .post(
            "/api/v1/magic-links",
            json!({"customer_id": customer, "name": "x", "expires_in": 5}),
        )
        .await;
    assert_eq!(bad_expiry.code(), "INVALID_REQUEST");
}

#[tokio::test]
async fn a_link_fixed_to_a_system_refuses_another() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    let link = t
        .post(
            "/api/v1/magic-links",
            json!({"customer_id": customer, "system_id": "upkeep", "name": "x"}),
        )
        .await;
    let url = link.body["url"].as_str().unwrap();
    let path = &url[url.find("/connect/").unwrap()..];
    let finish = json!({"system_id": "maintainx", "deployment": "cloud", "credentials": credentials_for("maintainx"), "authorized_by": "it"});
    assert_eq!(
        t.send("POST", path, None, Some(finish)).await.code(),
        "INVALID_REQUEST"
    );
}

#[tokio::test]
async fn links_issued_under_link_keep_working_beside_makinis_token_endpoint() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    let link = t
        .post(
            "/api/v1/magic-links",
            json!({"customer_id": customer, "system_id": "upkeep", "name": "x"}),
        )
        .await;
    let url = link.body["url"].as_str().unwrap();
    assert!(url.contains("/connect/mlt_"), "{url}");
    // A link sent before the move said /link/<token>.
    let old = url[url.find("/connect/").unwrap()..].replacen("/connect/", "/link/", 1);
    let view = t.send("GET", &old, None, None).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    assert_eq!(view.body["customer_name"], "Acme");
    let finish = json!({"deployment": "cloud", "credentials": credentials_for("upkeep"), "authorized_by": "it"});
    let done = t.send("POST", &old, None, Some(finish)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    // The old path is not documented any more; the new one is.
    let doc = serde_json::to_value(desk_engine::openapi_document()).unwrap();
    assert!(doc["paths"].get("/connect/{token}").is_some());
    assert!(doc["paths"].get("/link/{token}").is_none());
}
