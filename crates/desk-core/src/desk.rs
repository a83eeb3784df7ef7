//! The application's context: its data folder, the mirror, the vault (opened only when a
//! secret is needed, so offline commands never ask for the keyring) and the event stream.

use crate::events::{DeskEvent, EventBus};
use crate::CoreError;
use desk_store::{IntegrityCheck, Mirror};
use desk_vault::{MasterKeySource, SecretString, Vault};
use std::path::{Path, PathBuf};
use tokio::sync::{broadcast, OnceCell};

/// Where the vault's master key comes from when the OS keyring is not to be used.
#[derive(Debug, Clone, Default)]
pub struct VaultAccess {
    /// `--vault-key-file`: a key file readable by its owner only.
    pub key_file: Option<PathBuf>,
    /// `MDESK_VAULT_PASSPHRASE`: a passphrase the key is derived from (argon2id).
    pub passphrase: Option<SecretString>,
}

impl VaultAccess {
    /// The key file given, and the passphrase from the environment.
    pub fn from_env(key_file: Option<PathBuf>) -> Self {
        Self {
            key_file,
            passphrase: desk_vault::passphrase_from_env(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct DeskConfig {
    pub data_dir: PathBuf,
    pub vault: VaultAccess,
    /// How thoroughly an existing mirror is checked at open ([`IntegrityCheck::HeaderOnly`]
    /// for short commands on a file a long-running process already checked).
    pub integrity: IntegrityCheck,
}

impl DeskConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            vault: VaultAccess::default(),
            integrity: IntegrityCheck::Quick,
        }
    }
}

/// One open data folder.
pub struct Desk {
    data_dir: PathBuf,
    mirror: Mirror,
    vault_access: VaultAccess,
    vault: OnceCell<Vault>,
    events: EventBus,
}

impl Desk {
    /// Opens (or creates) the data folder's mirror. The vault is opened on first use.
    pub async fn open(config: DeskConfig) -> Result<Self, CoreError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|err| CoreError::io(&config.data_dir, err))?;
        let mirror = Mirror::open_with(&config.data_dir, config.integrity).await?;
        Ok(Self {
            data_dir: config.data_dir,
            mirror,
            vault_access: config.vault,
            vault: OnceCell::new(),
            events: EventBus::default(),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn mirror(&self) -> &Mirror {
        &self.mirror
    }

    /// Where the local engine of this data folder keeps `engine.db` (the same folder
    /// `mdesk engine serve` uses).
    pub fn engine_dir(&self) -> PathBuf {
        self.data_dir.join("engine")
    }

    pub fn subscribe(&self) -> broadcast::Receiver<DeskEvent> {
        self.events.subscribe()
    }

    pub(crate) fn events(&self) -> &EventBus {
        &self.events
    }

    /// The vault, opened with the key source the documented rule picks (key file, passphrase,
    /// else the OS keyring); a missing key source is an error that says how to provide one.
    pub async fn vault(&self) -> Result<&Vault, CoreError> {
        self.vault
            .get_or_try_init(|| async {
                let source = MasterKeySource::choose(
                    self.vault_access.key_file.clone(),
                    self.vault_access.passphrase.clone(),
                )
                .await?;
                Ok::<_, CoreError>(Vault::open(self.data_dir.join("vault.db"), source).await?)
            })
            .await
    }

    /// Closes the databases after in-flight work.
    pub async fn close(self) {
        self.mirror.close().await;
        if let Some(vault) = self.vault.into_inner() {
            vault.close().await;
        }
    }
}
