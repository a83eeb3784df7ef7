//! The credit dashboard's ledger views: entries explained by their connection, monthly
//! statements that can be checked against an invoice, and idle connections that hold credits.

use crate::error::{Result, StoreError};
use crate::mirror::Mirror;
use crate::time;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use desk_platform::ledger::{LedgerEntry, LedgerReason};
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

/// A ledger entry with what it was for: the connection, its customer, system, tier and
/// deployment (as the mirror knows them now; `None` for purchases and forgotten connections).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct LedgerLine {
    #[serde(flatten)]
    pub entry: LedgerEntry,
    pub connection_name: Option<String>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub system_id: Option<String>,
    pub tier: Option<u8>,
    pub deployment: Option<String>,
}

/// Which entries: all filters AND-ed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerFilter {
    pub customer_id: Option<String>,
    pub connection_id: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
}

/// What a statement's running balance counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum StatementBalance {
    /// The account's available credits (the platform's `balance_after`).
    Available,
    /// The credits one customer's connections take from the pool.
    Held,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct StatementLine {
    #[serde(flatten)]
    pub line: LedgerLine,
    /// The statement's balance after this entry.
    pub running: i64,
}

/// One calendar month (UTC) of the ledger, for the account or one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Statement {
    /// `YYYY-MM`.
    pub month: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub customer_id: Option<String>,
    pub balance: StatementBalance,
    pub opening: i64,
    pub lines: Vec<StatementLine>,
    pub closing: i64,
    /// Credits taken from the pool, returned to it, and bought, in the month.
    pub consumed: i64,
    pub returned: i64,
    pub purchased: i64,
    /// Overage credits started (positive) and ended (negative) in the month.
    pub overage_change: i64,
    /// For the account: the platform's own balance after the month's last entry (after the
    /// last entry before the month when it has none; `None` with no entry at all), which
    /// `closing` must equal.
    pub platform_closing: Option<i64>,
}

/// A connection that holds credits and has done nothing for them lately.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct IdleConnection {
    pub connection_id: String,
    pub name: String,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub system_id: Option<String>,
    pub status: String,
    pub credits: i64,
    /// The platform's last successful sync of it, if any.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Records inserted or updated by this app's pulls since the cutoff.
    pub records_changed: i64,
    /// `no_sync` (no successful sync since the cutoff) or `no_changes` (synced, nothing new).
    pub reason: String,
}

/// The first instant of the month `month` (`YYYY-MM`) and of the next one.
pub fn month_bounds(month: &str) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let bad = || StoreError::InvalidInput(format!("month {month:?} is not YYYY-MM (e.g. 2026-11)"));
    let (year, number) = month.split_once('-').ok_or_else(bad)?;
    let year: i32 = year.parse().map_err(|_| bad())?;
    let number: u32 = number.parse().map_err(|_| bad())?;
    let first = NaiveDate::from_ymd_opt(year, number, 1).ok_or_else(bad)?;
    let next = if number == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, number + 1, 1)
    }
    .ok_or_else(bad)?;
    let at = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
    Ok((at(first), at(next)))
}

/// `YYYY-MM` of an instant.
pub fn month_of(at: DateTime<Utc>) -> String {
    format!("{:04}-{:02}", at.year(), at.month())
}

const LINE_SQL: &str = "SELECT l.id, l.at, l.connection_id, l.delta, l.overage_delta, l.reason,
        l.balance_after, c.name AS connection_name, c.customer_id, c.customer_name, c.system_id,
        c.tier, c.deployment
     FROM ledger_entries l
     LEFT JOIN connections c ON c.profile = l.profile AND c.id = l.connection_id
     WHERE l.profile = ?1
       AND (?2 IS NULL OR c.customer_id = ?2)
       AND (?3 IS NULL OR l.connection_id = ?3)
       AND (?4 IS NULL OR l.at >= ?4)
       AND (?5 IS NULL OR l.at < ?5)";

/// A ledger entry from a row with the `ledger_entries` columns.
pub(crate) fn entry_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<LedgerEntry> {
    let reason: String = row.try_get("reason")?;
    Ok(LedgerEntry {
        id: row.try_get("id")?,
        at: time::parse(&row.try_get::<String, _>("at")?)?,
        connection_id: row.try_get("connection_id")?,
        delta: row.try_get("delta")?,
        overage_delta: row.try_get("overage_delta")?,
        reason: LedgerReason::parse(&reason)
            .ok_or_else(|| StoreError::bad_row(format!("ledger reason {reason:?}")))?,
        balance_after: row.try_get("balance_after")?,
    })
}

fn line_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<LedgerLine> {
    let tier: Option<i64> = row.try_get("tier")?;
    Ok(LedgerLine {
        entry: entry_from_row(row)?,
        connection_name: row.try_get("connection_name")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        system_id: row.try_get("system_id")?,
        tier: tier.and_then(|t| u8::try_from(t).ok()),
        deployment: row.try_get("deployment")?,
    })
}

impl Mirror {
    /// Ledger entries with their connection, newest first, at most `limit`.
    pub async fn ledger_lines(
        &self,
        profile: &str,
        filter: &LedgerFilter,
        limit: u32,
    ) -> Result<Vec<LedgerLine>> {
        let sql = format!("{LINE_SQL} ORDER BY l.at DESC, l.rowid DESC LIMIT ?6");
        self.lines(profile, filter, &sql, Some(limit)).await
    }

