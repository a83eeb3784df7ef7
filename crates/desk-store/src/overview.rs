//! The overview screen's data: connections and customers filtered, searched, sorted, paged and
//! counted by SQLite alone, fast at 10,000 customers and 50,000 connections.
//!
//! - Every filter and sort has an index (the overview migration), each ending in `id`, so ties
//!   are broken by id in the sort's direction and a descending list is exactly the ascending
//!   one reversed. NULLs (never synced, no tier) sort first ascending, last descending:
//!   SQLite's own order, which the indexes can serve (`NULLS LAST` would force a sort).
//! - The search is an FTS5 index per table, kept by the writers in `directory.rs` in the same
//!   transaction as the rows, over each connection's name, id, email, system id and its
//!   customer's name, id and account manager (copied onto the connection, so the customer sort
//!   and the account manager filter need no join either). Every word is a prefix, case and
//!   diacritics folded (`Å` finds `a`).
//! - A connection's health is computed by SQLite (a generated column, defined once in the
//!   migration); [`Health`] only names its values.
//! - Paging is by offset, not keyset: the table is virtual-scrolled, and dragging its scrollbar
//!   jumps to any row, which a keyset cursor cannot do. At 50,000 rows the deepest offset costs
//!   a walk of one index (see `examples/bench_overview.rs` for the figures). A page and its
//!   total are read in one read transaction, so they agree; a row that changes between two
//!   pages can move across them (the UI refetches the visible pages on a change event).

use crate::directory::{connection_from_row, customer_from_row, MirroredConnection};
use crate::error::{Result, StoreError};
use crate::mirror::Mirror;
use crate::search::prefix_query;
use desk_platform::catalog::Deployment;
use desk_platform::connection::ConnectionStatus;
use desk_platform::customer::Customer;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments as _, Row as _};

/// Rows per page when a query does not say.
pub const DEFAULT_PAGE: u32 = 100;
/// The largest page: what a screen shows at once, with room for a tall window.
pub const MAX_PAGE: u32 = 500;

/// What a connection's state means to the person looking at the list. Derived by SQLite from
/// (status, online, reauthorization_required): disconnected, pending and inactive by status;
/// else needs reauthorization when the platform says so; else offline when the system does not
/// answer; else healthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Healthy,
    NeedsReauthorization,
    Offline,
    Inactive,
    Pending,
    Disconnected,
    /// A filter, never a row's health: needs reauthorization or offline.
    Attention,
}

impl Health {
    /// The health a row can have, in the order `health_rank` numbers them (the sort order).
    pub const OF_ROWS: [Self; 6] = [
        Self::Healthy,
        Self::NeedsReauthorization,
        Self::Offline,
        Self::Inactive,
        Self::Pending,
        Self::Disconnected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::NeedsReauthorization => "needs_reauthorization",
            Self::Offline => "offline",
            Self::Inactive => "inactive",
            Self::Pending => "pending",
            Self::Disconnected => "disconnected",
            Self::Attention => "attention",
        }
    }

    fn from_rank(rank: i64) -> Option<Self> {
        usize::try_from(rank)
            .ok()
            .and_then(|at| Self::OF_ROWS.get(at).copied())
    }

    /// The `health_rank` values this health (as a filter) stands for.
    fn ranks(self) -> Vec<i64> {
        let of = |health: Self| {
            Self::OF_ROWS
                .iter()
                .position(|h| *h == health)
                .and_then(|at| i64::try_from(at).ok())
        };
        match self {
            Self::Attention => [Self::NeedsReauthorization, Self::Offline]
                .into_iter()
                .filter_map(of)
                .collect(),
            health => of(health).into_iter().collect(),
        }
    }
}

