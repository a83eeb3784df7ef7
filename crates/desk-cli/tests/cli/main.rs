//! The `mdesk` binary, run as a user runs it.
#![allow(clippy::unwrap_used)] // a failed step is a failed test

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    base: String,
    secret: String,
}

/// Starts `mdesk engine serve` on a free loopback port and reads its first two stdout lines.
fn serve(data_dir: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mdesk"))
        .args([
            "--data-dir",
            data_dir.to_str().unwrap(),
            "engine",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--seed",
            "demo",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first
        .strip_prefix("listening on ")
        .expect(&first)
        .to_owned();
    let second = lines.next().unwrap().unwrap();
    let secret = second
        .split("client_secret=")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_owned();
    Server {
        child,
        base,
        secret,
    }
}

fn stop(mut server: Server) -> std::process::ExitStatus {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn engine_serve_prints_its_address_serves_the_demo_account_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path());
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}/oauth/token", server.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "mdesk-local"),
            ("client_secret", &server.secret),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = token["access_token"].as_str().unwrap();
    let account: Value = http
        .get(format!("{}/api/v1/account", server.base))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(account["plan"], "paid");
    assert_eq!(account["credits"]["purchased"], 64);
    let connections: Value = http
        .get(format!("{}/api/v1/connections?limit=500", server.base))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let active = connections["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "active")
        .count();
    assert!(active > 15, "the demo's initial syncs ran: {active} active");
    assert!(stop(server).success());
}

#[test]
fn a_bad_flag_is_a_usage_error_with_exit_code_2() {
    let output = Command::new(env!("CARGO_BIN_EXE_mdesk"))
        .args(["engine", "serve", "--addr", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = Command::new(env!("CARGO_BIN_EXE_mdesk"))
        .args(["engine", "serve", "--webhook-retry-base", "soon"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_port_in_use_fails_with_one_clear_line_and_exit_code_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_mdesk"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "engine",
            "serve",
            "--addr",
            &addr,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );
}
