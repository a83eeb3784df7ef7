//! Tampering, swapping, shredding, rotation, versions and the locked state.

use desk_vault::{MasterKeySource, Vault, VaultError};

use crate::{open_with_passphrase, passphrase, raw_pool, read_bytes, secret, temp_dir, vault_path};

async fn vault_with(path: &std::path::Path, items: &[(&str, &str, &str)]) {
    let vault = open_with_passphrase(path, "pw").await;
    for (scope, name, value) in items {
        vault.put(scope, name, &secret(value)).await.expect("put");
    }
    vault.close().await;
}

fn assert_corrupt(result: Result<Option<desk_vault::SecretString>, VaultError>) {
    match result {
        Err(err) => assert_eq!(err.code(), "CORRUPT", "{err}"),
        Ok(value) => panic!("expected CORRUPT, got a value: {}", value.is_some()),
    }
}

#[tokio::test]
async fn a_tampered_ciphertext_is_rejected_as_corrupt() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    vault_with(&path, &[("cus_1", "token", "tok-value")]).await;
    let raw = raw_pool(&path).await;
    // Flip the last byte (part of the GCM tag).
    sqlx::query("UPDATE secrets SET ciphertext = substr(ciphertext, 1, length(ciphertext) - 1) || x'00' WHERE name = 'token'")
        .execute(&raw)
        .await
        .expect("tamper");
    sqlx::query("UPDATE secrets SET ciphertext = substr(ciphertext, 1, length(ciphertext) - 1) || x'01' WHERE name = 'token'")
        .execute(&raw)
        .await
        .expect("tamper");
    raw.close().await;

    let vault = open_with_passphrase(&path, "pw").await;
    assert_corrupt(vault.get("cus_1", "token").await);
}

#[tokio::test]
async fn a_ciphertext_copied_to_another_name_or_scope_is_rejected() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    vault_with(
        &path,
        &[
            ("cus_1", "a", "value-a"),
            ("cus_1", "b", "value-b"),
            ("cus_2", "a", "other-a"),
        ],
    )
    .await;
    let raw = raw_pool(&path).await;
    // Within a scope: b now carries a's blob. Across scopes: cus_2/a carries cus_1/a's blob.
    for (from_scope, to_scope, to_name) in [("cus_1", "cus_1", "b"), ("cus_1", "cus_2", "a")] {
        sqlx::query(
            "UPDATE secrets SET (nonce, ciphertext) =
               (SELECT nonce, ciphertext FROM secrets WHERE scope = ? AND name = 'a')
             WHERE scope = ? AND name = ?",
        )
        .bind(from_scope)
        .bind(to_scope)
        .bind(to_name)
        .execute(&raw)
        .await
        .expect("swap");
    }
    raw.close().await;

    let vault = open_with_passphrase(&path, "pw").await;
    assert_eq!(
        vault
            .get("cus_1", "a")
            .await
            .expect("get")
            .expect("a")
            .expose(),
        "value-a"
    );
    assert_corrupt(vault.get("cus_1", "b").await);
    assert_corrupt(vault.get("cus_2", "a").await);
}

#[tokio::test]
async fn a_data_key_copied_to_another_scope_is_rejected() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    vault_with(
        &path,
        &[("cus_1", "a", "value-1"), ("cus_2", "a", "value-2")],
    )
    .await;
    let raw = raw_pool(&path).await;
    sqlx::query(
        "UPDATE data_keys SET (nonce, wrapped_key) =
           (SELECT nonce, wrapped_key FROM data_keys WHERE scope = 'cus_1')
         WHERE scope = 'cus_2'",
    )
    .execute(&raw)
    .await
    .expect("swap");
    raw.close().await;

    let vault = open_with_passphrase(&path, "pw").await;
    assert_corrupt(vault.get("cus_2", "a").await);
    assert!(
        !vault.is_locked(),
        "a damaged row is not a rotated master key"
    );
    assert_eq!(
        vault
            .get("cus_1", "a")
            .await
            .expect("get")
            .expect("1")
            .expose(),
        "value-1"
    );
}

