//! Opening mirror.db: refuse newer or damaged files without touching them, then WAL, migrations,
//! one writer connection and a read-only pool (the engine's store has the same shape), and the
//! record pages' own writer on a blocking thread (`pages.rs`). The two writers take turns on an
//! in-process lock.

use crate::error::{Result, StoreError};
use crate::pages::PageWriter;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Connection as _, Sqlite, Transaction};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The file name inside a data folder.
pub const DB_FILE: &str = "mirror.db";

/// The on-disk format (`PRAGMA user_version`). Raise it, with a migration, when a change makes
/// older builds unable to read the file: they then refuse it instead of writing into it.
pub const FORMAT_VERSION: i64 = 2;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Several processes (the CLI next to `mdesk serve`) share the file: a writer that finds the
/// lock taken waits this long before the write fails with `STORE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A write transaction of the sqlx writer, holding the in-process write lock until it ends
/// (committed, or rolled back when dropped). Statements take it as the connection (`&mut *tx`).
pub(crate) struct Tx {
    inner: Transaction<'static, Sqlite>,
    _turn: OwnedMutexGuard<()>,
}

impl Tx {
    pub(crate) async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        self.inner.commit().await
    }
}

impl Deref for Tx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.inner
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.inner
    }
}

/// The local mirror. Cheap to clone; every clone shares the same connections.
#[derive(Debug, Clone)]
pub struct Mirror {
    write: SqlitePool,
    read: SqlitePool,
    /// The writer of record pages (its own connection, on a blocking thread).
    pages: Arc<PageWriter>,
    /// Whose turn it is to write, between the two writers of this process: queuing here costs
    /// the other's transaction; meeting on SQLite's lock instead costs its busy handler's
    /// sleeps (1, 2, 5, 10... ms). Other processes are still met by the busy timeout.
    turn: Arc<Mutex<()>>,
    path: PathBuf,
}

/// How much of an existing file is checked before it is opened for writing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IntegrityCheck {
    /// `PRAGMA quick_check`: reads every page (about 2 s for a 1M-record mirror here).
    #[default]
    Quick,
    /// The header, the format number and the schema only: for short-lived commands on a file
    /// that a long-running process already checked. A file that is not SQLite is still refused.
    HeaderOnly,
}

impl Mirror {
    /// Opens `path` (a file, or a folder meaning `<folder>/mirror.db`), creating the folder and
    /// the file when missing. A file written by a newer version, not SQLite, or failing
    /// `PRAGMA quick_check` is refused and left byte for byte as it was.
    pub async fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, IntegrityCheck::Quick).await
    }

    /// [`Mirror::open`] with a choice of how thoroughly an existing file is checked first.
    pub async fn open_with(path: &Path, check: IntegrityCheck) -> Result<Self> {
        let path = if path.is_dir() {
            path.join(DB_FILE)
        } else {
            path.to_path_buf()
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        preflight(&path, check).await?;
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // A lost last commit after a power cut is re-pulled by the next sync (the cursor
            // moves in the same transaction), so NORMAL's speed is worth it here.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // For a new file only (an existing one keeps its page size). A pull's commits spend
            // much of their time in FTS5's merges, which delete the merged segments' rows of
            // `records_fts_data` cell by cell; 16 KiB pages hold four times the cells of 4 KiB
            // ones. A 1M pull: 0.36 -> 0.38-0.42 of the engine's paging on our API, 0.22 ->
            // 0.24-0.29 on the Makini surface (README, "A pull of 1M records").
            .page_size(16384)
            .pragma("cache_size", "-32768");
        let write = SqlitePoolOptions::new()
            // No idle reaping or lifetime: a local file gains nothing from them, and sqlx 0.8's
            // maintenance task can spin at 100% CPU and hang the exit (sqlx#3645).
            .idle_timeout(None)
            .max_lifetime(None)
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(120))
            .connect_with(options.clone())
            .await
            .map_err(|err| StoreError::from(err).at(&path))?;
        if let Err(err) = migrate(&write, &path).await {
            write.close().await;
            return Err(err);
        }
        let read = SqlitePoolOptions::new()
            // No idle reaping or lifetime: a local file gains nothing from them, and sqlx 0.8's
            // maintenance task can spin at 100% CPU and hang the exit (sqlx#3645).
            .idle_timeout(None)
            .max_lifetime(None)
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.read_only(true))
            .await
            .map_err(|err| StoreError::from(err).at(&path))?;
        let mirror = Self {
            write,
            read,
            pages: Arc::new(PageWriter::new(&path, BUSY_TIMEOUT)),
            turn: Arc::new(Mutex::new(())),
            path,
        };
        mirror.refresh_statistics().await;
        tracing::debug!(path = %mirror.path.display(), "mirror opened");
        Ok(mirror)
    }

    /// Lets SQLite refresh the statistics its planner chooses indexes by, where a table's size
    /// changed much since they were taken (or there are none: a first sync, a migrated file).
    /// Without them it guessed, and answered one customer's 5 connections out of 50,000 by
    /// walking the whole name index (45 ms instead of 0.2). `optimize` analyses only such
    /// tables, reading a few hundred rows per index: milliseconds. A failure costs speed, not
    /// correctness, so it is logged and not returned.
    pub(crate) async fn refresh_statistics(&self) {
        // 0x10002: consider every table, not only those this connection queried.
        if let Err(err) = sqlx::query("PRAGMA optimize = 0x10002")
            .execute(&self.write)
            .await
        {
            tracing::warn!(error = %err, "the mirror's query statistics could not be refreshed");
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A write transaction that holds the write lock from its first statement. A DEFERRED one
    /// that reads first fails at once with SQLITE_BUSY_SNAPSHOT when another process wrote in
    /// between; IMMEDIATE instead waits for the lock (busy_timeout) and then reads fresh data.
    pub(crate) async fn begin(&self) -> Result<Tx> {
        let turn = self.write_turn().await;
        let inner = self.begin_immediate().await?;
        Ok(Tx { inner, _turn: turn })
    }

    /// Waits for this process's other writer to finish its transaction.
    pub(crate) async fn write_turn(&self) -> OwnedMutexGuard<()> {
        self.turn.clone().lock_owned().await
    }

    pub(crate) fn pages(&self) -> &Arc<PageWriter> {
        &self.pages
    }

    async fn begin_immediate(&self) -> Result<Transaction<'static, Sqlite>> {
        match self.write.begin_with("BEGIN IMMEDIATE").await {
            // sqlx 0.8 can leave the writer inside a transaction that no guard owns: a task
            // cancelled after its BEGIN was acknowledged but before it read the answer (an
            // aborted sync). Every later BEGIN is then refused. Closing that connection ends
            // the orphan (SQLite rolls it back); the pool opens a fresh one.
            Err(sqlx::Error::InvalidSavePointStatement) => {
                tracing::warn!(path = %self.path.display(), "the mirror's writer was left in a transaction by a cancelled task; reopening it");
                let stuck = self.write.acquire().await.map_err(|err| self.fail(err))?;
                stuck.detach().close().await.map_err(|err| self.fail(err))?;
                self.write
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(|err| self.fail(err))
            }
            other => other.map_err(|err| self.fail(err)),
        }
    }

    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.read
    }

    /// Converts a database error, naming this file when it reports corruption.
    pub(crate) fn fail(&self, err: impl Into<StoreError>) -> StoreError {
        err.into().at(&self.path)
    }

    /// Waits for in-flight work and closes every connection.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
        let pages = self.pages.clone();
        if tokio::task::spawn_blocking(move || pages.close())
            .await
            .is_err()
        {
            tracing::warn!(path = %self.path.display(), "closing the mirror's page writer failed");
        }
    }
}

