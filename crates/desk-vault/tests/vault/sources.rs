//! Each master key source: round trips, wrong keys, refusals and the explicit choice rule.

use desk_vault::{MasterKeySource, SourceKind, Vault, ACCOUNT_SCOPE};

use crate::{open_with_passphrase, passphrase, read_bytes, secret, temp_dir, vault_path};

#[tokio::test]
async fn a_secret_round_trips_through_a_passphrase_vault_across_a_reopen() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    let vault = open_with_passphrase(&path, "correct horse").await;
    assert_eq!(vault.source_kind(), Some(SourceKind::Passphrase));
    vault
        .put(ACCOUNT_SCOPE, "client_secret", &secret("s3cr3t-value"))
        .await
        .expect("put");
    vault.close().await;

    let vault = open_with_passphrase(&path, "correct horse").await;
    let got = vault
        .get(ACCOUNT_SCOPE, "client_secret")
        .await
        .expect("get");
    assert_eq!(got.expect("stored").expose(), "s3cr3t-value");
    assert!(vault
        .get(ACCOUNT_SCOPE, "absent")
        .await
        .expect("get")
        .is_none());
}

#[tokio::test]
async fn a_secret_round_trips_through_a_key_file_vault_created_with_mode_0600() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    let key_file = dir.path().join("vault.key");
    let vault = Vault::open(&path, MasterKeySource::KeyFile(key_file.clone()))
        .await
        .expect("open");
    vault
        .put("cus_1", "token", &secret("tok-123"))
        .await
        .expect("put");
    vault.close().await;

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_file)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        let db_mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(db_mode, 0o600, "the vault file is private too");
    }

    let vault = Vault::open(&path, MasterKeySource::KeyFile(key_file))
        .await
        .expect("reopen");
    let got = vault
        .get("cus_1", "token")
        .await
        .expect("get")
        .expect("stored");
    assert_eq!(got.expose(), "tok-123");
}

#[tokio::test]
async fn a_wrong_passphrase_is_reported_as_such_and_changes_nothing() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    let vault = open_with_passphrase(&path, "right").await;
    vault
        .put("cus_1", "a", &secret("value-a"))
        .await
        .expect("put");
    vault.close().await;
    let before = read_bytes(&path);

    let err = Vault::open(&path, passphrase("wrong"))
        .await
        .expect_err("must fail");
    assert_eq!(err.code(), "WRONG_PASSPHRASE");
    assert!(err.to_string().contains("MDESK_VAULT_PASSPHRASE"), "{err}");
    assert_eq!(
        read_bytes(&path),
        before,
        "a wrong passphrase must not write"
    );

    let vault = open_with_passphrase(&path, "right").await;
    let got = vault
        .get("cus_1", "a")
        .await
        .expect("get")
        .expect("still there");
    assert_eq!(got.expose(), "value-a");
}

#[cfg(unix)]
#[tokio::test]
async fn a_key_file_readable_by_group_or_others_is_refused_with_a_clear_error() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = temp_dir();
    let key_file = dir.path().join("vault.key");
    let vault = Vault::open(vault_path(&dir), MasterKeySource::KeyFile(key_file.clone()))
        .await
        .expect("open");
    vault.close().await;
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).expect("chmod");

    let err = Vault::open(vault_path(&dir), MasterKeySource::KeyFile(key_file.clone()))
        .await
        .expect_err("must refuse");
    assert_eq!(err.code(), "KEY_FILE_PERMISSIONS");
    let message = err.to_string();
    assert!(
        message.contains("chmod 600") && message.contains("644"),
        "{message}"
    );

    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    Vault::open(vault_path(&dir), MasterKeySource::KeyFile(key_file))
        .await
        .expect("opens again once private");
}

#[tokio::test]
async fn a_key_file_with_another_key_is_reported_as_the_wrong_master_key() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    let key_file = dir.path().join("vault.key");
    let other = dir.path().join("other.key");
    Vault::open(&path, MasterKeySource::KeyFile(key_file))
        .await
        .expect("open")
        .close()
        .await;
    // Making a second vault elsewhere is the way to get a second valid key file.
    let elsewhere = dir.path().join("elsewhere.db");
    Vault::open(&elsewhere, MasterKeySource::KeyFile(other.clone()))
        .await
        .expect("open")
        .close()
        .await;

    let err = Vault::open(&path, MasterKeySource::KeyFile(other))
        .await
        .expect_err("wrong key");
    assert_eq!(err.code(), "WRONG_MASTER_KEY");
}

#[tokio::test]
async fn a_missing_key_file_for_an_existing_vault_is_reported_and_not_recreated() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    let key_file = dir.path().join("vault.key");
    Vault::open(&path, MasterKeySource::KeyFile(key_file.clone()))
        .await
        .expect("open")
        .close()
        .await;
    std::fs::remove_file(&key_file).expect("remove");

    let err = Vault::open(&path, MasterKeySource::KeyFile(key_file.clone()))
        .await
        .expect_err("must fail");
    assert_eq!(err.code(), "KEY_FILE_MISSING");
    assert!(
        !key_file.exists(),
        "no new key may be made for an existing vault"
    );
}

#[tokio::test]
async fn opening_with_another_kind_of_source_is_refused_with_a_hint() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    open_with_passphrase(&path, "pw").await.close().await;
    let err = Vault::open(&path, MasterKeySource::KeyFile(dir.path().join("k.key")))
        .await
        .expect_err("mismatch");
    assert_eq!(err.code(), "MASTER_KEY_SOURCE_MISMATCH");
    assert!(err.to_string().contains("MDESK_VAULT_PASSPHRASE"), "{err}");
    assert!(
        !dir.path().join("k.key").exists(),
        "no key file is made for a mismatch"
    );
}

#[tokio::test]
async fn an_empty_passphrase_is_refused_for_a_new_vault() {
    let dir = temp_dir();
    let err = Vault::open(vault_path(&dir), passphrase(""))
        .await
        .expect_err("empty");
    assert_eq!(err.code(), "INVALID_INPUT");
    assert!(!vault_path(&dir).exists(), "no vault file is left behind");
}

#[tokio::test]
async fn choosing_a_source_prefers_an_explicit_fallback_and_otherwise_needs_the_keyring() {
    let dir = temp_dir();
    let key_file = dir.path().join("vault.key");
    let chosen = MasterKeySource::choose(Some(key_file.clone()), None)
        .await
        .expect("key file");
    assert_eq!(chosen.kind(), SourceKind::KeyFile);
    let chosen = MasterKeySource::choose(None, Some(secret("pw")))
        .await
        .expect("passphrase");
    assert_eq!(chosen.kind(), SourceKind::Passphrase);
    let err = MasterKeySource::choose(Some(key_file), Some(secret("pw")))
        .await
        .expect_err("both is ambiguous");
    assert_eq!(err.code(), "INVALID_INPUT");

    // With neither, the keyring is the only choice: reachable here or not, never a silent
    // fallback, and the error says how to provide a key.
    match MasterKeySource::choose(None, None).await {
        Ok(source) => assert_eq!(source.kind(), SourceKind::Keyring),
        Err(err) => {
            assert_eq!(err.code(), "KEYRING_UNAVAILABLE");
            let message = err.to_string();
            assert!(
                message.contains("MDESK_VAULT_PASSPHRASE") && message.contains("--vault-key-file"),
                "{message}"
            );
        }
    }
}
