//! [`Inbox`]: one open inbox.db with its writer and processor tasks.

use crate::checkpoint;
use crate::config::{Durability, InboxConfig};
use crate::connection_state;
use crate::error::InboxError;
use crate::intake_timing::{IntakeCounters, IntakeTiming};
use crate::model::{CatchUpReport, ConnectionState, InboxEvent};
use crate::processor::{self, ProcessorContext, ProcessorDb};
use crate::search_index::{self, IndexerContext, SearchIndexDb};
use crate::store::{self, Opened};
use crate::writer::{self, NewWebhook, Stored, WriteJob, WriterHandles};
use desk_platform::event::Event;
use sqlx::SqlitePool;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::{broadcast, mpsc, oneshot, watch, Notify};
use tokio::task::JoinHandle;

/// An open inbox. Cheap to clone; every clone is the same inbox.
#[derive(Clone)]
pub struct Inbox {
    inner: Arc<Inner>,
}

struct Inner {
    config: InboxConfig,
    pool: SqlitePool,
    path: PathBuf,
    writer: mpsc::Sender<WriteJob>,
    tail: broadcast::Sender<InboxEvent>,
    processor: Arc<ProcessorContext>,
    processor_db: ProcessorDb,
    indexer: Arc<IndexerContext>,
    indexer_db: SearchIndexDb,
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    timing: Arc<IntakeCounters>,
}

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl Inbox {
    /// Opens `path` (a data folder, meaning `<folder>/inbox.db`, or the database file itself),
    /// migrates it, and starts the writer and (unless turned off) the processor, which first
    /// processes whatever was left pending by a previous run. Needs a Tokio runtime.
    pub async fn open(path: impl AsRef<Path>, config: InboxConfig) -> Result<Self, InboxError> {
        let Opened { pool, path } = store::open(path.as_ref(), config.durability).await?;
        let (writer_tx, writer_rx) = mpsc::channel(config.max_batch.max(1) * 4);
        let (tail, _) = broadcast::channel(config.tail_capacity.max(1));
        let (stop, stop_rx) = watch::channel(false);
        let wakeup = Arc::new(Notify::new());
        let write_lock = store::WriteLock::default();
        let processor = Arc::new(ProcessorContext {
            write_lock: write_lock.clone(),
            intake: Arc::new(AtomicUsize::new(0)),
            appliers: config.appliers.clone(),
            clock: config.clock.clone(),
            tail: tail.clone(),
        });
        let mut tasks = Vec::new();
        let timing = Arc::new(IntakeCounters::default());
        // The writer commits without syncing and syncs the WAL itself (see writer.rs).
        let writer_db = store::connect_sync(&path, Durability::Normal)?;
        let (checkpoints, checkpointer) = checkpoint::spawn(&path, config.durability)?;
        tasks.push(writer::spawn(
            writer_db,
            writer_rx,
            config.max_batch,
            WriterHandles {
                write_lock: write_lock.clone(),
                checkpoints,
                delivery: writer::Delivery {
                    processor_wakeup: wakeup.clone(),
                    tail: tail.clone(),
                    timing: timing.clone(),
                },
            },
            config.durability,
            store::wal_path(&path),
            stop_rx.clone(),
        ));
        // Ends after the writer, which owns its requests' side.
        tasks.push(checkpointer);
        let processor_db = ProcessorDb::new(store::connect_sync(&path, config.durability)?);
        let indexer = Arc::new(IndexerContext {
            write_lock: write_lock.clone(),
            intake: processor.intake.clone(),
        });
        // NORMAL: the index is rebuilt from the rows, and a batch lost with a power cut is lost
        // with its mark (one transaction), so it only costs syncs the disk has better uses for.
        let indexer_db = SearchIndexDb::new(store::connect_sync(&path, Durability::Normal)?);
        if config.background_processing {
            tasks.push(tokio::spawn(processor::run(
                processor_db.clone(),
                processor.clone(),
                wakeup,
                config.poll_interval,
                stop_rx.clone(),
            )));
            // The search index, from wherever it stopped (seq 0 for an inbox older than it).
            tasks.push(tokio::spawn(search_index::run(
                indexer_db.clone(),
                indexer.clone(),
                stop_rx,
            )));
        }
        tracing::info!(path = %path.display(), "inbox open");
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                pool,
                path,
                writer: writer_tx,
                tail,
                processor,
                processor_db,
                indexer,
                indexer_db,
                stop,
                tasks: Mutex::new(tasks),
                timing,
            }),
        })
    }

    /// Where requests' waits for their answers went since the inbox opened, stage by stage
    /// (`intake_timing.rs`); the bench prints it per run.
    pub fn intake_timing(&self) -> IntakeTiming {
        self.inner.timing.snapshot()
    }

    /// The database file in use.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    pub fn config(&self) -> &InboxConfig {
        &self.inner.config
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.inner.pool
    }

    pub(crate) fn write_lock(&self) -> &store::WriteLock {
        &self.inner.processor.write_lock
    }

    /// `POST /webhooks` and `POST /webhooks/{profile}`. Serve it with
    /// `into_make_service_with_connect_info::<SocketAddr>()` to record remote addresses.
    pub fn router(&self) -> axum::Router {
        crate::receiver::router(self.clone())
    }

    /// Serves the receiver on `listener` until `shutdown` completes, then lets in-flight
    /// requests finish (each answered only after it is stored) and closes the inbox.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), InboxError> {
        let service = self
            .router()
            .into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
        self.close().await;
        served.map_err(InboxError::Serve)
    }

    /// Live tail: everything stored and processed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<InboxEvent> {
        self.inner.tail.subscribe()
    }

    /// Stores queued requests, finishes the processing batch in hand, and stops the tasks.
    /// Later stores fail with [`InboxError::ShutDown`]. Idempotent.
    pub async fn close(&self) {
        self.inner.stop.send_replace(true);
        let tasks = match self.inner.tasks.lock() {
            Ok(mut tasks) => std::mem::take(&mut *tasks),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        for task in tasks {
            if let Err(err) = task.await {
                tracing::error!(error = %err, "inbox task ended abnormally");
            }
        }
        self.inner.pool.close().await;
    }

    /// Hands one request to the group-commit writer and waits until it is committed.
    pub(crate) async fn store(&self, webhook: NewWebhook) -> Result<Stored, InboxError> {
        // Counted while waiting, so the background processor lets answers go first. A guard,
        // because a handler whose client disconnects is dropped mid-await.
        let _waiting = IntakeGuard::enter(&self.inner.processor.intake);
        let (reply, answer) = oneshot::channel();
        let queued = Instant::now();
        self.inner
            .writer
            .send(WriteJob::Webhook(Box::new(webhook), queued, reply))
            .await
            .map_err(|_| InboxError::ShutDown)?;
        let answer = answer.await.map_err(|_| InboxError::ShutDown)?;
        self.inner.timing.answered(queued.elapsed());
        answer
    }

    /// Catch-up: stores the events fetched from `GET /api/v1/events?after=` that were not
    /// received yet (by webhook or an earlier catch-up), queues them for processing, and
    /// remembers the last event id. Pass the events in the platform's order.
    pub async fn catch_up(&self, events: Vec<Event>) -> Result<CatchUpReport, InboxError> {
        let (reply, answer) = oneshot::channel();
        let fetched_at = self.inner.config.clock.now();
        self.inner
            .writer
            .send(WriteJob::CatchUp(events, fetched_at, reply))
            .await
            .map_err(|_| InboxError::ShutDown)?;
        answer.await.map_err(|_| InboxError::ShutDown)?
    }

    /// The last event id catch-up has seen: pass it as `?after=`.
    pub async fn catch_up_cursor(&self) -> Result<Option<String>, InboxError> {
        let mut db = self.inner.pool.acquire().await?;
        store::meta_get(&mut db, writer::CATCHUP_CURSOR).await
    }

    /// Processes every pending webhook now (the background processor does the same on its
    /// own; the two take turns, a batch at a time). Safe next to another process's processor.
    /// Returns how many.
    pub async fn process_pending(&self) -> Result<usize, InboxError> {
        processor::process_pending(&self.inner.processor_db, &self.inner.processor, None).await
    }

    /// Indexes every webhook stored so far for the inspector's search, and returns how many
    /// it indexed. The background indexer does the same on its own (the two take turns, a
    /// batch at a time); the search is right either way (rows not indexed yet are scanned),
    /// this makes it fast now: after a bulk import, or in an inbox opened without background
    /// processing.
    pub async fn index_for_search(&self) -> Result<usize, InboxError> {
        search_index::index_pending(&self.inner.indexer_db, &self.inner.indexer, None).await
    }

    /// How many stored webhooks the search index does not cover yet (the background indexer
    /// brings it to 0 soon after a burst).
    pub async fn search_backlog(&self) -> Result<i64, InboxError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhooks
             WHERE seq > (SELECT indexed_upto FROM webhook_search_state)",
        )
        .fetch_one(&self.inner.pool)
        .await?)
    }

    pub async fn connection_state(
        &self,
        connection_id: &str,
    ) -> Result<Option<ConnectionState>, InboxError> {
        let mut db = self.inner.pool.acquire().await?;
        connection_state::get(&mut db, connection_id).await
    }

    /// Every connection the events mentioned, by id.
    pub async fn connection_states(&self) -> Result<Vec<ConnectionState>, InboxError> {
        let mut db = self.inner.pool.acquire().await?;
        connection_state::all(&mut db).await
    }
}

struct IntakeGuard<'a>(&'a AtomicUsize);

impl<'a> IntakeGuard<'a> {
    fn enter(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter)
    }
}

impl Drop for IntakeGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