#[tokio::test]
async fn deleting_a_scope_makes_it_unreadable_while_other_scopes_stay() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    vault_with(
        &path,
        &[
            ("cus_1", "a", "one-a"),
            ("cus_1", "b", "one-b"),
            ("cus_2", "a", "two-a"),
        ],
    )
    .await;
    let vault = open_with_passphrase(&path, "pw").await;
    assert_eq!(vault.delete_scope("cus_1").await.expect("shred"), 2);
    assert!(vault.get("cus_1", "a").await.expect("get").is_none());
    assert!(vault.list("cus_1").await.expect("list").is_empty());
    assert_eq!(
        vault.scopes().await.expect("scopes"),
        vec!["cus_2".to_owned()]
    );
    assert_eq!(
        vault
            .get("cus_2", "a")
            .await
            .expect("get")
            .expect("kept")
            .expose(),
        "two-a"
    );
    assert_eq!(
        vault.delete_scope("cus_1").await.expect_err("gone").code(),
        "NOT_FOUND"
    );

    // A new secret in the shredded scope gets a new data key and works.
    vault
        .put("cus_1", "a", &secret("fresh"))
        .await
        .expect("put");
    assert_eq!(
        vault
            .get("cus_1", "a")
            .await
            .expect("get")
            .expect("new")
            .expose(),
        "fresh"
    );
    vault.close().await;

    let raw = raw_pool(&path).await;
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM data_keys")
        .fetch_one(&raw)
        .await
        .expect("count");
    assert_eq!(keys, 2);
    raw.close().await;
}

#[tokio::test]
async fn rotating_the_master_key_keeps_every_secret_readable() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    let items = [
        ("account", "client_secret", "cs"),
        ("cus_1", "a", "1a"),
        ("cus_2", "b", "2b"),
    ];
    vault_with(&path, &items).await;
    let key_file = dir.path().join("rotated.key");

    let vault = open_with_passphrase(&path, "pw").await;
    vault
        .rotate_master_key(MasterKeySource::KeyFile(key_file.clone()))
        .await
        .expect("rotate");
    for (scope, name, value) in items {
        assert_eq!(
            vault
                .get(scope, name)
                .await
                .expect("get")
                .expect("kept")
                .expose(),
            value
        );
    }
    vault.close().await;

    let err = Vault::open(&path, passphrase("pw"))
        .await
        .expect_err("old source");
    assert_eq!(err.code(), "MASTER_KEY_SOURCE_MISMATCH");
    let vault = Vault::open(&path, MasterKeySource::KeyFile(key_file))
        .await
        .expect("new key");
    vault
        .rotate_master_key(passphrase("new pw"))
        .await
        .expect("rotate again");
    vault.close().await;

    assert_eq!(
        Vault::open(&path, passphrase("pw"))
            .await
            .expect_err("old")
            .code(),
        "WRONG_PASSPHRASE"
    );
    let vault = open_with_passphrase(&path, "new pw").await;
    for (scope, name, value) in items {
        assert_eq!(
            vault
                .get(scope, name)
                .await
                .expect("get")
                .expect("kept")
                .expose(),
            value
        );
    }
}

#[tokio::test]
async fn another_handle_locks_itself_when_the_master_key_is_rotated_under_it() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    vault_with(&path, &[("cus_1", "a", "value")]).await;
    let first = open_with_passphrase(&path, "pw").await;
    let second = open_with_passphrase(&path, "pw").await;
    first
        .rotate_master_key(passphrase("next"))
        .await
        .expect("rotate");

    let err = second.get("cus_1", "a").await.expect_err("stale key");
    assert_eq!(err.code(), "VAULT_LOCKED");
    assert!(second.is_locked());
    second
        .unlock(passphrase("next"))
        .await
        .expect("unlock with the new key");
    assert_eq!(
        second
            .get("cus_1", "a")
            .await
            .expect("get")
            .expect("v")
            .expose(),
        "value"
    );
}

#[tokio::test]
async fn a_locked_vault_refuses_every_operation_until_unlocked() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    let vault = open_with_passphrase(&path, "pw").await;
    vault.put("cus_1", "a", &secret("v")).await.expect("put");
    vault.lock();
    assert!(vault.is_locked());
    assert_eq!(
        vault.get("cus_1", "a").await.expect_err("locked").code(),
        "VAULT_LOCKED"
    );
    assert_eq!(
        vault
            .put("cus_1", "b", &secret("v"))
            .await
            .expect_err("locked")
            .code(),
        "VAULT_LOCKED"
    );
    assert_eq!(
        vault.list("cus_1").await.expect_err("locked").code(),
        "VAULT_LOCKED"
    );
    assert_eq!(
        vault
            .delete_scope("cus_1")
            .await
            .expect_err("locked")
            .code(),
        "VAULT_LOCKED"
    );
    assert_eq!(
        vault
            .unlock(passphrase("bad"))
            .await
            .expect_err("wrong")
            .code(),
        "WRONG_PASSPHRASE"
    );
    assert!(vault.is_locked());
    vault.unlock(passphrase("pw")).await.expect("unlock");
    assert_eq!(
        vault
            .get("cus_1", "a")
            .await
            .expect("get")
            .expect("v")
            .expose(),
        "v"
    );
}

