use crate::harness::TestEngine;
use axum::http::StatusCode;
use desk_platform::clock::Clock as _;
use serde_json::json;
use std::collections::HashSet;

#[tokio::test]
async fn an_initial_sync_fills_every_entity_with_realistic_records() {
    let t = TestEngine::start().await;
    let (id, token) = t.synced("upkeep").await;
    let status = t.get(&format!("/api/v1/connections/{id}")).await;
    assert_eq!(status.body["status"], "active");
    assert!(status.body["last_sync_at"].is_string());
    let orders = t.walk_data("/api/v1/purchase-orders", &token, 500).await;
    assert_eq!(
        orders.len(),
        90,
        "3 purchase orders a day over the 30-day history window"
    );
    let po = &orders[0];
    assert!(po["id"].as_str().unwrap().starts_with("PO-"));
    assert!(po["vendor_id"].as_str().unwrap().starts_with("V-"));
    assert!(po["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["quantity"].as_i64().unwrap() > 0));
    assert!(["draft", "approved", "received"].contains(&po["status"].as_str().unwrap()));
    let assets = t.walk_data("/api/v1/assets", &token, 500).await;
    assert!(assets
        .iter()
        .any(|a| a["kind"] == "site" && a["parent_id"].is_null()));
    let work = t.walk_data("/api/v1/work-orders", &token, 500).await;
    assert!(work
        .iter()
        .all(|w| w["asset_id"].as_str().unwrap().starts_with("AST-")));
    let one = t
        .data(
            "GET",
            &format!("/api/v1/work-orders/{}", work[3]["id"].as_str().unwrap()),
            &token,
            None,
        )
        .await;
    assert_eq!(one.body, work[3]);
}

#[tokio::test]
async fn a_cursor_walk_neither_skips_nor_repeats_while_records_change() {
    let t = TestEngine::start().await;
    let (_, token) = t.synced("upkeep").await;
    let before: HashSet<String> = t
        .walk_data("/api/v1/work-orders", &token, 500)
        .await
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_owned())
        .collect();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0..1000 {
        let url = match &cursor {
            Some(c) => format!("/api/v1/work-orders?limit=7&cursor={c}"),
            None => "/api/v1/work-orders?limit=7".to_owned(),
        };
        let reply = t.data("GET", &url, &token, None).await;
        let ids: Vec<String> = reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_str().unwrap().to_owned())
            .collect();
        // While walking: update a record already seen, one not seen yet, and create one.
        if let Some(first) = ids.first() {
            t.data(
                "PATCH",
                &format!("/api/v1/work-orders/{first}"),
                &token,
                Some(json!({"priority": "urgent"})),
            )
            .await;
        }
        let ahead = format!("WO-{:06}", 140 - page % 100);
        t.data(
            "PATCH",
            &format!("/api/v1/work-orders/{ahead}"),
            &token,
            Some(json!({"technician": "New Person"})),
        )
        .await;
        if page % 3 == 0 {
            let created = t
                .data(
                    "POST",
                    "/api/v1/work-orders",
                    &token,
                    Some(json!({"title": format!("walk {page}")})),
                )
                .await;
            assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        }
        seen.extend(ids);
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no record was repeated");
    assert!(
        before.is_subset(&unique),
        "no record that existed at the start was skipped"
    );
}

#[tokio::test]
async fn modified_after_returns_only_changes_including_deletions() {
    let t = TestEngine::start().await;
    let (_, token) = t.synced("upkeep").await;
    t.clock.advance(chrono::Duration::seconds(10));
    let mark = t.clock.now() - chrono::Duration::seconds(1);
    t.clock.advance(chrono::Duration::seconds(1));
    t.data(
        "PATCH",
        "/api/v1/vendors/V-000003",
        &token,
        Some(json!({"payment_terms": "NET15"})),
    )
    .await;
    t.data("DELETE", "/api/v1/vendors/V-000004", &token, None)
        .await;
    let mark = mark.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let changed = t
        .walk_data(
            &format!("/api/v1/vendors?modified_after={mark}"),
            &token,
            100,
        )
        .await;
    let ids: Vec<&str> = changed.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["V-000003", "V-000004"]);
    assert!(changed[1]["deleted_at"].is_string());
    let all = t.walk_data("/api/v1/vendors", &token, 100).await;
    assert!(
        all.iter().all(|v| v["id"] != "V-000004"),
        "a plain listing hides deleted records"
    );
}

