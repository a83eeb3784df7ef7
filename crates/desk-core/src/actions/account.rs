//! The app and the account: which platform is shown and whether it answers, the account and its
//! credit pool, the credit dashboard's numbers, and a sync of the whole profile.

use crate::desk::Desk;
use crate::error::ActionError;
use crate::offline::{self, CreditsView};
use crate::sync::{self, SyncReport};
use crate::CoreError;
use chrono::{DateTime, Utc};
use desk_store::{Credits, Profile};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ts_rs::TS;

/// A platform that has not answered within this is shown as unreachable (the UI keeps working
/// from the mirror meanwhile).
const REACH_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct AppStatusRequest {
    /// Ask the platform now (slower); otherwise only what the mirror knows is reported.
    pub probe: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AppStatus {
    pub version: String,
    /// The profile shown; `None` before the first one exists.
    pub profile: Option<Profile>,
    pub profiles: Vec<Profile>,
    pub platform: PlatformReach,
    /// When the mirror last received the account (the end of the last directory sync).
    pub synced_at: Option<DateTime<Utc>>,
    /// A sync is listing the profile's account, customers and connections right now: lists
    /// that are empty may only not be filled yet.
    pub directory_syncing: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PlatformReach {
    /// Not asked (no probe requested).
    Unknown {
        base_url: Option<String>,
    },
    Online {
        base_url: String,
    },
    /// The local engine did not answer within the probe's time because it is still opening
    /// (a first start seeds it; the `scale` seed takes a while): not a fault.
    Starting {
        base_url: Option<String>,
    },
    /// It did not answer or refused; the mirror is what is shown.
    Unreachable {
        base_url: Option<String>,
        error: ActionError,
    },
}

pub async fn app_status(desk: &Desk, request: AppStatusRequest) -> Result<AppStatus, CoreError> {
    let profiles = desk.mirror().profiles().await?;
    let profile = match crate::profiles::resolve_profile(desk, None).await {
        Ok(profile) => Some(profile),
        Err(CoreError::NoProfile | CoreError::ProfileRequired(_)) => None,
        Err(other) => return Err(other),
    };
    let synced_at = match &profile {
        Some(profile) => desk.mirror().credits(&profile.name).await?.as_of,
        None => None,
    };
    let platform = match (&profile, request.probe) {
        (Some(profile), true) => probe(desk, profile).await,
        (profile, _) => PlatformReach::Unknown {
            base_url: profile.as_ref().and_then(|p| p.base_url.clone()),
        },
    };
    let directory_syncing = profile
        .as_ref()
        .is_some_and(|p| desk.directory_syncs().is_running(&p.name));
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        directory_syncing,
        profile,
        profiles,
        platform,
        synced_at,
    })
}

/// Opens the profile's session (starting the local engine when it is the local one) and reads
/// the account once, bounded by [`REACH_TIMEOUT`].
async fn probe(desk: &Desk, profile: &Profile) -> PlatformReach {
    let reached = tokio::time::timeout(REACH_TIMEOUT, async {
        let session = desk.session(Some(&profile.name)).await?;
        session.client.account().await?;
        Ok::<_, CoreError>(session.base_url())
    })
    .await;
    match reached {
        Ok(Ok(base_url)) => PlatformReach::Online { base_url },
        Ok(Err(err)) => PlatformReach::Unreachable {
            base_url: profile.base_url.clone(),
            error: ActionError::from(&err),
        },
        // In process, the local engine times out only while it opens (seeds) its database.
        Err(_) if profile.kind == desk_store::ProfileKind::Local => PlatformReach::Starting {
            base_url: profile.base_url.clone(),
        },
        Err(_) => PlatformReach::Unreachable {
            base_url: profile.base_url.clone(),
            error: ActionError::new(
                crate::error::Code::PlatformUnreachable,
                format!(
                    "the platform did not answer within {} s",
                    REACH_TIMEOUT.as_secs()
                ),
            )
            .with_next_step(crate::error::NextStep::Retry),
        },
    }
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct AccountSummaryRequest {}

/// The account as last mirrored; all from the mirror, so it shows offline too.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AccountSummary {
    pub profile: String,
    /// `None` until the first sync brought the account.
    pub account: Option<AccountInfo>,
    pub credits: Credits,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AccountInfo {
    pub id: String,
    pub name: String,
    pub plan: String,
    pub region: String,
}

pub async fn account_summary(
    desk: &Desk,
    _request: AccountSummaryRequest,
) -> Result<AccountSummary, CoreError> {
    let profile = crate::profiles::resolve_or_create_profile(desk, None).await?;
    let mirror = desk.mirror();
    let account = mirror
        .latest_account_snapshot(&profile.name)
        .await?
        .map(|snapshot| AccountInfo {
            id: snapshot.account_id,
            name: snapshot.name,
            plan: snapshot.plan,
            region: snapshot.region,
        });
    Ok(AccountSummary {
        credits: mirror.credits(&profile.name).await?,
        profile: profile.name,
        account,
    })
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct CreditsRequest {
    pub history: bool,
    pub forecast: bool,
    /// The days of ledger the forecast's rate is measured over (default 30).
    pub forecast_window_days: Option<u32>,
}

pub async fn credits_view(desk: &Desk, request: CreditsRequest) -> Result<CreditsView, CoreError> {
    let window = request
        .forecast_window_days
        .map_or(desk_store::FORECAST_WINDOW_DAYS, i64::from);
    offline::credits(
        desk,
        None,
        request.history,
        request.forecast.then_some(window),
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct SyncRunRequest {
    /// Walk every record again instead of what changed.
    pub full: bool,
}

/// Syncs the shown profile (account, customers, connections, ledger, records); progress is on
/// the event stream.
pub async fn sync_run(desk: &Desk, request: SyncRunRequest) -> Result<SyncReport, CoreError> {
    sync::sync(
        desk,
        sync::SyncRequest {
            full: request.full,
            ..sync::SyncRequest::default()
        },
    )
    .await
}