/// `status_rank` of the migration: the order of [`ConnectionStatus::ALL`].
fn status_rank(status: ConnectionStatus) -> i64 {
    ConnectionStatus::ALL
        .iter()
        .position(|s| *s == status)
        .and_then(|at| i64::try_from(at).ok())
        .unwrap_or(i64::MAX)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverviewSort {
    #[default]
    Name,
    /// The customer's name.
    Customer,
    System,
    /// In the lifecycle's order (pending, synchronizing, in progress, active, inactive,
    /// overage, disconnected), not alphabetically.
    Status,
    /// In [`Health::OF_ROWS`] order: healthy first.
    Health,
    LastSync,
    NextSync,
    Credits,
    Created,
    Tier,
}

impl OverviewSort {
    fn column(self) -> &'static str {
        match self {
            Self::Name => "c.name",
            Self::Customer => "c.customer_name",
            Self::System => "c.system_id",
            Self::Status => "c.status_rank",
            Self::Health => "c.health_rank",
            Self::LastSync => "c.last_sync_at",
            Self::NextSync => "c.next_sync_at",
            Self::Credits => "c.credits",
            Self::Created => "c.created_at",
            Self::Tier => "c.tier",
        }
    }
}

/// Which connections the overview lists. Every filter is AND-ed; `None` or empty means any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OverviewQuery {
    pub profile: String,
    pub customer_id: Option<String>,
    /// Any of these statuses.
    pub statuses: Vec<ConnectionStatus>,
    pub health: Option<Health>,
    pub system_id: Option<String>,
    pub tier: Option<u8>,
    pub deployment: Option<Deployment>,
    pub account_manager: Option<String>,
    /// Words that must all start a word of the connection's name, id, email or system id, or of
    /// its customer's name, id or account manager. Blank means no search; text with nothing
    /// searchable in it (only punctuation) finds nothing.
    pub search: Option<String>,
    pub sort: OverviewSort,
    pub descending: bool,
    pub offset: u32,
    /// Clamped to 1..=[`MAX_PAGE`].
    pub limit: u32,
}

