//! The "done means", as a user runs it: the engine with the demo seed, the local
//! profile, `mdesk sync`, the engine stopped, then browsing, searching and exporting offline;
//! a sync killed half-way and run again.

use super::{mdesk_command, serve, serve_inbox, stop, Server, INBOX_SECRET};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Output, Stdio};

/// `mdesk` on `data_dir` with the vault's key in a file beside it (never the user's keyring).
fn mdesk(data_dir: &Path, args: &[&str]) -> Output {
    mdesk_command(data_dir, args).output().unwrap()
}

fn json(data_dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let output = mdesk(data_dir, &all);
    assert!(
        output.status.success(),
        "mdesk {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

async fn admin(
    server: &Server,
    http: &reqwest::Client,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let token = server.admin_token(http).await;
    let mut request = http
        .request(method, format!("{}{path}", server.base))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().await.unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.json().await.unwrap_or(Value::Null)
}

/// Records per entity the mirror holds of a connection, from `mdesk connections show`.
/// The engine's record count per entity for a connection (its sync-status).
async fn engine_record_counts(
    server: &super::Server,
    http: &reqwest::Client,
    id: &str,
) -> Vec<(String, i64)> {
    let status = admin(
        server,
        http,
        reqwest::Method::GET,
        &format!("/api/v1/connections/{id}/sync-status"),
        None,
    )
    .await;
    status["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["entity"].as_str().unwrap().to_owned(),
                e["records"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn mirrored_counts(data_dir: &Path, id: &str) -> Vec<(String, i64)> {
    let detail = json(data_dir, &["connections", "show", id]);
    detail["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["entity"].as_str().unwrap().to_owned(),
                e["records"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_demo_account_synced_through_the_local_profile_is_browsed_searched_and_exported_with_the_engine_stopped(
) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&data);
    let added = json(&data, &["profiles", "add", "local", "--local"]);
    assert_eq!(added["kind"], "local");

    let sync = mdesk(&data, &["--format", "json", "sync"]);
    let stderr = String::from_utf8_lossy(&sync.stderr);
    assert!(sync.status.success(), "{stderr}");
    assert!(
        stderr.contains("syncing profile local"),
        "progress goes to stderr: {stderr}"
    );
    let report: Value = serde_json::from_slice(&sync.stdout).unwrap();
    assert_eq!(report["connections"], 28);
    assert_eq!(report["customers"], 12);
    // The sync used the engine that was serving, not a second one: its announcement stands.
    let serving: Value =
        serde_json::from_slice(&std::fs::read(data.join("engine/serving.json")).unwrap()).unwrap();
    assert_eq!(serving["url"], server.base.as_str());
    assert!(stop(server).success());
    assert!(!data.join("engine/serving.json").exists());

    let connections = json(&data, &["connections", "list"]);
    assert_eq!(connections.as_array().unwrap().len(), 28);
    let first = connections
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "active")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let detail = json(&data, &["connections", "show", &first]);
    let entities = detail["entities"].as_array().unwrap();
    assert!(!entities.is_empty(), "{detail:#}");
    assert!(entities.iter().all(|e| e["records"].as_i64().unwrap() > 0));

    let credits = json(&data, &["credits", "--history", "--forecast"]);
    assert_eq!(credits["purchased"], 64);
    assert_eq!(
        credits["available"].as_i64().unwrap(),
        64 - credits["in_use"].as_i64().unwrap()
    );
    assert!(credits["by_tier"].as_array().unwrap().len() >= 2);
    assert!(credits["forecast"].is_object());

    let all = json(&data, &["records", "work-orders", "--limit", "10000"]);
    let all_count = all["records"].as_array().unwrap().len();
    assert!(all_count > 100);
    let found = json(
        &data,
        &[
            "records",
            "work-orders",
            "--search",
            "pump",
            "--limit",
            "10000",
        ],
    );
    let found = found["records"].as_array().unwrap();
    assert!(!found.is_empty() && found.len() < all_count);
    assert!(found
        .iter()
        .all(|r| r.to_string().to_lowercase().contains("pump")));

    let out = dir.path().join("work-orders.csv");
    let exported = json(
        &data,
        &["export", "work-orders", "--out", out.to_str().unwrap()],
    );
    assert_eq!(exported["records"].as_u64().unwrap() as usize, all_count);
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(csv.lines().count(), all_count + 1);
    // Every row says which connection and customer it came from (the demo's plants share
    // record numbers).
    assert!(
        csv.starts_with("connection_id,customer_id,customer_name,id,"),
        "{}",
        csv.lines().next().unwrap_or_default()
    );
    assert!(csv
        .lines()
        .skip(1)
        .all(|line| line.starts_with("conn_") && line.contains(",cus_")));
    let sources = all["sources"].as_array().unwrap();
    assert_eq!(sources.len(), all_count);
    assert!(sources
        .iter()
        .all(|s| s["customer_name"].as_str().is_some_and(|n| !n.is_empty())));
    let listed = mdesk(&data, &["records", "work-orders", "--limit", "3"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    let name = sources[0]["customer_name"].as_str().unwrap();
    assert!(
        listed
            .lines()
            .next()
            .unwrap_or_default()
            .contains("customer")
            && listed.contains(name),
        "{listed}"
    );
    let table = mdesk(
        &data,
        &["records", "assets", "--connection", &first, "--limit", "5"],
    );
    assert!(table.status.success());
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("more: --after"),
        "{first}: {table} {connections:#}"
    );

    let unknown = mdesk(&data, &["connections", "show", "conn_missing"]);
    assert_eq!(unknown.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[tokio::test]
async fn a_sync_killed_half_way_runs_again_to_exactly_the_engines_record_counts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&data);
    let http = reqwest::Client::new();
    assert!(mdesk(&data, &["profiles", "add", "local", "--local"])
        .status
        .success());
    // The health monitor's first passes bring the demo's troubled connections in line with
    // their systems: after them, pick an active connection that is healthy.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let connections = admin(
        &server,
        &http,
        reqwest::Method::GET,
        "/api/v1/connections?status=active&limit=100",
        None,
    )
    .await;
    let id = connections["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["reauthorization_required"] == false && c["online"] == true)
        .and_then(|c| c["id"].as_str())
        .expect("a healthy active connection")
        .to_owned();
    // Two data requests a minute: the pull stalls on a 429 after its first pages, and is
    // killed there.
    admin(
        &server,
        &http,
        reqwest::Method::PUT,
        &format!("/api/v1/sandbox/connections/{id}"),
        Some(serde_json::json!({"rate_limit_per_minute": 2})),
    )
    .await;

    // The engine's own first sync of the demo may still run right after start: wait for it,
    // so the pull below has every page to walk (and is killed half way through them).
    for _ in 0..300 {
        let status = admin(
            &server,
            &http,
            reqwest::Method::GET,
            &format!("/api/v1/connections/{id}/sync-status"),
            None,
        )
        .await;
        let ready = status["state"] == "completed"
            && status["entities"].as_array().is_some_and(|e| !e.is_empty());
        if ready {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut child = super::Spawned(
        mdesk_command(&data, &["sync", "--connection", &id])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    loop {
        let Some(line) = lines.next() else {
            let status = child.wait();
            panic!("the sync ended ({status:?}) before pulling a page: {seen:#?}");
        };
        let line = line.unwrap();
        let pulled = line.contains(" records");
        seen.push(line);
        if pulled {
            break;
        }
    }
    // Give the next (stalled) request time to be sent, then kill without warning.
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();

    let engine_counts = engine_record_counts(&server, &http, &id).await;
    let partial = mirrored_counts(&data, &id);
    assert!(
        partial != engine_counts,
        "the kill came too late to test anything: {seen:?}"
    );

    admin(
        &server,
        &http,
        reqwest::Method::PUT,
        &format!("/api/v1/sandbox/connections/{id}"),
        Some(serde_json::json!({"rate_limit_per_minute": 100000})),
    )
    .await;
    let again = mdesk(&data, &["sync", "--connection", &id]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // The engine's simulation keeps adding records (new purchase orders...), so the mirror holds
    // at least what the engine had before the second sync and at most what it has after it:
    // nothing missing, nothing doubled. Equal when the engine added nothing meanwhile.
    let after = engine_record_counts(&server, &http, &id).await;
    let mut mirrored = mirrored_counts(&data, &id);
    mirrored.sort();
    let mut before = engine_counts.clone();
    before.sort();
    let mut after = after;
    after.sort();
    let entities =
        |counts: &[(String, i64)]| counts.iter().map(|(e, _)| e.clone()).collect::<Vec<_>>();
    assert_eq!(entities(&mirrored), entities(&before), "mirrored entities");
    for ((entity, got), ((_, low), (_, high))) in
        mirrored.iter().zip(before.iter().zip(after.iter()))
    {
        assert!(
            low <= got && got <= high,
            "{entity}: {got} mirrored, the engine had {low} before the second sync and {high} after: {}",
            String::from_utf8_lossy(&again.stderr)
        );
    }
    let runs = json(&data, &["connections", "show", &id])["sync_runs"].clone();
    assert!(
        runs.as_array()
            .unwrap()
            .iter()
            .any(|r| r["state"] == "interrupted"),
        "{runs}"
    );
    assert!(stop(server).success());
}

#[test]
fn offline_commands_on_an_empty_data_folder_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // A read on a folder that holds nothing (a mistyped --data-dir) refuses and creates nothing.
    for read in [
        &["credits"][..],
        &["connections", "list"][..],
        &["records", "vendors"][..],
        &["webhooks", "list"][..],
        &["profiles", "list"][..],
    ] {
        let refused = mdesk(&data, read);
        assert_eq!(refused.status.code(), Some(1), "{read:?}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{read:?}: {stderr}");
        assert!(
            stderr.contains("holds no Makini Desk data") && stderr.contains("--data-dir"),
            "{read:?}: {stderr}"
        );
        assert!(!data.exists(), "{read:?} created the folder");
    }
    let added = mdesk(&data, &["profiles", "add", "local", "--local"]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let listed = json(&data, &["connections", "list"]);
    assert_eq!(listed, serde_json::json!([]));
    let bad = mdesk(
        &data,
        &[
            "export",
            "vendors",
            "--out",
            dir.path().join("v.txt").to_str().unwrap(),
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains(".csv or .json"));
    let usage = mdesk(&data, &["profiles", "add", "x"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn test_events_of_every_type_reach_the_inbox_and_are_listed_filtered_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let secret = INBOX_SECRET;
    let (mut inbox, base) = serve_inbox(&data);
    let url = format!("{base}/webhooks");

    let sent = json(
        &data,
        &["webhooks", "test", "--to", &url, "--secret", secret],
    );
    assert_eq!(sent.as_array().unwrap().len(), 9, "{sent}");
    assert!(
        sent.as_array().unwrap().iter().all(|r| r["status"] == 200),
        "{sent}"
    );
    let one = json(
        &data,
        &[
            "webhooks",
            "test",
            "--to",
            &url,
            "--secret",
            secret,
            "--type",
            "sync.failed",
        ],
    );
    assert_eq!(one.as_array().unwrap().len(), 1);
    let wrong_type = mdesk(
        &data,
        &[
            "webhooks",
            "test",
            "--to",
            &url,
            "--secret",
            secret,
            "--type",
            "sync.exploded",
        ],
    );
    assert_eq!(wrong_type.status.code(), Some(1));

    let listed = json(&data, &["webhooks", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 10);
    let failed_syncs = json(&data, &["webhooks", "list", "--type", "sync.failed"]);
    assert_eq!(failed_syncs.as_array().unwrap().len(), 2);
    let future = json(
        &data,
        &["webhooks", "list", "--since", "2999-01-01T00:00:00Z"],
    );
    assert_eq!(future, serde_json::json!([]));
    let bad_time = mdesk(&data, &["webhooks", "list", "--since", "yesterday"]);
    assert_eq!(bad_time.status.code(), Some(2));

    let out = dir.path().join("webhooks.json");
    let exported = json(
        &data,
        &["webhooks", "export", "--out", out.to_str().unwrap()],
    );
    assert_eq!(exported["webhooks"], 10);
    let file: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(file.as_array().unwrap().len(), 10);
    assert!(
        file[0]["headers"].is_array() || file[0]["headers"].is_object(),
        "{}",
        file[0]
    );

    inbox.kill().unwrap();
    inbox.wait().unwrap();
}
