//! The engine's SQLite store. All of the engine's SQL lives under this module.
//!
//! One writer connection serialises every write transaction, so a credit check and the
//! consumption it allows can never interleave with another request's; reads use their own pool
//! and see committed data only (WAL).

pub mod accounts;
pub mod connections;
pub mod customers;
pub mod deliveries;
pub mod events;
pub mod ledger;
pub mod records;
pub mod sandbox;
pub mod syncs;
pub mod tokens;

use crate::error::EngineError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub type Tx = Transaction<'static, Sqlite>;

#[derive(Debug, Clone)]
pub struct Store {
    write: SqlitePool,
    read: SqlitePool,
}

impl Store {
    /// Opens or creates the store at `path` and runs the migrations. A store written by a newer
    /// engine (a migration this build does not know) is refused and left untouched.
    pub async fn open(path: &Path) -> Result<Self, EngineError> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            // No idle reaping or lifetime: a local file gains nothing from them, and sqlx 0.8's
            // maintenance task can spin at 100% CPU and hang the exit (sqlx#3645).
            .idle_timeout(None)
            .max_lifetime(None)
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(120))
            .connect_with(options.clone())
            .await?;
        let mut migrator = sqlx::migrate!("./migrations");
        migrator.set_ignore_missing(false);
        migrator.run(&write).await?;
        let read = SqlitePoolOptions::new()
            // No idle reaping or lifetime: a local file gains nothing from them, and sqlx 0.8's
            // maintenance task can spin at 100% CPU and hang the exit (sqlx#3645).
            .idle_timeout(None)
            .max_lifetime(None)
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self { write, read })
    }

    /// A write transaction; callers in this process are serialised by the single writer
    /// connection. It takes the write lock at once (`IMMEDIATE`): another process writes the
    /// store too (`mdesk profiles add --local` registers its client while the engine serves),
    /// and a deferred transaction that read first and then writes after that process committed
    /// fails at once with "database is locked", without waiting out the busy timeout.
    pub async fn begin(&self) -> Result<Tx, EngineError> {
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub fn reader(&self) -> &SqlitePool {
        &self.read
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
