//! The credit dashboard: account snapshots (history), the ledger, breakdowns and the forecast.

use crate::error::{Result, StoreError};
use crate::mirror::Mirror;
use crate::time;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use desk_platform::account::{Account, CreditBalance};
use desk_platform::ledger::LedgerEntry;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

/// The account as one sync saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct AccountSnapshot {
    pub at: DateTime<Utc>,
    pub account_id: String,
    pub name: String,
    pub plan: String,
    pub region: String,
    #[serde(flatten)]
    pub credits: CreditBalance,
}

/// One line of a breakdown: what the connections in a group cost and consume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CreditShare {
    /// The tier ("1".."3", "unknown"), the customer id, or the deployment.
    pub key: String,
    /// A readable label: "Tier 1", the customer's name, "on_premises".
    pub label: String,
    pub connections: i64,
    /// Credits consumed from the pool by the group's connections.
    pub in_use: i64,
    pub overage_in_use: i64,
    /// Credits the group's inactive connections would need to be activated.
    pub inactive: i64,
}

/// The numbers of `mdesk credits --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Credits {
    pub purchased: i64,
    pub in_use: i64,
    pub available: i64,
    pub overage_in_use: i64,
    /// When the account was last synced; `None` before the first sync (all numbers 0).
    pub as_of: Option<DateTime<Utc>>,
    pub by_tier: Vec<CreditShare>,
    pub by_customer: Vec<CreditShare>,
    pub by_deployment: Vec<CreditShare>,
    /// By system id (the catalog names them).
    pub by_system: Vec<CreditShare>,
}

/// When the pool runs out if credits keep being consumed as in the window's days (30 unless
/// chosen).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct CreditForecast {
    pub available: i64,
    /// Credits consumed minus credits returned over the window (purchases left out).
    pub net_consumed: i64,
    pub window_days: i64,
    pub per_day: f64,
    /// `None` when consumption is flat or falling.
    pub runs_out_on: Option<NaiveDate>,
}

/// The forecast's window unless one is chosen.
pub const FORECAST_WINDOW_DAYS: i64 = 30;

impl Mirror {
    /// Records the account as a sync found it: one history point.
    pub async fn apply_account_snapshot(
        &self,
        profile: &str,
        account: &Account,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO account_snapshots (profile, at, account_id, account_name, plan, region,
                purchased, in_use, available, overage_in_use)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(profile)
        .bind(time::format(at))
        .bind(&account.id)
        .bind(&account.name)
        .bind(account.plan.as_str())
        .bind(&account.region)
        .bind(account.credits.purchased)
        .bind(account.credits.in_use)
        .bind(account.credits.available)
        .bind(account.credits.overage_in_use)
        .execute(&mut *tx)
        .await
        .map_err(|err| self.fail(err))?;
        tx.commit().await.map_err(|err| self.fail(err))
    }

