//! Where a request's wait for its answer goes, stage by stage: counters the handlers, the writer
//! and the WAL syncer add to (a few relaxed atomic adds per batch and two per request), read
//! with [`crate::Inbox::intake_timing`].
//!
//! Every figure is summed per webhook (a batch's write counts once for each of its rows), so
//! the stages of a request add up to its whole wait: in the queue until the writer takes it,
//! its batch's write, waiting for the disk (a batch committed while a sync of earlier batches
//! is on its way waits for that one to end), its own sync, and the rest: the answer reaching
//! the handler's task and that task running again.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

#[derive(Default)]
pub(crate) struct IntakeCounters {
    batches: AtomicU64,
    rows: AtomicU64,
    syncs: AtomicU64,
    queued_ns: AtomicU64,
    writing_ns: AtomicU64,
    disk_wait_ns: AtomicU64,
    syncing_ns: AtomicU64,
    answers: AtomicU64,
    answer_wait_ns: AtomicU64,
}

fn nanos(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
}

impl IntakeCounters {
    /// A batch of `rows` webhooks that waited `queued` in all (summed over its rows) and took
    /// `writing` from the writer's first statement to its commit.
    pub(crate) fn written(&self, rows: usize, queued: Duration, writing: Duration) {
        let rows = rows as u64;
        self.batches.fetch_add(1, Relaxed);
        self.rows.fetch_add(rows, Relaxed);
        self.queued_ns.fetch_add(nanos(queued), Relaxed);
        self.writing_ns
            .fetch_add(nanos(writing).saturating_mul(rows), Relaxed);
    }

    /// One sync of the WAL, `syncing` long, that made `rows` webhooks durable; they had waited
    /// `disk_wait` in all (summed over them) between their commit and its start.
    pub(crate) fn synced(&self, rows: usize, disk_wait: Duration, syncing: Duration) {
        self.syncs.fetch_add(1, Relaxed);
        self.disk_wait_ns.fetch_add(nanos(disk_wait), Relaxed);
        self.syncing_ns
            .fetch_add(nanos(syncing).saturating_mul(rows as u64), Relaxed);
    }

    /// A handler got its answer `waited` after it handed its request to the writer.
    pub(crate) fn answered(&self, waited: Duration) {
        self.answers.fetch_add(1, Relaxed);
        self.answer_wait_ns.fetch_add(nanos(waited), Relaxed);
    }

    pub(crate) fn snapshot(&self) -> IntakeTiming {
        let read = |counter: &AtomicU64| counter.load(Relaxed);
        IntakeTiming {
            batches: read(&self.batches),
            rows: read(&self.rows),
            syncs: read(&self.syncs),
            queued: Duration::from_nanos(read(&self.queued_ns)),
            writing: Duration::from_nanos(read(&self.writing_ns)),
            disk_wait: Duration::from_nanos(read(&self.disk_wait_ns)),
            syncing: Duration::from_nanos(read(&self.syncing_ns)),
            answers: read(&self.answers),
            answer_wait: Duration::from_nanos(read(&self.answer_wait_ns)),
        }
    }
}

/// Totals since the inbox opened; [`IntakeTiming::since`] gives those of a period. Durations
/// are summed over webhooks (see the module's notes), so `writing / rows` is how long a webhook
/// waited for its batch to be written, on average.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntakeTiming {
    /// Group commits of requests (catch-up's are not counted).
    pub batches: u64,
    /// Requests written.
    pub rows: u64,
    /// Syncs of the WAL (`Durability::Full`; none with `Normal`).
    pub syncs: u64,
    pub queued: Duration,
    pub writing: Duration,
    pub disk_wait: Duration,
    pub syncing: Duration,
    /// Handlers that got an answer, and how long they waited in all.
    pub answers: u64,
    pub answer_wait: Duration,
}

impl IntakeTiming {
    /// What happened between `earlier` and this.
    pub fn since(&self, earlier: &Self) -> Self {
        Self {
            batches: self.batches.saturating_sub(earlier.batches),
            rows: self.rows.saturating_sub(earlier.rows),
            syncs: self.syncs.saturating_sub(earlier.syncs),
            queued: self.queued.saturating_sub(earlier.queued),
            writing: self.writing.saturating_sub(earlier.writing),
            disk_wait: self.disk_wait.saturating_sub(earlier.disk_wait),
            syncing: self.syncing.saturating_sub(earlier.syncing),
            answers: self.answers.saturating_sub(earlier.answers),
            answer_wait: self.answer_wait.saturating_sub(earlier.answer_wait),
        }
    }

    pub fn rows_per_batch(&self) -> f64 {
        self.rows as f64 / self.batches.max(1) as f64
    }

    /// A stage's average per webhook.
    pub fn per_row(&self, stage: Duration) -> Duration {
        stage / u32::try_from(self.rows.max(1)).unwrap_or(u32::MAX)
    }

    /// The average wait of a handler for its answer.
    pub fn answer_wait_per_answer(&self) -> Duration {
        self.answer_wait / u32::try_from(self.answers.max(1)).unwrap_or(u32::MAX)
    }

    /// The part of the average wait that is none of the counted stages: the answer's way back
    /// to the handler's task and that task being run again.
    pub fn answering_per_row(&self) -> Duration {
        let stages = self.queued + self.writing + self.disk_wait + self.syncing;
        self.answer_wait_per_answer()
            .saturating_sub(self.per_row(stages))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_summed_per_webhook_and_periods_subtract() {
        let counters = IntakeCounters::default();
        counters.written(4, Duration::from_micros(400), Duration::from_micros(100));
        counters.synced(4, Duration::from_micros(200), Duration::from_micros(300));
        for _ in 0..4 {
            counters.answered(Duration::from_micros(700));
        }
        let first = counters.snapshot();
        assert_eq!(first.rows_per_batch(), 4.0);
        assert_eq!(first.per_row(first.queued), Duration::from_micros(100));
        assert_eq!(first.per_row(first.writing), Duration::from_micros(100));
        assert_eq!(first.per_row(first.disk_wait), Duration::from_micros(50));
        assert_eq!(first.per_row(first.syncing), Duration::from_micros(300));
        assert_eq!(first.answering_per_row(), Duration::from_micros(150));

        counters.written(2, Duration::from_micros(20), Duration::from_micros(50));
        let period = counters.snapshot().since(&first);
        assert_eq!((period.batches, period.rows, period.syncs), (1, 2, 0));
        assert_eq!(period.writing, Duration::from_micros(100));
        assert_eq!(period.answers, 0);
    }
}
