//! The platform's side of webhooks, beside what arrived: the engine's delivery log per
//! connection (attempts, status codes, next retry), resending failed deliveries from there, and
//! catching up from the platform's event log on demand (the UI asks on wake and resume).

use crate::catch_up::EventCatchUp;
use crate::desk::Desk;
use crate::platform::Platform;
use crate::CoreError;
use chrono::{DateTime, Utc};
use desk_client::{DeliveryFilter, DeliveryState, ListOptions, PlatformClient};
use desk_inbox::{ListFilter, PageOrder, WebhookSummary};
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The newest deliveries one view lists, and how many of them carry their attempt log.
const DELIVERIES_SHOWN: usize = 100;
const ATTEMPT_LOGS: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookDeliveriesRequest {
    pub profile: Option<String>,
    pub connection_id: Option<String>,
    /// Only failed ones.
    pub failed_only: bool,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DeliveryAttempt {
    pub attempt: i64,
    pub at: DateTime<Utc>,
    pub status: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

/// What the platform tried to deliver, as its log says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Delivery {
    pub id: String,
    pub event_id: String,
    pub connection_id: Option<String>,
    pub url: String,
    /// pending, succeeded or failed.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The attempt log, for the newest deliveries.
    #[serde(default)]
    pub attempt_log: Vec<DeliveryAttempt>,
    /// Whether this inbox holds the event (by webhook or catch-up).
    #[serde(default)]
    pub arrived: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DeliveriesView {
    /// Newest first.
    pub deliveries: Vec<Delivery>,
    /// What this inbox received for the connection, newest first (the same number at most).
    pub arrived: Vec<WebhookSummary>,
}

fn desk_client(platform: &Platform) -> Result<&PlatformClient, CoreError> {
    match platform {
        Platform::Desk(client) => Ok(client),
        Platform::Makini(_) => Err(CoreError::NotSupported(
            "Makini's API does not publish its webhook delivery log".into(),
        )),
    }
}

fn parse<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, CoreError> {
    serde_json::from_value(value).map_err(|err| {
        CoreError::Internal(format!("the platform's delivery does not parse: {err}"))
    })
}

async fn list_deliveries(
    client: &PlatformClient,
    connection_id: Option<String>,
    failed_only: bool,
) -> Result<Vec<Delivery>, CoreError> {
    let filter = DeliveryFilter {
        connection_id,
        state: failed_only.then_some(DeliveryState::Failed),
    };
    let values: Vec<serde_json::Value> = client
        .webhook_deliveries(filter, ListOptions::page_size(DELIVERIES_SHOWN as u32))
        .take(DELIVERIES_SHOWN)
        .try_collect()
        .await?;
    let mut deliveries = values
        .into_iter()
        .map(parse::<Delivery>)
        .collect::<Result<Vec<_>, _>>()?;
    deliveries.sort_by_key(|d| std::cmp::Reverse(d.created_at));
    Ok(deliveries)
}

pub async fn webhook_deliveries(
    desk: &Desk,
    request: WebhookDeliveriesRequest,
) -> Result<DeliveriesView, CoreError> {
    let session = desk.session(request.profile.as_deref()).await?;
    let client = desk_client(&session.client)?;
    let mut deliveries =
        list_deliveries(client, request.connection_id.clone(), request.failed_only).await?;
    for delivery in deliveries.iter_mut().take(ATTEMPT_LOGS) {
        let detail = client.webhook_delivery(&delivery.id).await?;
        if let Some(log) = detail.get("attempt_log").cloned() {
            delivery.attempt_log = parse(log)?;
        }
    }
    let inbox = desk.inbox().await?;
    for delivery in &mut deliveries {
        let filter = ListFilter {
            id: Some(delivery.event_id.clone()),
            ..ListFilter::default()
        };
        delivery.arrived = inbox
            .page(&filter, PageOrder::ReceivedNewest, 0, 1)
            .await?
            .total
            > 0;
    }
    let arrived = match &request.connection_id {
        Some(id) => {
            let filter = ListFilter {
                connection_id: Some(id.clone()),
                ..ListFilter::default()
            };
            inbox
                .page(
                    &filter,
                    PageOrder::ReceivedNewest,
                    0,
                    DELIVERIES_SHOWN as u32,
                )
                .await?
                .rows
                .into_iter()
                .map(|row| row.summary)
                .collect()
        }
        None => Vec::new(),
    };
    Ok(DeliveriesView {
        deliveries,
        arrived,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveriesResendRequest {
    pub profile: Option<String>,
    /// Deliveries to resend; empty: every failed one of `connection_id`.
    pub delivery_ids: Vec<String>,
    pub connection_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DeliveriesResent {
    /// The deliveries as the platform queued them again.
    pub resent: Vec<Delivery>,
}

pub async fn webhook_deliveries_resend(
    desk: &Desk,
    request: DeliveriesResendRequest,
) -> Result<DeliveriesResent, CoreError> {
    let session = desk.session(request.profile.as_deref()).await?;
    let client = desk_client(&session.client)?;
    let ids = if request.delivery_ids.is_empty() {
        let Some(connection) = request.connection_id else {
            return Err(CoreError::InvalidInput(
                "name the deliveries to resend, or a connection whose failed ones to resend".into(),
            ));
        };
        list_deliveries(client, Some(connection), true)
            .await?
            .into_iter()
            .map(|delivery| delivery.id)
            .collect()
    } else {
        request.delivery_ids
    };
    let resent = futures::stream::iter(ids)
        .then(|id| async move { parse::<Delivery>(client.resend_delivery(&id).await?) })
        .try_collect()
        .await?;
    Ok(DeliveriesResent { resent })
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct InboxCatchUpRequest {
    pub profile: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CaughtUp {
    /// Events the platform's log held that the inbox had not received.
    pub stored: u64,
    pub fetched: u64,
    pub caught_up_at: DateTime<Utc>,
}

/// Reads the platform's event log after the inbox's cursor now (what sleep or a closed app
/// missed); the inbox processes what was new.
pub async fn inbox_catch_up(
    desk: &Desk,
    request: InboxCatchUpRequest,
) -> Result<CaughtUp, CoreError> {
    let session = desk.session(request.profile.as_deref()).await?;
    let inbox = desk.inbox().await?.clone();
    let summary = EventCatchUp::new(session.client.clone(), inbox.clone())
        .run_once()
        .await?;
    let caught_up_at = inbox.caught_up_at().await?.unwrap_or_else(Utc::now);
    Ok(CaughtUp {
        stored: summary.stored as u64,
        fetched: summary.fetched as u64,
        caught_up_at,
    })
}
