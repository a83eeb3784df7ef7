use crate::harness::{credentials_for, TestEngine};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn creating_a_connection_consumes_its_credits_and_shows_the_token_once() {
    let t = TestEngine::start().await;
    t.buy(9).await;
    let customer = t.customer("Acme").await;
    let created = t.connect(&customer, "sap-s4hana", "on_premises").await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let connection = &created.body["connection"];
    assert_eq!(
        connection["status"], "synchronizing",
        "the initial sync starts at once"
    );
    assert_eq!(connection["credits"], 8);
    assert_eq!(connection["authorized_by"], "test-admin");
    assert!(connection["token_issued_at"].is_string());
    let token = created.body["token"].as_str().unwrap();
    assert!(token.starts_with("ct_"));
    assert_eq!(
        t.account_credits().await,
        json!({"purchased": 10, "in_use": 8, "available": 2, "overage_in_use": 0})
    );
    let id = connection["id"].as_str().unwrap();
    let fetched = t.get(&format!("/api/v1/connections/{id}")).await;
    assert_eq!(fetched.body, *connection);
    assert!(
        fetched.body.get("token").is_none(),
        "the token is never shown again"
    );
    let me = t.send("GET", "/api/v1/connection", Some(token), None).await;
    assert_eq!(me.body["id"], id);
}

#[tokio::test]
async fn a_connection_the_pool_cannot_hold_is_created_inactive_and_consumes_nothing() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    let created = t.connect(&customer, "netsuite", "cloud").await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["connection"]["status"], "inactive");
    assert_eq!(t.account_credits().await["in_use"], 0);
    assert_eq!(t.account_credits().await["available"], 1);
}

