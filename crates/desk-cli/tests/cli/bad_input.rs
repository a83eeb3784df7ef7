//! Bad input gets a clear error, never an empty success: unknown names (profile, customer,
//! connection, entity, event type) exit 1 with one line naming what exists; out-of-range limits
//! and unreadable times are usage errors; the webhook export's format follows its file name; a
//! malformed secret is refused at start.

use super::{serve, stop};
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

/// Runs a command that must fail with exit 1 and one line on stderr, which it returns.
fn refused(data_dir: &Path, args: &[&str]) -> String {
    let output = mdesk(data_dir, args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "mdesk {args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "mdesk {args:?} printed a result");
    assert_eq!(stderr.trim().lines().count(), 1, "mdesk {args:?}: {stderr}");
    stderr
}

fn usage_error(data_dir: &Path, args: &[&str]) {
    let output = mdesk(data_dir, args);
    assert_eq!(
        output.status.code(),
        Some(2),
        "mdesk {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn add_customer(data_dir: &Path, name: &str) -> String {
    let customer = json(data_dir, &["customers", "add", "--name", name]);
    customer["id"].as_str().unwrap().to_owned()
}

#[test]
fn unknown_names_are_one_line_errors_that_name_what_exists() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&data);
    let first_acme = add_customer(&data, "Acme Pumps");
    let second_acme = add_customer(&data, "Acme Pumps");
    let borealis = add_customer(&data, "Borealis Mining");

    let line = refused(&data, &["connections", "list", "--profile", "nope"]);
    assert!(
        line.contains("\"nope\"") && line.contains("local"),
        "{line}"
    );

    // --customer takes a name as well as an id.
    assert_eq!(
        json(
            &data,
            &["connections", "list", "--customer", "borealis mining"]
        ),
        json(&data, &["connections", "list", "--customer", &borealis]),
    );
    let line = refused(&data, &["connections", "list", "--customer", "Acme Pumps"]);
    assert!(
        line.contains(&first_acme) && line.contains(&second_acme),
        "an ambiguous name lists its matches: {line}"
    );
    let line = refused(&data, &["connections", "list", "--customer", "Nobody Ltd"]);
    assert!(
        line.contains("Nobody Ltd") && line.contains("Borealis Mining"),
        "{line}"
    );

    let line = refused(&data, &["records", "widgets"]);
    assert!(
        line.contains("widgets") && line.contains("work-orders"),
        "{line}"
    );
    let line = refused(&data, &["records", "vendors", "--connection", "conn_nope"]);
    assert!(line.contains("conn_nope"), "{line}");
    let out = dir.path().join("vendors.csv");
    let line = refused(
        &data,
        &[
            "export",
            "vendors",
            "--connection",
            "conn_nope",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(line.contains("conn_nope"), "{line}");
    assert!(!out.exists(), "no file with only a header");

    let line = refused(&data, &["webhooks", "list", "--type", "connection.nope"]);
    assert!(
        line.contains("connection.nope") && line.contains("connection.created"),
        "{line}"
    );
    assert!(stop(server).success());
}

#[test]
fn limits_out_of_range_and_unreadable_times_are_usage_errors_and_people_s_times_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(mdesk(&data, &["profiles", "add", "local", "--local"])
        .status
        .success());
    usage_error(&data, &["records", "vendors", "--limit", "0"]);
    usage_error(&data, &["records", "vendors", "--limit", "10001"]);
    usage_error(&data, &["webhooks", "list", "--limit", "0"]);
    usage_error(&data, &["webhooks", "list", "--limit", "1001"]);
    assert_eq!(
        json(&data, &["records", "vendors", "--limit", "10000"])["records"],
        serde_json::json!([])
    );
    for since in [
        "2026-12-02",
        "2026-12-02T08:00:00Z",
        "2026-12-02 08:00",
        "2h",
        "7d",
    ] {
        assert_eq!(
            json(&data, &["webhooks", "list", "--since", since]),
            serde_json::json!([]),
            "--since {since}"
        );
    }
    usage_error(&data, &["webhooks", "list", "--since", "yesterday"]);
}

#[test]
fn the_webhook_export_writes_json_only_to_a_json_file_and_a_malformed_secret_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(mdesk(&data, &["profiles", "add", "local", "--local"])
        .status
        .success());
    let csv = dir.path().join("hooks.csv");
    let line = refused(
        &data,
        &["webhooks", "export", "--out", csv.to_str().unwrap()],
    );
    assert!(line.contains(".json"), "{line}");
    assert!(!csv.exists());
    let file = dir.path().join("hooks.json");
    let report = json(
        &data,
        &["webhooks", "export", "--out", file.to_str().unwrap()],
    );
    assert_eq!(report["webhooks"], 0);
    let written: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written, serde_json::json!([]));

    for secret in ["notwhsec", "whsec_c2hvcnQ=", "whsec_!!!"] {
        let line = refused(
            &data,
            &[
                "inbox",
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--secret",
                secret,
            ],
        );
        assert!(line.contains("--secret"), "{secret}: {line}");
    }
}
