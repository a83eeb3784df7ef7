//! The application's context: its data folder, the mirror, the vault (opened only when a
//! secret is needed, so offline commands never ask for the keyring) and the event stream.

use crate::events::{DeskEvent, EventBus};
use crate::profiles::resolve_or_create_profile;
use crate::serving::{Role, ServingLock};
use crate::session::Session;
use crate::CoreError;
use desk_engine::seed::Seed;
use desk_inbox::Inbox;
use desk_store::{IntegrityCheck, Mirror, MirroredConnection, Profile};
use desk_vault::{MasterKeySource, SecretString, Vault};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{broadcast, Mutex, OnceCell};

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
    /// What a local engine created in this folder starts with (the demo account by default;
    /// `scale` to try the app at 50,000 connections). Never applied to an existing store.
    pub local_seed: Seed,
}

impl DeskConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            vault: VaultAccess::default(),
            integrity: IntegrityCheck::Quick,
            local_seed: Seed::Demo,
        }
    }
}

/// One open data folder.
pub struct Desk {
    data_dir: PathBuf,
    mirror: Mirror,
    vault_access: VaultAccess,
    local_seed: Seed,
    vault: OnceCell<Vault>,
    pub(crate) events: EventBus,
    /// Open sessions by profile name: a window or server that stays up keeps one per profile
    /// (a local profile's in-process engine runs as long as its session).
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    /// The inbox a serving process attached (with its processor and appliers); read-only
    /// callers open one on demand.
    inbox: OnceCell<Inbox>,
    /// The alert queue (alerts.db), opened on first use.
    alerts: OnceCell<Arc<dyn desk_alerts::AlertStore>>,
    /// Serializes writers of settings.json.
    settings_lock: Mutex<()>,
    /// Held while this process serves the folder's inbox (one per data folder).
    inbox_lock: std::sync::Mutex<Option<ServingLock>>,
    /// Pulls asked for by webhooks' record changes (`jobs::pulls`).
    pulls: crate::jobs::pulls::PullQueue,
    /// Profiles a sync is listing now (`app_status` reports it).
    directory_syncs: crate::directory_syncs::DirectorySyncs,
}

/// The file that remembers which profile the app shows (`profiles switch`).
const ACTIVE_PROFILE_FILE: &str = "active-profile";

/// The file that holds the data folder's id ([`Desk::desk_id`]).
const DESK_ID_FILE: &str = "desk-id";

