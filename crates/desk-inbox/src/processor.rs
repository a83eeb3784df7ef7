//! The processor: applies accepted webhooks in order of arrival, each at most once.
//!
//! Each batch runs in one IMMEDIATE transaction, each webhook in a savepoint of it: the
//! built-in connection-state change, the hooks, and the row's new processing state commit
//! together, so a webhook's effect on inbox.db and its `processed` mark cannot come apart
//! (a crash before the commit leaves it `pending`, and it is processed after the restart).
//! Claiming by `processing = 'pending'` inside IMMEDIATE transactions keeps two processes
//! (the server and a CLI replay) from processing the same webhook twice.

use crate::connection_state::{self, Application};
use crate::error::{ApplyError, InboxError};
use crate::makini::{self, RecordChange};
use crate::model::{InboxEvent, Processing, TestMark, WebhookSummary};
use crate::store::{format_time, WebhookRow, WEBHOOK_COLUMNS};
use desk_platform::clock::Clock;
use desk_platform::event::{Event, EventType};
use futures::future::BoxFuture;
use rusqlite::{params, Connection, TransactionBehavior};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::{broadcast, watch, Notify};

/// A hook that applies events elsewhere (the app's mirror, its alerts).
///
/// Called in arrival order, only for events the built-in applier did not find out of order,
/// while the inbox's transaction for that webhook is open: an error rolls the webhook back to
/// its previous state and records it `failed` with the error. Keep it quick (it holds the
/// inbox's write lock) and idempotent by event id: after a crash between the hook's own write
/// and the inbox's commit the webhook is processed again.
pub trait EventApplier: Send + Sync + 'static {
    /// Shown in front of the hook's errors.
    fn name(&self) -> &str;
    fn apply<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), ApplyError>>;

    /// Records a Makini-format webhook says changed (every copy of it: see [`RecordChange`]).
    /// The same rules as [`Self::apply`]: quick, and idempotent. Hooks that do not care need
    /// not implement it.
    fn apply_record_change<'a>(
        &'a self,
        change: &'a RecordChange,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        let _ = change;
        Box::pin(std::future::ready(Ok(())))
    }
}

/// Webhooks taken per transaction: big enough to amortise the commit, small enough that the
/// receiver's writer never waits long for the write lock.
const BATCH: i64 = 32;
/// A batch stops taking rows after this long (the rest stay pending for the next one): while
/// it holds the write lock the receiver's writer waits, and a full batch took ~11 ms, which
/// was the receiver's p99.
const BATCH_BUDGET: Duration = Duration::from_millis(2);

pub struct ProcessorContext {
    pub write_lock: crate::store::WriteLock,
    /// Requests handed to the writer and not answered yet.
    pub intake: Arc<AtomicUsize>,
    pub appliers: Vec<Arc<dyn EventApplier>>,
    pub clock: Arc<dyn Clock>,
    pub tail: broadcast::Sender<InboxEvent>,
}

struct Outcome {
    processing: Processing,
    out_of_order: bool,
    error: Option<String>,
    note: Option<String>,
}

/// The processor's own synchronous connection, used on a blocking thread (as the writer's is:
/// a hand-off to sqlx's thread per statement made a batch hold the write lock ~11 ms). The
/// background processor and explicit calls share it, one batch at a time.
#[derive(Clone)]
pub struct ProcessorDb(Arc<std::sync::Mutex<Connection>>);

impl ProcessorDb {
    pub fn new(db: Connection) -> Self {
        Self(Arc::new(std::sync::Mutex::new(db)))
    }
}

/// Runs until `stop` turns true; finishes the batch in hand first.
pub async fn run(
    db: ProcessorDb,
    context: Arc<ProcessorContext>,
    wakeup: Arc<Notify>,
    poll_interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            break;
        }
        match process_pending(&db, &context, Some(&stop)).await {
            Ok(count) if count > 0 => tracing::debug!(count, "processed webhooks"),
            Ok(_) => {}
            Err(err) => {
                // Rows stay pending and are retried; back off so a broken disk is not spun on.
                tracing::error!(error = %err, "processing batch failed; retrying shortly");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        tokio::select! {
            () = wakeup.notified() => {}
            () = tokio::time::sleep(poll_interval) => {}
            changed = stop.changed() => {
                if changed.is_err() { break; }
            }
        }
    }
    tracing::debug!("inbox processor stopped");
}

