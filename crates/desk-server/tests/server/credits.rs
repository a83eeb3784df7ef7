//! The credit dashboard's actions over HTTP on the demo account: statements that always close
//! on the platform's own balance, the ledger explained, idle connections, and the settings.

use crate::Served;
use serde_json::{json, Value};

/// xorshift: a fixed, varied sequence of lifecycle actions without a dependency.
struct Steps(u64);

impl Steps {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn this_month() -> String {
    chrono::Utc::now().format("%Y-%m").to_string()
}

async fn ids_with_status(served: &Served, status: &str) -> Vec<String> {
    let (_, page) = served
        .call(
            "connections_list",
            json!({"statuses": [status], "limit": 500}),
        )
        .await;
    page["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| r["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn assert_statement_matches_the_platform(served: &Served, step: &str) {
    let (status, statement) = served
        .call("credit_statement", json!({"month": this_month()}))
        .await;
    assert_eq!(status, 200, "{step}: {statement}");
    let (_, summary) = served.call("account_summary", json!({})).await;
    let available = summary["credits"]["available"].as_i64().expect("available");
    assert_eq!(
        statement["closing"].as_i64(),
        Some(available),
        "{step}: {statement}"
    );
    assert_eq!(
        statement["platform_closing"].as_i64(),
        Some(available),
        "{step}"
    );
}

#[tokio::test]
async fn statements_close_on_the_platforms_balance_after_any_sequence_of_lifecycle_actions() {
    let served = Served::start().await;
    let (status, report) = served.call("sync_run", json!({})).await;
    assert_eq!(status, 200, "{report}");
    assert_statement_matches_the_platform(&served, "after the first sync").await;
    let (_, customers) = served.call("customers_list", json!({})).await;
    let customer = customers["rows"][0]["id"]
        .as_str()
        .expect("a customer")
        .to_owned();

    let mut steps = Steps(0x5EED_CAFE);
    for n in 0..12 {
        let step = match steps.next(3) {
            0 => {
                let active = ids_with_status(&served, "active").await;
                let Some(id) = active.get(steps.next(active.len().max(1))) else {
                    continue;
                };
                let (status, body) = served
                    .call("connection_disconnect", json!({"id": id}))
                    .await;
                assert_eq!(status, 200, "{body}");
                format!("{n}: disconnect {id}")
            }
            1 => {
                let inactive = ids_with_status(&served, "inactive").await;
                let Some(id) = inactive.first() else { continue };
                let overage = steps.next(2) == 0;
                let (status, body) = served
                    .call("connection_activate", json!({"id": id, "overage": overage}))
                    .await;
                // A short pool refuses a plain activation; either answer leaves the books right.
                assert!(
                    status == 200 || body["error"]["code"] == "INSUFFICIENT_CREDITS",
                    "{body}"
                );
                format!("{n}: activate {id} (overage {overage}): {status}")
            }
            _ => {
                let (status, body) = served
                    .call(
                        "connection_create",
                        json!({"customer_id": customer, "system_id": "upkeep", "deployment": "cloud",
                               "name": format!("Step {n}"),
                               "credentials": {"email": "it@example.com", "password": "pw"}}),
                    )
                    .await;
                assert_eq!(status, 200, "{body}");
                format!("{n}: connect upkeep ({})", body["connection"]["status"])
            }
        };
        assert_statement_matches_the_platform(&served, &step).await;
    }

    // Month after month the closing is the next opening, back to the first entry.
    let (_, page) = served.call("ledger_list", json!({"limit": 5000})).await;
    let lines = page["lines"].as_array().expect("lines");
    let first = lines.last().expect("a ledger")["at"]
        .as_str()
        .expect("at")
        .to_owned();
    let mut month = first[..7].to_owned();
    let mut previous = 0;
    while month <= this_month() {
        let (_, s) = served
            .call("credit_statement", json!({"month": month}))
            .await;
        assert_eq!(s["opening"].as_i64(), Some(previous), "{month}: {s}");
        assert_eq!(s["closing"], s["platform_closing"], "{month}");
        previous = s["closing"].as_i64().expect("closing");
        let (year, m): (i32, u32) = (
            month[..4].parse().unwrap_or(0),
            month[5..].parse().unwrap_or(0),
        );
        month = if m == 12 {
            format!("{}-01", year + 1)
        } else {
            format!("{year}-{:02}", m + 1)
        };
    }
    served.stop().await;
}

#[tokio::test]
async fn ledger_lines_name_their_connection_and_statements_refuse_bad_months() {
    let served = Served::start().await;
    served.call("sync_run", json!({})).await;
    let (status, page) = served.call("ledger_list", json!({"limit": 3})).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["lines"].as_array().map(Vec::len), Some(3));
    assert_eq!(page["truncated"], true);
    let connect = page["lines"]
        .as_array()
        .and_then(|lines| lines.iter().find(|l| l["connection_id"].is_string()))
        .cloned()
        .unwrap_or(Value::Null);
    if connect.is_object() {
        assert!(connect["customer_name"].is_string(), "{connect}");
        assert!(connect["system_id"].is_string(), "{connect}");
    }
    let (status, body) = served
        .call("credit_statement", json!({"month": "2026-13"}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_INPUT");
    let (status, _) = served.call("ledger_list", json!({"limit": 0})).await;
    assert_eq!(status, 400);
    served.stop().await;
}

#[tokio::test]
async fn settings_are_checked_saved_and_drive_the_idle_list() {
    let served = Served::start().await;
    let (status, defaults) = served.call("settings_show", json!({})).await;
    assert_eq!(status, 200, "{defaults}");
    assert_eq!(defaults["idle_days"], 14);
    let (status, body) = served
        .call(
            "settings_update",
            json!({"low_credit_threshold": 3, "idle_days": 0, "forecast_window_days": 30}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("INVALID_INPUT"))
    );
    // The credit settings are checked here; the others (alerts') keep their values.
    let wanted = json!({"low_credit_threshold": null, "idle_days": 30, "forecast_window_days": 7});
    let (status, saved) = served.call("settings_update", wanted.clone()).await;
    let credit_part = |settings: &serde_json::Value| {
        json!({
            "low_credit_threshold": settings["low_credit_threshold"],
            "idle_days": settings["idle_days"],
            "forecast_window_days": settings["forecast_window_days"],
        })
    };
    assert_eq!((status, credit_part(&saved)), (200, wanted.clone()));
    let shown = served.call("settings_show", json!({})).await.1;
    assert_eq!(credit_part(&shown), wanted);
    assert_eq!(shown, saved, "what was saved is what is shown");

    served.call("sync_run", json!({})).await;
    let (status, idle) = served.call("idle_connections", json!({})).await;
    assert_eq!(status, 200, "{idle}");
    assert_eq!(idle["days"], 30, "the setting is the default");
    let listed = idle["connections"].as_array().expect("connections");
    let sum: i64 = listed.iter().filter_map(|c| c["credits"].as_i64()).sum();
    assert_eq!(idle["credits"].as_i64(), Some(sum));
    for c in listed {
        assert!(
            ["active", "synchronizing", "in_progress", "overage"]
                .contains(&c["status"].as_str().unwrap_or("")),
            "{c}"
        );
    }
    let (_, forecast) = served
        .call(
            "credits_view",
            json!({"forecast": true, "forecast_window_days": 7}),
        )
        .await;
    assert_eq!(forecast["forecast"]["window_days"], 7, "{forecast}");
    served.stop().await;
}
