//! The record pages' writer: its own SQLite connection (rusqlite), used on a blocking thread.
//!
//! A page of a pull is a few large statements (the upsert of every record with `RETURNING`,
//! the cursor, the index) and a commit in which FTS5 writes the page's terms as a segment and
//! merges older ones. Through sqlx each statement was a hand-off to its SQLite thread and back,
//! every bound value and every returned row a step of its own, and that cost as much as the
//! SQL (a page of 500: 4.4 ms for the upsert against 1.2 ms here). Here the whole page runs
//! on one thread with cached statements, and the pull's task is free to fetch and prepare the
//! next page meanwhile. The page's SQL and its rules are in this file; `records.rs` has the
//! rest of what `records` and `sync_cursors` answer.

use crate::error::{DbError, Result, StoreError};
use crate::records::{PreparedPage, PreparedRecord, UpsertOutcome, CAP_HIGH_WATER, PUT_CURSOR};
use crate::time;
use chrono::Utc;
use rusqlite::{Connection, TransactionBehavior};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Rows per multi-row INSERT: a page of the platform's (500) is one statement. 7 bound values
/// each, well under SQLite's variable limit (32766).
const CHUNK: usize = 500;

/// Statements kept prepared: an upsert and an index insert per page size met (full pages share
/// one; last pages vary), the cursor's two.
const STATEMENT_CACHE: usize = 32;

/// The writer's page cache, in KiB. A pull's commits merge FTS5 segments written a few commits
/// before, still in the WAL; with the pool's 32 MiB those pages were read back from the WAL at
/// every merge (a third of a 1M-record pull's time in `pread`), with 96-192 MiB they stay
/// cached (1M records: 29-31k -> 55-73k records/s). Filled only as a pull uses it, and given
/// back after each walk's last page.
const PAGE_CACHE_KIB: i64 = 128 * 1024;

/// One page to store, owned (it crosses to the writer's thread).
#[derive(Debug)]
pub(crate) struct PageWrite {
    pub profile: String,
    pub connection_id: String,
    pub entity: String,
    /// The index's scope column of these records (`search::scope_text`).
    pub scope: String,
    pub page: PreparedPage,
    pub next_cursor: Option<String>,
    /// Stored form of the last page's high-water cap ([`crate::Mirror::upsert_last_page`]).
    pub high_water_cap: Option<String>,
}

#[derive(Debug)]
enum State {
    /// Opened on the first page, so opening a mirror that only reads costs nothing.
    NotOpen,
    Open(Box<Connection>),
    Closed,
}

#[derive(Debug)]
pub(crate) struct PageWriter {
    path: PathBuf,
    busy_timeout: Duration,
    state: Mutex<State>,
}

/// A changed row of `records`: its seq (the FTS rowid) and the page's copy that was stored.
#[derive(Debug, Clone, Copy)]
struct Changed {
    seq: i64,
    at: usize,
}

impl PageWriter {
    pub(crate) fn new(path: &Path, busy_timeout: Duration) -> Self {
        Self {
            path: path.to_path_buf(),
            busy_timeout,
            state: Mutex::new(State::NotOpen),
        }
    }

    /// Stores one page and its cursor in one IMMEDIATE transaction. Blocking: call it from a
    /// blocking thread, in the process's write turn.
    pub(crate) fn write(&self, write: &PageWrite) -> Result<UpsertOutcome> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if matches!(*state, State::NotOpen) {
            *state = State::Open(Box::new(self.connect()?));
        }
        match &mut *state {
            State::Open(db) => {
                let outcome = store(db, write)?;
                if write.high_water_cap.is_some() {
                    // A walk ended: the next one may be minutes away, the cache is warm
                    // again after a few pages.
                    if let Err(err) = db.execute_batch("PRAGMA shrink_memory") {
                        tracing::warn!(error = %err, "the page writer kept its cache");
                    }
                }
                Ok(outcome)
            }
            _ => Err(StoreError::Database(DbError::Writer(
                "the mirror was closed".to_owned(),
            ))),
        }
    }

    /// Closes the connection, after a write in progress; later writes are refused. Blocking.
    pub(crate) fn close(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let State::Open(db) = std::mem::replace(&mut *state, State::Closed) {
            if let Err((_, err)) = db.close() {
                tracing::warn!(path = %self.path.display(), error = %err, "the mirror's page writer did not close cleanly");
            }
        }
    }

    /// The pool's settings (the file is in WAL mode already: the pool opened and migrated it),
    /// and statement journals in memory: a page's statements spilled theirs to a temporary
    /// file, created and unlinked per transaction.
    fn connect(&self) -> Result<Connection> {
        let db = Connection::open(&self.path)?;
        db.busy_timeout(self.busy_timeout)?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.pragma_update(None, "foreign_keys", "ON")?;
        db.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
        db.pragma_update(None, "temp_store", "MEMORY")?;
        db.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(db)
    }
}

