//! Connections as the overview and the connection page read them, from the mirror alone (so
//! they work offline): a filtered, searched, sorted page; counts for the filter chips; one
//! connection with everything known of it.

use super::health::Health;
use super::timeline::{authorizations, timeline, Authorization, TimelineItem};
use crate::desk::Desk;
use crate::offline::{self, ConnectionDetail};
use crate::profiles::resolve_or_create_profile;
use crate::CoreError;
use desk_platform::catalog::Deployment;
use desk_platform::connection::{Connection, ConnectionStatus};
use desk_store::{Health as StoreHealth, OverviewQuery, OverviewSort};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Rows per page when the request names none, and the most one page may hold.
const DEFAULT_PAGE: u32 = 100;
const MAX_PAGE: u32 = 500;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionSort {
    #[default]
    Name,
    Customer,
    System,
    Status,
    Health,
    LastSync,
    NextSync,
    Credits,
    Created,
    Tier,
}

/// Which connections, in what order, which page. Every filter is AND-ed; an empty list or
/// `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionsListRequest {
    pub customer_id: Option<String>,
    pub statuses: Vec<ConnectionStatus>,
    pub health: Vec<Health>,
    pub system_id: Option<String>,
    pub tier: Option<u8>,
    pub deployment: Option<Deployment>,
    pub account_manager: Option<String>,
    /// Words matched against the connection's name, id, email and system, and its customer's
    /// name, id and account manager (each word a prefix, case and accents ignored).
    pub search: Option<String>,
    pub sort: ConnectionSort,
    pub descending: bool,
    pub offset: u32,
    /// Rows per page (default 100, at most 500).
    pub limit: Option<u32>,
}

/// One row of the overview.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ConnectionRow {
    #[serde(flatten)]
    pub connection: Connection,
    /// 1..=3 when known.
    pub tier: Option<u8>,
    pub customer_name: Option<String>,
    pub account_manager: Option<String>,
    pub health: Health,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ConnectionsPage {
    pub rows: Vec<ConnectionRow>,
    /// How many connections match the filters (all pages).
    pub total: u32,
    pub offset: u32,
}

/// How many connections each status and health chip would show, for the filters other than
/// status and health.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ConnectionCounts {
    pub total: u32,
    pub customers: u32,
    pub by_status: Vec<StatusCount>,
    pub by_health: Vec<HealthCount>,
    /// Connections that need someone to act (reauthorization or offline).
    pub attention: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StatusCount {
    pub status: ConnectionStatus,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HealthCount {
    pub health: Health,
    pub count: u32,
}

/// The mirror's query for a request: the overview is served by SQLite (desk-store's indexes
/// and FTS), never by loading every connection.
fn overview_query(
    profile: String,
    request: &ConnectionsListRequest,
) -> Result<OverviewQuery, CoreError> {
    let mut health = request.health.clone();
    health.sort_unstable();
    health.dedup();
    let health = match health.as_slice() {
        [] => None,
        [one] => Some(one.to_store()),
        [Health::NeedsReauthorization, Health::Offline] => Some(StoreHealth::Attention),
        _ => {
            return Err(CoreError::InvalidInput(
                "health: choose one, or needs_reauthorization with offline (needs attention)"
                    .to_owned(),
            ))
        }
    };
    Ok(OverviewQuery {
        profile,
        customer_id: request.customer_id.clone(),
        statuses: request.statuses.clone(),
        health,
        system_id: request.system_id.clone(),
        tier: request.tier,
        deployment: request.deployment,
        account_manager: request.account_manager.clone(),
        search: request.search.clone().filter(|s| !s.trim().is_empty()),
        sort: match request.sort {
            ConnectionSort::Name => OverviewSort::Name,
            ConnectionSort::Customer => OverviewSort::Customer,
            ConnectionSort::System => OverviewSort::System,
            ConnectionSort::Status => OverviewSort::Status,
            ConnectionSort::Health => OverviewSort::Health,
            ConnectionSort::LastSync => OverviewSort::LastSync,
            ConnectionSort::NextSync => OverviewSort::NextSync,
            ConnectionSort::Credits => OverviewSort::Credits,
            ConnectionSort::Created => OverviewSort::Created,
            ConnectionSort::Tier => OverviewSort::Tier,
        },
        descending: request.descending,
        offset: request.offset,
        limit: request.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE),
    })
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub async fn connections_list(
    desk: &Desk,
    request: ConnectionsListRequest,
) -> Result<ConnectionsPage, CoreError> {
    let profile = resolve_or_create_profile(desk, None).await?.name;
    let page = desk
        .mirror()
        .overview_page(&overview_query(profile, &request)?)
        .await?;
    Ok(ConnectionsPage {
        rows: page
            .rows
            .into_iter()
            .map(|row| ConnectionRow {
                health: Health::of(&row.connection.connection),
                tier: row.connection.tier,
                customer_name: row.customer_name,
                account_manager: row.account_manager,
                connection: row.connection.connection,
            })
            .collect(),
        total: count(page.total),
        offset: page.offset,
    })
}

pub async fn connections_counts(
    desk: &Desk,
    request: ConnectionsListRequest,
) -> Result<ConnectionCounts, CoreError> {
    let profile = resolve_or_create_profile(desk, None).await?.name;
    let counts = desk
        .mirror()
        .overview_counts(&overview_query(profile, &request)?)
        .await?;
    Ok(ConnectionCounts {
        total: count(counts.total),
        customers: count(counts.customers),
        by_status: ConnectionStatus::ALL
            .into_iter()
            .map(|status| StatusCount {
                status,
                count: count(counts.by_status.get(status)),
            })
            .collect(),
        by_health: Health::ALL
            .into_iter()
            .map(|health| HealthCount {
                health,
                count: count(counts.by_health.get(health.to_store())),
            })
            .collect(),
        attention: count(counts.by_health.attention),
    })
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct ConnectionShowRequest {
    pub id: String,
}

/// The connection page: the connection, its customer, what the mirror holds of it, who
/// authorized it, and its timeline.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ConnectionView {
    #[serde(flatten)]
    pub detail: ConnectionDetail,
    pub health: Health,
    /// Newest first; the first one is the authorization in force.
    pub authorizations: Vec<Authorization>,
    /// Auth events, status changes, syncs, webhooks and credit changes, newest first.
    pub timeline: Vec<TimelineItem>,
}

pub async fn connection_show(
    desk: &Desk,
    request: ConnectionShowRequest,
) -> Result<ConnectionView, CoreError> {
    let detail = offline::show_connection(desk, &request.id).await?;
    let profile = detail.connection.profile.clone();
    let mirror = desk.mirror();
    let auth_events = mirror.events(&profile, Some(&request.id), 500).await?;
    let ledger: Vec<_> = mirror
        .ledger(&profile)
        .await?
        .into_iter()
        .filter(|entry| entry.connection_id.as_deref() == Some(request.id.as_str()))
        .collect();
    Ok(ConnectionView {
        health: Health::of(&detail.connection.connection),
        authorizations: authorizations(&detail.connection.connection, &auth_events),
        timeline: timeline(&auth_events, &detail.sync_runs, &ledger),
        detail,
    })
}
