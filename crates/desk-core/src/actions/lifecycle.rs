//! Changes to connections on the platform. Each one writes the platform's answer into the
//! mirror at once (no sync needed to see it), refreshes the account's pool and ledger, and
//! tells the event stream; the platform's own event follows by webhook or catch-up.

use super::health::Health;
use crate::desk::Desk;
use crate::events::{ConnectionChange, DeskEvent};
use crate::session::Session;
use crate::sync::{self, SyncReport};
use crate::CoreError;
use chrono::Utc;
use desk_platform::account::CreditBalance;
use desk_platform::catalog::Deployment;
use desk_platform::connection::{
    Activate, Connection, CreateConnection, CreateMagicLink, MagicLink, Reauthorize, SyncSettings,
    TestConnection, TestCredentials, TestResult, WebhookSettings,
};
use desk_store::Mirror;
use desk_vault::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// The wizard's last step: what to connect and how.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct ConnectionCreateRequest {
    pub customer_id: String,
    pub system_id: String,
    pub deployment: Deployment,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// The system's `auth.fields`, by name. Secret values never reach the mirror or logs.
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    #[serde(default)]
    pub sync: Option<SyncSettings>,
    #[serde(default)]
    pub webhook: Option<WebhookSettings>,
}

/// What connecting produced. The token is shown this once; the app keeps a copy in the vault.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ConnectionCreated {
    pub connection: Connection,
    pub health: Health,
    pub token: String,
    pub webhook_secret: Option<String>,
    /// The pool after the connection took its credits (or not: created inactive).
    pub credits: CreditBalance,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct ConnectionTestRequest {
    /// The connection whose credentials to check; `None` with `system_id` to test candidate
    /// credentials before any connection exists (the wizard's test step).
    #[serde(default)]
    pub id: Option<String>,
    /// The system to test against when there is no connection yet (with `deployment`).
    #[serde(default)]
    pub system_id: Option<String>,
    #[serde(default)]
    pub deployment: Option<Deployment>,
    /// Credentials to check instead of the stored ones; nothing is changed either way.
    #[serde(default)]
    pub credentials: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct ConnectionReauthorizeRequest {
    pub id: String,
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    /// Who authorized (a name or email); the platform defaults to the admin client.
    #[serde(default)]
    pub authorized_by: Option<String>,
    /// Reauthorize even when the credentials identify another account or instance than the
    /// connection's. Without it such a request fails with `CONFIRMATION_REQUIRED` and changes
    /// nothing (a known source of silent data mix-ups).
    #[serde(default)]
    pub confirm_identity_change: bool,
}

/// Same connection id, a new token (shown once), the old token dead.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ConnectionReauthorized {
    pub connection: Connection,
    pub health: Health,
    pub token: String,
    /// The credentials identify another account or instance than before: check that the data
    /// about to sync belongs to this customer.
    pub identity_changed: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct ConnectionActivateRequest {
    pub id: String,
    /// Take it beyond the pool, on a paid plan, when the pool is short.
    #[serde(default)]
    pub overage: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct ConnectionDisconnectRequest {
    pub id: String,
    /// Also delete what the platform synced from the system (the mirror's copy is kept).
    #[serde(default)]
    pub delete_data: bool,
}

/// A connection after a change, with the pool it left.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ConnectionOutcome {
    pub connection: Connection,
    pub health: Health,
    pub credits: CreditBalance,
    /// Credits that went back to the pool (disconnect) or were taken (negative: activate).
    pub credits_returned: i64,
    pub data_deleted: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct ConnectionSyncRequest {
    pub id: String,
    /// Walk every record again instead of what changed.
    #[serde(default)]
    pub full: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct MagicLinkCreateRequest {
    pub customer_id: String,
    /// Leave the choice of system to the customer's IT admin when `None`.
    #[serde(default)]
    pub system_id: Option<String>,
    pub name: String,
    /// How long the link works (default 7 days, as Merge's).
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// Writes the platform's answer into the mirror, refreshes the pool and ledger, tells the
/// stream; returns the pool.
async fn mirror_change(
    desk: &Desk,
    session: &Session,
    connection: &Connection,
    change: ConnectionChange,
) -> Result<CreditBalance, CoreError> {
    let profile = session.profile.name.as_str();
    let mirror = desk.mirror();
    // No catalog at hand: the tier is read back from the connection's cost.
    mirror
        .upsert_connections(profile, std::slice::from_ref(connection), &[])
        .await?;
    record_connection_events(session, connection, mirror).await;
    desk.events().emit(DeskEvent::ConnectionChanged {
        profile: profile.to_owned(),
        change,
        connection: connection.clone(),
    });
    refresh_pool(
        desk,
        session,
        desk_client::LedgerFilter {
            connection_id: Some(connection.id.clone()),
        },
    )
    .await
}

/// Mirrors the platform's account (the pool) and the ledger entries `ledger` selects now, and
/// tells the stream the pool's new figures; returns the pool.
pub(crate) async fn refresh_pool(
    desk: &Desk,
    session: &Session,
    ledger: desk_client::LedgerFilter,
) -> Result<CreditBalance, CoreError> {
    let profile = session.profile.name.as_str();
    let mirror = desk.mirror();
    let account = session.client.account().await?;
    mirror
        .apply_account_snapshot(profile, &account, Utc::now())
        .await?;
    let ledger: Vec<_> = futures::TryStreamExt::try_collect(
        session
            .client
            .ledger(ledger, desk_client::ListOptions::page_size(500)),
    )
    .await?;
    mirror.append_ledger(profile, &ledger).await?;
    let credits = account.credits;
    desk.events().emit(DeskEvent::CreditsChanged {
        profile: profile.to_owned(),
        purchased: credits.purchased,
        in_use: credits.in_use,
        available: credits.available,
        overage_in_use: credits.overage_in_use,
    });
    Ok(credits)
}

/// The most events of one connection read after a change: far more than a connection's
/// lifetime of authorizations, and a bound on the walk.
const CONNECTION_EVENTS: usize = 2_000;

/// Copies the connection's events from the platform's log into the mirror's, so the
/// authorization just given (and the timeline) show at once, also where no inbox runs (a CLI
/// command). Only the log: the connection's fields came with the platform's answer, and the
/// inbox still applies each event when it arrives (recording it again changes nothing).
/// The change itself has happened: a failure here is logged, and the next catch-up fills in.
async fn record_connection_events(session: &Session, connection: &Connection, mirror: &Mirror) {
    let events = session.client.events(
        desk_client::EventFilter {
            after: None,
            connection_id: Some(connection.id.clone()),
        },
        desk_client::ListOptions::page_size(500),
    );
    let events: Result<Vec<_>, _> =
        futures::TryStreamExt::try_collect(futures::StreamExt::take(events, CONNECTION_EVENTS))
            .await;
    let recorded = match events {
        Ok(events) => mirror
            .record_events(&session.profile.name, &events)
            .await
            .map_err(CoreError::from),
        Err(err) => Err(CoreError::from(err)),
    };
    if let Err(err) = recorded {
        tracing::warn!(connection = %connection.id, error = %err, "the connection's events were not copied into the mirror; the next catch-up brings them");
    }
}

/// Keeps a connection's token for the app's own pulls, under its customer's key.
async fn keep_token(
    desk: &Desk,
    session: &Session,
    connection: &Connection,
    token: &str,
) -> Result<(), CoreError> {
    desk.vault()
        .await?
        .put(
            &connection.customer_id,
            &sync::token_name(&session.profile.name, &connection.id),
            &SecretString::new(token.to_owned()),
        )
        .await?;
    Ok(())
}

fn require(field: &str, value: &str) -> Result<(), CoreError> {
    if value.trim().is_empty() {
        return Err(CoreError::InvalidInput(format!(
            "{field} must not be empty"
        )));
    }
    Ok(())
}

pub async fn connection_create(
    desk: &Desk,
    request: ConnectionCreateRequest,
) -> Result<ConnectionCreated, CoreError> {
    require("customer_id", &request.customer_id)?;
    require("system_id", &request.system_id)?;
    require("name", &request.name)?;
    let session = desk.session(None).await?;
    let created = session
        .client
        .create_connection(&CreateConnection {
            customer_id: request.customer_id,
            system_id: request.system_id,
            deployment: request.deployment,
            name: request.name.trim().to_owned(),
            email: request.email,
            credentials: request.credentials,
            user_metadata: serde_json::Map::new(),
            sync: request.sync,
            webhook: request.webhook,
        })
        .await?;
    keep_token(desk, &session, &created.connection, &created.token).await?;
    let credits = mirror_change(
        desk,
        &session,
        &created.connection,
        ConnectionChange::Created,
    )
    .await?;
    tracing::info!(connection = %created.connection.id, status = created.connection.status.as_str(), "connection created");
    Ok(ConnectionCreated {
        health: Health::of(&created.connection),
        connection: created.connection,
        token: created.token,
        webhook_secret: created.webhook_secret,
        credits,
    })
}

pub async fn connection_test(
    desk: &Desk,
    request: ConnectionTestRequest,
) -> Result<TestResult, CoreError> {
    match (request.id, request.system_id) {
        (Some(id), None) => {
            require("id", &id)?;
            let session = desk.session(None).await?;
            Ok(session
                .client
                .test_connection(
                    &id,
                    &TestConnection {
                        credentials: request.credentials,
                    },
                )
                .await?)
        }
        (None, Some(system_id)) => {
            require("system_id", &system_id)?;
            let deployment = request.deployment.ok_or_else(|| {
                CoreError::InvalidInput("deployment is required with system_id".to_owned())
            })?;
            let session = desk.session(None).await?;
            Ok(session
                .client
                .test_credentials(
                    &system_id,
                    &TestCredentials {
                        deployment,
                        credentials: request.credentials.unwrap_or_default(),
                    },
                )
                .await?)
        }
        _ => Err(CoreError::InvalidInput(
            "give either id (a connection) or system_id and deployment (before connecting)"
                .to_owned(),
        )),
    }
}

/// The check a platform's test adds when candidate credentials identify another account or
/// instance than the connection's.
const SAME_ACCOUNT_CHECK: &str = "same_account";

pub async fn connection_reauthorize(
    desk: &Desk,
    request: ConnectionReauthorizeRequest,
) -> Result<ConnectionReauthorized, CoreError> {
    require("id", &request.id)?;
    let session = desk.session(None).await?;
    if !request.confirm_identity_change {
        // Ask the platform first, changing nothing: do these credentials name the same
        // account or instance as the connection's?
        let test = session
            .client
            .test_connection(
                &request.id,
                &TestConnection {
                    credentials: Some(request.credentials.clone()),
                },
            )
            .await?;
        if let Some(check) = test
            .checks
            .iter()
            .find(|check| check.name == SAME_ACCOUNT_CHECK && !check.ok)
        {
            return Err(CoreError::ConfirmationRequired(format!(
                "{}: confirm that the data about to sync belongs to this customer, then \
                 reauthorize again with the confirmation",
                check.message
            )));
        }
    }
    let answer = session
        .client
        .reauthorize(
            &request.id,
            &Reauthorize {
                credentials: request.credentials,
                authorized_by: request.authorized_by,
            },
        )
        .await;
    let alerts = crate::alerts::Alerts::of(desk).await?;
    let answer = match answer {
        Ok(answer) => answer,
        Err(err) => {
            // Still-bad credentials: the alert stays open and says so.
            let err = CoreError::from(err);
            alerts
                .after_reauthorization(&session, &request.id, Err(err.to_string()))
                .await?;
            return Err(err);
        }
    };
    keep_token(desk, &session, &answer.connection, &answer.token).await?;
    mirror_change(
        desk,
        &session,
        &answer.connection,
        ConnectionChange::Reauthorized,
    )
    .await?;
    if answer.identity_changed {
        tracing::warn!(connection = %answer.connection.id, "reauthorized with credentials for another account or instance");
    }
    // Resolving waits for the live check, run at once.
    alerts
        .after_reauthorization(&session, &answer.connection.id, Ok(()))
        .await?;
    Ok(ConnectionReauthorized {
        health: Health::of(&answer.connection),
        connection: answer.connection,
        token: answer.token,
        identity_changed: answer.identity_changed,
    })
}

pub async fn connection_activate(
    desk: &Desk,
    request: ConnectionActivateRequest,
) -> Result<ConnectionOutcome, CoreError> {
    let session = desk.session(None).await?;
    let before = session.client.account().await?.credits;
    let connection = session
        .client
        .activate(
            &request.id,
            &Activate {
                overage: request.overage,
            },
        )
        .await?;
    let credits = mirror_change(desk, &session, &connection, ConnectionChange::Activated).await?;
    Ok(ConnectionOutcome {
        health: Health::of(&connection),
        connection,
        credits_returned: credits.available - before.available,
        credits,
        data_deleted: false,
    })
}

pub async fn connection_disconnect(
    desk: &Desk,
    request: ConnectionDisconnectRequest,
) -> Result<ConnectionOutcome, CoreError> {
    let session = desk.session(None).await?;
    let before = session.client.account().await?.credits;
    let mut connection = session.client.disconnect(&request.id).await?;
    let mut credits =
        mirror_change(desk, &session, &connection, ConnectionChange::Disconnected).await?;
    if request.delete_data {
        connection = session.client.delete_connection_data(&request.id).await?;
        credits = mirror_change(desk, &session, &connection, ConnectionChange::DataDeleted).await?;
    }
    tracing::info!(connection = %connection.id, delete_data = request.delete_data, "connection disconnected");
    Ok(ConnectionOutcome {
        health: Health::of(&connection),
        connection,
        credits_returned: (before.in_use - credits.in_use)
            + (before.overage_in_use - credits.overage_in_use),
        credits,
        data_deleted: request.delete_data,
    })
}

pub async fn connection_sync(
    desk: &Desk,
    request: ConnectionSyncRequest,
) -> Result<SyncReport, CoreError> {
    require("id", &request.id)?;
    sync::sync(
        desk,
        sync::SyncRequest {
            connection_id: Some(request.id),
            full: request.full,
            ..sync::SyncRequest::default()
        },
    )
    .await
}

/// Days a magic link works when the request names none, and the most it may (Merge: 7).
const MAGIC_LINK_DAYS: u32 = 7;
const MAGIC_LINK_MAX_DAYS: u32 = 30;

pub async fn magic_link_create(
    desk: &Desk,
    request: MagicLinkCreateRequest,
) -> Result<MagicLink, CoreError> {
    require("customer_id", &request.customer_id)?;
    require("name", &request.name)?;
    let days = request.expires_in_days.unwrap_or(MAGIC_LINK_DAYS);
    if !(1..=MAGIC_LINK_MAX_DAYS).contains(&days) {
        return Err(CoreError::InvalidInput(format!(
            "expires_in_days must be between 1 and {MAGIC_LINK_MAX_DAYS}"
        )));
    }
    let session = desk.session(None).await?;
    let link = session
        .client
        .create_magic_link(&CreateMagicLink {
            customer_id: request.customer_id,
            system_id: request.system_id,
            name: request.name.trim().to_owned(),
            user_metadata: serde_json::Map::new(),
            expires_in: Some(i64::from(days) * 86_400),
        })
        .await?;
    // The pending connection the link created belongs in the overview at once.
    let pending = session.client.connection(&link.connection_id).await?;
    mirror_change(desk, &session, &pending, ConnectionChange::MagicLinkCreated).await?;
    Ok(link)
}
