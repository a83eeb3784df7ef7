//! Catch-up: what the inbox missed while the app was closed, asleep or offline, pulled from the
//! platform's event log (`GET /api/v1/events?after=`) and processed like webhooks, deduplicated by
//! event id against what arrived by webhook. Run on an interval, it is also the polling fallback
//! for webhooks that never arrive.

use crate::platform::Platform;
use crate::CoreError;
use desk_client::{ClientError, EventFilter, ListOptions};
use desk_inbox::Inbox;
use desk_platform::ErrorCode;
use futures::StreamExt;
use std::future::Future;
use std::time::Duration;

/// Events are handed to the inbox a page at a time, so a long absence never holds them all.
const PAGE: usize = 500;

/// What one pass found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatchUpSummary {
    pub fetched: usize,
    pub stored: usize,
    pub already_received: usize,
    pub last_event_id: Option<String>,
    /// The platform no longer knew the last event seen (a reset store): the log was read again
    /// from its start, and deduplication kept only what was new.
    pub restarted: bool,
}

pub struct EventCatchUp {
    client: Platform,
    inbox: Inbox,
}

impl EventCatchUp {
    pub fn new(client: impl Into<Platform>, inbox: Inbox) -> Self {
        Self {
            client: client.into(),
            inbox,
        }
    }

    /// Pulls and stores every event after the inbox's cursor; the inbox processes them.
    /// A finished pass is noted in the inbox (the inspector shows when it last caught up).
    pub async fn run_once(&self) -> Result<CatchUpSummary, CoreError> {
        let summary = self.pass().await?;
        self.inbox.note_caught_up(chrono::Utc::now()).await?;
        Ok(summary)
    }

    async fn pass(&self) -> Result<CatchUpSummary, CoreError> {
        let after = self.inbox.catch_up_cursor().await?;
        match self.pull(after.clone()).await {
            Err(CoreError::Client(ClientError::Api {
                code: ErrorCode::NotFound,
                ..
            })) if after.is_some() => {
                tracing::warn!(after = ?after, "the platform does not know the last event seen; reading its log from the start");
                let mut summary = self.pull(None).await?;
                summary.restarted = true;
                Ok(summary)
            }
            other => other,
        }
    }

    async fn pull(&self, after: Option<String>) -> Result<CatchUpSummary, CoreError> {
        let mut summary = CatchUpSummary {
            last_event_id: after.clone(),
            ..CatchUpSummary::default()
        };
        let events = self.client.events(
            EventFilter {
                after,
                connection_id: None,
            },
            ListOptions::page_size(500),
        );
        let mut events = events.chunks(PAGE);
        while let Some(page) = events.next().await {
            let page = page.into_iter().collect::<Result<Vec<_>, _>>()?;
            summary.fetched += page.len();
            let report = self.inbox.catch_up(page).await?;
            summary.stored += report.stored.len();
            summary.already_received += report.already_received.len();
            if report.last_event_id.is_some() {
                summary.last_event_id = report.last_event_id;
            }
        }
        Ok(summary)
    }

    /// Catches up every `interval` until `shutdown` resolves; a failed pass is logged and retried
    /// at the next one (the platform may be unreachable for a while: that is the point).
    pub async fn run(&self, interval: Duration, shutdown: impl Future<Output = ()>) {
        crate::periodic::every("catch-up", interval, shutdown, || async {
            let summary = self.run_once().await?;
            if summary.stored > 0 {
                tracing::info!(stored = summary.stored, "caught up on missed events");
            }
            Ok(())
        })
        .await;
    }
}
