//! The background work of a process that stays up (the window, `mdesk serve`): a sync of the
//! shown profile on an interval (the first at once, so a first start fills the mirror), and
//! status polling plus event catch-up (the fallback for webhooks that never arrive) on a
//! shorter one; alerts are detected after each of them (alerts::detect). A failed pass is logged and retried at the next tick.
//! The pulls that webhooks' record changes ask for run beside them ([`pulls`]).

pub mod pulls;

use crate::catch_up::EventCatchUp;
use crate::desk::Desk;
use crate::error::CoreError;
use crate::sync::{self, SyncRequest};
use std::future::Future;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct JobIntervals {
    /// Between syncs of the shown profile's records.
    pub sync: Duration,
    /// Between status polls and event catch-ups.
    pub poll: Duration,
}

impl Default for JobIntervals {
    fn default() -> Self {
        Self {
            sync: Duration::from_secs(15 * 60),
            poll: Duration::from_secs(5 * 60),
        }
    }
}

/// Runs the jobs until `shutdown` resolves.
pub async fn run(desk: &Desk, intervals: JobIntervals, shutdown: impl Future<Output = ()>) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = || {
        let mut stopped = stopped.clone();
        async move {
            if stopped.wait_for(|stop| *stop).await.is_err() {
                tracing::debug!("the jobs' stop signal was dropped; stopping");
            }
        }
    };
    let syncs = crate::periodic::every("sync", intervals.sync, until_stopped(), || async {
        let report = sync::sync(desk, SyncRequest::default()).await?;
        let session = desk.session(None).await?;
        let alerts = crate::alerts::Alerts::of(desk).await?;
        crate::alerts::detect::after_sync(&alerts, &session, &report).await?;
        tracing::info!(
            records = report.records(),
            failures = report.failures(),
            "background sync done"
        );
        Ok(())
    });
    let polls = crate::periodic::every("status poll", intervals.poll, until_stopped(), || {
        status_poll(desk)
    });
    let pulls = pulls::run(desk, until_stopped());
    let signal = async {
        shutdown.await;
        if stop.send(true).is_err() {
            tracing::debug!("the jobs had stopped already");
        }
    };
    tokio::join!(syncs, polls, pulls, signal);
}

/// What one status-poll pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusPollPass {
    /// No sync had listed the connections yet, or one was listing them: the pass left them to
    /// it (it still subscribed the inbox and caught up on events).
    pub left_to_sync: bool,
    /// Connections whose health changed and were written.
    pub changed: usize,
    /// Events stored by the catch-up.
    pub caught_up: usize,
}

/// One pass of the shorter interval: status polling (unless a sync has the connections, see
/// [`StatusPollPass::left_to_sync`]), alerts from what it saw, and event catch-up.
pub async fn status_poll(desk: &Desk) -> Result<StatusPollPass, CoreError> {
    let session = desk.session(None).await?;
    // Before the first sync and while a sync lists the connections (the first one of a
    // big account takes a minute), the poll would list them all a second time and write
    // every one it has not seen, without customers or the account: the sync's listing is
    // fresher and whole.
    let profile = session.profile.name.as_str();
    let never_synced = desk.mirror().credits(profile).await?.as_of.is_none();
    let left_to_sync = never_synced || desk.directory_syncs().is_running(profile);
    let changes = if left_to_sync {
        tracing::debug!(
            never_synced,
            "no sync has listed the connections yet, or one is listing them: this status poll leaves them to it"
        );
        Vec::new()
    } else {
        let crate::poll::PollPass {
            changes,
            connections,
        } = crate::poll::poll_pass(desk, &session).await?;
        // Alerts first: a failed catch-up below must not hold back what the poll saw.
        let alerts = crate::alerts::Alerts::of(desk).await?;
        crate::alerts::detect::after_poll(&alerts, &session, &connections).await?;
        if !changes.is_empty() {
            tracing::info!(
                changed = changes.len(),
                "status poll found changed connections"
            );
        }
        changes
    };
    crate::inspector_support::subscribe_inbox(desk, &session).await;
    let inbox = desk.inbox().await?.clone();
    if session.client.is_makini() {
        let events = crate::poll::derived_events(&changes, chrono::Utc::now());
        if !events.is_empty() {
            inbox.catch_up(events).await?;
        }
    }
    let summary = EventCatchUp::new(session.client.clone(), inbox)
        .run_once()
        .await?;
    if summary.stored > 0 {
        tracing::info!(stored = summary.stored, "caught up on missed events");
    }
    Ok(StatusPollPass {
        left_to_sync,
        changed: changes.len(),
        caught_up: summary.stored,
    })
}