    /// Every snapshot of the profile, oldest first.
    pub async fn credit_history(&self, profile: &str) -> Result<Vec<AccountSnapshot>> {
        let rows = sqlx::query(
            "SELECT at, account_id, account_name, plan, region, purchased, in_use, available,
                    overage_in_use
             FROM account_snapshots WHERE profile = ? ORDER BY at, seq",
        )
        .bind(profile)
        .fetch_all(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        rows.iter().map(snapshot_from_row).collect()
    }

    /// The newest snapshot: the account as last synced (`None` before the first sync).
    pub async fn latest_account_snapshot(&self, profile: &str) -> Result<Option<AccountSnapshot>> {
        let row = sqlx::query(
            "SELECT at, account_id, account_name, plan, region, purchased, in_use, available,
                    overage_in_use
             FROM account_snapshots WHERE profile = ? ORDER BY at DESC, seq DESC LIMIT 1",
        )
        .bind(profile)
        .fetch_optional(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        row.as_ref().map(snapshot_from_row).transpose()
    }

    /// Appends ledger entries; an entry already mirrored (same id) is skipped. Returns how many
    /// were new.
    pub async fn append_ledger(&self, profile: &str, entries: &[LedgerEntry]) -> Result<u64> {
        let mut tx = self.begin().await?;
        let mut added = 0;
        for entry in entries {
            added += sqlx::query(
                "INSERT OR IGNORE INTO ledger_entries (profile, id, at, connection_id, delta,
                    overage_delta, reason, balance_after)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(profile)
            .bind(&entry.id)
            .bind(time::format(entry.at))
            .bind(&entry.connection_id)
            .bind(entry.delta)
            .bind(entry.overage_delta)
            .bind(entry.reason.as_str())
            .bind(entry.balance_after)
            .execute(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?
            .rows_affected();
        }
        tx.commit().await.map_err(|err| self.fail(err))?;
        Ok(added)
    }

    /// The profile's ledger, oldest first.
    pub async fn ledger(&self, profile: &str) -> Result<Vec<LedgerEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, connection_id, delta, overage_delta, reason, balance_after
             FROM ledger_entries WHERE profile = ? ORDER BY at, rowid",
        )
        .bind(profile)
        .fetch_all(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        rows.iter().map(crate::statement::entry_from_row).collect()
    }

    /// The pool from the latest snapshot, and breakdowns from the mirrored connections: a
    /// connection counts in `in_use` while it is synchronizing, in progress or active, in
    /// `overage_in_use` while in overage, and in `inactive` while inactive.
    pub async fn credits(&self, profile: &str) -> Result<Credits> {
        let latest = sqlx::query(
            "SELECT at, purchased, in_use, available, overage_in_use FROM account_snapshots
             WHERE profile = ? ORDER BY at DESC, seq DESC LIMIT 1",
        )
        .bind(profile)
        .fetch_optional(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        let (as_of, balance) = match latest {
            Some(row) => (
                Some(time::parse(&row.try_get::<String, _>("at")?)?),
                CreditBalance {
                    purchased: row.try_get("purchased")?,
                    in_use: row.try_get("in_use")?,
                    available: row.try_get("available")?,
                    overage_in_use: row.try_get("overage_in_use")?,
                },
            ),
            None => (
                None,
                CreditBalance {
                    purchased: 0,
                    in_use: 0,
                    available: 0,
                    overage_in_use: 0,
                },
            ),
        };
        Ok(Credits {
            purchased: balance.purchased,
            in_use: balance.in_use,
            available: balance.available,
            overage_in_use: balance.overage_in_use,
            as_of,
            by_tier: self.breakdown(profile, Group::Tier).await?,
            by_customer: self.breakdown(profile, Group::Customer).await?,
            by_deployment: self.breakdown(profile, Group::Deployment).await?,
            by_system: self.breakdown(profile, Group::System).await?,
        })
    }

    async fn breakdown(&self, profile: &str, group: Group) -> Result<Vec<CreditShare>> {
        let (key, label, join) = match group {
            Group::Tier => (
                "COALESCE(CAST(c.tier AS TEXT), 'unknown')",
                "COALESCE('Tier ' || c.tier, 'Unknown tier')",
                "",
            ),
            Group::Customer => (
                "c.customer_id",
                "COALESCE(MAX(cu.name), c.customer_id)",
                "LEFT JOIN customers cu ON cu.profile = c.profile AND cu.id = c.customer_id",
            ),
            Group::Deployment => (
                "COALESCE(c.deployment, 'unknown')",
                "COALESCE(c.deployment, 'unknown')",
                "",
            ),
            Group::System => (
                "COALESCE(c.system_id, 'unknown')",
                "COALESCE(c.system_id, 'unknown')",
                "",
            ),
        };
        // Only fixed fragments above are formatted in; every value is bound.
        let sql = format!(
            "SELECT {key} AS group_key, {label} AS label, COUNT(*) AS connections,
                SUM(CASE WHEN c.status IN ('synchronizing', 'in_progress', 'active') THEN c.credits ELSE 0 END) AS in_use,
                SUM(CASE WHEN c.status = 'overage' THEN c.credits ELSE 0 END) AS overage_in_use,
                SUM(CASE WHEN c.status = 'inactive' THEN c.credits ELSE 0 END) AS inactive
             FROM connections c {join}
             WHERE c.profile = ? AND c.status <> 'disconnected'
             GROUP BY 1 ORDER BY in_use DESC, group_key"
        );
        let rows = sqlx::query(&sql)
            .bind(profile)
            .fetch_all(self.reader())
            .await
            .map_err(|err| self.fail(err))?;
        rows.iter()
            .map(|row| {
                Ok(CreditShare {
                    key: row.try_get("group_key")?,
                    label: row.try_get("label")?,
                    connections: row.try_get("connections")?,
                    in_use: row.try_get("in_use")?,
                    overage_in_use: row.try_get("overage_in_use")?,
                    inactive: row.try_get("inactive")?,
                })
            })
            .collect()
    }

    /// Forecast from the ledger's net consumption over the `window_days` before `now`
    /// (purchases left out, returns subtracted) against `available` of the latest snapshot.
    pub async fn credit_forecast(
        &self,
        profile: &str,
        now: DateTime<Utc>,
        window_days: i64,
    ) -> Result<CreditForecast> {
        if !(1..=3650).contains(&window_days) {
            return Err(StoreError::InvalidInput(format!(
                "a forecast window of {window_days} days: choose 1 to 3650"
            )));
        }
        let since = time::format(now - Duration::days(window_days));
        let consumed: i64 = sqlx::query_scalar(
            "SELECT COALESCE(-SUM(delta), 0) FROM ledger_entries
             WHERE profile = ? AND reason <> 'purchase' AND at > ? AND at <= ?",
        )
        .bind(profile)
        .bind(&since)
        .bind(time::format(now))
        .fetch_one(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        let available = self.credits(profile).await?.available;
        Ok(forecast(available, consumed, window_days, now))
    }
}

enum Group {
    Tier,
    Customer,
    Deployment,
    System,
}

/// The date `available` reaches 0 at `net_consumed` per `window_days`; today when already empty.
pub(crate) fn forecast(
    available: i64,
    net_consumed: i64,
    window_days: i64,
    now: DateTime<Utc>,
) -> CreditForecast {
    #[allow(clippy::cast_precision_loss)] // credit counts are far below 2^52
    let per_day = net_consumed as f64 / window_days as f64;
    let runs_out_on = if net_consumed <= 0 {
        None
    } else if available <= 0 {
        Some(now.date_naive())
    } else {
        // Whole days left, rounded down: the day the last credit goes.
        let days = available.saturating_mul(window_days) / net_consumed;
        // Beyond chrono's range means "not in any foreseeable future".
        Duration::try_days(days)
            .and_then(|left| now.checked_add_signed(left))
            .map(|at| at.date_naive())
    };
    CreditForecast {
        available,
        net_consumed,
        window_days,
        per_day,
        runs_out_on,
    }
}

fn snapshot_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<AccountSnapshot> {
    Ok(AccountSnapshot {
        at: time::parse(&row.try_get::<String, _>("at")?)?,
        account_id: row.try_get("account_id")?,
        name: row.try_get("account_name")?,
        plan: row.try_get("plan")?,
        region: row.try_get("region")?,
        credits: CreditBalance {
            purchased: row.try_get("purchased")?,
            in_use: row.try_get("in_use")?,
            available: row.try_get("available")?,
            overage_in_use: row.try_get("overage_in_use")?,
        },
    })
}
