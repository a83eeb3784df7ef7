//! The single writer: group commit.
//!
//! Handlers send their request here and wait on a oneshot. The writer takes everything that
//! queued up while the previous commit was on its way to disk, writes it in one IMMEDIATE
//! transaction, commits, and only then answers each handler. So a burst costs one commit (one
//! fsync with `Durability::Full`) per batch, and no handler answers 200 before its row is
//! durable. Being the only writer of requests also makes "is this id a duplicate?" race-free
//! inside the process; IMMEDIATE transactions make it race-free across processes.
//!
//! The writer runs on a blocking thread with its own synchronous SQLite connection, so a
//! batch is written without a hand-off per statement (see `insert.rs`); it waits for jobs and
//! for the stop signal through the runtime's handle.
//!
//! With `Durability::Full` the fsync is not part of the commit: the connection commits with
//! `synchronous=NORMAL` (in WAL mode: no sync) and hands the batch to the syncer thread, which
//! fsyncs the WAL file and only then answers. A commit is durable once its WAL frames are on
//! disk, and an fsync covers every write made before it, so an answered request survives a
//! power cut exactly as with `synchronous=FULL`; but the writer no longer holds the write lock
//! through the sync, and writes the next batch while the disk works. One sync then answers
//! every batch committed before it (group sync on top of group commit). Committed but not yet
//! answered rows may be lost to a power cut: their senders got no 200 and retry.

use crate::checkpoint::CheckpointRequests;
use crate::config::Durability;
use crate::error::InboxError;
use crate::intake_timing::IntakeCounters;
use crate::model::{CatchUpReport, InboxEvent, Processing, SignatureCheck, Source, WebhookSummary};
use crate::store::{self, format_time};
use chrono::{DateTime, Utc};
use desk_platform::event::Event;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use tokio::sync::{broadcast, mpsc, oneshot, watch, Notify};
use tokio::task::JoinHandle;

/// The catch-up cursor's key in `inbox_meta`.
pub const CATCHUP_CURSOR: &str = "catchup.last_event_id";

use crate::insert;
pub use crate::insert::{NewWebhook, Stored, StoredHeaders};

pub enum WriteJob {
    /// A request, and when its handler queued it.
    Webhook(
        Box<NewWebhook>,
        Instant,
        oneshot::Sender<Result<Stored, InboxError>>,
    ),
    /// Events fetched from the platform, and when they were fetched.
    CatchUp(
        Vec<Event>,
        DateTime<Utc>,
        oneshot::Sender<Result<CatchUpReport, InboxError>>,
    ),
}

enum JobResult {
    Webhook(Stored, WebhookSummary),
    CatchUp(CatchUpReport, Vec<WebhookSummary>),
}

pub struct WriterHandles {
    pub write_lock: store::WriteLock,
    pub checkpoints: CheckpointRequests,
    pub delivery: Delivery,
}

/// What answering a committed batch needs (the syncer thread has its own).
#[derive(Clone)]
pub struct Delivery {
    pub processor_wakeup: Arc<Notify>,
    pub tail: broadcast::Sender<InboxEvent>,
    pub timing: Arc<IntakeCounters>,
}

/// A committed batch: each job with its result, waiting for its answer.
struct Committed {
    at: Instant,
    jobs: Vec<(WriteJob, JobResult)>,
}

impl Committed {
    fn requests(&self) -> usize {
        self.jobs
            .iter()
            .filter(|(job, _)| matches!(job, WriteJob::Webhook(..)))
            .count()
    }
}

/// Starts the writer on a blocking thread; it runs until `stop` turns true, then stores what
/// is already queued and ends. Failures are answered to the waiting handlers (which answer
/// 500, so the sender retries) and logged; the writer keeps going.
///
/// `db` must commit without syncing (`Durability::Normal`); `wal` is its WAL file, synced
/// before answering when `durability` is `Full`.
pub fn spawn(
    db: Connection,
    jobs: mpsc::Receiver<WriteJob>,
    max_batch: usize,
    handles: WriterHandles,
    durability: Durability,
    wal: PathBuf,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let runtime = Handle::current();
    tokio::task::spawn_blocking(move || {
        let sync = match durability {
            Durability::Normal => None,
            Durability::Full => {
                let (to_syncer, committed) = std::sync::mpsc::channel();
                let delivery = handles.delivery.clone();
                let syncer = std::thread::Builder::new()
                    .name("inbox-wal-sync".to_owned())
                    .spawn(move || sync_then_answer(&wal, &committed, &delivery));
                match syncer {
                    Ok(thread) => Some((to_syncer, thread)),
                    Err(err) => {
                        // Answering after an inline sync keeps the promise, only slower.
                        tracing::error!(error = %err, "no WAL sync thread; syncing inline");
                        None
                    }
                }
            }
        };
        let inline_sync = durability == Durability::Full && sync.is_none();
        if inline_sync {
            if let Err(err) = db.pragma_update(None, "synchronous", "FULL") {
                tracing::error!(error = %err, "could not turn synchronous=FULL on");
            }
        }
        let to_syncer = sync.as_ref().map(|(sender, _)| sender.clone());
        run(runtime, db, jobs, max_batch, handles, to_syncer, stop);
        if let Some((sender, thread)) = sync {
            drop(sender);
            if thread.join().is_err() {
                tracing::error!("the WAL sync thread panicked");
            }
        }
    })
}

