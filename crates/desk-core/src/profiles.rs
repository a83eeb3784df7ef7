//! Profiles: which platform the app talks to. A profile's row in the mirror names its vault
//! entry; the secret itself lives only in the vault.

use crate::desk::Desk;
use crate::local_engine::ENGINE_DB;
use crate::CoreError;
use base64::Engine as _;
use chrono::Utc;
use desk_client::{parse_base_url, ClientConfig, PlatformClient, RetryPolicy, Secret};
use desk_store::{Profile, ProfileKind, StoreError};
use desk_vault::{SecretString, ACCOUNT_SCOPE};
use rand::RngCore;
use std::time::Duration;

/// Makini's documented API host; profiles may name another (makini-api.md: no regional hosts
/// are documented, so the base URL stays a setting).
pub const MAKINI_DEFAULT_URL: &str = "https://api.makini.io";
/// The profile created on first use when none exists: the local engine with demo data.
pub const DEFAULT_LOCAL_PROFILE: &str = "local";

/// Where a new profile points.
#[derive(Debug, Clone)]
pub enum ProfileTarget {
    /// The local engine of this data folder; the app gives itself its own admin client.
    Local,
    /// An engine speaking our platform API (a team's shared `mdesk engine serve`).
    SelfHosted {
        url: String,
        client_id: String,
        client_secret: SecretString,
    },
    /// Makini's cloud, through its documented API.
    Makini {
        url: Option<String>,
        region: Option<String>,
        client_id: String,
        client_secret: SecretString,
    },
}

#[derive(Debug, Clone)]
pub struct AddProfile {
    pub name: String,
    pub target: ProfileTarget,
}

/// The vault entry of a profile's admin client secret.
pub(crate) fn secret_name(profile: &str) -> String {
    format!("profile/{profile}/client-secret")
}

/// The admin client the app registers in a local engine for a local profile.
fn local_client_id(profile: &str) -> String {
    format!("mdesk-desk-{profile}")
}

fn check_name(name: &str) -> Result<(), CoreError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if valid {
        Ok(())
    } else {
        Err(CoreError::InvalidInput(format!(
            "profile name {name:?}: use 1 to 64 letters, digits, '-', '_' or '.'"
        )))
    }
}

/// Adds a profile, or replaces the settings and secret of one with the same name. A
/// self-hosted or Makini profile's credentials are checked by logging in first: a profile that cannot
/// log in is refused, not saved.
pub async fn add_profile(desk: &Desk, request: AddProfile) -> Result<Profile, CoreError> {
    check_name(&request.name)?;
    let name = request.name;
    let secret_ref = Some(secret_name(&name));
    let (profile, secret) = match request.target {
        ProfileTarget::Local => {
            let secret = SecretString::new(format!("cs_{}", random_token()));
            let client_id = local_client_id(&name);
            let engine_dir = desk.engine_dir();
            std::fs::create_dir_all(&engine_dir).map_err(|err| CoreError::io(&engine_dir, err))?;
            desk_engine::Engine::register_admin_client(
                &engine_dir.join(ENGINE_DB),
                &client_id,
                secret.expose(),
                Utc::now(),
            )
            .await?;
            let profile = Profile {
                name: name.clone(),
                kind: ProfileKind::Local,
                base_url: None,
                region: Some("local".to_owned()),
                client_id: Some(client_id),
                secret_ref,
                created_at: Utc::now(),
            };
            (profile, secret)
        }
        ProfileTarget::SelfHosted {
            url,
            client_id,
            client_secret,
        } => {
            let base = parse_base_url(&url)?;
            check_login(base.as_str(), &client_id, &client_secret).await?;
            let profile = Profile {
                name: name.clone(),
                kind: ProfileKind::SelfHosted,
                base_url: Some(base.to_string()),
                region: None,
                client_id: Some(client_id),
                secret_ref,
                created_at: Utc::now(),
            };
            (profile, client_secret)
        }
        ProfileTarget::Makini {
            url,
            region,
            client_id,
            client_secret,
        } => {
            let base = parse_base_url(url.as_deref().unwrap_or(MAKINI_DEFAULT_URL))?;
            let client = crate::session::makini_client(
                base.as_str(),
                &client_id,
                Secret::new(client_secret.expose()),
                login_check_config(),
            )?;
            client.login().await?;
            let profile = Profile {
                name: name.clone(),
                kind: ProfileKind::Makini,
                base_url: Some(base.to_string()),
                region,
                client_id: Some(client_id),
                secret_ref,
                created_at: Utc::now(),
            };
            (profile, client_secret)
        }
    };
    desk.vault()
        .await?
        .put(ACCOUNT_SCOPE, &secret_name(&name), &secret)
        .await?;
    desk.mirror().upsert_profile(&profile).await?;
    tracing::info!(profile = %name, kind = profile.kind.as_str(), "profile saved");
    desk.mirror().profile(&name).await.map_err(CoreError::from)
}

