//! The engine's side of webhook delivery: what it sent to the app's inbox, and resends.
//!
//! Answers are JSON values: the delivery types live in desk-engine for now (see sandbox.rs).

use crate::admin::PlatformClient;
use crate::error::ClientError;
use crate::streams::ListOptions;
use crate::transport::Call;
use chrono::{DateTime, SecondsFormat, Utc};
use futures::Stream;
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Succeeded,
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

/// `GET /api/v1/webhooks/deliveries` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryFilter {
    pub connection_id: Option<String>,
    pub state: Option<DeliveryState>,
}

impl PlatformClient {
    pub fn webhook_deliveries(
        &self,
        filter: DeliveryFilter,
        options: ListOptions,
    ) -> impl Stream<Item = Result<Value, ClientError>> + Send + 'static {
        let mut extra = Vec::new();
        if let Some(id) = filter.connection_id {
            extra.push(("connection_id", id));
        }
        if let Some(state) = filter.state {
            extra.push(("state", state.as_str().to_owned()));
        }
        self.list(&["api", "v1", "webhooks", "deliveries"], extra, options)
    }

    /// One delivery with its `attempt_log`.
    pub async fn webhook_delivery(&self, id: &str) -> Result<Value, ClientError> {
        self.send(Call::get(vec!["api", "v1", "webhooks", "deliveries", id]))
            .await
    }

    /// Subscribes `url` to every event of the account (`events` empty) or to these types,
    /// signed with `secret` (`whsec_...`) or one the platform keeps: answers `{url, secret}`.
    pub async fn subscribe_webhooks(
        &self,
        url: &str,
        events: &[String],
        secret: Option<&str>,
    ) -> Result<Value, ClientError> {
        let body = json!({"url": url, "events": events, "secret": secret});
        let call = Call::new(
            reqwest::Method::PUT,
            vec!["api", "v1", "webhooks", "subscriptions"],
        );
        self.send(call.with_json(&body)?).await
    }

    /// Sends a delivery again, with the same `webhook-id`.
    pub async fn resend_delivery(&self, id: &str) -> Result<Value, ClientError> {
        self.send(Call::post(vec![
            "api",
            "v1",
            "webhooks",
            "deliveries",
            id,
            "resend",
        ]))
        .await
    }

    /// Resends every delivery that failed for good since `since`: answers `{"resent": n}`.
    pub async fn resend_failed_deliveries(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Value, ClientError> {
        let body = json!({"since": since.to_rfc3339_opts(SecondsFormat::Secs, true)});
        let call = Call::post(vec!["api", "v1", "webhooks", "deliveries", "resend"]);
        self.send(call.with_json(&body)?).await
    }
}
