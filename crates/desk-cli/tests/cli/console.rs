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