/// Few retries and short timeouts: a wrong URL or secret is reported while the user waits.
fn login_check_config() -> ClientConfig {
    ClientConfig::default()
        .with_retry(RetryPolicy {
            max_attempts: 2,
            max_total: Duration::from_secs(10),
            ..RetryPolicy::default()
        })
        .with_timeouts(Duration::from_secs(5), Duration::from_secs(15))
}

/// Logs in once, so a profile that cannot log in is refused, not saved.
async fn check_login(
    base_url: &str,
    client_id: &str,
    client_secret: &SecretString,
) -> Result<(), CoreError> {
    let client = PlatformClient::new(
        base_url,
        client_id,
        Secret::new(client_secret.expose()),
        login_check_config(),
    )?;
    client.login().await?;
    Ok(())
}

pub async fn profiles(desk: &Desk) -> Result<Vec<Profile>, CoreError> {
    Ok(desk.mirror().profiles().await?)
}

/// The profile a command means: the one named, else the active one (`profiles switch`), else
/// the only one there is.
pub async fn resolve_profile(desk: &Desk, name: Option<&str>) -> Result<Profile, CoreError> {
    if let Some(name) = name {
        return match desk.mirror().profile(name).await {
            Ok(profile) => Ok(profile),
            Err(StoreError::NotFound { .. }) => {
                let all = desk.mirror().profiles().await?;
                let known = if all.is_empty() {
                    "there is no profile yet (`mdesk profiles add` adds one)".to_owned()
                } else {
                    format!(
                        "the profiles are: {}",
                        all.iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                Err(CoreError::UnknownProfile {
                    name: name.to_owned(),
                    known,
                })
            }
            Err(other) => Err(other.into()),
        };
    }
    let mut all = desk.mirror().profiles().await?;
    if let Some(active) = desk.active_profile_name()? {
        if let Some(index) = all.iter().position(|p| p.name == active) {
            return Ok(all.swap_remove(index));
        }
        tracing::warn!(%active, "the active profile no longer exists; ignoring it");
    }
    match all.len() {
        0 => Err(CoreError::NoProfile),
        1 => Ok(all.remove(0)),
        _ => Err(CoreError::ProfileRequired(
            all.iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// Like [`resolve_profile`], but with no profile at all the local engine's profile is created:
/// the app's default on first start.
pub async fn resolve_or_create_profile(
    desk: &Desk,
    name: Option<&str>,
) -> Result<Profile, CoreError> {
    if name.is_none() && desk.mirror().profiles().await?.is_empty() {
        tracing::info!("no profile yet: adding the local engine's profile");
        return add_profile(
            desk,
            AddProfile {
                name: DEFAULT_LOCAL_PROFILE.to_owned(),
                target: ProfileTarget::Local,
            },
        )
        .await;
    }
    resolve_profile(desk, name).await
}

/// 32 random bytes, URL-safe base64.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