impl Desk {
    /// Opens (or creates) the data folder's mirror. The vault is opened on first use.
    pub async fn open(config: DeskConfig) -> Result<Self, CoreError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|err| CoreError::io(&config.data_dir, err))?;
        let mirror = Mirror::open_with(&config.data_dir, config.integrity).await?;
        crate::private::make_private(&config.data_dir)?;
        Ok(Self {
            data_dir: config.data_dir,
            mirror,
            vault_access: config.vault,
            local_seed: config.local_seed,
            vault: OnceCell::new(),
            events: EventBus::default(),
            sessions: Mutex::new(HashMap::new()),
            inbox: OnceCell::new(),
            alerts: OnceCell::new(),
            settings_lock: Mutex::new(()),
            inbox_lock: std::sync::Mutex::new(None),
            pulls: crate::jobs::pulls::PullQueue::default(),
            directory_syncs: crate::directory_syncs::DirectorySyncs::default(),
        })
    }

    /// Where appliers ask for the pulls webhooks call for; `jobs::pulls::run` runs them.
    pub fn pull_sender(&self) -> crate::jobs::pulls::PullSender {
        self.pulls.sender()
    }

    pub(crate) fn directory_syncs(&self) -> &crate::directory_syncs::DirectorySyncs {
        &self.directory_syncs
    }

    pub(crate) fn pull_queue(&self) -> &crate::jobs::pulls::PullQueue {
        &self.pulls
    }

    pub(crate) fn settings_lock(&self) -> &Mutex<()> {
        &self.settings_lock
    }

    /// Opens a data folder that already holds Makini Desk data (a mirror, an inbox or an
    /// engine store), and refuses any other with [`CoreError::NoData`]: a read with a mistyped
    /// folder says so instead of creating an empty one and answering nothing.
    pub async fn open_existing(config: DeskConfig) -> Result<Self, CoreError> {
        if !Self::holds_data(&config.data_dir) {
            return Err(CoreError::NoData(config.data_dir));
        }
        Self::open(config).await
    }

    /// True when `dir` holds a mirror, an inbox or an engine store.
    pub fn holds_data(dir: &Path) -> bool {
        [
            dir.join(desk_store::DB_FILE),
            dir.join("inbox").join(desk_inbox::DB_FILE),
            dir.join("engine").join(crate::local_engine::ENGINE_DB),
        ]
        .iter()
        .any(|file| file.is_file())
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn mirror(&self) -> &Mirror {
        &self.mirror
    }

    /// A mirrored connection by id, the active profile's copy when two profiles mirror it
    /// (the local profile and a self-hosted one on the same engine do).
    pub async fn mirrored_connection(&self, id: &str) -> Result<MirroredConnection, CoreError> {
        let active = self.active_profile_name()?;
        Ok(self
            .mirror
            .connection_preferring(id, active.as_deref())
            .await?)
    }

    /// The seed a local engine created now starts with.
    pub fn local_seed(&self) -> Seed {
        self.local_seed
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

    /// The profile chosen with `profiles switch`, if the file names one.
    pub fn active_profile_name(&self) -> Result<Option<String>, CoreError> {
        let path = self.data_dir.join(ACTIVE_PROFILE_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text.trim().to_owned()).filter(|name| !name.is_empty())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(CoreError::io(&path, err)),
        }
    }

    pub(crate) fn set_active_profile_name(&self, name: &str) -> Result<(), CoreError> {
        let path = self.data_dir.join(ACTIVE_PROFILE_FILE);
        let temp = self
            .data_dir
            .join(format!("{ACTIVE_PROFILE_FILE}.{}", std::process::id()));
        std::fs::write(&temp, name).map_err(|err| CoreError::io(&temp, err))?;
        std::fs::rename(&temp, &path).map_err(|err| CoreError::io(&path, err))
    }

    /// This data folder's own id, made on first need: it names the tokens this desk issues
    /// for itself on a platform (`makini-desk.<id>`), so two desks reading the same platform
    /// never replace each other's token.
    pub fn desk_id(&self) -> Result<String, CoreError> {
        let path = self.data_dir.join(DESK_ID_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) if !text.trim().is_empty() => return Ok(text.trim().to_owned()),
            // Empty: nothing was ever written whole there (the link below never leaves one).
            Ok(_) => std::fs::remove_file(&path).map_err(|err| CoreError::io(&path, err))?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(CoreError::io(&path, err)),
        }
        let id = format!("{:016x}", rand::random::<u64>());
        // Written whole under a name of its own, then linked into place: a link never replaces
        // a file, so when two processes (or two tasks of one) create the id at once, one wins
        // and the other reads the winner's id instead of handing out one the file does not hold.
        let temp = self.data_dir.join(format!("{DESK_ID_FILE}.{id}.tmp"));
        std::fs::write(&temp, &id).map_err(|err| CoreError::io(&temp, err))?;
        let linked = std::fs::hard_link(&temp, &path);
        std::fs::remove_file(&temp).map_err(|err| CoreError::io(&temp, err))?;
        match linked {
            Ok(()) => {
                crate::private::make_private(&self.data_dir)?;
                Ok(id)
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                let text =
                    std::fs::read_to_string(&path).map_err(|err| CoreError::io(&path, err))?;
                Ok(text.trim().to_owned())
            }
            Err(err) => Err(CoreError::io(&path, err)),
        }
    }

    /// The session of `profile` (default: the active one, else the only one, else the local
    /// engine's, created on first start), opened once and kept until [`Desk::close`].
    pub async fn session(&self, profile: Option<&str>) -> Result<Arc<Session>, CoreError> {
        let profile: Profile = resolve_or_create_profile(self, profile).await?;
        let mut sessions = self.sessions.lock().await;
        if let Some(session) = sessions.get(&profile.name) {
            return Ok(Arc::clone(session));
        }
        let name = profile.name.clone();
        let session = Arc::new(Session::open(self, profile).await?);
        sessions.insert(name, Arc::clone(&session));
        Ok(session)
    }

    /// Closes the session of `profile` (a profile removed or replaced), if one is open.
    pub(crate) async fn forget_session(&self, profile: &str) -> Result<(), CoreError> {
        let session = self.sessions.lock().await.remove(profile);
        match session {
            Some(session) => session.close().await,
            None => Ok(()),
        }
    }

    /// Takes the data folder's inbox for this process: one process serves (processes) a
    /// folder's inbox at a time, and a second is refused with [`CoreError::AlreadyServing`],
    /// naming the first. Call it before opening the inbox; claiming twice is harmless.
    pub fn claim_inbox(&self) -> Result<(), CoreError> {
        let mut held = self
            .inbox_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if held.is_none() {
            *held = Some(ServingLock::claim(&self.inbox_dir(), Role::Inbox)?);
        }
        Ok(())
    }

    /// Names this process in `inbox/serving.json` as receiving webhooks at `url`.
    pub fn announce_inbox(&self, url: &str) -> Result<(), CoreError> {
        self.claim_inbox()?;
        let mut held = self
            .inbox_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match held.as_mut() {
            Some(lock) => lock.announce(url),
            None => Err(CoreError::Internal("the inbox lock is not held".into())),
        }
    }

    /// Hands the core the inbox a serving process opened (processing, appliers), so the
    /// inspector's actions use it. Only the first one counts. Claims the folder's inbox
    /// ([`Desk::claim_inbox`]) if the caller did not.
    pub fn attach_inbox(&self, inbox: Inbox) -> Result<(), CoreError> {
        self.claim_inbox()?;
        self.relay_inbox_events(&inbox);
        self.inbox
            .set(inbox)
            .map_err(|_| CoreError::Internal("an inbox is attached already".into()))
    }

    /// The data folder's inbox: the attached one, else opened read-only (no processing here:
    /// the serving process owns that).
    pub async fn inbox(&self) -> Result<&Inbox, CoreError> {
        self.inbox
            .get_or_try_init(|| async {
                let dir = self.inbox_dir();
                std::fs::create_dir_all(&dir).map_err(|err| CoreError::io(&dir, err))?;
                let config = desk_inbox::InboxConfig {
                    background_processing: false,
                    ..desk_inbox::InboxConfig::default()
                };
                Ok::<_, CoreError>(Inbox::open(&dir, config).await?)
            })
            .await
    }

    /// The signing key webhooks to this data folder's inbox are checked with, made on first
    /// use and kept in the vault (stable across restarts, so subscriptions stay valid).
    pub async fn inbox_key(
        &self,
    ) -> Result<desk_platform::webhook_signature::WebhookKey, CoreError> {
        self.stable_key(crate::actions::INBOX_SECRET_NAME).await
    }

    /// The alert queue of this data folder (`alerts.db`), shared by every process that opens
    /// the folder (SQLite, WAL).
    pub async fn alerts(&self) -> Result<Arc<dyn desk_alerts::AlertStore>, CoreError> {
        let store = self
            .alerts
            .get_or_try_init(|| async {
                let store = desk_alerts::SqliteAlerts::open(&self.data_dir).await?;
                Ok::<_, CoreError>(Arc::new(store) as Arc<dyn desk_alerts::AlertStore>)
            })
            .await?;
        Ok(Arc::clone(store))
    }

    /// Where the webhook inbox keeps `inbox.db`.
    pub fn inbox_dir(&self) -> PathBuf {
        self.data_dir.join("inbox")
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

    /// Closes the sessions (stopping an in-process engine), then the databases, after
    /// in-flight work.
    pub async fn close(self) {
        let sessions: Vec<_> = self.sessions.lock().await.drain().collect();
        for (profile, session) in sessions {
            if let Err(err) = session.close().await {
                tracing::warn!(%profile, error = %err, "the session did not close cleanly");
            }
        }
        if let Some(inbox) = self.inbox.get() {
            inbox.close().await;
        }
        drop(
            self.inbox_lock
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take(),
        );
        if let Some(alerts) = self.alerts.get() {
            alerts.close().await;
        }
        self.mirror.close().await;
        if let Some(vault) = self.vault.into_inner() {
            vault.close().await;
        }
    }
}
