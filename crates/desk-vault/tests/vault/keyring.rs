//! The real OS keyring (Secret Service over D-Bus), exercised when one is reachable.
//!
//! CI runs this binary under `dbus-run-session` with gnome-keyring unlocked and sets
//! MDESK_REQUIRE_KEYRING=1, so a missing keyring fails there instead of passing quietly.

use std::io::Write as _;

use desk_vault::{MasterKeySource, SourceKind, Vault, KEYRING_SERVICE};

use crate::{passphrase, read_bytes, secret, temp_dir, vault_path};

/// Deletes the test's keyring entries even when an assertion fails half-way.
struct EntryCleanup(Vec<String>);

impl Drop for EntryCleanup {
    fn drop(&mut self) {
        for account in &self.0 {
            if let Ok(entry) = keyring::Entry::new(KEYRING_SERVICE, account) {
                // Already gone is the expected case; anything else is worth a line.
                match entry.delete_credential() {
                    Ok(()) | Err(keyring::Error::NoEntry) => {}
                    Err(err) => {
                        let _ = writeln!(
                            std::io::stderr(),
                            "could not clean keyring entry {account}: {err}"
                        );
                    }
                }
            }
        }
    }
}

fn entry_exists(account: &str) -> bool {
    let entry = keyring::Entry::new(KEYRING_SERVICE, account).expect("entry");
    match entry.get_password() {
        Ok(_) => true,
        Err(keyring::Error::NoEntry) => false,
        Err(err) => panic!("keyring read failed: {err}"),
    }
}

/// `true` when the keyring can be used; otherwise fails under MDESK_REQUIRE_KEYRING=1 and
/// says plainly (past the test harness's output capture) that the test did not run.
async fn keyring_reachable() -> bool {
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    let problem = match desk_vault::probe_keyring().await {
        Ok(()) if !bus.is_empty() => return true,
        Ok(()) => "the keyring probe answered but DBUS_SESSION_BUS_ADDRESS is unset".to_owned(),
        Err(err) if bus.is_empty() => {
            format!("no D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset): {err}")
        }
        Err(err) => format!("a D-Bus session exists but no Secret Service answered: {err}"),
    };
    if std::env::var("MDESK_REQUIRE_KEYRING").as_deref() == Ok("1") {
        panic!("MDESK_REQUIRE_KEYRING=1 but the OS keyring is not usable: {problem}. Run under `dbus-run-session -- sh -c 'echo -n pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; cargo test -p desk-vault'`");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\nNOT EXERCISED: the real OS keyring test did not run ({problem}). Set MDESK_REQUIRE_KEYRING=1 to make this a failure.\n"
    );
    false
}

#[tokio::test]
async fn a_secret_round_trips_through_the_real_os_keyring_when_one_is_reachable() {
    if !keyring_reachable().await {
        return;
    }
    let dir = temp_dir();
    let path = vault_path(&dir);
    let mut cleanup = EntryCleanup(Vec::new());

    let vault = Vault::open(&path, MasterKeySource::Keyring)
        .await
        .expect("open with keyring");
    assert_eq!(vault.source_kind(), Some(SourceKind::Keyring));
    let account = vault.keyring_account().expect("account");
    cleanup.0.push(account.clone());
    assert!(
        account.contains(&dir.path().display().to_string()),
        "the account is per data dir: {account}"
    );
    assert!(entry_exists(&account));
    vault
        .put("cus_1", "token", &secret("kr-secret"))
        .await
        .expect("put");
    vault.close().await;

    let vault = Vault::open(&path, MasterKeySource::Keyring)
        .await
        .expect("reopen");
    assert_eq!(
        vault
            .get("cus_1", "token")
            .await
            .expect("get")
            .expect("v")
            .expose(),
        "kr-secret"
    );

    // Rotating away removes the old entry; rotating back makes a fresh one.
    vault
        .rotate_master_key(passphrase("pw"))
        .await
        .expect("to passphrase");
    assert!(
        !entry_exists(&account),
        "the old keyring entry is removed after rotation"
    );
    vault
        .rotate_master_key(MasterKeySource::Keyring)
        .await
        .expect("back to keyring");
    let second = vault.keyring_account().expect("account");
    cleanup.0.push(second.clone());
    assert_ne!(second, account);
    assert_eq!(
        vault
            .get("cus_1", "token")
            .await
            .expect("get")
            .expect("v")
            .expose(),
        "kr-secret"
    );
    vault.close().await;

    // A vault whose keyring entry vanished is reported, never re-keyed.
    keyring::Entry::new(KEYRING_SERVICE, &second)
        .expect("entry")
        .delete_credential()
        .expect("delete");
    let before = read_bytes(&path);
    let err = Vault::open(&path, MasterKeySource::Keyring)
        .await
        .expect_err("missing");
    assert_eq!(err.code(), "KEYRING_ENTRY_MISSING");
    assert!(!entry_exists(&second), "no new key was stored");
    assert_eq!(read_bytes(&path), before);
}
