//! Profiles: which platform the app shows. Switching closes nothing else's work: the other
//! profile's session stays open until the app closes.

use crate::desk::Desk;
use crate::events::DeskEvent;
use crate::profiles::{add_profile, resolve_profile, AddProfile, ProfileTarget};
use crate::CoreError;
use desk_store::Profile;
use desk_vault::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct ProfilesListRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProfilesView {
    pub profiles: Vec<Profile>,
    /// The profile shown, when one is chosen or there is only one.
    pub active: Option<String>,
}

pub async fn profiles_list(
    desk: &Desk,
    _request: ProfilesListRequest,
) -> Result<ProfilesView, CoreError> {
    let profiles = desk.mirror().profiles().await?;
    let active = match resolve_profile(desk, None).await {
        Ok(profile) => Some(profile.name),
        Err(CoreError::NoProfile | CoreError::ProfileRequired(_)) => None,
        Err(other) => return Err(other),
    };
    Ok(ProfilesView { profiles, active })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKindRequest {
    Local,
    SelfHosted,
    Makini,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct ProfileAddRequest {
    pub name: String,
    pub kind: ProfileKindRequest,
    /// The platform's base URL (self-hosted: required; Makini: its default host when absent).
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    /// Goes to the vault only.
    #[serde(default)]
    pub client_secret: Option<String>,
}

fn required(value: Option<String>, what: &str) -> Result<String, CoreError> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| CoreError::InvalidInput(format!("this kind of profile needs {what}")))
}

pub async fn profile_add(desk: &Desk, request: ProfileAddRequest) -> Result<Profile, CoreError> {
    let target = match request.kind {
        ProfileKindRequest::Local => ProfileTarget::Local,
        ProfileKindRequest::SelfHosted => ProfileTarget::SelfHosted {
            url: required(request.url, "a URL")?,
            client_id: required(request.client_id, "a client id")?,
            client_secret: SecretString::new(required(request.client_secret, "a client secret")?),
        },
        ProfileKindRequest::Makini => ProfileTarget::Makini {
            url: request.url.filter(|u| !u.trim().is_empty()),
            region: request.region,
            client_id: required(request.client_id, "a client id")?,
            client_secret: SecretString::new(required(request.client_secret, "a client secret")?),
        },
    };
    // A replaced profile's open session talks to the old platform or secret.
    desk.forget_session(&request.name).await?;
    add_profile(
        desk,
        AddProfile {
            name: request.name,
            target,
        },
    )
    .await
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct ProfileSwitchRequest {
    pub name: String,
}

pub async fn profile_switch(
    desk: &Desk,
    request: ProfileSwitchRequest,
) -> Result<Profile, CoreError> {
    let profile = resolve_profile(desk, Some(&request.name)).await?;
    desk.set_active_profile_name(&profile.name)?;
    desk.events().emit(DeskEvent::ProfileSwitched {
        profile: profile.name.clone(),
    });
    tracing::info!(profile = %profile.name, "switched profile");
    Ok(profile)
}
