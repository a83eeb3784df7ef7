use crate::harness::TestEngine;
use axum::http::StatusCode;
use serde_json::json;
use std::collections::HashSet;

#[tokio::test]
async fn the_catalog_lists_over_forty_systems_with_forms_and_capabilities() {
    let t = TestEngine::start().await;
    let systems = t.walk("/api/v1/systems", 7).await;
    assert!(systems.len() >= 40, "{} systems", systems.len());
    let ids: HashSet<_> = systems.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), systems.len(), "a walk never repeats");
    let ecc = systems.iter().find(|s| s["id"] == "sap-ecc").unwrap();
    assert_eq!(ecc["tier"], 3);
    assert_eq!(ecc["credits"], json!({"cloud": 4, "on_premises": 8}));
    assert_eq!(ecc["deployments"], json!(["on_premises"]));
    assert!(ecc["auth"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["secret"] == true));
    assert!(systems
        .iter()
        .any(|s| s["entities"]["purchase-orders"]["frozen_when"].is_array()));
    let tier_one = t.walk("/api/v1/systems?tier=1&category=cmms", 100).await;
    assert!(
        !tier_one.is_empty()
            && tier_one
                .iter()
                .all(|s| s["tier"] == 1 && s["category"] == "cmms")
    );
    let sap = t.walk("/api/v1/systems?search=sap", 100).await;
    assert!(sap.iter().all(
        |s| s["name"].as_str().unwrap().to_lowercase().contains("sap")
            || s["vendor"].as_str().unwrap().to_lowercase().contains("sap")
    ));
}

#[tokio::test]
async fn a_cursor_walk_neither_skips_nor_repeats_while_rows_are_added() {
    let t = TestEngine::start().await;
    let mut expected = HashSet::new();
    for n in 0..25 {
        expected.insert(t.customer(&format!("Customer {n}")).await);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0.. {
        let url = match &cursor {
            Some(c) => format!("/api/v1/customers?limit=4&cursor={c}"),
            None => "/api/v1/customers?limit=4".to_owned(),
        };
        let reply = t.get(&url).await;
        assert_eq!(reply.status, StatusCode::OK);
        seen.extend(
            reply.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned()),
        );
        // Customers created during the walk appear at its end, exactly once.
        if page < 3 {
            expected.insert(t.customer(&format!("Late {page}")).await);
        }
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), expected.len());
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), expected);
}

#[tokio::test]
async fn connections_filter_by_customer_and_status() {
    let t = TestEngine::start().await;
    let a = t.customer("A").await;
    let b = t.customer("B").await;
    t.connect(&a, "upkeep", "cloud").await; // takes the trial credit
    t.connect(&a, "netsuite", "cloud").await; // inactive
    t.connect(&b, "upkeep", "cloud").await; // inactive
    assert_eq!(
        t.walk(&format!("/api/v1/connections?customer_id={a}"), 1)
            .await
            .len(),
        2
    );
    let inactive = t.walk("/api/v1/connections?status=inactive", 1).await;
    assert_eq!(inactive.len(), 2);
    assert_eq!(
        t.walk(
            &format!("/api/v1/connections?customer_id={b}&status=active"),
            10
        )
        .await
        .len(),
        0
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let t = TestEngine::start().await;
    let reply = t.send("GET", "/openapi.json", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let paths = reply.body["paths"].as_object().unwrap();
    for path in [
        "/oauth/token",
        "/api/v1/account",
        "/api/v1/systems",
        "/api/v1/systems/{id}/test",
        "/api/v1/customers",
        "/api/v1/customers/{id}",
        "/api/v1/connections",
        "/api/v1/connections/{id}",
        "/api/v1/connections/{id}/test",
        "/api/v1/connections/{id}/reauthorize",
        "/api/v1/connections/{id}/activate",
        "/api/v1/connections/{id}/disconnect",
        "/api/v1/connections/{id}/data",
        "/api/v1/connections/{id}/webhook",
        "/api/v1/magic-links",
        "/api/v1/credits/ledger",
        "/api/v1/events",
    ] {
        assert!(paths.contains_key(path), "missing {path}");
    }
    assert!(reply.body["components"]["schemas"]["ErrorEnvelope"].is_object());
    assert!(reply.body["components"]["securitySchemes"]["admin"].is_object());
}