/// Looks at an existing file through a read-only connection before anything may write to it.
async fn preflight(path: &Path, check: IntegrityCheck) -> Result<()> {
    let len = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    if len == 0 {
        // An empty file is a valid empty database (another process may be creating it).
        return Ok(());
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .busy_timeout(BUSY_TIMEOUT);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(|err| StoreError::from(err).at(path))?;
    let outcome = checks(&mut conn, path, check).await;
    // Closed either way, so no handle lingers on a refused file.
    let closed = conn.close().await;
    outcome?;
    closed.map_err(|err| StoreError::from(err).at(path))
}

async fn checks(conn: &mut SqliteConnection, path: &Path, check: IntegrityCheck) -> Result<()> {
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    // Reading the header is the first thing that fails on a file that is not SQLite.
    let version: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut *conn)
        .await
        .map_err(|err| StoreError::from(err).at(path))?;
    if version > FORMAT_VERSION {
        return Err(StoreError::NewerVersion {
            path: path.to_path_buf(),
            found: format!("format {version}, this version reads up to {FORMAT_VERSION}"),
        });
    }
    let has_migrations: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|err| StoreError::from(err).at(path))?;
    if has_migrations {
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&mut *conn)
            .await
            .map_err(|err| StoreError::from(err).at(path))?;
        let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        if let Some(found) = applied.filter(|found| *found > known) {
            return Err(StoreError::NewerVersion {
                path: path.to_path_buf(),
                found: format!("migration {found}, this version knows up to {known}"),
            });
        }
    }
    if check == IntegrityCheck::HeaderOnly {
        // Reading the schema parses sqlite_master: the cheapest check that the pages it
        // lives on are sound.
        sqlx::query("SELECT COUNT(*) FROM sqlite_master")
            .fetch_one(&mut *conn)
            .await
            .map_err(|err| StoreError::from(err).at(path))?;
        return Ok(());
    }
    // quick_check reads every page once (about 3 s per GB here) but skips the index
    // cross-checks of integrity_check: enough to refuse a damaged file before writing into it.
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA quick_check(5)")
        .fetch_all(&mut *conn)
        .await
        .map_err(|err| StoreError::from(err).at(path))?;
    if problems.iter().any(|line| line != "ok") {
        return Err(corrupt(format!("quick_check: {}", problems.join("; "))));
    }
    Ok(())
}

/// sqlx takes no lock on SQLite, so two processes creating the same mirror can both run the
/// first migration; the loser's transaction rolls back, and a retry finds it applied.
async fn migrate(pool: &SqlitePool, path: &Path) -> Result<()> {
    const ATTEMPTS: u64 = 5;
    let mut attempt = 1;
    loop {
        match MIGRATOR.run(pool).await {
            Ok(()) => return Ok(()),
            Err(MigrateError::VersionMissing(found)) => {
                return Err(StoreError::NewerVersion {
                    path: path.to_path_buf(),
                    found: format!("migration {found} is unknown here"),
                })
            }
            Err(MigrateError::Execute(_) | MigrateError::ExecuteMigration(..))
                if attempt < ATTEMPTS =>
            {
                tracing::debug!(attempt, "mirror migration raced another process; retrying");
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
                attempt += 1;
            }
            Err(MigrateError::Execute(err)) => return Err(StoreError::from(err).at(path)),
            Err(source) => {
                return Err(StoreError::Migration {
                    path: path.to_path_buf(),
                    source,
                })
            }
        }
    }
}
