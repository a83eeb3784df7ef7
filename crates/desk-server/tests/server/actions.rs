//! Actions over HTTP reach desk-core and answer typed JSON; lifecycle changes show at once in
//! the mirror and on the event stream.

use crate::Served;
use futures::StreamExt;

#[tokio::test]
async fn unknown_actions_and_bad_bodies_answer_typed_errors() {
    let served = Served::start().await;
    let (status, body) = served.call("no_such_action", serde_json::json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "UNKNOWN_ACTION");
    let (status, body) = served
        .call("connection_show", serde_json::json!({ "id": 42 }))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "INVALID_INPUT");
    assert_eq!(body["error"]["next_step"], "fix_input");
    let (status, body) = served
        .call("connections_list", serde_json::json!({ "colour": "red" }))
        .await;
    assert_eq!(status, 400, "unknown fields are refused: {body}");
    served.stop().await;
}

#[tokio::test]
async fn a_disconnect_returns_credits_updates_the_mirror_and_is_on_the_event_stream() {
    let served = Served::start().await;
    let (status, report) = served.call("sync_run", serde_json::json!({})).await;
    assert_eq!(status, 200, "{report}");
    let (_, summary) = served.call("account_summary", serde_json::json!({})).await;
    let in_use_before = summary["credits"]["in_use"].as_i64().expect("in_use");
    let (_, page) = served
        .call(
            "connections_list",
            serde_json::json!({"statuses": ["active"], "health": ["healthy"], "sort": "credits", "descending": true, "offset": 0}),
        )
        .await;
    let row = &page["rows"][0];
    let id = row["id"].as_str().expect("an active connection").to_owned();
    let credits = row["credits"].as_i64().expect("credits");

    let events = served
        .http
        .get(format!("{}/api/events", served.base))
        .bearer_auth(served.token.as_str())
        .send()
        .await
        .expect("the stream opens");
    assert_eq!(events.status(), 200);
    let mut stream = events.bytes_stream();
    // The stream says it is live before the action starts (the UI's subscribe-then-call rule).
    let first = stream
        .next()
        .await
        .expect("a first message")
        .expect("bytes");
    assert!(String::from_utf8_lossy(&first).contains("ready"));

    let (status, outcome) = served
        .call("connection_disconnect", serde_json::json!({ "id": id }))
        .await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["connection"]["status"], "disconnected");
    assert_eq!(outcome["health"], "disconnected");
    assert_eq!(outcome["credits_returned"], credits);
    assert_eq!(
        outcome["credits"]["in_use"].as_i64(),
        Some(in_use_before - credits)
    );

    let (_, shown) = served
        .call("connection_show", serde_json::json!({ "id": id }))
        .await;
    assert_eq!(shown["status"], "disconnected", "the mirror has it at once");
    let (_, summary) = served.call("account_summary", serde_json::json!({})).await;
    assert_eq!(
        summary["credits"]["in_use"].as_i64(),
        Some(in_use_before - credits)
    );

    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.contains("connection_changed") {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("the event arrives in time")
            .expect("the stream goes on")
            .expect("bytes");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains(&id));
    assert!(seen.contains("\"change\":\"disconnected\""));
    served.stop().await;
}

#[tokio::test]
async fn the_overview_filters_searches_and_counts_from_the_mirror() {
    let served = Served::start().await;
    let (status, _) = served.call("sync_run", serde_json::json!({})).await;
    assert_eq!(status, 200);
    let (_, counts) = served
        .call("connections_counts", serde_json::json!({"statuses": [], "health": [], "sort": "name", "descending": false, "offset": 0}))
        .await;
    let total = counts["total"].as_u64().expect("a total");
    assert!(total > 10, "{counts}");
    let by_status: u64 = counts["by_status"]
        .as_array()
        .expect("by status")
        .iter()
        .map(|c| c["count"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(by_status, total);
    let (_, all) = served
        .call("connections_list", serde_json::json!({"statuses": [], "health": [], "sort": "name", "descending": false, "offset": 0, "limit": 5}))
        .await;
    assert_eq!(all["total"].as_u64(), Some(total));
    assert_eq!(all["rows"].as_array().map(Vec::len), Some(5));
    let customer = all["rows"][0]["customer_name"]
        .as_str()
        .expect("a customer name")
        .to_owned();
    let word = customer
        .split_whitespace()
        .next()
        .expect("a word")
        .to_lowercase();
    let (_, found) = served
        .call("connections_list", serde_json::json!({"statuses": [], "health": [], "sort": "name", "descending": false, "offset": 0, "search": &word[..3]}))
        .await;
    let rows = found["rows"].as_array().expect("rows");
    assert!(!rows.is_empty());
    assert!(rows.iter().any(|r| r["customer_name"] == customer.as_str()));
    served.stop().await;
}