    async fn lines(
        &self,
        profile: &str,
        filter: &LedgerFilter,
        sql: &str,
        limit: Option<u32>,
    ) -> Result<Vec<LedgerLine>> {
        let mut query = sqlx::query(sql)
            .bind(profile)
            .bind(&filter.customer_id)
            .bind(&filter.connection_id)
            .bind(filter.from.map(time::format))
            .bind(filter.until.map(time::format));
        if let Some(limit) = limit {
            query = query.bind(i64::from(limit));
        }
        let rows = query
            .fetch_all(self.reader())
            .await
            .map_err(|err| self.fail(err))?;
        rows.iter().map(line_from_row).collect()
    }

    /// The month's statement: the account's available balance, or what one customer's
    /// connections hold. Entries are in ledger order (time, then the order the platform listed them).
    pub async fn statement(
        &self,
        profile: &str,
        month: &str,
        customer_id: Option<&str>,
    ) -> Result<Statement> {
        let (from, until) = month_bounds(month)?;
        let ordered = format!("{LINE_SQL} ORDER BY l.at, l.rowid");
        let before = LedgerFilter {
            customer_id: customer_id.map(str::to_owned),
            until: Some(from),
            ..LedgerFilter::default()
        };
        let earlier = self.lines(profile, &before, &ordered, None).await?;
        let balance = match customer_id {
            None => StatementBalance::Available,
            Some(_) => StatementBalance::Held,
        };
        // Available moves with `delta`; what a customer holds moves against it.
        let step = |line: &LedgerLine| match balance {
            StatementBalance::Available => line.entry.delta,
            StatementBalance::Held => -line.entry.delta,
        };
        let opening = match balance {
            StatementBalance::Available => earlier.last().map_or(0, |l| l.entry.balance_after),
            StatementBalance::Held => earlier.iter().map(step).sum(),
        };
        let month_filter = LedgerFilter {
            from: Some(from),
            until: Some(until),
            ..before
        };
        let lines = self.lines(profile, &month_filter, &ordered, None).await?;
        let mut running = opening;
        let (mut consumed, mut returned, mut purchased, mut overage_change) = (0, 0, 0, 0);
        let lines: Vec<StatementLine> = lines
            .into_iter()
            .map(|line| {
                running += step(&line);
                let delta = line.entry.delta;
                match line.entry.reason {
                    LedgerReason::Purchase => purchased += delta,
                    _ if delta < 0 => consumed -= delta,
                    _ => returned += delta,
                }
                overage_change += line.entry.overage_delta;
                StatementLine { line, running }
            })
            .collect();
        let platform_closing = match balance {
            // With no entry at all (before the first sync's ledger) the platform said nothing
            // to check against.
            StatementBalance::Available => lines
                .last()
                .map(|l| l.line.entry.balance_after)
                .or_else(|| earlier.last().map(|l| l.entry.balance_after)),
            StatementBalance::Held => None,
        };
        Ok(Statement {
            month: month.to_owned(),
            from,
            until,
            customer_id: customer_id.map(str::to_owned),
            balance,
            opening,
            closing: running,
            lines,
            consumed,
            returned,
            purchased,
            overage_change,
            platform_closing,
        })
    }

    /// Connections taking credits (active, synchronizing, in progress or in overage) with no
    /// successful platform sync since `cutoff`, or whose pulls since then changed no record.
    pub async fn idle_connections(
        &self,
        profile: &str,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<IdleConnection>> {
        let rows = sqlx::query(
            "WITH changed AS (
                 SELECT connection_id, SUM(records) AS records, COUNT(*) AS runs FROM sync_runs
                 WHERE profile = ?1 AND state = 'completed' AND started_at >= ?2
                 GROUP BY connection_id)
             SELECT c.id, c.name, c.customer_id, c.customer_name, c.system_id, c.status,
                    c.credits, c.last_sync_at, IFNULL(ch.records, 0) AS records,
                    IFNULL(ch.runs, 0) AS runs
             FROM connections c LEFT JOIN changed ch ON ch.connection_id = c.id
             WHERE c.profile = ?1
               AND c.status IN ('synchronizing', 'in_progress', 'active', 'overage')
               AND (c.last_sync_at IS NULL OR c.last_sync_at < ?2
                    OR (IFNULL(ch.runs, 0) > 0 AND IFNULL(ch.records, 0) = 0))
             ORDER BY c.credits DESC, c.last_sync_at, c.id",
        )
        .bind(profile)
        .bind(time::format(cutoff))
        .fetch_all(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        rows.iter()
            .map(|row| {
                let last_sync_at = row
                    .try_get::<Option<String>, _>("last_sync_at")?
                    .map(|at| time::parse(&at))
                    .transpose()?;
                let reason = match last_sync_at {
                    Some(at) if at >= cutoff => "no_changes",
                    _ => "no_sync",
                };
                Ok(IdleConnection {
                    connection_id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    customer_id: row.try_get("customer_id")?,
                    customer_name: row.try_get("customer_name")?,
                    system_id: row.try_get("system_id")?,
                    status: row.try_get("status")?,
                    credits: row.try_get("credits")?,
                    last_sync_at,
                    records_changed: row.try_get("records")?,
                    reason: reason.to_owned(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_have_bounds_and_names() {
        let (from, until) = month_bounds("2026-12").expect("a month");
        assert_eq!(from.to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert_eq!(until.to_rfc3339(), "2027-01-01T00:00:00+00:00");
        assert_eq!(month_of(from), "2026-12");
        for bad in ["2026", "2026-13", "26-1x", ""] {
            assert!(month_bounds(bad).is_err(), "{bad}");
        }
    }
}
