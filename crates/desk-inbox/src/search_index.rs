//! The search index: fills `webhook_search` (FTS5, trigram, case-sensitive) and
//! `webhook_by_connection` (the connection filter's lookup) in the background with every
//! webhook past `webhook_search_state.indexed_upto`, a batch at a time.
//!
//! Nothing on the ingest path changes: the writer only inserts rows, and this task indexes them
//! later on its own connection, a batch per short IMMEDIATE transaction under the inbox's write
//! lock (like the processor: at most `BATCH` rows or `BATCH_BUDGET`; it waits while requests
//! wait for their answer). The search (`inspector::push_filters`) reads rows up to the mark
//! through the index and rows past it with `instr`, so results never depend on how far the
//! indexer got.
//!
//! Seqs are allocated inside IMMEDIATE transactions, so when a batch's transaction starts every
//! row at or below the highest seq is committed: the mark never passes a row still to come.
//! The searchable fields never change once stored, so an indexed row stays correct.

use crate::error::InboxError;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, TransactionBehavior};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Rows taken per transaction at most.
const BATCH: i64 = 256;
/// A batch stops taking rows after this long: it holds the write lock meanwhile.
const BATCH_BUDGET: Duration = Duration::from_millis(2);
/// How often an idle indexer looks for new rows (a plain read; the writer is not asked to
/// wake it, so its path stays as it was).
const POLL: Duration = Duration::from_millis(100);
/// While requests wait for their answer, the background indexer waits in steps of this much,
/// for as long as they keep coming: unlike processing, the index may wait for the end of a
/// burst (the search scans what it does not cover yet), so it never competes with the intake.
const DEFERRAL: Duration = Duration::from_millis(5);

/// The indexer's own synchronous connection; the background task and explicit calls share it.
#[derive(Clone)]
pub struct SearchIndexDb(Arc<std::sync::Mutex<Connection>>);

impl SearchIndexDb {
    pub fn new(db: Connection) -> Self {
        Self(Arc::new(std::sync::Mutex::new(db)))
    }
}

pub struct IndexerContext {
    pub write_lock: crate::store::WriteLock,
    /// Requests handed to the writer and not answered yet.
    pub intake: Arc<AtomicUsize>,
}

/// Whether `text` can be looked up in the index with the same answer as `instr`: the trigram
/// tokenizer needs 3 characters, reads U+FFFE and U+FFFF as U+FFFD, and a NUL is not safe in
/// a query string.
pub fn indexable_needle(text: &str) -> bool {
    text.chars().count() >= 3
        && !text
            .chars()
            .any(|c| matches!(c, '\0' | '\u{FFFD}' | '\u{FFFE}' | '\u{FFFF}'))
}

/// `text` as one FTS5 phrase: in double quotes, its own double quotes doubled.
pub fn phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Runs until `stop` turns true; finishes the batch in hand first.
pub async fn run(db: SearchIndexDb, context: Arc<IndexerContext>, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            break;
        }
        match index_pending(&db, &context, Some(&stop)).await {
            Ok(count) if count > 0 => tracing::debug!(count, "indexed webhooks for search"),
            Ok(_) => {}
            Err(err) => {
                // The search stays right (unindexed rows are scanned); try again later.
                tracing::error!(error = %err, "search indexing failed; retrying shortly");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            changed = stop.changed() => {
                if changed.is_err() { break; }
            }
        }
    }
    tracing::debug!("inbox search indexer stopped");
}

/// Indexes every row stored so far, a batch at a time; returns how many. The background task
/// passes its `stop`: it then defers to waiting requests and stops between batches when asked.
pub async fn index_pending(
    db: &SearchIndexDb,
    context: &Arc<IndexerContext>,
    stop: Option<&watch::Receiver<bool>>,
) -> Result<usize, InboxError> {
    let background = stop.is_some();
    let mut total = 0;
    loop {
        if stop.is_some_and(|stop| *stop.borrow()) {
            return Ok(total);
        }
        while background && context.intake.load(Ordering::Relaxed) > 0 {
            if stop.is_some_and(|stop| *stop.borrow()) {
                return Ok(total);
            }
            tokio::time::sleep(DEFERRAL).await;
        }
        let db = db.clone();
        let context = Arc::clone(context);
        let done = tokio::task::spawn_blocking(move || {
            let mut db =
                db.0.lock()
                    .map_err(|_| InboxError::Store("an indexing batch panicked".to_owned()))?;
            index_batch(&mut db, &context)
        })
        .await
        .map_err(|err| InboxError::Store(format!("the indexing task failed: {err}")))??;
        if done == 0 {
            return Ok(total);
        }
        total += done;
    }
}

/// Indexes the rows past the mark, oldest first, within the batch's limits; returns how many.
fn index_batch(db: &mut Connection, context: &IndexerContext) -> Result<usize, InboxError> {
    // A plain read first, so an idle inbox never takes the write lock.
    let behind: bool = db
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM webhooks
                WHERE seq > (SELECT indexed_upto FROM webhook_search_state))",
        )?
        .query_row([], |row| row.get(0))?;
    if !behind {
        return Ok(0);
    }
    let _turn = context.write_lock.blocking_lock();
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mark: i64 = tx
        .prepare_cached("SELECT indexed_upto FROM webhook_search_state")?
        .query_row([], |row| row.get(0))?;
    let started = Instant::now();
    let mut last = None;
    let mut count = 0;
    {
        let mut select = tx.prepare_cached(
            "SELECT seq, event_id, event_type, connection_id, body FROM webhooks
             WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO webhook_search (rowid, event_id, event_type, connection_id, body)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut raw =
            tx.prepare_cached("INSERT OR IGNORE INTO webhook_search_raw (seq) VALUES (?1)")?;
        let mut by_connection = tx.prepare_cached(
            "INSERT OR IGNORE INTO webhook_by_connection (connection_id, seq) VALUES (?1, ?2)",
        )?;
        let mut rows = select.query(params![mark, BATCH])?;
        while let Some(row) = rows.next()? {
            if count > 0 && started.elapsed() > BATCH_BUDGET {
                break;
            }
            let seq: i64 = row.get(0)?;
            let event_id: Option<String> = row.get(1)?;
            let event_type: Option<String> = row.get(2)?;
            let connection_id: Option<String> = row.get(3)?;
            let body: &[u8] = match row.get_ref(4)? {
                ValueRef::Blob(bytes) | ValueRef::Text(bytes) => bytes,
                _ => &[],
            };
            if let Some(connection_id) = &connection_id {
                by_connection.execute(params![connection_id, seq])?;
            }
            let fields = [&event_id, &event_type, &connection_id];
            match std::str::from_utf8(body) {
                Ok(body)
                    if !body.contains('\0')
                        && !fields.iter().any(|field| {
                            field.as_deref().is_some_and(|text| text.contains('\0'))
                        }) =>
                {
                    insert.execute(params![seq, event_id, event_type, connection_id, body])?;
                }
                _ => {
                    raw.execute([seq])?;
                }
            }
            last = Some(seq);
            count += 1;
        }
    }
    if let Some(last) = last {
        tx.prepare_cached("UPDATE webhook_search_state SET indexed_upto = ?1")?
            .execute([last])?;
    }
    tx.commit()?;
    Ok(count)
}
