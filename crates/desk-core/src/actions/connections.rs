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
use desk_store::{ConnectionFilter, MirroredConnection};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;
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

/// The mirror's connections of the shown profile as overview rows, matching every filter but
/// status and health (those are applied by the caller: the counts need the rows without them).
async fn candidate_rows(
    desk: &Desk,
    request: &ConnectionsListRequest,
) -> Result<Vec<ConnectionRow>, CoreError> {
    let profile = resolve_or_create_profile(desk, None).await?.name;
    let mirror = desk.mirror();
    let customers: HashMap<String, (String, Option<String>)> = mirror
        .customers(&profile)
        .await?
        .into_iter()
        .map(|c| (c.id, (c.name, c.account_manager)))
        .collect();
    let connections = mirror
        .connections(&ConnectionFilter {
            profile: Some(profile),
            customer_id: request.customer_id.clone(),
            status: None,
        })
        .await?;
    let words = search_words(request.search.as_deref());
    Ok(connections
        .into_iter()
        .map(|m| row(m, &customers))
        .filter(|row| {
            request
                .system_id
                .as_ref()
                .is_none_or(|id| row.connection.system_id.as_ref() == Some(id))
                && request.tier.is_none_or(|tier| row.tier == Some(tier))
                && request
                    .deployment
                    .is_none_or(|d| row.connection.deployment == Some(d))
                && request
                    .account_manager
                    .as_ref()
                    .is_none_or(|am| row.account_manager.as_ref() == Some(am))
                && matches_words(row, &words)
        })
        .collect())
}

fn row(
    mirrored: MirroredConnection,
    customers: &HashMap<String, (String, Option<String>)>,
) -> ConnectionRow {
    let customer = customers.get(&mirrored.connection.customer_id);
    ConnectionRow {
        health: Health::of(&mirrored.connection),
        tier: mirrored.tier,
        customer_name: customer.map(|(name, _)| name.clone()),
        account_manager: customer.and_then(|(_, am)| am.clone()),
        connection: mirrored.connection,
    }
}

/// Lower-cased words with their accents folded, for prefix matching.
fn search_words(search: Option<&str>) -> Vec<String> {
    search
        .unwrap_or_default()
        .split_whitespace()
        .map(fold)
        .filter(|word| !word.is_empty())
        .collect()
}

/// Case and the common Latin accents folded away (`Å` matches `a`).
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
            'ç' | 'č' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' | 'ń' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            'š' => 's',
            'ž' => 'z',
            other => other,
        })
        .filter(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '.' || *c == '@')
        .collect()
}

fn matches_words(row: &ConnectionRow, words: &[String]) -> bool {
    if words.is_empty() {
        return true;
    }
    let c = &row.connection;
    let fields = [
        Some(c.name.as_str()),
        Some(c.id.as_str()),
        c.email.as_deref(),
        c.system_id.as_deref(),
        Some(c.customer_id.as_str()),
        row.customer_name.as_deref(),
        row.account_manager.as_deref(),
    ];
    let tokens: Vec<String> = fields
        .into_iter()
        .flatten()
        .flat_map(|field| field.split(|ch: char| ch.is_whitespace() || ch == ',').map(fold))
        .filter(|token| !token.is_empty())
        .collect();
    words
        .iter()
        .all(|word| tokens.iter().any(|token| token.starts_with(word.as_str())))
}

fn compare(a: &ConnectionRow, b: &ConnectionRow, sort: ConnectionSort) -> Ordering {
    let (x, y) = (&a.connection, &b.connection);
    let primary = match sort {
        ConnectionSort::Name => fold(&x.name).cmp(&fold(&y.name)),
        ConnectionSort::Customer => a
            .customer_name
            .as_deref()
            .map(fold)
            .cmp(&b.customer_name.as_deref().map(fold)),
        ConnectionSort::System => x.system_id.cmp(&y.system_id),
        ConnectionSort::Status => x.status.as_str().cmp(y.status.as_str()),
        ConnectionSort::Health => a.health.cmp(&b.health),
        ConnectionSort::LastSync => x.last_sync_at.cmp(&y.last_sync_at),
        ConnectionSort::NextSync => x.next_sync_at.cmp(&y.next_sync_at),
        ConnectionSort::Credits => x.credits.cmp(&y.credits),
        ConnectionSort::Created => x.created_at.cmp(&y.created_at),
        ConnectionSort::Tier => a.tier.cmp(&b.tier),
    };
    // Ties broken by id, so paging never repeats or skips a row.
    primary.then_with(|| x.id.cmp(&y.id))
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub async fn connections_list(
    desk: &Desk,
    request: ConnectionsListRequest,
) -> Result<ConnectionsPage, CoreError> {
    let limit = request.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE) as usize;
    let mut rows: Vec<ConnectionRow> = candidate_rows(desk, &request)
        .await?
        .into_iter()
        .filter(|row| {
            (request.statuses.is_empty() || request.statuses.contains(&row.connection.status))
                && (request.health.is_empty() || request.health.contains(&row.health))
        })
        .collect();
    rows.sort_by(|a, b| {
        let order = compare(a, b, request.sort);
        if request.descending {
            order.reverse()
        } else {
            order
        }
    });
    let total = count(rows.len());
    let offset = request.offset as usize;
    let rows = rows.into_iter().skip(offset).take(limit).collect();
    Ok(ConnectionsPage {
        rows,
        total,
        offset: request.offset,
    })
}

pub async fn connections_counts(
    desk: &Desk,
    request: ConnectionsListRequest,
) -> Result<ConnectionCounts, CoreError> {
    let rows = candidate_rows(desk, &request).await?;
    let mut customers: Vec<&str> = rows
        .iter()
        .map(|r| r.connection.customer_id.as_str())
        .collect();
    customers.sort_unstable();
    customers.dedup();
    let by_status = ConnectionStatus::ALL
        .into_iter()
        .map(|status| StatusCount {
            status,
            count: count(rows.iter().filter(|r| r.connection.status == status).count()),
        })
        .collect();
    let by_health = Health::ALL
        .into_iter()
        .map(|health| HealthCount {
            health,
            count: count(rows.iter().filter(|r| r.health == health).count()),
        })
        .collect();
    Ok(ConnectionCounts {
        total: count(rows.len()),
        customers: count(customers.len()),
        by_status,
        by_health,
        attention: count(rows.iter().filter(|r| r.health.needs_attention()).count()),
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

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Åsgård Öl"), "asgardol");
        assert_eq!(fold("SAP-S4"), "sap-s4");
    }
}
