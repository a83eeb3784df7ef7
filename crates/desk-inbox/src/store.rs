//! inbox.db: opening it (WAL, migrations, refusing newer files) and the row types shared by the
//! writer, the processor and the inspector. All of the inbox's SQL lives in this crate.

use crate::config::Durability;
use crate::error::InboxError;
use crate::model::{Processing, SignatureCheck, Source, WebhookSummary};
use chrono::{DateTime, Utc};
use sqlx::migrate::MigrateError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file name inside a data folder.
pub const DB_FILE: &str = "inbox.db";

/// Fixed-width UTC text (`2026-03-01T12:00:00.000000Z`), so stored times sort as text.
///
/// Written field by field: chrono's `format` parses its pattern on every call, which showed in
/// the writer's profile (two times per stored webhook, all on its one thread).
pub fn format_time(at: DateTime<Utc>) -> String {
    use chrono::{Datelike as _, Timelike as _};
    use std::fmt::Write as _;
    let year = at.year();
    if !(0..=9999).contains(&year) {
        return at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    }
    let mut text = String::with_capacity(27);
    // A leap second's nanoseconds run past a billion; chrono prints them as 60 seconds.
    let (second, nanos) = match at.nanosecond() {
        nanos @ 1_000_000_000.. => (at.second() + 1, nanos - 1_000_000_000),
        nanos => (at.second(), nanos),
    };
    // Writing into a String cannot fail.
    let _ = write!(
        text,
        "{year:04}-{:02}-{:02}T{:02}:{:02}:{second:02}.{:06}Z",
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        nanos / 1_000
    );
    text
}

pub fn parse_time(text: &str) -> Result<DateTime<Utc>, InboxError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|err| InboxError::Corrupt(format!("stored time {text:?}: {err}")))
}

/// A data folder means `<folder>/inbox.db`; anything else is the database file itself.
pub fn resolve_path(path: &Path) -> PathBuf {
    if path.is_dir() || path.extension().is_none() && !path.exists() {
        path.join(DB_FILE)
    } else {
        path.to_path_buf()
    }
}

pub struct Opened {
    pub pool: SqlitePool,
    pub path: PathBuf,
}

/// Opens (creating when absent) and migrates the database. Never overwrites an existing file:
/// a file that is not SQLite fails to open, and one with migrations we do not know is refused.
pub async fn open(path: &Path, durability: Durability) -> Result<Opened, InboxError> {
    let path = resolve_path(path);
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|source| InboxError::DataDir {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let synchronous = match durability {
        Durability::Full => SqliteSynchronous::Full,
        Durability::Normal => SqliteSynchronous::Normal,
    };
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(synchronous)
        .foreign_keys(true)
        // Other processes (the CLI next to a running server) write too; wait rather than fail.
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        // No idle reaping or lifetime: a local file gains nothing from them, and sqlx 0.8's
        // maintenance task can spin at 100% CPU and hang the exit (sqlx#3645).
        .idle_timeout(None)
        .max_lifetime(None)
        .max_connections(4)
        .connect_with(options)
        .await?;
    let display = path.display().to_string();
    match sqlx::migrate!("./migrations").run(&pool).await {
        Ok(()) => {}
        Err(MigrateError::VersionMissing(version)) => {
            pool.close().await;
            return Err(InboxError::NewerDatabase {
                path: display,
                version,
            });
        }
        Err(err) => {
            pool.close().await;
            return Err(InboxError::Migration {
                path: display,
                message: err.to_string(),
            });
        }
    }
    Ok(Opened { pool, path })
}

/// Serialises this process's write transactions. SQLite allows one writer at a time, and a
/// writer that finds the lock taken waits in SQLite's busy handler, which sleeps in steps of up
/// to 100 ms: that showed up as p99 spikes of ~300 ms when the processor and the receiver's
/// writer met. Queuing on this (fair, FIFO) mutex instead costs only the other transaction's
/// length. Other processes are still handled by the busy timeout.
pub type WriteLock = std::sync::Arc<tokio::sync::Mutex<()>>;

/// The WAL file next to the database file (`inbox.db-wal`).
pub fn wal_path(db: &Path) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    name.into()
}

/// A synchronous connection for the writer's and the processor's blocking threads (see
/// `writer.rs`), with the settings of the pool's: WAL (already the file's mode), the durability
/// chosen, foreign keys, a busy timeout for other processes' writes, and automatic
/// checkpoints only as a backstop.
pub fn connect_sync(
    path: &Path,
    durability: Durability,
) -> Result<rusqlite::Connection, InboxError> {
    let db = rusqlite::Connection::open(path)?;
    db.busy_timeout(Duration::from_secs(10))?;
    db.pragma_update(None, "journal_mode", "wal")?;
    db.pragma_update(
        None,
        "synchronous",
        match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        },
    )?;
    db.pragma_update(None, "foreign_keys", "ON")?;
    // The checkpointer copies the WAL in the background (checkpoint.rs); a commit checkpoints
    // only past this many pages, which copies what the checkpointer has not and lets the WAL
    // start over.
    db.pragma_update(
        None,
        "wal_autocheckpoint",
        crate::checkpoint::INLINE_AFTER_PAGES,
    )?;
    Ok(db)
}

