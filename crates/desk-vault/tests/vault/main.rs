//! The vault's integration tests: one binary, every file in a temp dir, never the user's
//! real keyring entry (keyring accounts are per vault path) or app data.

mod concurrency;
mod integrity;
mod keyring;
mod leak;
mod sources;

use std::path::{Path, PathBuf};

use desk_vault::{MasterKeySource, SecretString, Vault};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

pub fn vault_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("vault.db")
}

pub fn passphrase(text: &str) -> MasterKeySource {
    MasterKeySource::Passphrase(SecretString::from(text))
}

pub async fn open_with_passphrase(path: &Path, text: &str) -> Vault {
    Vault::open(path, passphrase(text))
        .await
        .expect("open the vault with its passphrase")
}

pub fn secret(text: &str) -> SecretString {
    SecretString::from(text)
}

/// A plain connection to the vault file, to tamper with it as an attacker with disk access would.
pub async fn raw_pool(path: &Path) -> SqlitePool {
    SqlitePool::connect_with(SqliteConnectOptions::new().filename(path))
        .await
        .expect("raw connection")
}

pub fn read_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read file")
}
