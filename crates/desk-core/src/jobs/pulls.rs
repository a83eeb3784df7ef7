//! Pulls asked for by webhooks: a Makini-format record change (`inventories.updated` with ids)
//! reaches the mirror applier inside the inbox's write transaction, which must not wait on
//! HTTP. The applier only sends `(profile, connection, entity)` here; [`run`] collects what
//! arrives within [`COALESCE`] of the first request and runs one incremental sync per
//! connection (`desk_core::sync::sync` with `connection_id`), which emits the usual DeskEvents
//! and reports to the alerts like the background sync.

use crate::desk::Desk;
use crate::sync::{self, SyncRequest};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long requests are gathered after the first one: a sync run's payloads (one per entity
/// and change kind) arrive together and become one pull.
pub const COALESCE: Duration = Duration::from_millis(250);
/// How long a pull waits for a platform still pulling from the system (a webhook follows the
/// platform's own sync, so this is rarely waited).
const PLATFORM_WAIT: Duration = Duration::from_secs(10);

/// One connection's records to pull, as a webhook asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub profile: String,
    pub connection_id: String,
    /// Our entity name; the pull covers the whole connection, this says why it ran.
    pub entity: String,
}

/// Where appliers send [`PullRequest`]s; never waits.
#[derive(Debug, Clone)]
pub struct PullSender(mpsc::UnboundedSender<PullRequest>);

impl PullSender {
    /// Queues a pull. Without a runner in this process (a short CLI command that processes
    /// webhooks) the request is dropped, and the next sync brings the records.
    pub fn send(&self, request: PullRequest) {
        if let Err(err) = self.0.send(request) {
            tracing::debug!(request = ?err.0, "no pull runner in this process; the next sync brings the records");
        }
    }
}

/// The desk's queue of webhook-asked pulls: one sender for every applier, one receiver for the
/// runner.
#[derive(Debug)]
pub(crate) struct PullQueue {
    sender: PullSender,
    receiver: std::sync::Mutex<Option<mpsc::UnboundedReceiver<PullRequest>>>,
}

impl Default for PullQueue {
    fn default() -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        Self {
            sender: PullSender(sender),
            receiver: std::sync::Mutex::new(Some(receiver)),
        }
    }
}

impl PullQueue {
    pub(crate) fn sender(&self) -> PullSender {
        self.sender.clone()
    }

    fn take_receiver(&self) -> Option<mpsc::UnboundedReceiver<PullRequest>> {
        self.receiver
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

/// Runs the pulls webhooks ask for until `shutdown` resolves (a pull under way is dropped then;
/// a sync resumes where it stopped). One runner per desk: a second returns at once.
pub async fn run(desk: &Desk, shutdown: impl Future<Output = ()>) {
    let Some(mut requests) = desk.pull_queue().take_receiver() else {
        tracing::warn!("webhook pulls already run in this process");
        return;
    };
    tokio::pin!(shutdown);
    loop {
        let first = tokio::select! {
            () = &mut shutdown => return,
            request = requests.recv() => match request {
                Some(request) => request,
                None => return,
            },
        };
        let mut wanted = Wanted::default();
        wanted.add(first);
        let gathered = async {
            let window = tokio::time::sleep(COALESCE);
            tokio::pin!(window);
            loop {
                tokio::select! {
                    () = &mut window => return,
                    request = requests.recv() => match request {
                        Some(request) => wanted.add(request),
                        None => return,
                    },
                }
            }
        };
        tokio::select! {
            () = &mut shutdown => return,
            () = gathered => {}
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = pull_all(desk, wanted) => {}
        }
    }
}

/// Requests gathered in one window: entities by (profile, connection).
#[derive(Debug, Default)]
struct Wanted(BTreeMap<(String, String), BTreeSet<String>>);

impl Wanted {
    fn add(&mut self, request: PullRequest) {
        self.0
            .entry((request.profile, request.connection_id))
            .or_default()
            .insert(request.entity);
    }
}

async fn pull_all(desk: &Desk, wanted: Wanted) {
    for ((profile, connection_id), entities) in wanted.0 {
        let entities: Vec<String> = entities.into_iter().collect();
        match pull(desk, &profile, &connection_id).await {
            Ok(report) => tracing::info!(
                %profile,
                connection_id,
                ?entities,
                records = report.records(),
                failures = report.failures(),
                "webhook pull done"
            ),
            Err(err) => tracing::warn!(
                %profile,
                connection_id,
                ?entities,
                code = %err.code(),
                error = %err,
                "webhook pull failed; the next sync brings the records"
            ),
        }
    }
}

async fn pull(
    desk: &Desk,
    profile: &str,
    connection_id: &str,
) -> Result<sync::SyncReport, crate::CoreError> {
    let request = SyncRequest {
        profile: Some(profile.to_owned()),
        connection_id: Some(connection_id.to_owned()),
        platform_wait: PLATFORM_WAIT,
        ..SyncRequest::default()
    };
    let report = sync::sync(desk, request).await?;
    let session = desk.session(Some(profile)).await?;
    let alerts = crate::alerts::Alerts::of(desk).await?;
    crate::alerts::detect::after_sync(&alerts, &session, &report).await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_of_one_window_become_one_pull_per_connection() {
        let mut wanted = Wanted::default();
        for (connection, entity) in [("c1", "assets"), ("c2", "vendors"), ("c1", "work-orders")] {
            wanted.add(PullRequest {
                profile: "team".to_owned(),
                connection_id: connection.to_owned(),
                entity: entity.to_owned(),
            });
        }
        let pulls: Vec<_> = wanted.0.keys().map(|(_, c)| c.as_str()).collect();
        assert_eq!(pulls, ["c1", "c2"]);
        assert_eq!(wanted.0[&("team".to_owned(), "c1".to_owned())].len(), 2);
    }
}
