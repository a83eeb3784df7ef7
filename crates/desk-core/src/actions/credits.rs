//! The credit dashboard beyond the pool: the ledger explained entry by entry, monthly
//! statements to check an invoice against, and the connections that hold credits for nothing.
//! All from the mirror, so they work offline.

use crate::desk::Desk;
use crate::profiles::resolve_or_create_profile;
use crate::CoreError;
use chrono::{DateTime, Duration, Utc};
use desk_store::{IdleConnection, LedgerFilter, LedgerLine, Statement};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Lines per ledger page unless asked, and the most one page holds.
const DEFAULT_LINES: u32 = 500;
const MAX_LINES: u32 = 5_000;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct LedgerListRequest {
    pub customer_id: Option<String>,
    pub connection_id: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
    /// Lines, newest first (default 500, at most 5000).
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LedgerPage {
    pub lines: Vec<LedgerLine>,
    /// More entries match than `lines` holds (narrow the time range to see them).
    pub truncated: bool,
}

pub async fn ledger_list(desk: &Desk, request: LedgerListRequest) -> Result<LedgerPage, CoreError> {
    let profile = resolve_or_create_profile(desk, None).await?.name;
    let limit = request.limit.unwrap_or(DEFAULT_LINES);
    if !(1..=MAX_LINES).contains(&limit) {
        return Err(CoreError::InvalidInput(format!(
            "limit {limit}: choose 1 to {MAX_LINES}"
        )));
    }
    let filter = LedgerFilter {
        customer_id: request.customer_id,
        connection_id: request.connection_id,
        from: request.from,
        until: request.until,
    };
    let mut lines = desk
        .mirror()
        .ledger_lines(&profile, &filter, limit + 1)
        .await?;
    let truncated = lines.len() > limit as usize;
    lines.truncate(limit as usize);
    Ok(LedgerPage { lines, truncated })
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct StatementRequest {
    /// `YYYY-MM` (UTC).
    pub month: String,
    /// One customer's statement (what its connections hold); none: the account's pool.
    #[serde(default)]
    pub customer_id: Option<String>,
}

pub async fn credit_statement(
    desk: &Desk,
    request: StatementRequest,
) -> Result<Statement, CoreError> {
    let profile = resolve_or_create_profile(desk, None).await?.name;
    Ok(desk
        .mirror()
        .statement(
            &profile,
            request.month.trim(),
            request.customer_id.as_deref(),
        )
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct IdleConnectionsRequest {
    /// Idle for this many days (default: the setting, 14 unless changed).
    pub days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IdleConnections {
    pub days: u32,
    pub cutoff: DateTime<Utc>,
    pub connections: Vec<IdleConnection>,
    /// What disconnecting them all would return to the pool (overage ones end overage).
    pub credits: i64,
}

pub async fn idle_connections(
    desk: &Desk,
    request: IdleConnectionsRequest,
) -> Result<IdleConnections, CoreError> {
    let profile = resolve_or_create_profile(desk, None).await?.name;
    let days = match request.days {
        Some(days) => days,
        None => desk.settings().await?.idle_days,
    };
    if !(1..=365).contains(&days) {
        return Err(CoreError::InvalidInput(format!(
            "{days} days: choose 1 to 365"
        )));
    }
    let cutoff = Utc::now() - Duration::days(i64::from(days));
    let connections = desk.mirror().idle_connections(&profile, cutoff).await?;
    let credits = connections.iter().map(|c| c.credits).sum();
    Ok(IdleConnections {
        days,
        cutoff,
        connections,
        credits,
    })
}