#[tokio::test]
async fn what_a_system_cannot_do_is_refused_with_the_right_code() {
    let t = TestEngine::start().await;
    let (_, token) = t.synced("netsuite").await;
    assert_eq!(
        t.data("GET", "/api/v1/work-orders", &token, None)
            .await
            .code(),
        "OPERATION_NOT_SUPPORTED"
    );
    assert_eq!(
        t.data("DELETE", "/api/v1/vendors/V-000001", &token, None)
            .await
            .code(),
        "OPERATION_NOT_SUPPORTED"
    );
    assert_eq!(
        t.data("GET", "/api/v1/vendors/V-999999", &token, None)
            .await
            .code(),
        "NOT_FOUND"
    );
    assert_eq!(
        t.data("GET", "/api/v1/spaceships", &token, None)
            .await
            .code(),
        "NOT_FOUND"
    );
    let missing = t
        .data(
            "POST",
            "/api/v1/vendors",
            &token,
            Some(json!({"country": "SE"})),
        )
        .await;
    assert_eq!(missing.code(), "INVALID_REQUEST");
    let read_only = t
        .data(
            "PATCH",
            "/api/v1/vendors/V-000001",
            &token,
            Some(json!({"id": "V-1"})),
        )
        .await;
    assert_eq!(read_only.code(), "FIELD_NOT_UPDATABLE");
}

#[tokio::test]
async fn a_frozen_purchase_order_cannot_be_updated() {
    let t = TestEngine::start().await;
    let (_, token) = t.synced("upkeep").await;
    let orders = t.walk_data("/api/v1/purchase-orders", &token, 500).await;
    let approved = orders.iter().find(|po| po["status"] == "approved").unwrap();
    let draft = orders.iter().find(|po| po["status"] == "draft").unwrap();
    let path = format!(
        "/api/v1/purchase-orders/{}",
        approved["id"].as_str().unwrap()
    );
    let refused = t
        .data("PATCH", &path, &token, Some(json!({"total": 1.0})))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.code(), "FIELD_NOT_UPDATABLE");
    let path = format!("/api/v1/purchase-orders/{}", draft["id"].as_str().unwrap());
    let changed = t
        .data("PATCH", &path, &token, Some(json!({"currency": "EUR"})))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["currency"], "EUR");
}

#[tokio::test]
async fn a_batch_reports_which_records_failed_and_why() {
    let t = TestEngine::start().await;
    let (_, token) = t.synced("upkeep").await;
    let batch = json!({"operations": [
        {"op": "create", "data": {"title": "Replace seal on pump 7"}},
        {"op": "create", "data": {"priority": "high"}},
        {"op": "update", "id": "WO-000001", "data": {"priority": "low"}},
        {"op": "delete", "id": "WO-999999"},
    ]});
    let reply = t
        .data("POST", "/api/v1/work-orders/batch", &token, Some(batch))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let results = reply.body["results"].as_array().unwrap();
    let oks: Vec<bool> = results.iter().map(|r| r["ok"].as_bool().unwrap()).collect();
    assert_eq!(oks, [true, false, true, false]);
    assert_eq!(results[1]["error"]["code"], "INVALID_REQUEST");
    assert_eq!(results[3]["error"]["code"], "NOT_FOUND");
    assert_eq!(reply.body["failed"], 2);
    let too_many = json!({"operations": vec![json!({"op": "delete", "id": "x"}); 101]});
    assert_eq!(
        t.data("POST", "/api/v1/work-orders/batch", &token, Some(too_many))
            .await
            .code(),
        "INVALID_REQUEST"
    );
}

#[tokio::test]
async fn the_systems_rate_limit_answers_429_with_retry_after() {
    let t = TestEngine::start().await;
    let (id, token) = t.synced("upkeep").await;
    let settings = json!({"rate_limit_per_minute": 3});
    assert_eq!(
        t.send(
            "PUT",
            &format!("/api/v1/sandbox/connections/{id}"),
            Some(&t.token),
            Some(settings)
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    t.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-24T12:00:10Z")
            .unwrap()
            .into(),
    );
    for _ in 0..3 {
        assert_eq!(
            t.data("GET", "/api/v1/vendors", &token, None).await.status,
            StatusCode::OK
        );
    }
    let limited = t.data("GET", "/api/v1/vendors", &token, None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.code(), "RATE_LIMIT_EXCEEDED");
    assert_eq!(limited.headers.get("retry-after").unwrap(), "50");
    t.clock.advance(chrono::Duration::seconds(50));
    assert_eq!(
        t.data("GET", "/api/v1/vendors", &token, None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn data_routes_refuse_admin_tokens_and_disconnected_connections() {
    let t = TestEngine::start().await;
    let (id, token) = t.synced("upkeep").await;
    assert_eq!(
        t.data("GET", "/api/v1/vendors", &t.token, None)
            .await
            .code(),
        "AUTHENTICATION_FAILED"
    );
    t.post(&format!("/api/v1/connections/{id}/disconnect"), json!({}))
        .await;
    assert_eq!(
        t.data("GET", "/api/v1/vendors", &token, None).await.code(),
        "CONNECTION_DISCONNECTED"
    );
}
