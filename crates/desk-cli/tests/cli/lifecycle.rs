//! The lifecycle commands as a user runs them: `mdesk customers`, `connect`, `reauthorize`,
//! `disconnect`, `activate` and `magic-link` against `mdesk engine serve --seed demo` (the
//! local profile attaches to it), the vault's key derived from `MDESK_VAULT_PASSPHRASE`.
//!
//! The demo account leaves exactly one credit of its pool free; tests read the pool from the
//! engine rather than assume more.

use super::{serve, stop, Server};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const PASSPHRASE: &str = "correct horse battery staple";

fn mdesk(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mdesk"))
        .args(["--data-dir", data_dir.to_str().unwrap()])
        .args(args)
        .env("MDESK_VAULT_PASSPHRASE", PASSPHRASE)
        .env_remove("MDESK_VAULT_KEY_FILE")
        .env_remove("MDESK_LOG")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a command that must succeed and returns its one JSON document.
fn json(data_dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let output = mdesk(data_dir, &all);
    assert!(
        output.status.success(),
        "mdesk {args:?}: {}",
        text(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Runs a command that must succeed and returns its table output.
fn table(data_dir: &Path, args: &[&str]) -> Output {
    let output = mdesk(data_dir, args);
    assert!(
        output.status.success(),
        "mdesk {args:?}: {}",
        text(&output.stderr)
    );
    output
}

/// The `error:` line of a failed command, which must be the only one.
fn error_line(output: &Output) -> String {
    let stderr = text(&output.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    errors[0].to_owned()
}

async fn pool(server: &Server, http: &reqwest::Client) -> Value {
    let token = server.admin_token(http).await;
    let account: Value = http
        .get(format!("{}/api/v1/account", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    account["credits"].clone()
}

/// What the platform's data API answers a connection token: the status and the error code.
async fn data_api(server: &Server, http: &reqwest::Client, token: &str) -> (u16, Value) {
    let answer = http
        .get(format!("{}/api/v1/connection", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let body: Value = answer.json().await.unwrap_or(Value::Null);
    (status, body["error"]["code"].clone())
}

fn add_customer(data_dir: &Path, name: &str) -> String {
    let customer = json(
        data_dir,
        &[
            "customers",
            "add",
            "--name",
            name,
            "--email",
            "it@acme.example",
        ],
    );
    customer["id"].as_str().unwrap().to_owned()
}

/// `mdesk connect` of an UpKeep cloud connection (1 credit), as JSON.
fn connect_upkeep(data_dir: &Path, customer: &str, name: &str) -> Value {
    json(
        data_dir,
        &[
            "connect",
            "--customer",
            customer,
            "--system",
            "upkeep",
            "--deployment",
            "cloud",
            "--name",
            name,
            "--credential",
            "email=maint@acme.example",
            "--credential",
            "password=upkeep-pass",
        ],
    )
}

fn id_of(created: &Value) -> String {
    created["connection"]["id"].as_str().unwrap().to_owned()
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if bytes
                    .windows(needle.len())
                    .any(|window| window == needle.as_bytes())
                {
                    found.push(path);
                }
            }
        }
    }
    found
}

#[tokio::test]
async fn a_customer_added_and_connected_shows_in_the_lists_takes_its_credit_and_no_secret_reaches_a_log(
) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&data);
    let http = reqwest::Client::new();

    let customer = add_customer(&data, "Acme Works");
    assert!(customer.starts_with("cus_"), "{customer}");
    let listed = json(&data, &["customers", "list", "--search", "acme"]);
    let rows = listed["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{listed}");
    assert_eq!(rows[0]["id"], customer.as_str());
    assert_eq!(rows[0]["name"], "Acme Works");
    let none = json(
        &data,
        &["customers", "list", "--search", "nobody-by-this-name"],
    );
    assert_eq!(none["rows"], serde_json::json!([]));

    let before = pool(&server, &http).await;
    assert!(before["available"].as_i64().unwrap() >= 1, "{before}");
    let secret = "s3cret-never-logged";
    let created = json(
        &data,
        &[
            "connect",
            "--customer",
            &customer,
            "--system",
            "fiix",
            "--deployment",
            "cloud",
            "--name",
            "Plant maintenance",
            "--email",
            "maint@acme.example",
            "--credential",
            "subdomain=acme",
            "--credential",
            "app_key=app",
            "--credential",
            "access_key=access",
            "--credential",
            &format!("secret_key={secret}"),
            "--entities",
            "work-orders,assets",
            "--interval-minutes",
            "30",
            "--history-days",
            "7",
        ],
    );
    let id = id_of(&created);
    assert!(id.starts_with("conn_"), "{created}");
    assert_ne!(created["connection"]["status"], "inactive", "{created}");
    assert!(!created["token"].as_str().unwrap().is_empty());
    assert_eq!(
        created["credits"]["available"].as_i64().unwrap(),
        before["available"].as_i64().unwrap() - 1,
        "{created}"
    );
    assert_eq!(pool(&server, &http).await, created["credits"]);
    let connections = json(&data, &["connections", "list", "--customer", &customer]);
    let row = connections
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap_or_else(|| panic!("{id} is not listed: {connections}"));
    assert_eq!(row["system_id"], "fiix");
    assert_eq!(row["credits"], 1);
    let listed = json(&data, &["customers", "list", "--search", "acme"]);
    assert_eq!(listed["rows"][0]["connections"], 1);

    // The table shows the token once and says so; with the pool now empty, nothing is taken.
    let second = table(
        &data,
        &[
            "connect",
            "--customer",
            &customer,
            "--system",
            "upkeep",
            "--deployment",
            "cloud",
            "--name",
            "Line maintenance",
            "--credential",
            "email=maint@acme.example",
            "--credential",
            &format!("password={secret}"),
        ],
    );
    let stdout = text(&second.stdout);
    assert!(stdout.contains("token           ct_"), "{stdout}");
    assert!(stdout.contains("shown this once"), "{stdout}");
    assert!(stdout.contains("status          inactive"), "{stdout}");
    assert!(stdout.contains("none taken"), "{stdout}");

    assert!(stop(server).success());
    assert_eq!(
        files_containing(&data, secret),
        Vec::<std::path::PathBuf>::new(),
        "a credential was written in clear"
    );
}

#[tokio::test]
async fn reauthorizing_issues_a_new_token_the_old_one_stops_working_and_another_account_is_warned_about(
) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&data);
    let http = reqwest::Client::new();
    let customer = add_customer(&data, "Acme Works");
    let fiix = |subdomain: &str| {
        vec![
            "--credential".to_owned(),
            format!("subdomain={subdomain}"),
            "--credential".to_owned(),
            "app_key=app".to_owned(),
            "--credential".to_owned(),
            "access_key=access".to_owned(),
            "--credential".to_owned(),
            "secret_key=fiix-secret".to_owned(),
        ]
    };
    let mut args: Vec<String> = [
        "connect",
        "--customer",
        &customer,
        "--system",
        "fiix",
        "--deployment",
        "cloud",
        "--name",
        "Plant",
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend(fiix("acme"));
    let created = json(&data, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let id = id_of(&created);
    let old_token = created["token"].as_str().unwrap().to_owned();
    assert_eq!(data_api(&server, &http, &old_token).await.0, 200);
    let credits_before = pool(&server, &http).await;

    let mut args: Vec<String> = ["reauthorize", &id, "--authorized-by", "it@acme.example"]
        .map(str::to_owned)
        .to_vec();
    args.extend(fiix("acme"));
    let answer = json(&data, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(answer["connection"]["id"], id.as_str());
    assert_eq!(answer["connection"]["authorized_by"], "it@acme.example");
    assert_eq!(answer["identity_changed"], false);
    let new_token = answer["token"].as_str().unwrap().to_owned();
    assert_ne!(new_token, old_token);
    assert_eq!(
        data_api(&server, &http, &old_token).await,
        (401, Value::from("AUTHENTICATION_FAILED"))
    );
    assert_eq!(data_api(&server, &http, &new_token).await.0, 200);
    assert_eq!(
        pool(&server, &http).await,
        credits_before,
        "reauthorizing changes no credits"
    );

    // Credentials of another Fiix account: done, with a clear warning on stderr.
    let mut args: Vec<String> = ["reauthorize", &id].map(str::to_owned).to_vec();
    args.extend(fiix("elsewhere"));
    let other = table(&data, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let stdout = text(&other.stdout);
    let stderr = text(&other.stderr);
    assert!(
        stdout.starts_with(&format!("reauthorized {id}")),
        "{stdout}"
    );
    assert!(stdout.contains("shown this once"), "{stdout}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("warning:") && l.contains("another account or instance")),
        "{stderr}"
    );
    let plain = json(&data, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(plain["identity_changed"], false, "the same account again");

    // `connections show` lists every authorization, newest first, with no sync in between:
    // the one in force, then the earlier ones with who gave them.
    let shown = json(&data, &["connections", "show", &id]);
    let history = shown["authorizations"].as_array().unwrap();
    let kinds: Vec<&str> = history
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "reauthorization",
            "reauthorization",
            "reauthorization",
            "initial"
        ],
        "{history:?}"
    );
    assert_eq!(history[0]["current"], true);
    assert!(history[1..].iter().all(|a| a["current"] == false));
    assert_eq!(
        history[0]["authorized_by"],
        plain["connection"]["authorized_by"]
    );
    assert_eq!(history[1]["identity_changed"], true);
    assert_eq!(history[2]["authorized_by"], "it@acme.example");
    let at = |i: usize| history[i]["at"].as_str().unwrap().to_owned();
    assert!(at(0) >= at(1) && at(1) >= at(2) && at(2) >= at(3));
    let table_out = table(&data, &["connections", "show", &id]);
    let stdout = text(&table_out.stdout);
    assert!(
        stdout.contains("in force")
            && stdout.contains("it@acme.example")
            && stdout.contains("another account or instance"),
        "{stdout}"
    );
    assert!(stop(server).success());
}

#[tokio::test]
async fn disconnecting_kills_the_token_returns_the_credits_and_connections_show_says_disconnected()
{
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&data);
    let http = reqwest::Client::new();
    let customer = add_customer(&data, "Acme Works");
    let before = pool(&server, &http).await;
    let created = connect_upkeep(&data, &customer, "Line maintenance");
    let id = id_of(&created);
    let token = created["token"].as_str().unwrap().to_owned();
    assert_ne!(created["credits"], before, "the connection took its credit");

    let output = table(&data, &["disconnect", &id]);
    let stdout = text(&output.stdout);
    assert!(stdout.contains("its token no longer works"), "{stdout}");
    assert!(stdout.contains("its syncs are stopped"), "{stdout}");
    assert!(stdout.contains("1 credit returned"), "{stdout}");
    assert!(stdout.contains("its synced data is kept"), "{stdout}");
    assert_eq!(pool(&server, &http).await, before, "the credit is back");
    assert_eq!(
        data_api(&server, &http, &token).await,
        (401, Value::from("CONNECTION_DISCONNECTED"))
    );
    let shown = json(&data, &["connections", "show", &id]);
    assert_eq!(shown["status"], "disconnected", "{shown}");
    let shown = table(&data, &["connections", "show", &id]);
    assert!(text(&shown.stdout).contains("disconnected"));

    // The freed credit goes to the next one; disconnecting it with --delete-data says so.
    let next = connect_upkeep(&data, &customer, "Stores");
    let next_id = id_of(&next);
    assert_ne!(next["connection"]["status"], "inactive", "{next}");
    let outcome = json(&data, &["disconnect", &next_id, "--delete-data"]);
    assert_eq!(outcome["connection"]["status"], "disconnected");
    assert_eq!(outcome["data_deleted"], true);
    assert_eq!(outcome["credits_returned"], 1);
    assert_eq!(outcome["credits"], before);
    let again = connect_upkeep(&data, &customer, "Stores again");
    let output = table(&data, &["disconnect", &id_of(&again), "--delete-data"]);
    assert!(
        text(&output.stdout).contains("its synced data was deleted"),
        "{}",
        text(&output.stdout)
    );
    assert!(stop(server).success());
}

#[tokio::test]
async fn an_inactive_connection_is_refused_activation_without_credits_and_activated_with_overage() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&data);
    let http = reqwest::Client::new();
    let customer = add_customer(&data, "Acme Works");
    // The first takes the pool's last free credit; the second is created inactive.
    let first = connect_upkeep(&data, &customer, "Line maintenance");
    assert_eq!(first["credits"]["available"], 0, "{first}");
    let second = connect_upkeep(&data, &customer, "Stores");
    let id = id_of(&second);
    assert_eq!(second["connection"]["status"], "inactive", "{second}");
    assert_eq!(
        second["credits"], first["credits"],
        "an inactive one takes nothing"
    );

    let refused = mdesk(&data, &["--format", "json", "activate", &id]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(refused.stdout.is_empty());
    assert!(
        error_line(&refused).contains("(INSUFFICIENT_CREDITS)"),
        "{}",
        text(&refused.stderr)
    );

    let outcome = json(&data, &["activate", &id, "--overage"]);
    assert_eq!(outcome["connection"]["status"], "overage", "{outcome}");
    assert_eq!(
        outcome["credits"]["overage_in_use"].as_i64().unwrap(),
        first["credits"]["overage_in_use"].as_i64().unwrap() + 1
    );
    assert_eq!(pool(&server, &http).await, outcome["credits"]);
    let shown = json(&data, &["connections", "show", &id]);
    assert_eq!(shown["status"], "overage");
    assert!(stop(server).success());
}

#[tokio::test]
async fn a_magic_link_prints_its_url_and_expiry_and_creates_a_pending_connection_that_the_list_shows(
) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&data);
    let customer = add_customer(&data, "Acme Works");
    let link = json(
        &data,
        &[
            "magic-link",
            "--customer",
            &customer,
            "--system",
            "upkeep",
            "--name",
            "Plant CMMS",
            "--expires-in-days",
            "3",
        ],
    );
    assert!(link["url"].as_str().unwrap().starts_with("http"), "{link}");
    let expires: chrono::DateTime<chrono::Utc> =
        link["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((2.9..=3.0).contains(&days), "{link}");
    let pending = link["connection_id"].as_str().unwrap();
    let listed = json(&data, &["connections", "list", "--status", "pending"]);
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == pending)
        .unwrap_or_else(|| panic!("{pending} is not listed: {listed}"));
    assert_eq!(row["customer_id"], customer.as_str());

    let output = table(
        &data,
        &[
            "magic-link",
            "--customer",
            &customer,
            "--name",
            "Any system",
        ],
    );
    let stdout = text(&output.stdout);
    assert!(stdout.contains("url             http"), "{stdout}");
    assert!(stdout.contains("expires"), "{stdout}");
    assert!(
        stdout.contains("conn_") && stdout.contains("pending"),
        "{stdout}"
    );
    assert!(stop(server).success());
}

#[test]
fn bad_input_fails_on_one_line_with_the_platforms_code_or_as_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // No engine serves this data folder: the local profile starts one in-process.
    let unknown = mdesk(
        &data,
        &[
            "--format",
            "json",
            "connect",
            "--customer",
            "cus_missing",
            "--system",
            "upkeep",
            "--deployment",
            "cloud",
            "--name",
            "Nowhere",
            "--credential",
            "email=a@b.example",
            "--credential",
            "password=p",
        ],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(unknown.stdout.is_empty(), "{}", text(&unknown.stdout));
    let line = error_line(&unknown);
    assert!(line.contains("(NOT_FOUND)"), "{line}");
    assert!(line.contains("[request req_"), "{line}");
    let quiet = mdesk(&data, &["-q", "reauthorize", "conn_missing"]);
    assert_eq!(quiet.status.code(), Some(1));
    let stderr = text(&quiet.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("(NOT_FOUND)"), "{stderr}");
    let too_long = mdesk(
        &data,
        &[
            "magic-link",
            "--customer",
            "cus_missing",
            "--name",
            "x",
            "--expires-in-days",
            "90",
        ],
    );
    assert_eq!(too_long.status.code(), Some(1));
    assert!(error_line(&too_long).contains("(INVALID_INPUT)"));

    for usage in [
        &[
            "connect",
            "--customer",
            "cus_1",
            "--system",
            "upkeep",
            "--deployment",
            "cloud",
            "--name",
            "x",
            "--credential",
            "foo",
        ][..],
        &["reauthorize", "conn_1", "--credential", "=value"][..],
        &[
            "connect",
            "--customer",
            "cus_1",
            "--system",
            "upkeep",
            "--deployment",
            "moon",
            "--name",
            "x",
        ][..],
        &[
            "connect",
            "--customer",
            "cus_1",
            "--system",
            "upkeep",
            "--deployment",
            "cloud",
        ][..],
        &[
            "reauthorize",
            "conn_1",
            "--credential",
            "a=1",
            "--credential",
            "a=2",
        ][..],
        &["activate"][..],
    ] {
        let output = mdesk(&data, usage);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{usage:?}: {}",
            text(&output.stderr)
        );
        assert!(output.stdout.is_empty());
    }
    let no_equals = mdesk(&data, &["reauthorize", "conn_1", "--credential", "foo"]);
    assert!(text(&no_equals.stderr).contains("KEY=VALUE"));
}
