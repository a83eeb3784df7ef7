//! WAL checkpoints off the write path.
//!
//! SQLite checkpoints inside the commit that pushes the WAL past `wal_autocheckpoint` pages: that
//! commit copies the WAL into the database and syncs both files while every request of its batch
//! waits for its answer (a checkpoint every few hundred webhooks, each several times a commit's
//! cost, set the receiver's p99 and a third of its average commit). This thread runs PASSIVE
//! checkpoints on its own connection when the writer says enough was written; PASSIVE never
//! blocks a writer, commits go on appending to the WAL while the copy runs.
//!
//! But SQLite starts the WAL over from its beginning only when a write begins with every frame
//! copied, which a checkpoint racing a busy writer never achieves: alone, this thread let the
//! WAL grow by every commit (43 MB for 3,000 webhooks, tests/inbox/wal.rs). So commits still
//! checkpoint, past `INLINE_AFTER_PAGES` instead of SQLite's 1,000: by then this thread has
//! copied nearly all of it, the commit copies the rest and syncs, and the WAL starts over.

use crate::config::Durability;
use crate::error::InboxError;
use std::path::Path;
use std::sync::mpsc;
use tokio::task::JoinHandle;

/// Rows written between checkpoint requests.
pub const ROWS_PER_CHECKPOINT: usize = 256;

/// The writer's and processor's `wal_autocheckpoint` (pages of 4 KiB: 16 MiB).
pub const INLINE_AFTER_PAGES: i64 = 4000;

/// The writer's side: asks for a checkpoint, never waits for one.
pub struct CheckpointRequests {
    wake: mpsc::SyncSender<()>,
    rows_since: usize,
}

impl CheckpointRequests {
    /// Counts `rows` just committed; past the threshold, wakes the checkpointer (a request
    /// already waiting covers this one).
    pub fn written(&mut self, rows: usize) {
        self.rows_since += rows;
        if self.rows_since >= ROWS_PER_CHECKPOINT {
            self.rows_since = 0;
            if let Err(mpsc::TrySendError::Disconnected(())) = self.wake.try_send(()) {
                tracing::warn!("the inbox's checkpointer is gone; the WAL grows until restart");
            }
        }
    }
}

/// Starts the checkpointer on a blocking thread. It ends when the requests' side is dropped
/// (the writer stopped), after a last checkpoint that truncates the WAL.
pub fn spawn(
    path: &Path,
    durability: Durability,
) -> Result<(CheckpointRequests, JoinHandle<()>), InboxError> {
    let db = crate::store::connect_sync(path, durability)?;
    let (wake, requests) = mpsc::sync_channel(1);
    let task = tokio::task::spawn_blocking(move || {
        while requests.recv().is_ok() {
            checkpoint(&db, "PASSIVE");
        }
        checkpoint(&db, "TRUNCATE");
        tracing::debug!("inbox checkpointer stopped");
    });
    Ok((
        CheckpointRequests {
            wake,
            rows_since: 0,
        },
        task,
    ))
}

fn checkpoint(db: &rusqlite::Connection, mode: &str) {
    let result = db.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
        ))
    });
    match result {
        Ok((busy, log, copied)) => tracing::trace!(mode, busy, log, copied, "wal checkpoint"),
        // The next request tries again; the data is safe in the WAL meanwhile.
        Err(err) => tracing::warn!(mode, error = %err, "wal checkpoint failed"),
    }
}
