use crate::harness::{credentials_for, TestEngine};
use axum::http::StatusCode;
use chrono::Duration;
use serde_json::json;

async fn fault(t: &TestEngine, id: &str, body: serde_json::Value) -> serde_json::Value {
    let reply = t
        .post(&format!("/api/v1/sandbox/connections/{id}/faults"), body)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn last_event(t: &TestEngine, id: &str) -> serde_json::Value {
    t.walk(&format!("/api/v1/events?connection_id={id}"), 500)
        .await
        .pop()
        .unwrap()
}

#[tokio::test]
async fn expired_credentials_require_reauthorization_until_a_reauthorization_heals_them() {
    let t = TestEngine::start().await;
    let (id, token) = t.synced("upkeep").await;
    let connection = fault(&t, &id, json!({"kind": "expire_credentials"})).await;
    assert_eq!(connection["reauthorization_required"], true);
    let event = last_event(&t, &id).await;
    assert_eq!(event["type"], "connection.reauthorization_required");
    assert!(event["data"]["reason"]
        .as_str()
        .unwrap()
        .contains("credentials"));
    let refused = t.data("GET", "/api/v1/vendors", &token, None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.code(), "REAUTHORIZATION_REQUIRED");
    assert_eq!(
        t.post(&format!("/api/v1/connections/{id}/test"), json!({}))
            .await
            .body["ok"],
        false
    );
    let healed = t
        .post(
            &format!("/api/v1/connections/{id}/reauthorize"),
            json!({"credentials": credentials_for("upkeep")}),
        )
        .await;
    assert_eq!(healed.body["connection"]["reauthorization_required"], false);
    assert_eq!(last_event(&t, &id).await["type"], "connection.reauthorized");
    let new_token = healed.body["token"].as_str().unwrap();
    assert_eq!(
        t.data("GET", "/api/v1/vendors", new_token, None)
            .await
            .status,
        StatusCode::OK
    );
    t.engine.tick().await.unwrap();
    assert_eq!(
        t.get(&format!("/api/v1/connections/{id}")).await.body["reauthorization_required"],
        false,
        "the monitor sees healthy credentials"
    );
}

#[tokio::test]
async fn a_system_going_offline_is_unavailable_until_it_comes_back() {
    let t = TestEngine::start().await;
    let (id, token) = t.synced("upkeep").await;
    assert_eq!(
        fault(&t, &id, json!({"kind": "go_offline"})).await["online"],
        false
    );
    let event = last_event(&t, &id).await;
    assert_eq!(event["type"], "connection.status_changed");
    assert_eq!(event["data"]["online"], false);
    let refused = t.data("GET", "/api/v1/vendors", &token, None).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.code(), "SYSTEM_UNAVAILABLE");
    t.clock.advance(Duration::minutes(61));
    t.engine.tick().await.unwrap();
    let status = t
        .get(&format!("/api/v1/connections/{id}/sync-status"))
        .await
        .body;
    assert!(
        status["error"]
            .as_str()
            .is_some_and(|e| e.contains("offline")),
        "{status}"
    );
    assert_eq!(
        fault(&t, &id, json!({"kind": "come_online"})).await["online"],
        true
    );
    assert_eq!(last_event(&t, &id).await["data"]["online"], true);
    assert_eq!(
        t.data("GET", "/api/v1/vendors", &token, None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_outage_with_a_duration_heals_by_itself() {
    let t = TestEngine::start().await;
    let (id, _) = t.synced("upkeep").await;
    fault(
        &t,
        &id,
        json!({"kind": "go_offline", "duration_seconds": 120}),
    )
    .await;
    t.clock.advance(Duration::seconds(60));
    t.engine.tick().await.unwrap();
    assert_eq!(
        t.get(&format!("/api/v1/connections/{id}")).await.body["online"],
        false
    );
    t.clock.advance(Duration::seconds(61));
    t.engine.tick().await.unwrap();
    assert_eq!(
        t.get(&format!("/api/v1/connections/{id}")).await.body["online"],
        true
    );
}

#[tokio::test]
async fn a_rate_limit_storm_answers_429_with_the_time_left() {
    let t = TestEngine::start().await;
    let (id, token) = t.synced("upkeep").await;
    fault(
        &t,
        &id,
        json!({"kind": "rate_limit", "duration_seconds": 30}),
    )
    .await;
    let limited = t.data("GET", "/api/v1/assets", &token, None).await;
    assert_eq!(limited.code(), "RATE_LIMIT_EXCEEDED");
    assert_eq!(limited.headers.get("retry-after").unwrap(), "30");
    t.clock.advance(Duration::seconds(31));
    assert_eq!(
        t.data("GET", "/api/v1/assets", &token, None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_system_error_is_an_event_and_fails_the_next_call_only() {
    let t = TestEngine::start().await;
    let (id, token) = t.synced("upkeep").await;
    fault(&t, &id, json!({"kind": "system_error"})).await;
    assert_eq!(last_event(&t, &id).await["type"], "system.error");
    assert_eq!(
        t.data("GET", "/api/v1/assets", &token, None).await.code(),
        "INTERNAL_ERROR"
    );
    assert_eq!(
        t.data("GET", "/api/v1/assets", &token, None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_fault_requests_change_nothing() {
    let t = TestEngine::start().await;
    let (id, _) = t.synced("upkeep").await;
    let events = t.walk("/api/v1/events", 500).await.len();
    assert_eq!(
        t.post(
            &format!("/api/v1/sandbox/connections/{id}/faults"),
            json!({"kind": "meteor"})
        )
        .await
        .code(),
        "INVALID_REQUEST"
    );
    assert_eq!(
        t.post(
            "/api/v1/sandbox/connections/conn_x/faults",
            json!({"kind": "go_offline"})
        )
        .await
        .code(),
        "NOT_FOUND"
    );
    let long = json!({"kind": "go_offline", "duration_seconds": 0});
    assert_eq!(
        t.post(&format!("/api/v1/sandbox/connections/{id}/faults"), long)
            .await
            .code(),
        "INVALID_REQUEST"
    );
    assert_eq!(t.walk("/api/v1/events", 500).await.len(), events);
}
