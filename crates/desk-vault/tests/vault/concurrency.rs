//! Several handles (as several processes would) on one vault file.

use std::sync::Arc;

use desk_vault::Vault;

use crate::{open_with_passphrase, passphrase, secret, temp_dir, vault_path};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_handles_creating_the_same_vault_at_once_agree_on_one_master_key() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    let (a, b) = tokio::join!(
        Vault::open(&path, passphrase("pw")),
        Vault::open(&path, passphrase("pw"))
    );
    let (a, b) = (a.expect("first"), b.expect("second"));
    a.put("cus_1", "x", &secret("from-a")).await.expect("put");
    assert_eq!(
        b.get("cus_1", "x").await.expect("get").expect("x").expose(),
        "from-a"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_on_two_handles_lose_no_secret_and_share_one_data_key_per_scope() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    let first = Arc::new(open_with_passphrase(&path, "pw").await);
    let second = Arc::new(open_with_passphrase(&path, "pw").await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let vault = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tasks.push(tokio::spawn(async move {
            let scope = format!("cus_{}", i % 4);
            vault
                .put(&scope, &format!("n{i}"), &secret(&format!("v{i}")))
                .await
                .expect("put");
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    for i in 0..40 {
        let vault = if i % 2 == 0 { &second } else { &first };
        let got = vault
            .get(&format!("cus_{}", i % 4), &format!("n{i}"))
            .await
            .expect("get");
        assert_eq!(got.expect("stored").expose(), format!("v{i}"));
    }
    assert_eq!(first.scopes().await.expect("scopes").len(), 4);
}
