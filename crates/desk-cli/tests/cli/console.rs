//! What a command leaves on the console and on disk: no colour codes in a redirected stderr,
//! the vault's weak-key warning once per data folder, and a data folder only its owner reads.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Output};

fn mdesk(data_dir: &Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_mdesk"))
        .args(["--data-dir", data_dir.to_str().unwrap()])
        .args(args)
        .env("MDESK_VAULT_PASSPHRASE", "console test passphrase")
        .env_remove("MDESK_VAULT_KEY_FILE")
        .env_remove("MDESK_LOG")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "mdesk {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_passphrase_warning_comes_once_without_colour_and_the_data_folder_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let warning = "derived from MDESK_VAULT_PASSPHRASE";

    let first = String::from_utf8_lossy(&mdesk(&data, &["sync"]).stderr).into_owned();
    assert!(first.contains(warning), "the first command warns: {first}");
    let second = String::from_utf8_lossy(&mdesk(&data, &["sync"]).stderr).into_owned();
    assert!(!second.contains(warning), "warned again: {second}");
    for stderr in [&first, &second] {
        assert!(
            !stderr.contains('\u{1b}'),
            "colour codes in a redirected stderr: {stderr:?}"
        );
    }

    // A sync's progress goes to stderr, and `-q` silences it.
    assert!(
        first.lines().any(|l| l.contains("records")),
        "a sync shows progress: {first}"
    );
    let quiet = mdesk(&data, &["-q", "sync", "--full"]);
    assert_eq!(
        String::from_utf8_lossy(&quiet.stderr),
        "",
        "-q prints no progress"
    );
    assert!(!quiet.stdout.is_empty(), "the report still prints");

    assert_eq!(mode(&data), 0o700, "the data folder");
    let mirror = data.join("mirror.db");
    assert_eq!(mode(&mirror), 0o600, "mirror.db");
    // A file made readable by others (a copy, an old version) is private again at the next open.
    std::fs::set_permissions(&mirror, std::fs::Permissions::from_mode(0o644)).unwrap();
    mdesk(&data, &["connections", "list"]);
    assert_eq!(mode(&mirror), 0o600, "mirror.db after the next command");
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(
            mode(&path) & 0o077,
            0,
            "{} is readable by others",
            path.display()
        );
    }
}

/// `mdesk inbox serve` with `stdin` written to its standard input; returns its first stdout
/// line (or "" when it exited) and its exit code, stopping it when it serves.
fn inbox_with_stdin(data: &Path, extra: &[&str], stdin: &str) -> (String, Option<i32>) {
    use std::io::{BufRead as _, Write as _};
    let mut child = super::Spawned(
        Command::new(env!("CARGO_BIN_EXE_mdesk"))
            .args(["--data-dir", data.to_str().unwrap(), "inbox", "serve"])
            .args(["--addr", "127.0.0.1:0"])
            .args(extra)
            .env("MDESK_VAULT_PASSPHRASE", "console test passphrase")
            .env_remove("MDESK_INBOX_SECRET")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    if first.starts_with("listening on ") {
        let pid = child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
    }
    (first, child.wait().unwrap().code())
}

#[test]
fn a_secret_comes_from_standard_input_once_and_a_missing_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n";

    // It serves (stopped at once with SIGTERM, which may come before its handler is set up).
    let (line, _) = inbox_with_stdin(&data, &["--secret-stdin"], secret);
    assert!(line.starts_with("listening on "), "{line}");

    let twice = [
        "--secret",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "--secret-stdin",
    ];
    let (line, code) = inbox_with_stdin(&data, &twice, secret);
    assert_eq!(
        (line.as_str(), code),
        ("", Some(1)),
        "a secret given twice is refused"
    );
    // No terminal to ask at, nothing in the environment: refused, not a silent default.
    let (line, code) = inbox_with_stdin(&data, &[], "");
    assert_eq!(
        (line.as_str(), code),
        ("", Some(1)),
        "a missing secret is refused"
    );
}