#[tokio::test]
async fn deleting_a_secret_removes_only_it_and_a_missing_one_is_not_found() {
    let dir = temp_dir();
    let vault = open_with_passphrase(&vault_path(&dir), "pw").await;
    vault.put("cus_1", "b", &secret("vb")).await.expect("put");
    vault.put("cus_1", "a", &secret("va")).await.expect("put");
    vault
        .put("cus_1", "a", &secret("va2"))
        .await
        .expect("overwrite");
    assert_eq!(
        vault.list("cus_1").await.expect("list"),
        vec!["a".to_owned(), "b".to_owned()]
    );
    assert_eq!(
        vault
            .get("cus_1", "a")
            .await
            .expect("get")
            .expect("a")
            .expose(),
        "va2"
    );
    vault.delete("cus_1", "a").await.expect("delete");
    assert_eq!(
        vault.list("cus_1").await.expect("list"),
        vec!["b".to_owned()]
    );
    assert_eq!(
        vault.delete("cus_1", "a").await.expect_err("gone").code(),
        "NOT_FOUND"
    );
}

#[tokio::test]
async fn an_empty_or_control_character_scope_or_name_is_invalid_input() {
    let dir = temp_dir();
    let vault = open_with_passphrase(&vault_path(&dir), "pw").await;
    for (scope, name) in [("", "a"), ("cus_1", ""), ("cus\n1", "a"), ("cus_1", "a\0b")] {
        let err = vault
            .put(scope, name, &secret("v"))
            .await
            .expect_err("invalid");
        assert_eq!(err.code(), "INVALID_INPUT");
    }
    let long = "x".repeat(300);
    assert_eq!(
        vault.get(&long, "a").await.expect_err("too long").code(),
        "INVALID_INPUT"
    );
}

async fn refused_and_unchanged(path: &std::path::Path, code: &str) {
    let before = read_bytes(path);
    let err = Vault::open(path, passphrase("pw"))
        .await
        .expect_err("must refuse");
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(read_bytes(path), before, "the file must be left as it was");
    assert!(
        !path.with_extension("db-wal").exists()
            || read_bytes(&path.with_extension("db-wal")).is_empty()
    );
}

#[tokio::test]
async fn a_database_of_a_newer_format_is_refused_and_left_unchanged() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    vault_with(&path, &[("cus_1", "a", "v")]).await;
    let raw = raw_pool(&path).await;
    sqlx::query("UPDATE vault_meta SET format_version = format_version + 1")
        .execute(&raw)
        .await
        .expect("bump");
    raw.close().await;

    refused_and_unchanged(&path, "NEWER_VERSION").await;
    let err = Vault::open(&path, passphrase("pw"))
        .await
        .expect_err("refuse");
    assert!(err.to_string().contains("newer version"), "{err}");
}

#[tokio::test]
async fn a_database_with_an_unknown_newer_migration_is_refused_and_left_unchanged() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    vault_with(&path, &[("cus_1", "a", "v")]).await;
    let raw = raw_pool(&path).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         VALUES (99999999999999, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .execute(&raw)
    .await
    .expect("insert");
    raw.close().await;
    refused_and_unchanged(&path, "NEWER_VERSION").await;
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_reported_corrupt_and_left_unchanged() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    std::fs::write(
        &path,
        b"this is not a sqlite database, but it is long enough to look like one maybe".repeat(20),
    )
    .expect("write");
    refused_and_unchanged(&path, "CORRUPT").await;
}

#[tokio::test]
async fn a_vault_left_by_a_crash_with_an_unmerged_wal_opens_with_every_secret() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    let vault = open_with_passphrase(&path, "pw").await;
    for i in 0..5 {
        vault
            .put("cus_1", &format!("n{i}"), &secret(&format!("v{i}")))
            .await
            .expect("put");
    }
    // Copy the files as a power cut would leave them: main file and WAL, no shared memory.
    let crashed = temp_dir();
    let copy = vault_path(&crashed);
    std::fs::copy(&path, &copy).expect("copy db");
    std::fs::copy(path.with_extension("db-wal"), copy.with_extension("db-wal")).expect("copy wal");
    assert!(
        std::fs::metadata(copy.with_extension("db-wal"))
            .expect("wal")
            .len()
            > 0
    );
    vault.close().await;

    let reopened = open_with_passphrase(&copy, "pw").await;
    for i in 0..5 {
        let got = reopened.get("cus_1", &format!("n{i}")).await.expect("get");
        assert_eq!(got.expect("recovered").expose(), format!("v{i}"));
    }
}