fn store(db: &mut Connection, write: &PageWrite) -> Result<UpsertOutcome> {
    let rows = &write.page.rows;
    let key = (
        write.profile.as_str(),
        write.connection_id.as_str(),
        write.entity.as_str(),
    );
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // New rows get a seq above the current maximum (AUTOINCREMENT never reuses one), which is
    // how an insert is told apart from an update in RETURNING.
    let max_before: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM records")?
        .query_row([], |row| row.get(0))?;
    // Every changed row once, by seq, with the copy stored last (a later statement's copy
    // replaced an earlier one).
    let mut changed: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
    let mut start = 0;
    for end in statement_ends(rows) {
        for row in upsert(&tx, key, &rows[start..end])? {
            changed.insert(row.seq, start + row.at);
        }
        start = end;
    }
    let mut changed: Vec<Changed> = changed
        .into_iter()
        .map(|(seq, at)| Changed { seq, at })
        .collect();
    // Ascending rowids: FTS5 writes out what it collected when a rowid goes backwards.
    changed.sort_unstable_by_key(|row| row.seq);
    let split = changed.partition_point(|row| row.seq <= max_before);
    let (updated, new) = changed.split_at(split);
    let outcome = UpsertOutcome {
        inserted: new.len() as u64,
        updated: updated.len() as u64,
        unchanged: rows.len().saturating_sub(changed.len()) as u64,
    };
    tx.prepare_cached(PUT_CURSOR)?.execute(rusqlite::params![
        key.0,
        key.1,
        key.2,
        write.next_cursor,
        write.page.high_water,
        i64::try_from(outcome.inserted).unwrap_or(i64::MAX),
        time::format(Utc::now()),
    ])?;
    if let Some(cap) = &write.high_water_cap {
        tx.prepare_cached(CAP_HIGH_WATER)?
            .execute(rusqlite::params![cap, key.0, key.1, key.2])?;
    }
    // The index last: FTS5 writes the terms it collected as one new segment when a later
    // statement of the transaction begins, or at the commit. Fed after every other statement,
    // a page is one segment (two when it both adds and changes records), not one per
    // statement, and fewer segments are fewer merges.
    index(&tx, rows, updated, &write.scope, "INSERT OR REPLACE")?;
    index(&tx, rows, new, &write.scope, "INSERT")?;
    tx.commit()?;
    Ok(outcome)
}

