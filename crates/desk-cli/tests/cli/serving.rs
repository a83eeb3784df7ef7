//! One engine and one inbox per data folder: a second server is refused with a message naming
//! the first, and the first's `serving.json` is left as it was.

use super::{inbox_serve_command, mdesk_command, serve, serve_inbox, stop};
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs a command that must end by itself: one still running after 30 s is killed and fails
/// the test (a second server that was not refused).
fn must_end(mut command: Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!(
                "the second server was not refused: {}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn serving_file(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("serving.json")).unwrap()).unwrap()
}

#[test]
fn a_second_engine_on_one_data_folder_is_refused_naming_the_first_and_leaves_its_serving_file() {
    let dir = tempfile::tempdir().unwrap();
    let first = serve(dir.path());
    let announced = serving_file(&dir.path().join("engine"));
    assert_eq!(announced["url"], first.base.as_str());
    assert_eq!(announced["pid"], first.child.id());

    let second = must_end({
        let mut command = mdesk_command(dir.path(), &["engine", "serve", "--addr", "127.0.0.1:0"]);
        command.stdin(Stdio::null());
        command
    });
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&first.base), "{stderr}");
    assert!(
        stderr.contains(&format!("process {}", first.child.id())),
        "{stderr}"
    );
    assert!(second.stdout.is_empty(), "it never listened");
    assert_eq!(serving_file(&dir.path().join("engine")), announced);

    assert!(stop(first).success());
    assert!(
        !dir.path().join("engine/serving.json").exists(),
        "the first withdraws its own announcement"
    );
    // The folder is free again.
    let mut next = super::Spawned(
        mdesk_command(dir.path(), &["engine", "serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let line = super::stdout_lines(&mut next, 2).remove(0);
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
    // Once it answers it serves (and handles SIGTERM).
    let addr = line.trim_start_matches("listening on http://").to_owned();
    let mut probe = std::net::TcpStream::connect(&addr).unwrap();
    probe
        .write_all(b"GET /openapi.json HTTP/1.0\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    probe.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"),
        "{answer}"
    );
    let pid = next.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert!(next.wait().unwrap().success());
}

#[test]
fn a_second_inbox_on_one_data_folder_is_refused_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut first, base) = serve_inbox(&data);
    let announced = serving_file(&data.join("inbox"));
    assert_eq!(announced["url"], format!("{base}/webhooks"));

    let second = must_end(inbox_serve_command(&data));
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains(&format!("{base}/webhooks")), "{stderr}");
    assert!(
        stderr.contains(&format!("process {}", first.id())),
        "{stderr}"
    );
    assert_eq!(serving_file(&data.join("inbox")), announced);

    let pid = first.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert!(first.wait().unwrap().success());
    assert!(!data.join("inbox/serving.json").exists());
}
