//! Obtaining the master key: making a new one for a new vault (or a rotation), and finding the
//! existing one for a vault that has metadata. Nothing here writes to the database.

use std::path::{Path, PathBuf};

use crate::crypto::{self, KdfParams, Key, SALT_LEN};
use crate::error::{Result, VaultError};
use crate::source::{MasterKeySource, SourceKind};
use crate::store::{Meta, FORMAT_VERSION};
use crate::{key_file, os_keyring};

/// An unlocked master key and where it came from.
pub(crate) struct Unlocked {
    pub key: Key,
    pub kind: SourceKind,
    pub keyring_account: Option<String>,
}

/// What making a new master key created outside the database, to undo if the database write
/// that should follow fails.
pub(crate) enum Created {
    Nothing,
    KeyringEntry(String),
    KeyFile(PathBuf),
}

pub(crate) struct NewMaster {
    pub unlocked: Unlocked,
    /// The metadata fields for this key (format version, kind, kdf, account, check value).
    pub meta: Meta,
    pub created: Created,
}

/// True when `key` opens the vault's check value, i.e. is the vault's master key.
pub(crate) fn key_matches(key: &Key, meta: &Meta) -> bool {
    matches!(
        key.open(&meta.check_nonce, &meta.check_ciphertext, &crypto::aad_check()),
        Ok(plain) if plain.as_slice() == crypto::CHECK_PLAINTEXT
    )
}

async fn derive(passphrase: &crate::SecretString, salt: Vec<u8>, params: KdfParams) -> Result<Key> {
    let passphrase = passphrase.clone();
    tokio::task::spawn_blocking(move || {
        crypto::derive_from_passphrase(passphrase.expose().as_bytes(), &salt, params)
    })
    .await
    .map_err(|e| VaultError::Internal(format!("key derivation task failed: {e}")))?
}

/// Makes (or, for an existing key file, reads) a master key for a new vault or a rotation.
pub(crate) async fn create(source: &MasterKeySource, vault_path: &Path) -> Result<NewMaster> {
    let mut kdf = None;
    let mut keyring_account = None;
    let (key, created) = match source {
        MasterKeySource::Keyring => {
            let account = os_keyring::new_account(vault_path)?;
            let key = Key::random()?;
            os_keyring::store(account.clone(), &key).await?;
            keyring_account = Some(account.clone());
            (key, Created::KeyringEntry(account))
        }
        MasterKeySource::Passphrase(passphrase) => {
            if passphrase.is_empty() {
                return Err(VaultError::InvalidInput(
                    "the vault passphrase is empty".to_owned(),
                ));
            }
            let mut salt = vec![0u8; SALT_LEN];
            crypto::random_bytes(&mut salt)?;
            let params = KdfParams::DEFAULT;
            let key = derive(passphrase, salt.clone(), params).await?;
            kdf = Some((salt, params));
            (key, Created::Nothing)
        }
        MasterKeySource::KeyFile(path) => match key_file::load(path)? {
            // A key file made beforehand (e.g. provisioned by an admin) is used as it is.
            Some(key) => (key, Created::Nothing),
            None => {
                let key = Key::random()?;
                key_file::create(path, &key)?;
                tracing::info!(key_file = %path.display(), "created a new vault key file (mode 0600)");
                (key, Created::KeyFile(path.clone()))
            }
        },
    };
    let check = key.seal(crypto::CHECK_PLAINTEXT, &crypto::aad_check())?;
    let meta = Meta {
        format_version: FORMAT_VERSION,
        source_kind: source.kind().as_str().to_owned(),
        kdf_salt: kdf.as_ref().map(|(salt, _)| salt.clone()),
        kdf_m_cost: kdf.as_ref().map(|(_, p)| i64::from(p.m_cost_kib)),
        kdf_t_cost: kdf.as_ref().map(|(_, p)| i64::from(p.t_cost)),
        kdf_p_cost: kdf.as_ref().map(|(_, p)| i64::from(p.p_cost)),
        keyring_account: keyring_account.clone(),
        check_nonce: check.nonce,
        check_ciphertext: check.ciphertext,
    };
    Ok(NewMaster {
        unlocked: Unlocked {
            key,
            kind: source.kind(),
            keyring_account,
        },
        meta,
        created,
    })
}

/// Undoes what `create` made outside the database. Failures are logged, not returned: the
/// caller is already returning the error that made the undo necessary.
pub(crate) async fn discard(created: Created) {
    match created {
        Created::Nothing => {}
        Created::KeyringEntry(account) => {
            if let Err(err) = os_keyring::remove(account.clone()).await {
                tracing::warn!(%account, error = %err, "could not remove an unused vault key from the OS keyring");
            }
        }
        Created::KeyFile(path) => {
            if let Err(err) = std::fs::remove_file(&path) {
                tracing::warn!(key_file = %path.display(), error = %err, "could not remove an unused vault key file");
            }
        }
    }
}

fn kdf_params(meta: &Meta) -> Result<(Vec<u8>, KdfParams)> {
    let bad = || {
        VaultError::corrupt("the passphrase salt or argon2 parameters are missing or out of range")
    };
    let salt = meta
        .kdf_salt
        .clone()
        .filter(|s| s.len() >= 8)
        .ok_or_else(bad)?;
    let cost = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok()).ok_or_else(bad);
    let params = KdfParams {
        m_cost_kib: cost(meta.kdf_m_cost)?,
        t_cost: cost(meta.kdf_t_cost)?,
        p_cost: cost(meta.kdf_p_cost)?,
    };
    if !params.is_sane() {
        return Err(bad());
    }
    Ok((salt, params))
}

/// Finds the master key of an existing vault from `source` and proves it with the check value.
/// A wrong key is an error of its own; nothing is written either way.
pub(crate) async fn unlock(meta: &Meta, source: &MasterKeySource) -> Result<Unlocked> {
    let kind = SourceKind::parse(&meta.source_kind)?;
    if kind != source.kind() {
        return Err(VaultError::SourceMismatch {
            expected: kind.describe(),
            given: source.kind().describe(),
            hint: kind.hint(),
        });
    }
    let key = match source {
        MasterKeySource::Keyring => {
            let account = meta
                .keyring_account
                .clone()
                .ok_or_else(|| VaultError::corrupt("the keyring account name is missing"))?;
            os_keyring::load(account.clone())
                .await?
                .ok_or(VaultError::KeyringEntryMissing { account })?
        }
        MasterKeySource::Passphrase(passphrase) => {
            let (salt, params) = kdf_params(meta)?;
            derive(passphrase, salt, params).await?
        }
        MasterKeySource::KeyFile(path) => key_file::load(path)?
            .ok_or_else(|| VaultError::KeyFileMissing { path: path.clone() })?,
    };
    if !key_matches(&key, meta) {
        return Err(match kind {
            SourceKind::Passphrase => VaultError::WrongPassphrase,
            SourceKind::KeyFile => VaultError::WrongMasterKey { kind: "key file" },
            SourceKind::Keyring => VaultError::WrongMasterKey {
                kind: "OS keyring entry",
            },
        });
    }
    Ok(Unlocked {
        key,
        kind,
        keyring_account: meta.keyring_account.clone(),
    })
}
