//! The vault: open, put, get, delete, shred a scope, rotate the master key, lock.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use sqlx::sqlite::SqlitePool;
use zeroize::Zeroize as _;

use crate::crypto::{self, Key};
use crate::error::{Result, VaultError};
use crate::master::{self, Unlocked};
use crate::secret::SecretString;
use crate::source::{self, MasterKeySource, SourceKind};
use crate::store::{self, SealedRow, FORMAT_VERSION};

/// Longest scope id or secret name accepted, in bytes.
const MAX_ID_LEN: usize = 256;

/// An open vault file. Cheap to share behind an `Arc`; every method takes `&self`.
pub struct Vault {
    path: PathBuf,
    pool: SqlitePool,
    /// `None` while locked. An `Arc` so an operation keeps its key while `lock()` runs; the
    /// key is wiped when the last holder drops it.
    state: RwLock<Option<Arc<Unlocked>>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("locked", &self.is_locked())
            .finish_non_exhaustive()
    }
}

fn check_id(what: &str, value: &str) -> Result<()> {
    if value.is_empty() || value.len() > MAX_ID_LEN || value.chars().any(char::is_control) {
        return Err(VaultError::InvalidInput(format!(
            "a {what} must be 1 to {MAX_ID_LEN} bytes without control characters"
        )));
    }
    Ok(())
}

/// The master key obtained before the database is opened for writing.
enum Prepared {
    Existing(Unlocked),
    New(Box<master::NewMaster>),
}

impl Prepared {
    async fn discard(self) {
        if let Prepared::New(new) = self {
            master::discard(new.created).await;
        }
    }
}

impl SealedRow {
    fn from_sealed(sealed: crypto::Sealed) -> SealedRow {
        SealedRow {
            nonce: sealed.nonce,
            ciphertext: sealed.ciphertext,
        }
    }
}

