//! Sending webhooks out: forwarding stored ones to a local URL (like `stripe listen
//! --forward-to`), and sending edited or test payloads, always signed (Standard Webhooks) with a
//! stable secret the caller keeps (in the vault), so the receiving code verifies as in
//! production.

use crate::error::InboxError;
use crate::inbox::Inbox;
use crate::inspector::resolve;
use crate::model::InboxEvent;
use desk_platform::event::Event;
use desk_platform::webhook_signature::WebhookKey;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

/// The platform's own delivery timeout.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of the receiver's answer is kept.
const ANSWER_PREVIEW: usize = 4096;

/// The answer to one signed POST.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendResult {
    pub url: String,
    pub id: String,
    pub status: u16,
    /// The beginning of the answer body.
    pub answer: String,
}

/// One forwarded webhook: sent (with the receiver's status) or not (with why).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForwardResult {
    pub seq: i64,
    pub id: Option<String>,
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// A client for sending webhooks: rustls, TLS 1.2 at least, 10 s timeout.
pub fn http_client() -> Result<reqwest::Client, InboxError> {
    reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .min_tls_version(reqwest::tls::Version::TLS_1_2)
        .build()
        .map_err(|err| InboxError::Send {
            url: String::new(),
            message: err.to_string(),
        })
}

/// POSTs `body` to `url` signed for event `id` at `now_unix` (Standard Webhooks headers).
pub async fn send_signed(
    client: &reqwest::Client,
    url: &str,
    key: &WebhookKey,
    id: &str,
    body: Vec<u8>,
    now_unix: i64,
) -> Result<SendResult, InboxError> {
    let signature = key.sign(id, now_unix, &body);
    let failed = |err: reqwest::Error| InboxError::Send {
        url: url.to_owned(),
        message: err.to_string(),
    };
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", now_unix.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(failed)?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await.map_err(failed)?;
    let preview = &bytes[..bytes.len().min(ANSWER_PREVIEW)];
    Ok(SendResult {
        url: url.to_owned(),
        id: id.to_owned(),
        status,
        answer: String::from_utf8_lossy(preview).into_owned(),
    })
}

/// Sends an event (a test event, or an edited payload parsed as one) signed to `url`.
pub async fn send_event(
    client: &reqwest::Client,
    url: &str,
    key: &WebhookKey,
    event: &Event,
    now_unix: i64,
) -> Result<SendResult, InboxError> {
    let body = serde_json::to_vec(event)?;
    send_signed(client, url, key, &event.id, body, now_unix).await
}

impl Inbox {
    /// Forwards stored, verified webhooks (named as in [`Inbox::show`]) to `url`, re-signed with
    /// `key`, keeping their ids so the receiver can deduplicate. One failure does not stop the
    /// others; each result says what happened.
    pub async fn forward(
        &self,
        keys: &[String],
        url: &str,
        key: &WebhookKey,
    ) -> Result<Vec<ForwardResult>, InboxError> {
        let client = http_client()?;
        let mut rows = Vec::with_capacity(keys.len());
        {
            let mut db = self.pool().acquire().await?;
            for name in keys {
                let row = resolve(&mut db, name).await?;
                if !row.accepted {
                    return Err(InboxError::Invalid(format!(
                        "#{} was not verified; only verified webhooks are forwarded (re-signing \
                         would vouch for it)",
                        row.seq
                    )));
                }
                rows.push(row);
            }
        }
        let mut results = Vec::with_capacity(rows.len());
        for row in rows {
            let id = row
                .event_id
                .clone()
                .unwrap_or_else(|| format!("fwd_{}", row.seq));
            let now = self.config().clock.now().timestamp();
            let result = send_signed(&client, url, key, &id, row.body, now).await;
            results.push(match result {
                Ok(sent) => ForwardResult {
                    seq: row.seq,
                    id: row.event_id,
                    status: Some(sent.status),
                    error: None,
                },
                Err(err) => ForwardResult {
                    seq: row.seq,
                    id: row.event_id,
                    status: None,
                    error: Some(err.to_string()),
                },
            });
        }
        Ok(results)
    }

    /// Forwards every verified, first-copy webhook received from now on to `url` until the
    /// inbox closes. Results are logged; the returned task can be aborted to stop.
    pub fn forward_live(&self, url: String, key: WebhookKey) -> JoinHandle<()> {
        let mut tail = self.subscribe();
        let inbox = self.clone();
        tokio::spawn(async move {
            loop {
                let webhook = match tail.recv().await {
                    Ok(InboxEvent::Received { webhook }) => webhook,
                    Ok(InboxEvent::Processed { .. }) => continue,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "live forward fell behind; webhooks not forwarded");
                        continue;
                    }
                    Err(RecvError::Closed) => break,
                };
                let first_verified = webhook.status == Some(200) && webhook.duplicate_of.is_none();
                if !first_verified {
                    continue;
                }
                match inbox.forward(&[webhook.seq.to_string()], &url, &key).await {
                    Ok(results) => {
                        for result in results {
                            tracing::info!(seq = result.seq, status = ?result.status, error = ?result.error, %url, "forwarded");
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, %url, "forward failed"),
                }
            }
        })
    }
}