/// While requests wait for their answer, the background processor defers its next batch by
/// this much, up to `MAX_DEFERRALS` times in a row: answers come first during a burst, and
/// processing still makes progress under sustained load.
const DEFERRAL: Duration = Duration::from_millis(5);
const MAX_DEFERRALS: u32 = 20;

/// Processes every pending webhook, oldest first; returns how many. The background processor
/// passes its `stop` signal: it then lets requests waiting for their answer go first, and stops
/// between batches when asked, so closing never waits for a long backlog.
pub async fn process_pending(
    db: &ProcessorDb,
    context: &Arc<ProcessorContext>,
    stop: Option<&watch::Receiver<bool>>,
) -> Result<usize, InboxError> {
    let yield_to_intake = stop.is_some();
    let mut total = 0;
    loop {
        if stop.is_some_and(|stop| *stop.borrow()) {
            return Ok(total);
        }
        let mut deferrals = 0;
        while yield_to_intake
            && deferrals < MAX_DEFERRALS
            && context.intake.load(Ordering::Relaxed) > 0
        {
            tokio::time::sleep(DEFERRAL).await;
            deferrals += 1;
        }
        let done = process_batch(db, context).await?;
        if done.is_empty() {
            return Ok(total);
        }
        total += done.len();
        if context.tail.receiver_count() > 0 {
            for webhook in done {
                if context
                    .tail
                    .send(InboxEvent::Processed { webhook })
                    .is_err()
                {
                    tracing::trace!("live tail subscriber left");
                }
            }
        }
    }
}

async fn process_batch(
    db: &ProcessorDb,
    context: &Arc<ProcessorContext>,
) -> Result<Vec<WebhookSummary>, InboxError> {
    let db = db.clone();
    let context = Arc::clone(context);
    let runtime = Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut db =
            db.0.lock()
                .map_err(|_| InboxError::Store("a processing batch panicked".to_owned()))?;
        process_batch_blocking(&mut db, &context, &runtime)
    })
    .await
    .map_err(|err| InboxError::Store(format!("the processing task failed: {err}")))?
}

fn process_batch_blocking(
    db: &mut Connection,
    context: &ProcessorContext,
    runtime: &Handle,
) -> Result<Vec<WebhookSummary>, InboxError> {
    // A plain read first, so an idle inbox polling for work never takes the write lock.
    let any_pending: bool = db
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM webhooks WHERE processing = 'pending')")?
        .query_row([], |row| row.get(0))?;
    if !any_pending {
        return Ok(Vec::new());
    }
    let _turn = context.write_lock.blocking_lock();
    let mut tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let rows: Vec<WebhookRow> = {
        let sql = format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE processing = 'pending' ORDER BY seq LIMIT ?1"
        );
        let mut select = tx.prepare_cached(&sql)?;
        let rows = select.query_map([BATCH], WebhookRow::from_sync_row)?;
        rows.collect::<Result<_, _>>()?
    };
    let mut done = Vec::with_capacity(rows.len());
    let started = std::time::Instant::now();
    for row in rows {
        if !done.is_empty() && started.elapsed() > BATCH_BUDGET {
            break;
        }
        let mut savepoint = tx.savepoint()?;
        let outcome = match process_one(&savepoint, &row, context, runtime) {
            Ok(outcome) => {
                savepoint.commit()?;
                outcome
            }
            Err(err) => {
                savepoint.rollback()?;
                drop(savepoint);
                tracing::warn!(seq = row.seq, id = ?row.event_id, error = %err, "webhook processing failed");
                Outcome {
                    processing: Processing::Failed,
                    out_of_order: false,
                    error: Some(err.to_string()),
                    note: None,
                }
            }
        };
        let processed_at = context.clock.now();
        tx.prepare_cached(
            "UPDATE webhooks SET processing = ?1, out_of_order = ?2, error = ?3, note = ?4,
                attempts = attempts + 1, processed_at = ?5
             WHERE seq = ?6",
        )?
        .execute(params![
            outcome.processing.as_str(),
            outcome.out_of_order,
            outcome.error,
            outcome.note,
            format_time(processed_at),
            row.seq,
        ])?;
        let mut summary = row.summary()?;
        summary.processing = outcome.processing;
        summary.out_of_order = outcome.out_of_order;
        summary.error = outcome.error;
        summary.note = outcome.note;
        done.push(summary);
    }
    tx.commit()?;
    Ok(done)
}