#[tokio::test]
async fn activating_takes_credits_when_they_exist_or_overage_on_a_paid_plan() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    let a = t.connect(&customer, "netsuite", "cloud").await.body["connection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = t.connect(&customer, "sap-s4hana", "cloud").await.body["connection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let short = t
        .post(&format!("/api/v1/connections/{a}/activate"), json!({}))
        .await;
    assert_eq!(short.status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(short.code(), "INSUFFICIENT_CREDITS");
    let trial_overage = t
        .post(
            &format!("/api/v1/connections/{a}/activate"),
            json!({"overage": true}),
        )
        .await;
    assert_eq!(
        trial_overage.code(),
        "PERMISSION_DENIED",
        "a trial account has no overage"
    );
    t.buy(1).await;
    let active = t
        .post(&format!("/api/v1/connections/{a}/activate"), json!({}))
        .await;
    assert_eq!(active.body["status"], "synchronizing", "{}", active.body);
    t.set_plan("paid").await;
    let overage = t
        .post(
            &format!("/api/v1/connections/{b}/activate"),
            json!({"overage": true}),
        )
        .await;
    assert_eq!(overage.body["status"], "overage");
    assert_eq!(
        t.account_credits().await,
        json!({"purchased": 2, "in_use": 2, "available": 0, "overage_in_use": 4})
    );
    let again = t
        .post(&format!("/api/v1/connections/{a}/activate"), json!({}))
        .await;
    assert_eq!(again.code(), "CONFLICT");
    t.buy(4).await;
    let into_pool = t
        .post(&format!("/api/v1/connections/{b}/activate"), json!({}))
        .await;
    assert_eq!(into_pool.body["status"], "active");
    assert_eq!(
        t.account_credits().await,
        json!({"purchased": 6, "in_use": 6, "available": 0, "overage_in_use": 0})
    );
}

#[tokio::test]
async fn reauthorizing_keeps_the_id_issues_a_new_token_and_kills_the_old_one() {
    let t = TestEngine::start().await;
    t.buy(3).await;
    let customer = t.customer("Acme").await;
    let created = t.connect(&customer, "netsuite", "cloud").await;
    let id = created.body["connection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let old_token = created.body["token"].as_str().unwrap().to_owned();
    let credits_before = t.account_credits().await;
    t.clock.advance(chrono::Duration::minutes(5));
    let reply = t
        .post(
            &format!("/api/v1/connections/{id}/reauthorize"),
            json!({"credentials": credentials_for("netsuite"), "authorized_by": "it@acme.example"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["connection"]["id"], id);
    assert_eq!(reply.body["connection"]["authorized_by"], "it@acme.example");
    assert_eq!(reply.body["identity_changed"], false);
    assert_ne!(
        reply.body["connection"]["token_issued_at"],
        created.body["connection"]["token_issued_at"]
    );
    let new_token = reply.body["token"].as_str().unwrap();
    assert_ne!(new_token, old_token);
    assert_eq!(
        t.send("GET", "/api/v1/connection", Some(&old_token), None)
            .await
            .code(),
        "AUTHENTICATION_FAILED"
    );
    assert_eq!(
        t.send("GET", "/api/v1/connection", Some(new_token), None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        t.account_credits().await,
        credits_before,
        "reauthorizing changes no credits"
    );
}

#[tokio::test]
async fn reauthorizing_with_another_accounts_credentials_is_flagged() {
    let t = TestEngine::start().await;
    t.buy(3).await;
    let customer = t.customer("Acme").await;
    let id = t.connect(&customer, "netsuite", "cloud").await.body["connection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut other = credentials_for("netsuite");
    other["account_id"] = json!("7654321");
    let test = t
        .post(
            &format!("/api/v1/connections/{id}/test"),
            json!({"credentials": other}),
        )
        .await;
    assert_eq!(test.body["ok"], false);
    assert!(test.body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "same_account" && c["ok"] == false));
    let reply = t
        .post(
            &format!("/api/v1/connections/{id}/reauthorize"),
            json!({"credentials": other}),
        )
        .await;
    assert_eq!(reply.body["identity_changed"], true);
}

#[tokio::test]
async fn testing_reports_each_check_and_changes_nothing() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    let id = t.connect(&customer, "upkeep", "cloud").await.body["connection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let events_before = t.walk("/api/v1/events", 100).await.len();
    let ok = t
        .post(&format!("/api/v1/connections/{id}/test"), json!({}))
        .await;
    assert_eq!(ok.body["ok"], true, "{}", ok.body);
    let bad = t
        .post(
            &format!("/api/v1/connections/{id}/test"),
            json!({"credentials": {"email": "a@b.c", "password": "invalid"}}),
        )
        .await;
    assert_eq!(bad.body["ok"], false);
    let empty = t
        .send(
            "POST",
            &format!("/api/v1/connections/{id}/test"),
            Some(&t.token),
            None,
        )
        .await;
    assert_eq!(empty.status, StatusCode::OK, "the body is optional");
    assert_eq!(t.walk("/api/v1/events", 100).await.len(), events_before);
}

#[tokio::test]
async fn disconnecting_kills_the_token_returns_credits_and_keeps_the_data() {
    let t = TestEngine::start().await;
    t.buy(3).await;
    let customer = t.customer("Acme").await;
    let created = t.connect(&customer, "netsuite", "cloud").await;
    let id = created.body["connection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = created.body["token"].as_str().unwrap().to_owned();
    let reply = t
        .post(&format!("/api/v1/connections/{id}/disconnect"), json!({}))
        .await;
    assert_eq!(reply.body["status"], "disconnected");
    assert!(reply.body["next_sync_at"].is_null());
    assert_eq!(
        t.send("GET", "/api/v1/connection", Some(&token), None)
            .await
            .code(),
        "CONNECTION_DISCONNECTED"
    );
    assert_eq!(t.account_credits().await["available"], 4);
    assert_eq!(
        t.post(&format!("/api/v1/connections/{id}/disconnect"), json!({}))
            .await
            .code(),
        "CONFLICT"
    );
    assert_eq!(
        t.post(
            &format!("/api/v1/connections/{id}/reauthorize"),
            json!({"credentials": credentials_for("netsuite")})
        )
        .await
        .code(),
        "CONNECTION_DISCONNECTED"
    );
    let deleted = t
        .send(
            "DELETE",
            &format!("/api/v1/connections/{id}/data"),
            Some(&t.token),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK);
}

#[tokio::test]
async fn data_can_only_be_deleted_after_disconnecting() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    let id = t.connect(&customer, "upkeep", "cloud").await.body["connection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = t
        .send(
            "DELETE",
            &format!("/api/v1/connections/{id}/data"),
            Some(&t.token),
            None,
        )
        .await;
    assert_eq!(reply.code(), "CONFLICT");
}

#[tokio::test]
async fn a_new_token_can_be_issued_and_the_old_one_dies() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    let created = t.connect(&customer, "upkeep", "cloud").await;
    let id = created.body["connection"]["id"].as_str().unwrap();
    let issued = t
        .post(&format!("/api/v1/connections/{id}/token"), json!({}))
        .await;
    assert_eq!(issued.status, StatusCode::OK);
    let old = created.body["token"].as_str().unwrap();
    assert_eq!(
        t.send("GET", "/api/v1/connection", Some(old), None)
            .await
            .code(),
        "AUTHENTICATION_FAILED"
    );
    assert_eq!(
        t.send(
            "GET",
            "/api/v1/connection",
            issued.body["token"].as_str(),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn webhook_settings_return_a_stable_signing_secret() {
    let t = TestEngine::start().await;
    let customer = t.customer("Acme").await;
    let id = t.connect(&customer, "upkeep", "cloud").await.body["connection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({"url": "http://127.0.0.1:9/webhooks", "events": ["sync.completed"]});
    let first = t
        .send(
            "PUT",
            &format!("/api/v1/connections/{id}/webhook"),
            Some(&t.token),
            Some(body.clone()),
        )
        .await;
    assert!(first.body["secret"].as_str().unwrap().starts_with("whsec_"));
    let second = t
        .send(
            "PUT",
            &format!("/api/v1/connections/{id}/webhook"),
            Some(&t.token),
            Some(body),
        )
        .await;
    assert_eq!(first.body["secret"], second.body["secret"]);
    let bad = json!({"url": "ftp://x", "events": []});
    assert_eq!(
        t.send(
            "PUT",
            &format!("/api/v1/connections/{id}/webhook"),
            Some(&t.token),
            Some(bad)
        )
        .await
        .code(),
        "INVALID_REQUEST"
    );
    let unknown_event = json!({"url": "http://127.0.0.1:9/", "events": ["sync.exploded"]});
    assert_eq!(
        t.send(
            "PUT",
            &format!("/api/v1/connections/{id}/webhook"),
            Some(&t.token),
            Some(unknown_event)
        )
        .await
        .code(),
        "INVALID_REQUEST"
    );
}

#[tokio::test]
async fn every_lifecycle_step_is_in_the_event_log() {
    let t = TestEngine::start().await;
    t.buy(3).await;
    let customer = t.customer("Acme").await;
    let id = t.connect(&customer, "netsuite", "cloud").await.body["connection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.post(
        &format!("/api/v1/connections/{id}/reauthorize"),
        json!({"credentials": credentials_for("netsuite")}),
    )
    .await;
    t.post(&format!("/api/v1/connections/{id}/disconnect"), json!({}))
        .await;
    let events = t.walk("/api/v1/events", 2).await;
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "connection.created",
            "connection.reauthorized",
            "connection.disconnected"
        ]
    );
    for event in &events {
        assert_eq!(event["connection_id"], id);
        assert_eq!(event["customer_id"], customer);
        assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    }
    let after_first = t
        .get(&format!(
            "/api/v1/events?after={}",
            events[0]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(after_first.body["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn credits_low_is_emitted_once_when_the_pool_falls_under_the_threshold() {
    let t = TestEngine::start().await;
    t.buy(6).await;
    let customer = t.customer("Acme").await;
    t.connect(&customer, "netsuite", "cloud").await; // 7 -> 5
    t.connect(&customer, "upkeep", "cloud").await; // 5 -> 4: crosses the threshold of 5
    t.connect(&customer, "upkeep", "cloud").await; // 4 -> 3: already low
    let events = t.walk("/api/v1/events", 100).await;
    let low: Vec<_> = events
        .iter()
        .filter(|e| e["type"] == "credits.low")
        .collect();
    assert_eq!(low.len(), 1);
    assert_eq!(low[0]["data"]["available"], 4);
}
