//! Sending webhooks out: forwarding stored ones to a local URL (like `stripe listen
//! --forward-to`), and sending edited or test payloads, always signed (Standard Webhooks) with a
//! stable secret the caller keeps (in the vault), so the receiving code verifies as in
//! production.

use crate::error::InboxError;
use crate::inbox::Inbox;
use crate::inspector::resolve;
use crate::model::{InboxEvent, TestMark, TEST_HEADER};
use desk_platform::event::Event;
use desk_platform::webhook_signature::WebhookKey;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

/// How many stored webhooks one watch pass looks at; the next pass goes on from there.
const WATCH_BATCH: i64 = 200;

/// The platform's own delivery timeout.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of the receiver's answer is kept.
const ANSWER_PREVIEW: usize = 4096;

/// The answer to one signed POST.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SendResult {
    pub url: String,
    pub id: String,
    pub status: u16,
    /// The beginning of the answer body.
    pub answer: String,
}

/// One forwarded webhook: sent (with the receiver's status) or not (with why).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ForwardResult {
    pub seq: i64,
    pub id: Option<String>,
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// What a forward watcher did with one stored webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum WatchOutcome {
    /// Sent; the receiver answered `status`.
    Forwarded { status: u16 },
    /// Not forwarded, and never will be by this watcher: why.
    Skipped { reason: String },
}

/// One stored webhook a watch pass handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watched {
    pub seq: i64,
    pub id: Option<String>,
    #[serde(flatten)]
    pub outcome: WatchOutcome,
}

/// What one [`Inbox::forward_watch_pass`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WatchPass {
    /// Handled in arrival order; the watcher's position is past each of them.
    pub handled: Vec<Watched>,
    /// A verified webhook that could not be sent (no answer): the watcher's position stays
    /// before it, and the next pass tries it again, so nothing verified is dropped.
    pub held_back: Option<HeldBack>,
}

/// The verified webhook a pass stopped at, and why it could not be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldBack {
    pub seq: i64,
    pub id: Option<String>,
    pub error: String,
}

/// The key in `inbox_meta` of a watcher's position (the last arrival number it handled); one
/// per receiving URL, so a restarted watcher resumes where it stopped.
fn watch_key(url: &str) -> String {
    format!("forward_watch:{url}")
}

/// Why a stored webhook is not forwarded by a watcher, or `None` when it is.
fn skip_reason(row: &crate::store::WebhookRow) -> Option<String> {
    if let Some(first) = row.duplicate_of_seq {
        return Some(format!(
            "a duplicate of #{first}, which was handled already"
        ));
    }
    if row.accepted {
        return None;
    }
    let answered = row.status.map_or_else(
        || "not answered".to_owned(),
        |status| format!("answered {status}"),
    );
    let why = row
        .answer_reason
        .as_deref()
        .or(row.signature_reason.as_deref())
        .unwrap_or(row.signature.as_str());
    Some(format!(
        "not verified ({answered}: {why}); only verified webhooks are forwarded"
    ))
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

/// A receiving URL must be an absolute http(s) URL; anything else is named in the error
/// (reqwest would only say "builder error").
pub fn check_url(url: &str) -> Result<(), InboxError> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => Ok(()),
        Ok(_) => Err(InboxError::Invalid(format!(
            "{url:?} is not an http(s) URL like http://127.0.0.1:3000/webhooks"
        ))),
        Err(err) => Err(InboxError::Invalid(format!(
            "{url:?} is not a URL like http://127.0.0.1:3000/webhooks ({err})"
        ))),
    }
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
    post_signed(client, url, key, id, body, now_unix, None).await
}

