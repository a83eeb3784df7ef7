//! `mdesk parity`: the engine's own API and its Makini surface agree on every documented
//! behaviour; two different engines do not, and the command says where and exits 1.

use crate::{serve, stop};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn mdesk(data: &Path, secret: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mdesk"))
        .args(["--data-dir", data.to_str().unwrap()])
        .args(args)
        .env("MDESK_CLIENT_SECRET", secret)
        .output()
        .unwrap()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn parity(data: &Path, a: &str, b: &str) -> (Output, Value) {
    let output = mdesk(
        data,
        "",
        &["--format", "json", "parity", "--profile", a, "--profile", b],
    );
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output, report)
}

#[test]
fn parity_finds_the_engines_two_surfaces_alike_and_another_engine_different() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    let engine = serve(&dir.path().join("engine"));
    let other = serve(&dir.path().join("other"));
    let add = |name: &str, kind: &[&str], secret: &str| {
        let mut args = vec!["profiles", "add", name];
        args.extend_from_slice(kind);
        args.extend_from_slice(&["--client-id", "mdesk-local"]);
        ok(&mdesk(&app, secret, &args));
    };
    add("team", &["--url", &engine.base], &engine.secret);
    add("mk", &["--makini", "--url", &engine.base], &engine.secret);
    add("other", &["--url", &other.base], &other.secret);
    // The demo has an offline system, so a sync reports failures (exit 1): what it could
    // pull is kept, and parity compares what both hold.
    for args in [
        &["sync", "--profile", "team"][..],
        &["sync", "--profile", "mk", "--issue-tokens"][..],
        &["sync", "--profile", "other"][..],
    ] {
        let output = mdesk(&app, "", args);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(said.contains("synced profile"), "{args:?}: {said}");
    }

    let (output, report) = parity(&app, "team", "mk");
    assert!(
        output.status.success(),
        "{report:#}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(report["differences"], 0);
    let checks = report["checks"].as_array().unwrap();
    let same_records = checks
        .iter()
        .filter(|c| c["outcome"] == "same" && c["check"].as_str().unwrap().starts_with("records "))
        .count();
    assert!(
        same_records > 20,
        "records compared on both: {same_records}"
    );
    assert!(checks.iter().any(|c| c["check"]
        .as_str()
        .unwrap()
        .ends_with("needs reauthorization")
        && c["outcome"] == "same"));

    let (output, report) = parity(&app, "team", "other");
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    let connections = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "connections")
        .unwrap();
    assert_eq!(connections["outcome"], "different", "{connections}");
    assert!(connections["detail"]
        .as_str()
        .unwrap()
        .contains("only in A"));

    let table = mdesk(
        &app,
        "",
        &["parity", "--profile", "team", "--profile", "other"],
    );
    assert_eq!(table.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&table.stdout).contains("DIFFERENT"));
    assert!(String::from_utf8_lossy(&table.stderr).contains("difference(s) between team and other"));
    let once = mdesk(&app, "", &["parity", "--profile", "team"]);
    assert_eq!(once.status.code(), Some(2), "one profile is a usage error");
    assert!(stop(engine).success());
    assert!(stop(other).success());
}
