//! The `mdesk` binary, run as a user runs it.
#![allow(clippy::unwrap_used)] // a failed step is a failed test

mod alerts;
mod bad_input;
mod console;
mod lifecycle;
mod offline;
mod parity;
mod serving;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The first `n` lines a server prints on stdout; the rest is read and dropped by a thread for
/// the server's life. Dropping the pipe instead would make its next line fail with EPIPE, and
/// a server that cannot write its output stops (`mdesk serve` prints its link second).
fn stdout_lines(child: &mut Child, n: usize) -> Vec<String> {
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Vec<String> = (0..n).map(|_| lines.next().unwrap().unwrap()).collect();
    std::thread::spawn(move || lines.for_each(drop));
    first
}

/// A process a test started, ended (SIGKILL) when the test drops it still running: a test
/// that fails half-way leaves no server behind. Tests that stop it themselves (SIGTERM, then
/// wait) find it gone here.
struct Spawned(Child);

impl std::ops::Deref for Spawned {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Spawned {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            // Nothing to report from a drop; a kill that fails means it exited meanwhile.
            if self.0.kill().is_ok() {
                drop(self.0.wait());
            }
        }
    }
}

/// `mdesk` on `data_dir` with the vault's key in a file beside it (never the user's keyring).
pub(crate) fn mdesk_command(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mdesk"));
    command
        .args(["--data-dir", data_dir.to_str().unwrap()])
        .args(args)
        .env("MDESK_VAULT_KEY_FILE", data_dir.with_extension("key"))
        .env_remove("MDESK_VAULT_PASSPHRASE");
    command
}

/// The webhook secret the tests' inboxes verify with.
const INBOX_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// `mdesk inbox serve` on a free loopback port, verifying with [`INBOX_SECRET`].
pub(crate) fn inbox_serve_command(data: &Path) -> Command {
    mdesk_command(
        data,
        &[
            "inbox",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--secret",
            INBOX_SECRET,
        ],
    )
}

/// Starts [`inbox_serve_command`]: the process and its base URL.
pub(crate) fn serve_inbox(data: &Path) -> (Spawned, String) {
    let mut inbox = Spawned(
        inbox_serve_command(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let first = stdout_lines(&mut inbox, 1).remove(0);
    let base = first
        .strip_prefix("listening on ")
        .expect(&first)
        .to_owned();
    (inbox, base)
}

struct Server {
    child: Spawned,
    base: String,
    secret: String,
}

/// Starts `mdesk engine serve` on a free loopback port and reads its first two stdout lines.
fn serve(data_dir: &std::path::Path) -> Server {
    serve_with(data_dir, &[])
}

fn serve_with(data_dir: &std::path::Path, extra: &[&str]) -> Server {
    let mut child = Spawned(
        mdesk_command(
            data_dir,
            &["engine", "serve", "--addr", "127.0.0.1:0", "--seed", "demo"],
        )
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap(),
    );
    let [first, second]: [String; 2] = stdout_lines(&mut child, 2).try_into().unwrap();
    let base = first
        .strip_prefix("listening on ")
        .expect(&first)
        .to_owned();
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

impl Server {
    /// An admin access token from the printed credentials.
    async fn admin_token(&self, http: &reqwest::Client) -> String {
        let token: Value = http
            .post(format!("{}/oauth/token", self.base))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "mdesk-local"),
                ("client_secret", &self.secret),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        token["access_token"].as_str().unwrap().to_owned()
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
    let token = server.admin_token(&http).await;
    let access = token.as_str();
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

fn mdesk_json(data_dir: &std::path::Path, args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_mdesk"))
        .args(["--data-dir", data_dir.to_str().unwrap(), "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The engine's webhooks pointed at the inbox: every delivery appears verified and processed.
#[tokio::test]
async fn the_engines_webhooks_arrive_in_the_inbox_verified_and_processed() {
    let engine_dir = tempfile::tempdir().unwrap();
    let inbox_dir = tempfile::tempdir().unwrap();
    let engine = serve_with(engine_dir.path(), &["--webhook-retry-base", "200ms"]);
    let http = reqwest::Client::new();
    let admin = engine.admin_token(&http).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let customers: Value = http
        .get(format!("{}/api/v1/customers", engine.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created: Value = http
        .post(format!("{}/api/v1/connections", engine.base))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"customer_id": customers["data"][0]["id"], "system_id": "upkeep", "deployment": "cloud",
            "name": "Inbox check", "credentials": {"email": "a@b.example", "password": "p"},
            "webhook": {"url": format!("http://127.0.0.1:{port}/webhooks"), "events": []}}))
        .send().await.unwrap().json().await.unwrap();
    let id = created["connection"]["id"].as_str().unwrap().to_owned();
    let secret = created["webhook_secret"].as_str().unwrap().to_owned();
    let mut inbox = Spawned(
        Command::new(env!("CARGO_BIN_EXE_mdesk"))
            .args([
                "--data-dir",
                inbox_dir.path().to_str().unwrap(),
                "inbox",
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--secret",
                &secret,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let first = stdout_lines(&mut inbox, 1).remove(0);
    assert!(
        first.starts_with("listening on http://127.0.0.1:"),
        "{first}"
    );
    for kind in [
        "go_offline",
        "come_online",
        "expire_credentials",
        "system_error",
    ] {
        let reply = http
            .post(format!(
                "{}/api/v1/sandbox/connections/{id}/faults",
                engine.base
            ))
            .bearer_auth(&admin)
            .json(&serde_json::json!({"kind": kind}))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
    }
    let events: Value = http
        .get(format!("{}/api/v1/events?connection_id={id}", engine.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let expected: std::collections::HashSet<String> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(expected.len() >= 5, "{events}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let received = loop {
        let listed = mdesk_json(inbox_dir.path(), &["webhooks", "list", "--connection", &id]);
        let rows = listed.as_array().unwrap().clone();
        let ids: std::collections::HashSet<String> = rows
            .iter()
            .filter_map(|w| w["id"].as_str().map(str::to_owned))
            .collect();
        let settled = rows.iter().all(|w| w["processing"] != "pending");
        if expected.is_subset(&ids) && settled {
            break rows;
        }
        assert!(
            Instant::now() < deadline,
            "not every event arrived: {rows:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    for webhook in received.iter().filter(|w| w["duplicate_of"].is_null()) {
        assert_eq!(webhook["signature"], "valid", "{webhook}");
        // Deliveries retried while the inbox was starting may arrive after newer ones: the inbox
        // then marks them out of order and skips them, which is the contract.
        let skipped_as_old = webhook["processing"] == "skipped" && webhook["out_of_order"] == true;
        assert!(
            webhook["processing"] == "processed" || skipped_as_old,
            "{webhook}"
        );
    }
    let detail = mdesk_json(
        inbox_dir.path(),
        &["webhooks", "show", received[0]["id"].as_str().unwrap()],
    );
    assert!(detail["headers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h[0] == "webhook-signature"));
    let pid = inbox.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert!(inbox.wait().unwrap().success());
    assert!(stop(engine).success());
}