/// Upserts `chunk` in one statement; returns every row inserted or changed (`at`: its index in
/// `chunk`), once. The chunk's ids are distinct ([`statement_ends`]), so each returned row is
/// exactly one copy's.
fn upsert(
    tx: &rusqlite::Transaction<'_>,
    (profile, connection_id, entity): (&str, &str, &str),
    chunk: &[PreparedRecord],
) -> Result<Vec<Changed>> {
    let mut sql = String::with_capacity(600 + chunk.len() * 16);
    sql.push_str(
        "INSERT INTO records (profile, connection_id, entity, record_id, data, updated_at, deleted_at) VALUES ",
    );
    for i in 0..chunk.len() {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?,?,?,?,?)");
    }
    // A replayed or out-of-order page never moves a record back to an older version.
    sql.push_str(
        " ON CONFLICT (connection_id, entity, record_id, profile) DO UPDATE SET
            data = excluded.data, updated_at = excluded.updated_at, deleted_at = excluded.deleted_at
          WHERE (records.data IS NOT excluded.data OR records.deleted_at IS NOT excluded.deleted_at)
            AND (records.updated_at IS NULL OR excluded.updated_at IS NULL
                 OR excluded.updated_at >= records.updated_at)
          RETURNING seq, record_id",
    );
    let mut statement = tx.prepare_cached(&sql)?;
    for (i, record) in chunk.iter().enumerate() {
        let n = 7 * i;
        statement.raw_bind_parameter(n + 1, profile)?;
        statement.raw_bind_parameter(n + 2, connection_id)?;
        statement.raw_bind_parameter(n + 3, entity)?;
        statement.raw_bind_parameter(n + 4, &record.id)?;
        statement.raw_bind_parameter(n + 5, &record.data)?;
        statement.raw_bind_parameter(n + 6, &record.updated_at)?;
        statement.raw_bind_parameter(n + 7, &record.deleted_at)?;
    }
    let position: HashMap<&str, usize> = chunk
        .iter()
        .enumerate()
        .map(|(at, record)| (record.id.as_str(), at))
        .collect();
    let mut changed = Vec::with_capacity(chunk.len());
    let mut returned = statement.raw_query();
    while let Some(row) = returned.next()? {
        let seq: i64 = row.get(0)?;
        let id = row.get_ref(1)?.as_str().map_err(StoreError::bad_row)?;
        let at = *position
            .get(id)
            .ok_or_else(|| StoreError::bad_row(format!("unexpected record {id:?}")))?;
        changed.push(Changed { seq, at });
    }
    Ok(changed)
}

/// Indexes `rows` (ascending seqs) in one statement per [`CHUNK`].
fn index(
    tx: &rusqlite::Transaction<'_>,
    page: &[PreparedRecord],
    rows: &[Changed],
    scope: &str,
    verb: &str,
) -> Result<()> {
    for rows in rows.chunks(CHUNK) {
        let mut sql = String::with_capacity(60 + rows.len() * 8);
        sql.push_str(verb);
        sql.push_str(" INTO records_fts (rowid, scope, text) VALUES ");
        for i in 0..rows.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?)");
        }
        let mut statement = tx.prepare_cached(&sql)?;
        for (i, row) in rows.iter().enumerate() {
            let text = page.get(row.at).map_or("", |record| record.text.as_str());
            statement.raw_bind_parameter(3 * i + 1, row.seq)?;
            statement.raw_bind_parameter(3 * i + 2, scope)?;
            statement.raw_bind_parameter(3 * i + 3, text)?;
        }
        statement.raw_execute()?;
    }
    Ok(())
}

/// Where each upsert statement of a page ends: at most [`CHUNK`] rows, and a statement ends
/// before an id it already holds. One statement then returns at most one row per record, so
/// every returned row names the copy that was stored (a page that repeats an id, rare, is
/// written as the copies came, one statement after the other).
fn statement_ends(page: &[PreparedRecord]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut start = 0;
    let mut ids: HashSet<&str> = HashSet::with_capacity(page.len().min(CHUNK));
    for (at, record) in page.iter().enumerate() {
        if at - start == CHUNK || !ids.insert(record.id.as_str()) {
            ends.push(at);
            start = at;
            ids.clear();
            ids.insert(record.id.as_str());
        }
    }
    if start < page.len() {
        ends.push(page.len());
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> PreparedRecord {
        PreparedRecord {
            id: id.to_owned(),
            data: "{}".to_owned(),
            updated_at: None,
            deleted_at: None,
            text: String::new(),
        }
    }

    #[test]
    fn a_statement_ends_before_a_repeated_id_and_at_the_chunk_size() {
        let page: Vec<_> = ["a", "b", "a", "c", "c"].map(record).into();
        assert_eq!(statement_ends(&page), vec![2, 4, 5]);
        assert!(statement_ends(&[]).is_empty());
        let long: Vec<_> = (0..CHUNK + 3).map(|n| record(&n.to_string())).collect();
        assert_eq!(statement_ends(&long), vec![CHUNK, CHUNK + 3]);
    }
}