/// Columns of `webhooks` as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookRow {
    pub seq: i64,
    pub event_id: Option<String>,
    pub source: String,
    pub profile: Option<String>,
    pub received_at: String,
    pub remote_addr: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub headers: String,
    pub body: Vec<u8>,
    pub body_size: i64,
    pub body_truncated: bool,
    pub scheme: Option<String>,
    pub signature: String,
    pub signature_reason: Option<String>,
    pub status: Option<i64>,
    pub answer_reason: Option<String>,
    pub accepted: bool,
    pub event_type: Option<String>,
    pub connection_id: Option<String>,
    pub customer_id: Option<String>,
    pub event_created_at: Option<String>,
    pub duplicate_of_seq: Option<i64>,
    pub duplicate_of: Option<String>,
    pub processing: String,
    pub out_of_order: bool,
    pub error: Option<String>,
    pub note: Option<String>,
    pub attempts: i64,
    pub processed_at: Option<String>,
}

impl WebhookRow {
    /// A row selected with [`WEBHOOK_COLUMNS`] on a synchronous connection.
    pub fn from_sync_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            seq: row.get(0)?,
            event_id: row.get(1)?,
            source: row.get(2)?,
            profile: row.get(3)?,
            received_at: row.get(4)?,
            remote_addr: row.get(5)?,
            method: row.get(6)?,
            path: row.get(7)?,
            headers: row.get(8)?,
            body: row.get(9)?,
            body_size: row.get(10)?,
            body_truncated: row.get(11)?,
            scheme: row.get(12)?,
            signature: row.get(13)?,
            signature_reason: row.get(14)?,
            status: row.get(15)?,
            answer_reason: row.get(16)?,
            accepted: row.get(17)?,
            event_type: row.get(18)?,
            connection_id: row.get(19)?,
            customer_id: row.get(20)?,
            event_created_at: row.get(21)?,
            duplicate_of_seq: row.get(22)?,
            duplicate_of: row.get(23)?,
            processing: row.get(24)?,
            out_of_order: row.get(25)?,
            error: row.get(26)?,
            note: row.get(27)?,
            attempts: row.get(28)?,
            processed_at: row.get(29)?,
        })
    }

    pub fn summary(&self) -> Result<WebhookSummary, InboxError> {
        let corrupt = |what: &str, value: &str| {
            InboxError::Corrupt(format!("webhook #{}: {what} {value:?}", self.seq))
        };
        Ok(WebhookSummary {
            id: self.event_id.clone(),
            received_at: parse_time(&self.received_at)?,
            event_type: self.event_type.clone(),
            connection_id: self.connection_id.clone(),
            signature: SignatureCheck::parse(&self.signature)
                .ok_or_else(|| corrupt("signature", &self.signature))?,
            duplicate_of: self.duplicate_of.clone(),
            out_of_order: self.out_of_order,
            processing: Processing::parse(&self.processing)
                .ok_or_else(|| corrupt("processing", &self.processing))?,
            error: self.error.clone(),
            seq: self.seq,
            status: self.status.and_then(|status| u16::try_from(status).ok()),
            customer_id: self.customer_id.clone(),
            source: Source::parse(&self.source).ok_or_else(|| corrupt("source", &self.source))?,
            profile: self.profile.clone(),
            note: self.note.clone(),
            test: crate::model::TestMark::of_stored(&self.headers).is_some(),
        })
    }
}

pub const WEBHOOK_COLUMNS: &str = "seq, event_id, source, profile, received_at, remote_addr, \
    method, path, headers, body, body_size, body_truncated, scheme, signature, signature_reason, \
    status, answer_reason, accepted, event_type, connection_id, customer_id, event_created_at, \
    duplicate_of_seq, duplicate_of, processing, out_of_order, error, note, attempts, processed_at";

pub async fn webhook_by_seq(
    db: &mut SqliteConnection,
    seq: i64,
) -> Result<Option<WebhookRow>, InboxError> {
    let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE seq = ?");
    Ok(sqlx::query_as(&sql).bind(seq).fetch_optional(db).await?)
}

/// The first accepted copy of an event id: the one that is (or was) processed.
pub async fn meta_get(db: &mut SqliteConnection, key: &str) -> Result<Option<String>, InboxError> {
    Ok(
        sqlx::query_scalar("SELECT value FROM inbox_meta WHERE key = ?")
            .bind(key)
            .fetch_optional(db)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_formatted_as_chrono_formats_them() {
        let chrono_text = |at: DateTime<Utc>| at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let mut seconds: i64 = -62_167_219_200; // 0000-01-01
        let mut nanos: u32 = 0;
        for _ in 0..20_000 {
            seconds = (seconds + 7_777_777_777) % 253_402_300_799; // up to 9999-12-31
            nanos = (nanos + 123_456_789) % 1_000_000_000;
            let at = DateTime::from_timestamp(seconds, nanos).expect("in range");
            assert_eq!(format_time(at), chrono_text(at));
        }
        for text in [
            "2026-03-01T12:00:00Z",
            "1970-01-01T00:00:00.000001Z",
            "+10000-01-01T00:00:00Z",
        ] {
            let at = DateTime::parse_from_rfc3339(text).map_or_else(
                |_| DateTime::from_timestamp(253_402_300_800, 5_000).expect("in range"),
                |at| at.with_timezone(&Utc),
            );
            assert_eq!(format_time(at), chrono_text(at));
        }
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|day| day.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .expect("a leap second")
            .and_utc();
        assert_eq!(format_time(leap), chrono_text(leap));
    }
}