fn process_one(
    db: &Connection,
    row: &WebhookRow,
    context: &ProcessorContext,
    runtime: &Handle,
) -> Result<Outcome, ApplyError> {
    let kind = row.event_type.as_deref().unwrap_or("");
    let legacy = serde_json::from_slice::<serde_json::Value>(&row.body)
        .ok()
        .filter(makini::is_legacy);
    if let Some(payload) = legacy {
        return apply_makini(row, &payload, context, runtime);
    }
    if EventType::parse(kind).is_none() {
        // Legacy Makini record events (assets.updated...) and types newer than this build.
        return Ok(skipped(format!("no applier for event type {kind:?}")));
    }
    let test = TestMark::of_stored(&row.headers);
    if test == Some(TestMark::Show) {
        return Ok(skipped(
            "a test event: shown here, applied to no connection, mirror or alert (send it with \
             --apply to apply it)"
                .to_owned(),
        ));
    }
    let mut event: Event = serde_json::from_slice(&row.body)
        .map_err(|err| ApplyError::new(format!("body is not a valid event: {err}")))?;
    if test == Some(TestMark::Apply) {
        // The timeline and alerts the appliers write then say it was a test.
        if let Some(data) = event.data.as_object_mut() {
            data.insert("test".to_owned(), serde_json::Value::Bool(true));
        }
    }
    let note = match connection_state::apply(db, &event)? {
        Application::OutOfOrder(note) => {
            return Ok(Outcome {
                processing: Processing::Skipped,
                out_of_order: true,
                error: None,
                note: Some(format!("out of order: {note}")),
            });
        }
        Application::Applied(note) | Application::NothingToApply(note) => note,
    };
    for applier in &context.appliers {
        runtime
            .block_on(applier.apply(&event))
            .map_err(|err| ApplyError::new(format!("{}: {err}", applier.name())))?;
    }
    let note = match test {
        Some(_) => format!("a test event, applied as asked: {note}"),
        None => note,
    };
    Ok(Outcome {
        processing: Processing::Processed,
        out_of_order: false,
        error: None,
        note: Some(note),
    })
}

fn skipped(note: String) -> Outcome {
    Outcome {
        processing: Processing::Skipped,
        out_of_order: false,
        error: None,
        note: Some(note),
    }
}

/// A Makini-format payload: a record change goes to the appliers; anything else names no state
/// to apply (a connection event carries only the connection's id) and is skipped, saying why.
fn apply_makini(
    row: &WebhookRow,
    payload: &serde_json::Value,
    context: &ProcessorContext,
    runtime: &Handle,
) -> Result<Outcome, ApplyError> {
    let Some(found) = makini::record_change(payload) else {
        let event = payload["event"].as_str().unwrap_or_default();
        return Ok(skipped(match EventType::parse(event) {
            Some(_) => format!(
                "a Makini-format {event:?}: it names only the connection, no state to apply; the \
                 status poll and the event catch-up bring the change"
            ),
            None => format!(
                "no applier for event type {event:?}: a Makini-format event that is not a record \
                 change (<entity>.<inserted|updated|deleted> with a list of ids)"
            ),
        }));
    };
    let Some(connection_id) = row.connection_id.clone() else {
        return Ok(skipped(format!(
            "a record change ({}) for no known connection: Makini's payload names none; send it \
             in the connection header (x-makini-connection unless configured) or as the \
             `connection` query parameter",
            found.event
        )));
    };
    if TestMark::of_stored(&row.headers) == Some(TestMark::Show) {
        return Ok(skipped(
            "a test event: shown here, handed to no applier (send it with --apply to apply it)"
                .to_owned(),
        ));
    }
    let change = found.with_connection(connection_id);
    for applier in &context.appliers {
        runtime
            .block_on(applier.apply_record_change(&change))
            .map_err(|err| ApplyError::new(format!("{}: {err}", applier.name())))?;
    }
    let mut note = format!(
        "{} {} {} of {}: handed to the appliers",
        change.ids.len(),
        change.entity,
        change.change.as_str(),
        change.connection_id
    );
    if let Some(first) = row.duplicate_of_seq {
        note = format!("same bytes as #{first}, processed again: {note}");
    }
    Ok(Outcome {
        processing: Processing::Processed,
        out_of_order: false,
        error: None,
        note: Some(note),
    })
}
