//! `mdesk alerts` while `mdesk serve` runs on the same data folder, against the real local
//! engine (`mdesk engine serve`, faults through its sandbox API): expired credentials make one
//! alert with the poll's and the platform event's reports within a polling interval; the
//! notice prints instructions with a magic link; a reauthorization with refused credentials
//! keeps it open, a good one resolves it after the live check.

use super::{serve, stop};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "alerts test passphrase";

/// `mdesk --data-dir DIR args`, its vault keyed by this test's passphrase (the shared command
/// uses a key file).
fn alerts_command(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = super::mdesk_command(data_dir, args);
    command
        .env_remove("MDESK_VAULT_KEY_FILE")
        .env("MDESK_VAULT_PASSPHRASE", PASSPHRASE);
    command
}

fn mdesk(data_dir: &Path, args: &[&str]) -> Output {
    alerts_command(data_dir, args).output().unwrap()
}

fn ok(data_dir: &Path, args: &[&str]) -> String {
    let output = mdesk(data_dir, args);
    assert!(
        output.status.success(),
        "mdesk {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(data_dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(data_dir, &all)).unwrap()
}

/// `mdesk serve` with a short poll interval, its log in `serve.log` beside the data folder (a
/// failure shows its end); ended by pid at the end.
fn browser_mode(data_dir: &Path) -> super::Spawned {
    let log = std::fs::File::create(serve_log(data_dir)).unwrap();
    let mut child = super::Spawned(
        alerts_command(
            data_dir,
            &["serve", "--addr", "127.0.0.1:0", "--poll-interval", "1s"],
        )
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap(),
    );
    let first = super::stdout_lines(&mut child, 1).remove(0);
    assert!(first.starts_with("listening on "), "{first}");
    child
}

fn serve_log(data_dir: &Path) -> std::path::PathBuf {
    data_dir.with_file_name("serve.log")
}

/// The last lines `mdesk serve` logged.
fn serve_log_tail(data_dir: &Path) -> String {
    let text = std::fs::read_to_string(serve_log(data_dir)).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

fn end(mut child: super::Spawned) {
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert!(child.wait().unwrap().success());
}

fn upkeep(password: &str) -> Vec<String> {
    [
        "--credential".to_owned(),
        "email=maint@acme.example".to_owned(),
        "--credential".to_owned(),
        format!("password={password}"),
    ]
    .to_vec()
}

/// The connection's alerts (unresolved, or every one with `--all`).
fn alerts_of(data: &Path, connection: &str, all: bool) -> Vec<Value> {
    let listed = json(data, &["alerts", "list", "--all"]);
    listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["connection_id"] == connection && (all || a["state"] != "resolved"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn expired_credentials_open_one_alert_with_both_sources_and_it_resolves_only_after_the_live_check(
) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let engine = serve(&data);
    let http = reqwest::Client::new();
    let admin = engine.admin_token(&http).await;
    let customer = json(
        &data,
        &[
            "customers",
            "add",
            "--name",
            "Acme Works",
            "--email",
            "it@acme.example",
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut args: Vec<String> = [
        "connect",
        "--customer",
        &customer,
        "--system",
        "upkeep",
        "--deployment",
        "cloud",
        "--name",
        "Plant upkeep",
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend(upkeep("upkeep-pass"));
    let created = json(&data, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let id = created["connection"]["id"].as_str().unwrap().to_owned();

    let app = browser_mode(&data);
    let reply = http
        .post(format!(
            "{}/api/v1/sandbox/connections/{id}/faults",
            engine.base
        ))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"kind": "expire_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);

    // Within a polling interval or two: one alert, reported by the poll and by the platform's
    // event (caught up into the inbox and processed), read by the CLI while serve runs. The
    // bound is generous: the whole suite shares two cores with the demo's first syncs.
    let deadline = Instant::now() + Duration::from_secs(90);
    let alert = loop {
        let open = alerts_of(&data, &id, false);
        assert!(open.len() <= 1, "a second alert opened: {open:?}");
        let sources: Vec<&str> = open
            .first()
            .map(|a| {
                a["sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect()
            })
            .unwrap_or_default();
        if sources.contains(&"poll") && sources.contains(&"webhook") {
            break open[0].clone();
        }
        assert!(
            Instant::now() < deadline,
            "no alert with both sources: {open:?}\nmdesk serve's log ends:\n{}",
            serve_log_tail(&data)
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    for field in [
        "id",
        "connection_id",
        "customer_id",
        "system_id",
        "state",
        "opened_at",
        "resolved_at",
        "sources",
        "kind",
    ] {
        assert!(alert.get(field).is_some(), "{field} missing: {alert}");
    }
    assert_eq!(alert["kind"], "reauthorization_required");
    assert_eq!(alert["state"], "open");
    assert_eq!(alert["customer_id"], customer.as_str());
    assert_eq!(alert["system_id"], "upkeep");
    assert!(alert["resolved_at"].is_null());
    let alert_id = alert["id"].as_str().unwrap().to_owned();

    let notice = ok(&data, &["alerts", "notice", &alert_id]);
    assert!(notice.contains("To: it@acme.example"), "{notice}");
    assert!(
        notice.contains("Reconnect here: http://127.0.0.1:"),
        "{notice}"
    );
    assert!(
        notice.contains("UpKeep") && notice.contains("Plant upkeep"),
        "{notice}"
    );
    assert!(
        notice.contains("mailto:it@acme.example?subject="),
        "{notice}"
    );

    ok(&data, &["alerts", "ack", &alert_id]);
    assert_eq!(alerts_of(&data, &id, false)[0]["state"], "acknowledged");

    // Still-bad credentials: refused by the platform; the alert stays open and says so.
    let mut bad: Vec<String> = ["reauthorize".to_owned(), id.clone()].to_vec();
    bad.extend(upkeep("invalid-pass"));
    let refused = mdesk(&data, &bad.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!refused.status.success());
    let still = alerts_of(&data, &id, false);
    assert_eq!(still.len(), 1);
    let shown = json(&data, &["alerts", "show", &alert_id]);
    assert!(
        shown["last_check_message"]
            .as_str()
            .unwrap_or_default()
            .contains("did not heal"),
        "{shown}"
    );
    let checked = json(&data, &["alerts", "resolve-check", &alert_id]);
    assert_eq!(checked["state"], "acknowledged", "{checked}");

    let mut good: Vec<String> = ["reauthorize".to_owned(), id.clone()].to_vec();
    good.extend(upkeep("upkeep-pass-2"));
    ok(&data, &good.iter().map(String::as_str).collect::<Vec<_>>());
    let all = alerts_of(&data, &id, true);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["state"], "resolved");
    assert!(all[0]["resolved_at"].is_string());
    assert_eq!(all[0]["resolution"], "resolved");

    end(app);
    assert!(stop(engine).success());
}