impl Default for OverviewQuery {
    fn default() -> Self {
        Self {
            profile: String::new(),
            customer_id: None,
            statuses: Vec::new(),
            health: None,
            system_id: None,
            tier: None,
            deployment: None,
            account_manager: None,
            search: None,
            sort: OverviewSort::default(),
            descending: false,
            offset: 0,
            limit: DEFAULT_PAGE,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewRow {
    pub connection: MirroredConnection,
    /// `None` while the customer is not mirrored.
    pub customer_name: Option<String>,
    pub account_manager: Option<String>,
    pub health: Health,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewPage {
    pub rows: Vec<OverviewRow>,
    /// Connections matching the filters (all pages).
    pub total: u64,
    pub offset: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub pending: u64,
    pub synchronizing: u64,
    pub in_progress: u64,
    pub active: u64,
    pub inactive: u64,
    pub overage: u64,
    pub disconnected: u64,
}

impl StatusCounts {
    pub fn get(&self, status: ConnectionStatus) -> u64 {
        match status {
            ConnectionStatus::Pending => self.pending,
            ConnectionStatus::Synchronizing => self.synchronizing,
            ConnectionStatus::InProgress => self.in_progress,
            ConnectionStatus::Active => self.active,
            ConnectionStatus::Inactive => self.inactive,
            ConnectionStatus::Overage => self.overage,
            ConnectionStatus::Disconnected => self.disconnected,
        }
    }

    fn slot(&mut self, status: ConnectionStatus) -> &mut u64 {
        match status {
            ConnectionStatus::Pending => &mut self.pending,
            ConnectionStatus::Synchronizing => &mut self.synchronizing,
            ConnectionStatus::InProgress => &mut self.in_progress,
            ConnectionStatus::Active => &mut self.active,
            ConnectionStatus::Inactive => &mut self.inactive,
            ConnectionStatus::Overage => &mut self.overage,
            ConnectionStatus::Disconnected => &mut self.disconnected,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCounts {
    pub healthy: u64,
    pub needs_reauthorization: u64,
    pub offline: u64,
    pub inactive: u64,
    pub pending: u64,
    pub disconnected: u64,
    /// needs_reauthorization + offline.
    pub attention: u64,
}

impl HealthCounts {
    pub fn get(&self, health: Health) -> u64 {
        match health {
            Health::Healthy => self.healthy,
            Health::NeedsReauthorization => self.needs_reauthorization,
            Health::Offline => self.offline,
            Health::Inactive => self.inactive,
            Health::Pending => self.pending,
            Health::Disconnected => self.disconnected,
            Health::Attention => self.attention,
        }
    }

    fn add(&mut self, health: Health, n: u64) {
        let slot = match health {
            Health::Healthy => &mut self.healthy,
            Health::NeedsReauthorization => &mut self.needs_reauthorization,
            Health::Offline => &mut self.offline,
            Health::Inactive => &mut self.inactive,
            Health::Pending => &mut self.pending,
            Health::Disconnected => &mut self.disconnected,
            Health::Attention => &mut self.attention,
        };
        *slot += n;
        if matches!(health, Health::NeedsReauthorization | Health::Offline) {
            self.attention += n;
        }
    }
}

/// The numbers of the overview's chips: what each status or health filter would give with the
/// query's other filters (its `statuses` and `health` are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewCounts {
    pub total: u64,
    pub by_status: StatusCounts,
    pub by_health: HealthCounts,
    /// Customers with at least one of these connections.
    pub customers: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerSort {
    #[default]
    Name,
    /// How many connections the customer has.
    Connections,
    /// How many of them need attention (reauthorization or offline).
    Attention,
}

/// Which customers the customers list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerQuery {
    pub profile: String,
    /// Words that must all start a word of the customer's name, id, email or account manager.
    pub search: Option<String>,
    pub account_manager: Option<String>,
    /// Ties are broken by name, then id, in the same direction.
    pub sort: CustomerSort,
    pub descending: bool,
    pub offset: u32,
    /// Clamped to 1..=[`MAX_PAGE`].
    pub limit: u32,
}

impl Default for CustomerQuery {
    fn default() -> Self {
        Self {
            profile: String::new(),
            search: None,
            account_manager: None,
            sort: CustomerSort::default(),
            descending: false,
            offset: 0,
            limit: DEFAULT_PAGE,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub customer: Customer,
    /// Every mirrored connection of the customer, disconnected ones included.
    pub connections: u64,
    /// Connections needing reauthorization or offline.
    pub attention: u64,
    /// Credits its connections take from the pool (synchronizing, in progress or active;
    /// overage is not from the pool), as on the credit dashboard.
    pub credits_in_use: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub rows: Vec<CustomerRow>,
    /// Customers matching the search and filters (all pages).
    pub total: u64,
    pub offset: u32,
}

/// A bound value of a built query.
#[derive(Debug, Clone)]
enum Arg {
    Text(String),
    Int(i64),
}

/// A WHERE clause built from fixed fragments, every value bound; `None` when a search holds
/// nothing searchable (the answer is then empty without asking SQLite).
#[derive(Debug, Clone, Default)]
struct Filter {
    sql: String,
    args: Vec<Arg>,
}

impl Filter {
    fn and(&mut self, fragment: &str, args: impl IntoIterator<Item = Arg>) {
        self.sql.push_str(if self.sql.is_empty() {
            " WHERE "
        } else {
            " AND "
        });
        self.sql.push_str(fragment);
        self.args.extend(args);
    }

    fn and_in(&mut self, column: &str, values: Vec<i64>) {
        let list = vec!["?"; values.len()].join(", ");
        self.and(
            &format!("{column} IN ({list})"),
            values.into_iter().map(Arg::Int),
        );
    }
}

fn bind(args: &[Arg]) -> Result<SqliteArguments<'static>> {
    let mut out = SqliteArguments::default();
    for arg in args {
        match arg {
            Arg::Text(text) => out.add(text.clone()),
            Arg::Int(n) => out.add(*n),
        }
        .map_err(|err| StoreError::InvalidInput(err.to_string()))?;
    }
    Ok(out)
}

/// The search words as a MATCH expression: `Ok(None)` for no search, `Err(())` for a search
/// that can find nothing.
fn search_of(search: Option<&str>) -> std::result::Result<Option<String>, ()> {
    match search.filter(|text| !text.trim().is_empty()) {
        None => Ok(None),
        Some(text) => prefix_query(text).map(Some).ok_or(()),
    }
}

/// The overview's WHERE clause over `connections c`; `with_state` adds the status and health
/// filters (the counts leave them out).
fn connection_filter(query: &OverviewQuery, with_state: bool) -> Option<Filter> {
    let mut filter = Filter::default();
    filter.and("c.profile = ?", [Arg::Text(query.profile.clone())]);
    let text = |value: &Option<String>| value.clone().map(Arg::Text);
    for (value, fragment) in [
        (text(&query.customer_id), "c.customer_id = ?"),
        (text(&query.system_id), "c.system_id = ?"),
        (query.tier.map(|t| Arg::Int(i64::from(t))), "c.tier = ?"),
        (
            query.deployment.map(|d| Arg::Text(d.as_str().to_owned())),
            "c.deployment = ?",
        ),
        (text(&query.account_manager), "c.account_manager = ?"),
    ] {
        if let Some(value) = value {
            filter.and(fragment, [value]);
        }
    }
    if with_state {
        if !query.statuses.is_empty() {
            let ranks = query.statuses.iter().map(|s| status_rank(*s)).collect();
            filter.and_in("c.status_rank", ranks);
        }
        if let Some(health) = query.health {
            filter.and_in("c.health_rank", health.ranks());
        }
    }
    match search_of(query.search.as_deref()) {
        Err(()) => return None,
        Ok(None) => {}
        Ok(Some(expression)) => filter.and(
            "c.seq IN (SELECT rowid FROM connections_fts WHERE connections_fts MATCH ?)",
            [Arg::Text(expression)],
        ),
    }
    Some(filter)
}

fn clamp(limit: u32) -> u32 {
    limit.clamp(1, MAX_PAGE)
}

fn direction(descending: bool) -> &'static str {
    if descending {
        "DESC"
    } else {
        "ASC"
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The SQL of one overview page: `(rows, total)`, both over `filter`; `rows` binds the
/// filter's values, then the limit and the offset.
fn page_sql(query: &OverviewQuery, filter: &Filter) -> (String, String) {
    let dir = direction(query.descending);
    let rows = format!(
        "SELECT c.* FROM connections c{where_} ORDER BY {key} {dir}, c.id {dir} LIMIT ? OFFSET ?",
        where_ = filter.sql,
        key = query.sort.column(),
    );
    let total = format!("SELECT COUNT(*) FROM connections c{}", filter.sql);
    (rows, total)
}

fn with_page(args: &[Arg], limit: u32, offset: u32) -> Vec<Arg> {
    let mut args = args.to_vec();
    args.push(Arg::Int(i64::from(clamp(limit))));
    args.push(Arg::Int(i64::from(offset)));
    args
}

fn overview_row(row: &SqliteRow) -> Result<OverviewRow> {
    let rank: i64 = row.try_get("health_rank")?;
    Ok(OverviewRow {
        connection: connection_from_row(row)?,
        customer_name: row.try_get("customer_name")?,
        account_manager: row.try_get("account_manager")?,
        health: Health::from_rank(rank)
            .ok_or_else(|| StoreError::bad_row(format!("health rank {rank}")))?,
    })
}

/// Per customer: connections, attention and credits in use, from the covering index
/// `connections_by_customer`; followed by `FROM ...` and a GROUP BY.
const CUSTOMER_STATS: &str = "SELECT c.customer_id, COUNT(*) AS connections,
        SUM(c.health_rank IN (1, 2)) AS attention,
        SUM(CASE WHEN c.status_rank IN (1, 2, 3) THEN c.credits ELSE 0 END) AS credits_in_use";

impl Mirror {
    /// One page of the overview's connections list, and how many match in all.
    pub async fn overview_page(&self, query: &OverviewQuery) -> Result<OverviewPage> {
        let Some(filter) = connection_filter(query, true) else {
            return Ok(OverviewPage {
                rows: Vec::new(),
                total: 0,
                offset: query.offset,
            });
        };
        let (rows_sql, total_sql) = page_sql(query, &filter);
        // One read transaction: the page and its total see the same snapshot.
        let mut tx = self.reader().begin().await.map_err(|err| self.fail(err))?;
        let page_args = with_page(&filter.args, query.limit, query.offset);
        let rows = sqlx::query_with(&rows_sql, bind(&page_args)?)
            .fetch_all(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?;
        let total: i64 = sqlx::query_scalar_with(&total_sql, bind(&filter.args)?)
            .fetch_one(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?;
        tx.commit().await.map_err(|err| self.fail(err))?;
        Ok(OverviewPage {
            rows: rows.iter().map(overview_row).collect::<Result<_>>()?,
            total: count(total),
            offset: query.offset,
        })
    }

    /// How many connections each status and each health would list with `query`'s other
    /// filters (its `statuses` and `health` are ignored), and their customers.
    pub async fn overview_counts(&self, query: &OverviewQuery) -> Result<OverviewCounts> {
        let mut counts = OverviewCounts {
            total: 0,
            by_status: StatusCounts::default(),
            by_health: HealthCounts::default(),
            customers: 0,
        };
        let Some(filter) = connection_filter(query, false) else {
            return Ok(counts);
        };
        let groups_sql = format!(
            "SELECT c.status_rank, c.health_rank, COUNT(*) FROM connections c{}
             GROUP BY c.status_rank, c.health_rank",
            filter.sql
        );
        let customers_sql = format!(
            "SELECT COUNT(DISTINCT c.customer_id) FROM connections c{}",
            filter.sql
        );
        let mut tx = self.reader().begin().await.map_err(|err| self.fail(err))?;
        let groups: Vec<(i64, i64, i64)> = sqlx::query_as_with(&groups_sql, bind(&filter.args)?)
            .fetch_all(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?;
        let customers: i64 = sqlx::query_scalar_with(&customers_sql, bind(&filter.args)?)
            .fetch_one(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?;
        tx.commit().await.map_err(|err| self.fail(err))?;
        for (status, rank, n) in groups {
            let n = count(n);
            let status = usize::try_from(status)
                .ok()
                .and_then(|at| ConnectionStatus::ALL.get(at).copied())
                .ok_or_else(|| StoreError::bad_row(format!("status rank {status}")))?;
            let health = Health::from_rank(rank)
                .ok_or_else(|| StoreError::bad_row(format!("health rank {rank}")))?;
            counts.total += n;
            *counts.by_status.slot(status) += n;
            counts.by_health.add(health, n);
        }
        counts.customers = count(customers);
        Ok(counts)
    }

    /// One page of the customers list with each customer's connection numbers.
    pub async fn customers_page(&self, query: &CustomerQuery) -> Result<CustomerPage> {
        let empty = CustomerPage {
            rows: Vec::new(),
            total: 0,
            offset: query.offset,
        };
        let Some(sql) = customers_sql(query) else {
            return Ok(empty);
        };
        let mut tx = self.reader().begin().await.map_err(|err| self.fail(err))?;
        let rows = sqlx::query_with(&sql.rows, bind(&sql.rows_args)?)
            .fetch_all(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?;
        let total: i64 = sqlx::query_scalar_with(&sql.total, bind(&sql.total_args)?)
            .fetch_one(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?;
        tx.commit().await.map_err(|err| self.fail(err))?;
        let rows = rows
            .iter()
            .map(|row| {
                Ok(CustomerRow {
                    customer: customer_from_row(row)?,
                    connections: count(row.try_get("connections")?),
                    attention: count(row.try_get("attention")?),
                    credits_in_use: row.try_get("credits_in_use")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(CustomerPage {
            rows,
            total: count(total),
            offset: query.offset,
        })
    }
}

struct CustomersSql {
    rows: String,
    rows_args: Vec<Arg>,
    total: String,
    total_args: Vec<Arg>,
}

/// The customers page's SQL. By name, the page is cut from the name index first and only its
/// customers' connections are counted (CROSS JOIN keeps the page the outer loop: its 100
/// customers' connections are looked up, where the planner preferred to walk all 50,000 and
/// match them against the page, 10x slower); by a count, every customer's numbers are needed to
/// order them, read in one pass over the covering index `connections_by_customer`.
fn customers_sql(query: &CustomerQuery) -> Option<CustomersSql> {
    let mut filter = Filter::default();
    filter.and("cu.profile = ?", [Arg::Text(query.profile.clone())]);
    if let Some(manager) = &query.account_manager {
        filter.and("cu.account_manager = ?", [Arg::Text(manager.clone())]);
    }
    match search_of(query.search.as_deref()) {
        Err(()) => return None,
        Ok(None) => {}
        Ok(Some(expression)) => filter.and(
            "cu.seq IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)",
            [Arg::Text(expression)],
        ),
    }
    let dir = direction(query.descending);
    let columns = "cu.id, cu.name, cu.email, cu.account_manager, cu.metadata, cu.created_at";
    let numbers = "IFNULL(s.connections, 0) AS connections, IFNULL(s.attention, 0) AS attention,
        IFNULL(s.credits_in_use, 0) AS credits_in_use";
    // `?1` is the profile of the stats; the filter's values and then the limit and offset
    // follow as `?2...` (see `number_from_two`).
    let where_ = filter.sql.replace('?', "?_");
    let rows = match query.sort {
        CustomerSort::Name => format!(
            "WITH page AS (SELECT {columns} FROM customers cu{where_}
                           ORDER BY cu.name {dir}, cu.id {dir} LIMIT ?_ OFFSET ?_),
                  s AS ({CUSTOMER_STATS} FROM page CROSS JOIN connections c ON c.profile = ?1 AND c.customer_id = page.id
                        GROUP BY c.customer_id)
             SELECT page.*, {numbers} FROM page LEFT JOIN s ON s.customer_id = page.id
             ORDER BY page.name {dir}, page.id {dir}"
        ),
        CustomerSort::Connections | CustomerSort::Attention => {
            let key = match query.sort {
                CustomerSort::Attention => "attention",
                _ => "connections",
            };
            format!(
                "WITH s AS ({CUSTOMER_STATS} FROM connections c WHERE c.profile = ?1
                            GROUP BY c.customer_id)
                 SELECT {columns}, {numbers} FROM customers cu LEFT JOIN s ON s.customer_id = cu.id
                 {where_} ORDER BY {key} {dir}, cu.name {dir}, cu.id {dir} LIMIT ?_ OFFSET ?_"
            )
        }
    };
    let mut rows_args = vec![Arg::Text(query.profile.clone())];
    rows_args.extend(with_page(&filter.args, query.limit, query.offset));
    Some(CustomersSql {
        rows: number_from_two(&rows),
        rows_args,
        total: format!("SELECT COUNT(*) FROM customers cu{}", filter.sql),
        total_args: filter.args,
    })
}

/// Numbers the `?_` placeholders `?2, ?3, ...` in order: sqlx counts anonymous `?` on its own,
/// not as SQLite does after a `?NNN`, so the two kinds cannot be mixed in one statement.
fn number_from_two(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 2;
    let mut rest = sql;
    while let Some(at) = rest.find("?_") {
        out.push_str(&rest[..at]);
        out.push_str(&format!("?{next}"));
        next += 1;
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attention_stands_for_reauthorization_and_offline() {
        assert_eq!(Health::Attention.ranks(), [1, 2]);
        assert_eq!(Health::Healthy.ranks(), [0]);
        assert_eq!(Health::from_rank(5), Some(Health::Disconnected));
        assert_eq!(Health::from_rank(6), None);
    }

    #[test]
    fn placeholders_after_the_first_are_numbered_in_order() {
        assert_eq!(
            number_from_two("a = ?1 AND b = ?_ AND c = ?_"),
            "a = ?1 AND b = ?2 AND c = ?3"
        );
    }

    #[test]
    fn spellings_are_snake_case() {
        assert_eq!(
            serde_json::to_string(&Health::NeedsReauthorization).ok(),
            Some("\"needs_reauthorization\"".to_owned())
        );
        assert_eq!(
            serde_json::to_string(&OverviewSort::LastSync).ok(),
            Some("\"last_sync\"".to_owned())
        );
        let query: OverviewQuery =
            serde_json::from_str(r#"{"profile": "local", "statuses": ["in_progress"]}"#)
                .unwrap_or_default();
        assert_eq!(query.statuses, [ConnectionStatus::InProgress]);
        assert_eq!(query.limit, DEFAULT_PAGE);
    }
}