/// The syncer: takes every batch committed so far, fsyncs the WAL once, answers them all.
fn sync_then_answer(
    wal: &Path,
    committed: &std::sync::mpsc::Receiver<Committed>,
    delivery: &Delivery,
) {
    while let Ok(first) = committed.recv() {
        let mut batches = vec![first];
        batches.extend(committed.try_iter());
        let started = Instant::now();
        let synced = std::fs::OpenOptions::new()
            .write(true)
            .open(wal)
            .and_then(|file| file.sync_data());
        let syncing = started.elapsed();
        let (rows, disk_wait) = batches
            .iter()
            .fold((0, Duration::ZERO), |(rows, wait), batch| {
                let requests = batch.requests();
                let waited = started.saturating_duration_since(batch.at);
                (
                    rows + requests,
                    wait + waited * u32::try_from(requests).unwrap_or(u32::MAX),
                )
            });
        delivery.timing.synced(rows, disk_wait, syncing);
        for batch in batches {
            match &synced {
                Ok(()) => deliver(batch, delivery),
                Err(err) => {
                    tracing::error!(error = %err, "WAL sync failed; answering 500 to the batch");
                    fail(batch.jobs.into_iter().map(|(job, _)| job), &err.to_string());
                }
            }
        }
    }
    tracing::debug!("inbox WAL syncer stopped");
}

