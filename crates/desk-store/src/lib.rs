//! The app's local mirror (`mirror.db`): everything the app knows about its platforms, readable
//! with no network. All of its SQL lives in this crate; it never speaks HTTP (desk-client pulls,
//! the app core writes what it pulled here).
//!
//! - Opening refuses a file written by a newer version or failing `PRAGMA quick_check`, and
//!   leaves it byte for byte unchanged; it never recreates a file ([`Mirror::open`]).
//! - One writer connection and a read-only pool over WAL, plus the record pages' writer on a
//!   blocking thread; several processes may share the file (busy timeout, short write
//!   transactions).
//! - A page of records and its entity's cursor are stored in one transaction, idempotently by
//!   record id, so an interrupted pull resumes exactly ([`Mirror::upsert_records`]).
//! - Full-text search through a contentless FTS5 index maintained in the same transaction
//!   ([`Mirror::records`] with [`RecordQuery::search`]).
//! - The overview's connections and customers lists, filtered, searched (FTS5), sorted, paged
//!   and counted by SQLite over indexes ([`Mirror::overview_page`], [`Mirror::overview_counts`],
//!   [`Mirror::customers_page`]).

mod activity;
mod browse;
mod credits;
mod directory;
mod error;
mod export;
mod mirror;
mod overview;
mod pages;
mod profiles;
mod query;
mod records;
mod search;
mod statement;
mod time;

pub use activity::{SyncRun, SyncRunState};
pub use browse::EntityRecords;
pub use credits::{AccountSnapshot, CreditForecast, CreditShare, Credits, FORECAST_WINDOW_DAYS};
pub use directory::{
    ConnectionFilter, ConnectionName, ConnectionPatch, MirroredConnection, NextSync,
};
pub use error::{DbError, Result, StoreError};
pub use mirror::{IntegrityCheck, Mirror, DB_FILE, FORMAT_VERSION};
pub use overview::{
    CustomerPage, CustomerQuery, CustomerRow, CustomerSort, Health, HealthCounts, OverviewCounts,
    OverviewPage, OverviewQuery, OverviewRow, OverviewSort, StatusCounts, DEFAULT_PAGE, MAX_PAGE,
};
pub use profiles::{Profile, ProfileKind};
pub use query::{
    FieldFilter, RecordPage, RecordQuery, RecordSort, RecordSource, DEFAULT_LIMIT, MAX_LIMIT,
};
pub use records::{PreparedPage, SyncCursor, UpsertOutcome};
pub use search::{fts_query, match_expression, prefix_query};
pub use statement::{
    month_bounds, month_of, IdleConnection, LedgerFilter, LedgerLine, Statement, StatementBalance,
    StatementLine,
};
