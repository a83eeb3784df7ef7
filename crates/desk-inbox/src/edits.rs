//! Edit and resend: a stored webhook's body and headers, changed by the user, re-signed
//! (Standard Webhooks) with the caller's key and sent to a URL. The original never changes; the
//! edit is recorded beside it (`webhook_edits`), with the receiver's answer.

use crate::error::InboxError;
use crate::forward::{check_url, http_client};
use crate::inbox::Inbox;
use crate::inspector::resolve;
use crate::store::{format_time, parse_time};
use chrono::{DateTime, Utc};
use desk_platform::webhook_signature::WebhookKey;
use serde::{Deserialize, Serialize};

/// The header an edited resend carries: the arrival number of the webhook it was edited from.
pub const EDIT_OF_HEADER: &str = "x-mdesk-edit-of";

/// How much of the receiver's answer is kept.
const ANSWER_PREVIEW: usize = 4096;

/// Headers the sender computes itself: a user's value for them is dropped.
const COMPUTED: [&str; 6] = [
    "host",
    "content-length",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    EDIT_OF_HEADER,
];

/// What the user changed and where it goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The original, named as for [`Inbox::show`].
    pub original: String,
    pub body: String,
    /// Headers to send besides the signature's (case aside, the computed ones are replaced).
    pub headers: Vec<(String, String)>,
    pub url: String,
}

/// One recorded edited resend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct WebhookEdit {
    pub id: i64,
    pub original_seq: i64,
    pub sent_at: DateTime<Utc>,
    pub url: String,
    /// The `webhook-id` sent: the edited body's `id`, else the original's.
    pub event_id: String,
    /// Every header sent, the signature's included.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The receiver's status; `None` when it did not answer.
    pub status: Option<u16>,
    /// The beginning of the answer, or why nothing came back.
    pub answer: Option<String>,
    /// The copy this inbox stored, when it was sent here.
    pub resent_seq: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct EditRow {
    id: i64,
    original_seq: i64,
    sent_at: String,
    url: String,
    event_id: String,
    headers: String,
    body: Vec<u8>,
    status: Option<i64>,
    answer: Option<String>,
    resent_seq: Option<i64>,
}

impl EditRow {
    fn into_edit(self) -> Result<WebhookEdit, InboxError> {
        Ok(WebhookEdit {
            id: self.id,
            original_seq: self.original_seq,
            sent_at: parse_time(&self.sent_at)?,
            url: self.url,
            event_id: self.event_id,
            headers: serde_json::from_str(&self.headers)?,
            body: String::from_utf8_lossy(&self.body).into_owned(),
            status: self.status.and_then(|status| u16::try_from(status).ok()),
            answer: self.answer,
            resent_seq: self.resent_seq,
        })
    }
}

/// The headers to send: the user's, minus the computed ones, with a JSON content type unless
/// one was given, then the signature's and the edit marker.
fn outgoing_headers(
    edit: &Edit,
    original_seq: i64,
    id: &str,
    timestamp: i64,
    key: &WebhookKey,
) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = edit
        .headers
        .iter()
        .filter(|(name, _)| !COMPUTED.contains(&name.trim().to_ascii_lowercase().as_str()))
        .map(|(name, value)| (name.trim().to_owned(), value.clone()))
        .collect();
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
    {
        headers.push(("content-type".to_owned(), "application/json".to_owned()));
    }
    headers.push(("webhook-id".to_owned(), id.to_owned()));
    headers.push(("webhook-timestamp".to_owned(), timestamp.to_string()));
    headers.push((
        "webhook-signature".to_owned(),
        key.sign(id, timestamp, edit.body.as_bytes()),
    ));
    headers.push((EDIT_OF_HEADER.to_owned(), format!("#{original_seq}")));
    headers
}

impl Inbox {
    /// Sends `edit` signed with `key` and records it beside the original. A receiver that does
    /// not answer is recorded too (status `None`, the reason in `answer`), not an error.
    pub async fn resend_edited(
        &self,
        edit: &Edit,
        key: &WebhookKey,
    ) -> Result<WebhookEdit, InboxError> {
        check_url(&edit.url)?;
        let (original, newest_before) = {
            let mut db = self.pool().acquire().await?;
            let original = resolve(&mut db, &edit.original).await?;
            let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM webhooks")
                .fetch_one(&mut *db)
                .await?;
            (original, newest.unwrap_or(0))
        };
        let body_id = serde_json::from_str::<serde_json::Value>(&edit.body)
            .ok()
            .and_then(|json| json.get("id").and_then(|id| id.as_str()).map(str::to_owned));
        let id = body_id
            .or_else(|| original.event_id.clone())
            .unwrap_or_else(|| format!("edit_{}", original.seq));
        let now = self.config().clock.now();
        let headers = outgoing_headers(edit, original.seq, &id, now.timestamp(), key);
        let mut request = http_client()?.post(&edit.url);
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let (status, answer) = match request.body(edit.body.clone()).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let answer = match response.bytes().await {
                    Ok(bytes) => String::from_utf8_lossy(&bytes[..bytes.len().min(ANSWER_PREVIEW)])
                        .into_owned(),
                    Err(err) => format!("the answer could not be read: {err}"),
                };
                (Some(status), Some(answer))
            }
            Err(err) => (None, Some(format!("no answer from {}: {err}", edit.url))),
        };
        // Sent to this inbox: the copy it stored is the first request with that id since.
        let resent_seq: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(seq) FROM webhooks WHERE seq > ? AND event_id = ? AND instr(headers, ?) > 0",
        )
        .bind(newest_before)
        .bind(&id)
        .bind(EDIT_OF_HEADER)
        .fetch_one(self.pool())
        .await?;
        let _turn = self.write_lock().lock().await;
        let row: EditRow = sqlx::query_as(
            "INSERT INTO webhook_edits
                (original_seq, sent_at, url, event_id, headers, body, status, answer, resent_seq)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING id, original_seq, sent_at, url, event_id, headers, body, status, answer,
                resent_seq",
        )
        .bind(original.seq)
        .bind(format_time(now))
        .bind(&edit.url)
        .bind(&id)
        .bind(serde_json::to_string(&headers)?)
        .bind(edit.body.as_bytes())
        .bind(status.map(i64::from))
        .bind(answer)
        .bind(resent_seq)
        .fetch_one(self.pool())
        .await?;
        row.into_edit()
    }

    /// The edited resends of the webhook with arrival number `seq`, oldest first.
    pub async fn edits_of(&self, seq: i64) -> Result<Vec<WebhookEdit>, InboxError> {
        let rows: Vec<EditRow> = sqlx::query_as(
            "SELECT id, original_seq, sent_at, url, event_id, headers, body, status, answer,
                resent_seq
             FROM webhook_edits WHERE original_seq = ? ORDER BY id",
        )
        .bind(seq)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(EditRow::into_edit).collect()
    }
}