fn run(
    runtime: Handle,
    mut db: Connection,
    mut jobs: mpsc::Receiver<WriteJob>,
    max_batch: usize,
    mut handles: WriterHandles,
    to_syncer: Option<std::sync::mpsc::Sender<Committed>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut batch = Vec::with_capacity(max_batch);
    let mut stopping = false;
    loop {
        let next = if stopping {
            runtime.block_on(jobs.recv())
        } else {
            let received = runtime.block_on(async {
                tokio::select! {
                    job = jobs.recv() => Some(job),
                    _ = stop.wait_for(|stop| *stop) => None,
                }
            });
            match received {
                Some(job) => job,
                None => {
                    // Refuse new work, but store everything already handed to us.
                    stopping = true;
                    jobs.close();
                    continue;
                }
            }
        };
        let Some(first) = next else { break };
        batch.push(first);
        while batch.len() < max_batch.max(1) {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let size = batch.len();
        let taken = Instant::now();
        let queued = batch.iter().fold(Duration::ZERO, |queued, job| match job {
            WriteJob::Webhook(_, at, _) => queued + taken.saturating_duration_since(*at),
            WriteJob::CatchUp(..) => queued,
        });
        let written = {
            let _turn = handles.write_lock.blocking_lock();
            write_batch(&mut db, &batch)
        };
        match written {
            Ok(results) => {
                tracing::debug!(size, "group commit");
                handles.checkpoints.written(size);
                let committed = Committed {
                    at: Instant::now(),
                    jobs: batch.drain(..).zip(results).collect(),
                };
                handles
                    .delivery
                    .timing
                    .written(committed.requests(), queued, committed.at - taken);
                match &to_syncer {
                    None => deliver(committed, &handles.delivery),
                    Some(syncer) => {
                        if let Err(std::sync::mpsc::SendError(committed)) = syncer.send(committed) {
                            tracing::error!("the WAL sync thread is gone; answering 500");
                            fail(
                                committed.jobs.into_iter().map(|(job, _)| job),
                                "WAL sync stopped",
                            );
                        }
                    }
                }
            }
            Err(err) => {
                tracing::error!(error = %err, size, "group commit failed; answering 500 to the batch");
                fail(batch.drain(..), &err.to_string());
            }
        }
    }
    tracing::debug!("inbox writer stopped");
}

/// Answers a durable batch, publishes it to the live tail and wakes the processor.
fn deliver(committed: Committed, delivery: &Delivery) {
    let mut wake = false;
    for (job, result) in committed.jobs {
        match (job, result) {
            (WriteJob::Webhook(_, _, reply), JobResult::Webhook(stored, summary)) => {
                wake |= summary.processing == Processing::Pending;
                answer(reply, Ok(stored));
                publish(&delivery.tail, summary);
            }
            (WriteJob::CatchUp(_, _, reply), JobResult::CatchUp(report, summaries)) => {
                wake |= !summaries.is_empty();
                answer(reply, Ok(report));
                summaries
                    .into_iter()
                    .for_each(|summary| publish(&delivery.tail, summary));
            }
            _ => tracing::error!("writer results out of step with its jobs"),
        }
    }
    if wake {
        delivery.processor_wakeup.notify_one();
    }
}

/// Answers every job of a batch that was not stored (or not made durable) with the error.
fn fail(jobs: impl Iterator<Item = WriteJob>, message: &str) {
    for job in jobs {
        match job {
            WriteJob::Webhook(_, _, reply) => {
                answer(reply, Err(InboxError::Store(message.to_owned())))
            }
            WriteJob::CatchUp(_, _, reply) => {
                answer(reply, Err(InboxError::Store(message.to_owned())))
            }
        }
    }
}

fn answer<T>(reply: oneshot::Sender<T>, value: T) {
    if reply.send(value).is_err() {
        // The handler went away (client disconnected); the row is stored all the same and a
        // retry of the sender will be recognised as a duplicate.
        tracing::debug!("a stored request's handler was gone before its answer");
    }
}

fn publish(tail: &broadcast::Sender<InboxEvent>, webhook: WebhookSummary) {
    // No subscriber is the normal case when nobody is tailing.
    if tail.receiver_count() > 0 && tail.send(InboxEvent::Received { webhook }).is_err() {
        tracing::trace!("live tail subscriber left");
    }
}

fn write_batch(db: &mut Connection, batch: &[WriteJob]) -> Result<Vec<JobResult>, InboxError> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        results.push(match job {
            WriteJob::Webhook(webhook, _, _) => {
                let (stored, summary) = insert::insert(&tx, webhook)?;
                JobResult::Webhook(stored, summary)
            }
            WriteJob::CatchUp(events, fetched_at, _) => catch_up(&tx, events, *fetched_at)?,
        });
    }
    tx.commit()?;
    Ok(results)
}

/// Stores the fetched events not received yet and moves the catch-up cursor, in the same
/// transaction as the requests around it, so a webhook and its catch-up copy never both count
/// as first copies.
fn catch_up(
    db: &Transaction<'_>,
    events: &[Event],
    now: DateTime<Utc>,
) -> Result<JobResult, InboxError> {
    let mut report = CatchUpReport {
        stored: Vec::new(),
        already_received: Vec::new(),
        last_event_id: None,
    };
    let mut summaries = Vec::new();
    for event in events {
        report.last_event_id = Some(event.id.clone());
        if insert::first_copy(db, &event.id)?.is_some() {
            report.already_received.push(event.id.clone());
            continue;
        }
        let body = serde_json::to_vec(event)?;
        let webhook = NewWebhook {
            event_id: Some(event.id.clone()),
            source: Source::Catchup,
            profile: None,
            received_at: now,
            remote_addr: None,
            method: None,
            path: Some("/api/v1/events".to_owned()),
            headers: StoredHeaders::none(),
            body_size: i64::try_from(body.len()).unwrap_or(i64::MAX),
            body,
            body_truncated: false,
            scheme: None,
            signature: SignatureCheck::Valid,
            signature_reason: Some(
                "fetched from the platform's event log over its authenticated API; no signature"
                    .to_owned(),
            ),
            status: None,
            answer_reason: Some("stored by catch-up".to_owned()),
            accepted: true,
            event_type: Some(event.event_type.as_str().to_owned()),
            connection_id: event.connection_id.clone(),
            customer_id: event.customer_id.clone(),
            event_created_at: Some(format_time(event.created_at)),
            process_copies: false,
        };
        let (_, summary) = insert::insert(db, &webhook)?;
        report.stored.push(event.id.clone());
        summaries.push(summary);
    }
    if let Some(last) = &report.last_event_id {
        insert::meta_set(db, CATCHUP_CURSOR, last)?;
    }
    Ok(JobResult::CatchUp(report, summaries))
}