/// [`send_signed`], with the test mark's header when `test` says so.
async fn post_signed(
    client: &reqwest::Client,
    url: &str,
    key: &WebhookKey,
    id: &str,
    body: Vec<u8>,
    now_unix: i64,
    test: Option<TestMark>,
) -> Result<SendResult, InboxError> {
    check_url(url)?;
    let signature = key.sign(id, now_unix, &body);
    let failed = |err: reqwest::Error| InboxError::Send {
        url: url.to_owned(),
        message: err.to_string(),
    };
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", now_unix.to_string())
        .header("webhook-signature", signature);
    if let Some(mark) = test {
        request = request.header(TEST_HEADER, mark.header_value());
    }
    let response = request.body(body).send().await.map_err(failed)?;
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

/// Sends a test event signed to `url`, marked as a test ([`TEST_HEADER`]): an inbox shows it
/// and applies it to nothing, unless `mark` is [`TestMark::Apply`].
pub async fn send_test_event(
    client: &reqwest::Client,
    url: &str,
    key: &WebhookKey,
    event: &Event,
    now_unix: i64,
    mark: TestMark,
) -> Result<SendResult, InboxError> {
    let body = serde_json::to_vec(event)?;
    post_signed(client, url, key, &event.id, body, now_unix, Some(mark)).await
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
        check_url(url)?;
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

    /// One pass of a forward watcher to `url`: every webhook stored after the watcher's
    /// position, oldest first. Verified first copies are re-signed with `key` and sent; the
    /// others are skipped with their reason; the position (kept in the inbox, per URL) moves
    /// past each one handled. A verified webhook that gets no answer stops the pass and is
    /// retried by the next, so nothing verified is dropped and order is kept. The first pass
    /// for a URL starts after the newest webhook stored at that moment.
    pub async fn forward_watch_pass(
        &self,
        url: &str,
        key: &WebhookKey,
    ) -> Result<WatchPass, InboxError> {
        check_url(url)?;
        let client = http_client()?;
        let meta_key = watch_key(url);
        let mut db = self.pool().acquire().await?;
        let mut position = match crate::store::meta_get(&mut db, &meta_key).await? {
            Some(text) => text
                .parse::<i64>()
                .map_err(|_| InboxError::Corrupt(format!("forward position {text:?} for {url}")))?,
            None => {
                let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM webhooks")
                    .fetch_one(&mut *db)
                    .await?;
                let newest = newest.unwrap_or(0);
                self.save_watch_position(&mut db, &meta_key, newest).await?;
                return Ok(WatchPass::default());
            }
        };
        let sql = format!(
            "SELECT {} FROM webhooks WHERE seq > ? ORDER BY seq LIMIT ?",
            crate::store::WEBHOOK_COLUMNS
        );
        let rows: Vec<crate::store::WebhookRow> = sqlx::query_as(&sql)
            .bind(position)
            .bind(WATCH_BATCH)
            .fetch_all(&mut *db)
            .await?;
        let mut pass = WatchPass::default();
        for row in rows {
            let outcome = match skip_reason(&row) {
                Some(reason) => WatchOutcome::Skipped { reason },
                None => {
                    let id = row
                        .event_id
                        .clone()
                        .unwrap_or_else(|| format!("fwd_{}", row.seq));
                    let now = self.config().clock.now().timestamp();
                    match send_signed(&client, url, key, &id, row.body.clone(), now).await {
                        Ok(sent) => WatchOutcome::Forwarded {
                            status: sent.status,
                        },
                        Err(err) => {
                            pass.held_back = Some(HeldBack {
                                seq: row.seq,
                                id: row.event_id,
                                error: err.to_string(),
                            });
                            break;
                        }
                    }
                }
            };
            position = row.seq;
            self.save_watch_position(&mut db, &meta_key, position)
                .await?;
            pass.handled.push(Watched {
                seq: row.seq,
                id: row.event_id,
                outcome,
            });
        }
        Ok(pass)
    }

    async fn save_watch_position(
        &self,
        db: &mut sqlx::SqliteConnection,
        meta_key: &str,
        seq: i64,
    ) -> Result<(), InboxError> {
        let _turn = self.write_lock().lock().await;
        sqlx::query(
            "INSERT INTO inbox_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .bind(meta_key)
        .bind(seq.to_string())
        .execute(&mut *db)
        .await?;
        Ok(())
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
