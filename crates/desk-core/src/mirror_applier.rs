//! Webhooks (and caught-up events) applied to the local mirror, so the connections overview
//! and the timeline move as soon as an event arrives, before the next sync.
//!
//! The inbox runs this after its own in-order guard: an event older than one already applied
//! to the same fields never reaches it. A failure here is recorded on the webhook as a
//! processing failure; the sender's answer does not change.
//!
//! A Makini-format record change (`inventories.updated` with ids) asks for an incremental pull
//! of its connection: sent to `jobs::pulls`, which runs it outside the inbox's write lock.

use crate::jobs::pulls::{PullRequest, PullSender};
use desk_inbox::{event_status, ApplyError, EventApplier, RecordChange};
use desk_platform::event::{Event, EventType};
use desk_store::{ConnectionPatch, Mirror, NextSync};
use futures::future::BoxFuture;

pub struct MirrorApplier {
    mirror: Mirror,
    profile: String,
    pulls: Option<PullSender>,
}

impl MirrorApplier {
    /// Applies events to the connections `profile` mirrors.
    pub fn new(mirror: Mirror, profile: impl Into<String>) -> Self {
        Self {
            mirror,
            profile: profile.into(),
            pulls: None,
        }
    }

    /// Record changes ask `pulls` for a pull of their connection (without: they change nothing
    /// here, and the next sync brings the records).
    pub fn with_pulls(self, pulls: PullSender) -> Self {
        Self {
            pulls: Some(pulls),
            ..self
        }
    }

    async fn apply_event(&self, event: &Event) -> Result<(), ApplyError> {
        let store_error = |err: desk_store::StoreError| ApplyError::new(err.to_string());
        self.mirror
            .record_events(&self.profile, std::slice::from_ref(event))
            .await
            .map_err(store_error)?;
        let Some(connection_id) = event.connection_id.as_deref() else {
            return Ok(());
        };
        let patch = match event.event_type {
            EventType::ConnectionCreated
            | EventType::ConnectionStatusChanged
            | EventType::ConnectionDisconnected => {
                let (status, online) = event_status(event)?;
                ConnectionPatch {
                    status: Some(status),
                    online: Some(online),
                    ..ConnectionPatch::default()
                }
            }
            EventType::ConnectionReauthorizationRequired => ConnectionPatch {
                reauthorization_required: Some(true),
                ..ConnectionPatch::default()
            },
            EventType::ConnectionReauthorized => ConnectionPatch {
                reauthorization_required: Some(false),
                ..ConnectionPatch::default()
            },
            EventType::SyncCompleted => ConnectionPatch {
                last_sync_at: Some(event.created_at),
                next_sync: next_sync(event),
                ..ConnectionPatch::default()
            },
            EventType::SyncFailed => match next_sync(event) {
                Some(next) => ConnectionPatch {
                    next_sync: Some(next),
                    ..ConnectionPatch::default()
                },
                None => return Ok(()),
            },
            EventType::SystemError | EventType::CreditsLow => return Ok(()),
        };
        let known = self
            .mirror
            .patch_connection(&self.profile, connection_id, &patch)
            .await
            .map_err(store_error)?;
        if !known {
            tracing::debug!(
                connection_id,
                "event for a connection the mirror does not hold yet; the next sync brings it"
            );
        }
        Ok(())
    }
}

/// The schedule a sync event carries (`data.next_sync_at`, from our engine): without it the
/// overview would show the schedule of the last listing, in the past once that sync ran.
/// Platforms that do not send it (Makini) leave the schedule to the next sync.
fn next_sync(event: &Event) -> Option<NextSync> {
    let text = event.data.get("next_sync_at")?.as_str()?;
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(at) => Some(NextSync {
            at: at.with_timezone(&chrono::Utc),
            as_of: event.created_at,
        }),
        Err(err) => {
            tracing::debug!(event_id = %event.id, text, %err, "next_sync_at is not a time; ignored");
            None
        }
    }
}

impl EventApplier for MirrorApplier {
    fn name(&self) -> &str {
        "mirror"
    }

    fn apply<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(self.apply_event(event))
    }

    fn apply_record_change<'a>(
        &'a self,
        change: &'a RecordChange,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        if let Some(pulls) = &self.pulls {
            pulls.send(PullRequest {
                profile: self.profile.clone(),
                connection_id: change.connection_id.clone(),
                entity: change.entity.clone(),
            });
        }
        Box::pin(std::future::ready(Ok(())))
    }
}
