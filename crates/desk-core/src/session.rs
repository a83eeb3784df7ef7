//! A live connection to a profile's platform: its client and, for a local profile whose engine
//! nobody serves, the engine this process started for the session.

use crate::desk::Desk;
use crate::local_engine::{find_serving, InProcessEngine, ENGINE_DB};
use crate::platform::Platform;
use crate::profiles::secret_name;
use crate::CoreError;
use chrono::Utc;
use desk_client::{ClientConfig, PlatformClient, Secret};
use desk_engine::EngineConfig;
use desk_store::{Profile, ProfileKind};
use desk_vault::ACCOUNT_SCOPE;
use std::time::Duration;

pub struct Session {
    pub profile: Profile,
    pub client: Platform,
    /// Taken out by [`Session::close`]; a session stays usable through shared references.
    engine: tokio::sync::Mutex<Option<InProcessEngine>>,
}

/// How long a session waits for an engine that holds the folder's lock but does not answer
/// yet (it is opening its store).
const STARTING_ENGINE_WAIT: Duration = Duration::from_secs(10);

/// The URL of the engine serving `dir`, once it answers within [`STARTING_ENGINE_WAIT`].
async fn wait_for_serving(dir: &std::path::Path) -> Option<String> {
    let deadline = tokio::time::Instant::now() + STARTING_ENGINE_WAIT;
    loop {
        if let Some(url) = find_serving(dir).await {
            return Some(url);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

impl Session {
    /// Connects to `profile`'s platform. A local profile attaches to the engine serving this
    /// data folder, or starts one in-process (with the demo data on a new store).
    pub async fn open(desk: &Desk, profile: Profile) -> Result<Self, CoreError> {
        let client_id = profile.client_id.clone().ok_or_else(|| {
            CoreError::InvalidInput(format!("profile {:?} has no client id", profile.name))
        })?;
        let secret = desk
            .vault()
            .await?
            .get(ACCOUNT_SCOPE, &secret_name(&profile.name))
            .await?
            .ok_or_else(|| {
                CoreError::InvalidInput(format!(
                    "the vault holds no client secret for profile {:?}; add the profile again",
                    profile.name
                ))
            })?;
        let (base_url, engine) = match profile.kind {
            ProfileKind::Local => {
                let dir = desk.engine_dir();
                let (url, engine) = match find_serving(&dir).await {
                    Some(url) => (url, None),
                    None => {
                        let config = EngineConfig {
                            admin_client_id: client_id.clone(),
                            admin_client_secret: Some(secret.expose().to_owned()),
                            seed: Some(desk.local_seed()),
                            ..EngineConfig::default()
                        };
                        match InProcessEngine::start(&dir, config).await {
                            Ok(engine) => (engine.base_url().to_owned(), Some(engine)),
                            // Another process holds the folder and is starting (or has just
                            // announced itself): attach once it answers.
                            Err(busy @ CoreError::AlreadyServing { .. }) => {
                                (wait_for_serving(&dir).await.ok_or(busy)?, None)
                            }
                            Err(err) => return Err(err),
                        }
                    }
                };
                if engine.is_none() {
                    // The serving engine may have been started on a store created after the
                    // profile was added: make sure it knows the profile's client.
                    desk_engine::Engine::register_admin_client(
                        &dir.join(ENGINE_DB),
                        &client_id,
                        secret.expose(),
                        Utc::now(),
                    )
                    .await?;
                    tracing::info!(%url, "attached to the local engine served by another process");
                }
                (url, engine)
            }
            ProfileKind::SelfHosted => (
                profile.base_url.clone().ok_or_else(|| {
                    CoreError::InvalidInput(format!("profile {:?} has no URL", profile.name))
                })?,
                None,
            ),
            ProfileKind::Makini => {
                let url = profile.base_url.clone().ok_or_else(|| {
                    CoreError::InvalidInput(format!("profile {:?} has no URL", profile.name))
                })?;
                let client = makini_client(
                    &url,
                    &client_id,
                    Secret::new(secret.expose()),
                    ClientConfig::default(),
                )?;
                return Ok(Self {
                    profile,
                    client: client.into(),
                    engine: tokio::sync::Mutex::new(None),
                });
            }
        };
        let client = PlatformClient::new(
            &base_url,
            client_id,
            Secret::new(secret.expose()),
            ClientConfig::default(),
        )
        .map(Platform::from);
        let client = match client {
            Ok(client) => client,
            Err(err) => {
                if let Some(engine) = engine {
                    engine.stop().await?;
                }
                return Err(err.into());
            }
        };
        Ok(Self {
            profile,
            client,
            engine: tokio::sync::Mutex::new(engine),
        })
    }

    /// True when this session serves the local engine itself.
    pub async fn serves_engine(&self) -> bool {
        self.engine.lock().await.is_some()
    }

    /// The platform's base URL this session talks to.
    pub fn base_url(&self) -> String {
        self.client.base_url()
    }

    /// Ends the session; an engine started for it stops after in-flight requests. Closing
    /// twice is harmless.
    pub async fn close(&self) -> Result<(), CoreError> {
        match self.engine.lock().await.take() {
            Some(engine) => engine.stop().await,
            None => Ok(()),
        }
    }
}

/// Records per page of a Makini profile's data walks: the page size of our own API's walks,
/// and the largest the local engine's Makini surface serves. At the adapter's default of 100
/// a million-record pull is 10,000 requests, each paying the round trip and the platform's
/// per-page work (a list's count, the offset walked to); at 500, 2,000. A Makini that serves
/// fewer per page than asked is still walked right: the adapter follows the answer's own
/// `meta.current_page`/`last_page`, not the size it asked for.
const MAKINI_PER_PAGE: u32 = 500;

/// A client of Makini's API whose derived credits use our catalog's tiers.
pub(crate) fn makini_client(
    url: &str,
    client_id: &str,
    secret: Secret,
    config: ClientConfig,
) -> Result<desk_makini::MakiniClient, CoreError> {
    let catalog = desk_engine::catalog::Catalog::builtin()?;
    let settings = desk_makini::MakiniSettings {
        per_page: MAKINI_PER_PAGE,
        ..desk_makini::MakiniSettings::with_catalog_tiers(catalog.systems())
    };
    Ok(desk_makini::MakiniClient::new(
        url, client_id, secret, config, settings,
    )?)
}