impl Vault {
    /// Opens the vault file at `path` (normally `<data dir>/vault.db`), creating it with a new
    /// master key from `source` when it does not exist. An existing vault must be opened with
    /// the kind of source it was created with, and the key is verified before anything else.
    pub async fn open(path: impl AsRef<Path>, source: MasterKeySource) -> Result<Vault> {
        let path = path.as_ref();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| VaultError::Io {
                path: parent.to_path_buf(),
                source: e,
            })?;
        }
        let path = source::absolute(path)?;
        // An existing vault's key is proven over a read-only connection first, so a wrong
        // passphrase or key never gets the file opened for writing at all; a new vault's key
        // is made first, so a missing keyring leaves no empty vault file behind.
        let prepared = match store::preflight(&path).await? {
            Some(meta) => Prepared::Existing(Self::unlock_existing(&meta, &path, &source).await?),
            None => Prepared::New(Box::new(master::create(&source, &path).await?)),
        };
        let pool = match store::connect(&path).await {
            Ok(pool) => pool,
            Err(err) => {
                prepared.discard().await;
                return Err(err);
            }
        };
        match Self::unlock_or_init(&pool, &path, &source, prepared).await {
            Ok(unlocked) => {
                tracing::info!(vault = %path.display(), source = unlocked.kind.as_str(), "vault opened");
                source::warn_once(&path, &source);
                Ok(Vault {
                    path,
                    pool,
                    state: RwLock::new(Some(Arc::new(unlocked))),
                })
            }
            Err(err) => {
                pool.close().await;
                Err(err)
            }
        }
    }

    /// Settles the metadata row in the writable database: stores a new vault's key check, or
    /// confirms the key proven read-only still holds (another process may have acted since).
    async fn unlock_or_init(
        pool: &SqlitePool,
        path: &Path,
        source: &MasterKeySource,
        prepared: Prepared,
    ) -> Result<Unlocked> {
        let mut conn = match pool.acquire().await {
            Ok(conn) => conn,
            Err(err) => {
                prepared.discard().await;
                return Err(err.into());
            }
        };
        let new = match prepared {
            Prepared::Existing(unlocked) => {
                let meta = store::load_meta(&mut conn)
                    .await?
                    .ok_or_else(|| VaultError::corrupt("the metadata row is missing"))?;
                if master::key_matches(&unlocked.key, &meta) {
                    return Ok(unlocked);
                }
                // Rotated by another process between the read-only check and now.
                return Self::unlock_existing(&meta, path, source).await;
            }
            Prepared::New(new) => *new,
        };
        let inserted = async {
            store::insert_meta_if_absent(&mut conn, &new.meta).await?;
            store::load_meta(&mut conn)
                .await?
                .ok_or_else(|| VaultError::corrupt("the metadata row vanished after insert"))
        }
        .await;
        let meta = match inserted {
            Ok(meta) => meta,
            Err(err) => {
                master::discard(new.created).await;
                return Err(err);
            }
        };
        if master::key_matches(&new.unlocked.key, &meta) {
            return Ok(new.unlocked);
        }
        // Another process created the vault at the same moment and its row won: ours was
        // never stored, so undo what we made and unlock theirs.
        master::discard(new.created).await;
        Self::unlock_existing(&meta, path, source).await
    }

    async fn unlock_existing(
        meta: &store::Meta,
        path: &Path,
        source: &MasterKeySource,
    ) -> Result<Unlocked> {
        if meta.format_version > FORMAT_VERSION {
            return Err(VaultError::NewerVersion {
                path: path.to_path_buf(),
                found: meta.format_version,
                supported: FORMAT_VERSION,
            });
        }
        master::unlock(meta, source).await
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_locked(&self) -> bool {
        self.read_state().is_none()
    }

    /// Where the current master key comes from; `None` while locked.
    pub fn source_kind(&self) -> Option<SourceKind> {
        self.read_state().as_ref().map(|u| u.kind)
    }

    /// The OS keyring account holding the master key, when it is kept there.
    pub fn keyring_account(&self) -> Option<String> {
        self.read_state()
            .as_ref()
            .and_then(|u| u.keyring_account.clone())
    }

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, Option<Arc<Unlocked>>> {
        // A poisoned lock only means a panic elsewhere; the Option inside is still coherent.
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set_state(&self, value: Option<Arc<Unlocked>>) {
        *self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = value;
    }

    fn unlocked(&self) -> Result<Arc<Unlocked>> {
        self.read_state().clone().ok_or_else(|| VaultError::Locked {
            reason: "lock() was called; unlock it with its master key".to_owned(),
        })
    }

    /// Forgets the master key (wiped from memory once no operation holds it).
    pub fn lock(&self) {
        self.set_state(None);
        tracing::info!(vault = %self.path.display(), "vault locked");
    }

    /// Unlocks a locked vault (or re-verifies an unlocked one) with its master key.
    pub async fn unlock(&self, source: MasterKeySource) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let meta = store::load_meta(&mut conn)
            .await?
            .ok_or_else(|| VaultError::corrupt("the metadata row is missing"))?;
        let unlocked = Self::unlock_existing(&meta, &self.path, &source).await?;
        self.set_state(Some(Arc::new(unlocked)));
        Ok(())
    }

    /// Unwraps a scope's data key. When that fails, tells apart a damaged row from a master
    /// key that another process rotated meanwhile (then this handle locks itself).
    async fn unwrap_data_key(
        &self,
        unlocked: &Unlocked,
        conn: &mut sqlx::SqliteConnection,
        scope: &str,
        row: &SealedRow,
    ) -> Result<Key> {
        let aad = crypto::aad_data_key(scope);
        if let Ok(key) = unlocked.key.unwrap_key(&row.nonce, &row.ciphertext, &aad) {
            return Ok(key);
        }
        let meta = store::load_meta(conn)
            .await?
            .ok_or_else(|| VaultError::corrupt("the metadata row is missing"))?;
        if master::key_matches(&unlocked.key, &meta) {
            return Err(VaultError::corrupt(format!(
                "the data key of scope '{scope}' fails authentication: it was tampered with or moved"
            )));
        }
        self.lock();
        Err(VaultError::Locked {
            reason: "the master key was changed by another process; open the vault again"
                .to_owned(),
        })
    }

    /// Stores (or replaces) a secret, creating the scope's data key on first use.
    pub async fn put(&self, scope: &str, name: &str, secret: &SecretString) -> Result<()> {
        check_id("scope", scope)?;
        check_id("secret name", name)?;
        let unlocked = self.unlocked()?;
        // IMMEDIATE takes the write lock up front, so a concurrent delete_scope cannot drop
        // the data key between our read of it and our insert.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let data_key = match store::data_key(&mut tx, scope).await? {
            Some(row) => {
                self.unwrap_data_key(&unlocked, &mut tx, scope, &row)
                    .await?
            }
            None => {
                let key = Key::random()?;
                let wrapped = unlocked.key.wrap(&key, &crypto::aad_data_key(scope))?;
                store::insert_data_key(&mut tx, scope, &SealedRow::from_sealed(wrapped)).await?;
                tracing::debug!(%scope, "created a data key for a new scope");
                key
            }
        };
        let sealed = data_key.seal(secret.expose().as_bytes(), &crypto::aad_secret(scope, name))?;
        store::upsert_secret(&mut tx, scope, name, &SealedRow::from_sealed(sealed)).await?;
        tx.commit().await?;
        tracing::debug!(%scope, %name, "secret stored");
        Ok(())
    }

    /// The secret, or `None` when nothing is stored under that scope and name.
    pub async fn get(&self, scope: &str, name: &str) -> Result<Option<SecretString>> {
        check_id("scope", scope)?;
        check_id("secret name", name)?;
        let unlocked = self.unlocked()?;
        // One read transaction, so the secret and its data key come from the same snapshot.
        let mut tx = self.pool.begin().await?;
        let Some(sealed) = store::secret(&mut tx, scope, name).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let key_row = store::data_key(&mut tx, scope)
            .await?
            .ok_or_else(|| VaultError::corrupt(format!("scope '{scope}' has no data key")))?;
        let data_key = self
            .unwrap_data_key(&unlocked, &mut tx, scope, &key_row)
            .await?;
        tx.rollback().await?;
        let mut plain = data_key
            .open(&sealed.nonce, &sealed.ciphertext, &crypto::aad_secret(scope, name))
            .map_err(|_| {
                VaultError::corrupt(format!(
                    "secret '{name}' of scope '{scope}' fails authentication: it was tampered with or moved from another record"
                ))
            })?;
        match String::from_utf8(std::mem::take(&mut *plain)) {
            Ok(text) => Ok(Some(SecretString::new(text))),
            Err(err) => {
                err.into_bytes().zeroize();
                Err(VaultError::corrupt(format!(
                    "secret '{name}' of scope '{scope}' is not UTF-8"
                )))
            }
        }
    }

    /// Deletes one secret; NOT_FOUND when there was none.
    pub async fn delete(&self, scope: &str, name: &str) -> Result<()> {
        check_id("scope", scope)?;
        check_id("secret name", name)?;
        self.unlocked()?;
        let mut conn = self.pool.acquire().await?;
        if store::delete_secret(&mut conn, scope, name).await? == 0 {
            return Err(VaultError::NotFound {
                scope: scope.to_owned(),
                name: Some(name.to_owned()),
            });
        }
        tracing::debug!(%scope, %name, "secret deleted");
        Ok(())
    }

    /// Crypto-shreds a scope (a customer): drops its data key and its secrets. Returns how many
    /// secrets went; NOT_FOUND when the scope had no key.
    pub async fn delete_scope(&self, scope: &str) -> Result<u64> {
        check_id("scope", scope)?;
        self.unlocked()?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (secrets, keys) = store::delete_scope(&mut tx, scope).await?;
        tx.commit().await?;
        if keys == 0 && secrets == 0 {
            return Err(VaultError::NotFound {
                scope: scope.to_owned(),
                name: None,
            });
        }
        tracing::info!(%scope, secrets, "scope shredded: its data key is gone");
        self.checkpoint("scope deletion").await;
        Ok(secrets)
    }

    /// Names stored in a scope, sorted (never values).
    pub async fn list(&self, scope: &str) -> Result<Vec<String>> {
        check_id("scope", scope)?;
        self.unlocked()?;
        let mut conn = self.pool.acquire().await?;
        store::names(&mut conn, scope).await
    }

    /// Every scope that has a data key, sorted.
    pub async fn scopes(&self) -> Result<Vec<String>> {
        self.unlocked()?;
        let mut conn = self.pool.acquire().await?;
        store::scopes(&mut conn).await
    }

    /// Moves the vault to a new master key (from the same or another kind of source). Only
    /// the data keys are re-wrapped, in one transaction: on any failure nothing changes and a
    /// keyring entry or key file made for the new key is removed again.
    pub async fn rotate_master_key(&self, new_source: MasterKeySource) -> Result<()> {
        let old = self.unlocked()?;
        if !matches!(new_source, MasterKeySource::Keyring) {
            tracing::warn!(
                to = new_source.kind().as_str(),
                "the vault's master key moves to a source outside the OS keyring"
            );
        }
        let new = master::create(&new_source, &self.path).await?;
        if let Err(err) = self.rewrap_all(&old, &new).await {
            master::discard(new.created).await;
            return Err(err);
        }
        let old_account = old.keyring_account.clone();
        let new_account = new.unlocked.keyring_account.clone();
        self.set_state(Some(Arc::new(new.unlocked)));
        tracing::info!(
            from = old.kind.as_str(),
            to = new_source.kind().as_str(),
            "vault master key rotated"
        );
        if let Some(account) = old_account.filter(|a| Some(a) != new_account.as_ref()) {
            if let Err(err) = crate::os_keyring::remove(account.clone()).await {
                tracing::warn!(%account, error = %err, "rotated, but the old master key is still in the OS keyring; remove it by hand");
            }
        }
        self.checkpoint("master key rotation").await;
        Ok(())
    }

    async fn rewrap_all(&self, old: &Unlocked, new: &master::NewMaster) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let meta = store::load_meta(&mut tx)
            .await?
            .ok_or_else(|| VaultError::corrupt("the metadata row is missing"))?;
        if !master::key_matches(&old.key, &meta) {
            return Err(VaultError::Locked {
                reason: "the master key was changed by another process; open the vault again"
                    .to_owned(),
            });
        }
        for (scope, row) in store::all_data_keys(&mut tx).await? {
            let aad = crypto::aad_data_key(&scope);
            let key = old
                .key
                .unwrap_key(&row.nonce, &row.ciphertext, &aad)
                .map_err(|_| {
                    VaultError::corrupt(format!(
                        "the data key of scope '{scope}' fails authentication; nothing was rotated"
                    ))
                })?;
            let rewrapped = new.unlocked.key.wrap(&key, &aad)?;
            store::update_data_key(&mut tx, &scope, &SealedRow::from_sealed(rewrapped)).await?;
        }
        store::update_meta_key(&mut tx, &new.meta).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Best effort: old page images in the WAL are the last copies of what was just removed.
    async fn checkpoint(&self, after: &str) {
        match store::checkpoint(&self.pool).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(%after, "another reader kept the WAL from being truncated; old pages stay there until the next checkpoint")
            }
            Err(err) => {
                tracing::warn!(%after, error = %err, "WAL checkpoint failed; old pages stay there until the next checkpoint")
            }
        }
    }

    /// Closes the database. The WAL is checkpointed first because sqlx may finish closing
    /// its last connection (SQLite's own checkpoint) after `close()` has returned; this way the
    /// main file is complete when this returns. A failed checkpoint is logged, not fatal.
    pub async fn close(self) {
        self.checkpoint("close").await;
        self.pool.close().await;
    }
}
