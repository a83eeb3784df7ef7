//! The master key in the OS keyring (keyring 3: Secret Service over D-Bus on Linux).
//!
//! The keyring calls block on D-Bus, so each runs on a blocking thread. The account name holds
//! the vault's absolute path plus a random suffix: each data dir (and so each test's temp dir)
//! gets its own entry, and a rotation can create the new entry before the old one is removed.

use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use zeroize::Zeroizing;

use crate::crypto::{random_bytes, Key};
use crate::error::{Result, VaultError};
use crate::source::KEYRING_SERVICE;

/// A fresh account name for the vault at `vault_path` (already absolute).
pub(crate) fn new_account(vault_path: &Path) -> Result<String> {
    let mut suffix = [0u8; 4];
    random_bytes(&mut suffix)?;
    let hex: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("vault:{}#{hex}", vault_path.display()))
}

fn unavailable(err: keyring::Error) -> VaultError {
    VaultError::KeyringUnavailable {
        detail: err.to_string(),
    }
}

async fn blocking<T, F>(f: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| VaultError::Internal(format!("keyring task failed: {e}")))?
}

/// Checks that a keyring store answers, with a read of an entry nobody writes: it never
/// changes the user's keyring. "No such entry" means the store works.
pub async fn probe() -> Result<()> {
    blocking(|| {
        let entry = keyring::Entry::new(KEYRING_SERVICE, "probe").map_err(unavailable)?;
        match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(keyring::Error::Ambiguous(_)) => Ok(()),
            Err(err) => Err(unavailable(err)),
        }
    })
    .await
}

/// The key stored under `account`, or `None` when there is no such entry.
pub(crate) async fn load(account: String) -> Result<Option<Key>> {
    blocking(move || {
        let entry = keyring::Entry::new(KEYRING_SERVICE, &account).map_err(unavailable)?;
        let encoded = match entry.get_password() {
            Ok(text) => Zeroizing::new(text),
            Err(keyring::Error::NoEntry) => return Ok(None),
            Err(keyring::Error::BadEncoding(mut bytes)) => {
                zeroize::Zeroize::zeroize(&mut bytes);
                return Err(VaultError::WrongMasterKey {
                    kind: "OS keyring entry",
                });
            }
            Err(err) => return Err(unavailable(err)),
        };
        let bytes =
            Zeroizing::new(
                B64.decode(encoded.trim())
                    .map_err(|_| VaultError::WrongMasterKey {
                        kind: "OS keyring entry",
                    })?,
            );
        Key::from_slice(&bytes)
            .map(Some)
            .ok_or(VaultError::WrongMasterKey {
                kind: "OS keyring entry",
            })
    })
    .await
}

/// Stores `key` under `account` (base64 text, so the entry is printable in keyring tools).
pub(crate) async fn store(account: String, key: &Key) -> Result<()> {
    let encoded = Zeroizing::new(B64.encode(key.bytes()));
    blocking(move || {
        let entry = keyring::Entry::new(KEYRING_SERVICE, &account).map_err(unavailable)?;
        entry.set_password(&encoded).map_err(unavailable)
    })
    .await
}

/// Removes the entry; a missing entry is not an error (the goal is that it is gone).
pub(crate) async fn remove(account: String) -> Result<()> {
    blocking(move || {
        let entry = keyring::Entry::new(KEYRING_SERVICE, &account).map_err(unavailable)?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(unavailable(err)),
        }
    })
    .await
}
