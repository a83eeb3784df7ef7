//! Inserting stored requests, many per statement.
//!
//! Per-statement overhead (a round trip to sqlx's SQLite worker thread) dominated the write
//! path when each request took its own SELECT and INSERT. A batch now costs three statements:
//! the next arrival number, the first copies of the batch's ids, and one multi-row INSERT with
//! arrival numbers assigned here. That is safe because inserts happen only inside an IMMEDIATE
//! transaction, which no other writer (in any process) can interleave with.

use crate::error::InboxError;
use crate::model::{Processing, SignatureCheck, Source, WebhookSummary};
use crate::store::format_time;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::collections::HashMap;

/// Rows per INSERT: 25 columns each stays far below SQLite's 32766 bound parameters.
const ROWS_PER_STATEMENT: usize = 512;

/// One request (or fetched event) to store.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub event_id: Option<String>,
    pub source: Source,
    pub profile: Option<String>,
    pub received_at: DateTime<Utc>,
    pub remote_addr: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub body_size: i64,
    pub body_truncated: bool,
    pub scheme: Option<&'static str>,
    pub signature: SignatureCheck,
    pub signature_reason: Option<String>,
    pub status: Option<u16>,
    pub answer_reason: Option<String>,
    pub accepted: bool,
    pub event_type: Option<String>,
    pub connection_id: Option<String>,
    pub customer_id: Option<String>,
    pub event_created_at: Option<String>,
}

/// Where a stored request ended up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub seq: i64,
    /// `(seq, id)` of the first copy when this one is a duplicate.
    pub duplicate_of: Option<(i64, String)>,
}

struct Planned {
    seq: i64,
    first: Option<(i64, String)>,
    processing: Processing,
    note: Option<String>,
    headers: String,
    received_at: String,
}

/// Inserts requests in order; a verified request whose id was already accepted (before or
/// earlier in this batch) is a duplicate of that first copy.
pub async fn insert_many(
    db: &mut SqliteConnection,
    webhooks: &[&NewWebhook],
) -> Result<Vec<(Stored, WebhookSummary)>, InboxError> {
    let mut done = Vec::with_capacity(webhooks.len());
    for chunk in webhooks.chunks(ROWS_PER_STATEMENT) {
        done.extend(insert_chunk(db, chunk).await?);
    }
    Ok(done)
}

async fn insert_chunk(
    db: &mut SqliteConnection,
    webhooks: &[&NewWebhook],
) -> Result<Vec<(Stored, WebhookSummary)>, InboxError> {
    // AUTOINCREMENT never reuses a number, even of a deleted row: honour sqlite_sequence.
    let last_seq: i64 = sqlx::query_scalar(
        "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'webhooks'), 0),
                    COALESCE((SELECT MAX(seq) FROM webhooks), 0))",
    )
    .fetch_one(&mut *db)
    .await?;
    let mut first_copies = existing_first_copies(db, webhooks).await?;
    let mut plans = Vec::with_capacity(webhooks.len());
    for (offset, webhook) in (1_i64..).zip(webhooks) {
        let seq = last_seq + offset;
        let first = match (&webhook.event_id, webhook.accepted) {
            (Some(id), true) => match first_copies.get(id) {
                Some(first) => Some((*first, id.clone())),
                None => {
                    first_copies.insert(id.clone(), seq);
                    None
                }
            },
            _ => None,
        };
        let (processing, note) = match (&first, webhook.accepted) {
            (Some((first, _)), _) => (
                Processing::Skipped,
                Some(format!("duplicate of #{first}, which is processed once")),
            ),
            (None, true) => (Processing::Pending, None),
            (None, false) => (
                Processing::Skipped,
                Some(format!(
                    "never processed: answered {}",
                    webhook
                        .status
                        .map_or("nothing".to_owned(), |status| status.to_string())
                )),
            ),
        };
        plans.push(Planned {
            seq,
            first,
            processing,
            note,
            headers: serde_json::to_string(&webhook.headers)?,
            received_at: format_time(webhook.received_at),
        });
    }
    let mut insert: QueryBuilder<'_, Sqlite> = QueryBuilder::new(
        "INSERT INTO webhooks (seq, event_id, source, profile, received_at, remote_addr, method,
            path, headers, body, body_size, body_truncated, scheme, signature, signature_reason,
            status, answer_reason, accepted, event_type, connection_id, customer_id,
            event_created_at, duplicate_of_seq, duplicate_of, processing, note) ",
    );
    insert.push_values(webhooks.iter().zip(&plans), |mut row, (webhook, plan)| {
        row.push_bind(plan.seq)
            .push_bind(webhook.event_id.as_deref())
            .push_bind(webhook.source.as_str())
            .push_bind(webhook.profile.as_deref())
            .push_bind(plan.received_at.as_str())
            .push_bind(webhook.remote_addr.as_deref())
            .push_bind(webhook.method.as_deref())
            .push_bind(webhook.path.as_deref())
            .push_bind(plan.headers.as_str())
            .push_bind(webhook.body.as_slice())
            .push_bind(webhook.body_size)
            .push_bind(webhook.body_truncated)
            .push_bind(webhook.scheme)
            .push_bind(webhook.signature.as_str())
            .push_bind(webhook.signature_reason.as_deref())
            .push_bind(webhook.status.map(i64::from))
            .push_bind(webhook.answer_reason.as_deref())
            .push_bind(webhook.accepted)
            .push_bind(webhook.event_type.as_deref())
            .push_bind(webhook.connection_id.as_deref())
            .push_bind(webhook.customer_id.as_deref())
            .push_bind(webhook.event_created_at.as_deref())
            .push_bind(plan.first.as_ref().map(|(seq, _)| *seq))
            .push_bind(plan.first.as_ref().map(|(_, id)| id.as_str()))
            .push_bind(plan.processing.as_str())
            .push_bind(plan.note.as_deref());
    });
    insert.build().execute(&mut *db).await?;
    Ok(webhooks
        .iter()
        .zip(plans)
        .map(|(webhook, plan)| {
            let summary = WebhookSummary {
                id: webhook.event_id.clone(),
                received_at: webhook.received_at,
                event_type: webhook.event_type.clone(),
                connection_id: webhook.connection_id.clone(),
                signature: webhook.signature,
                duplicate_of: plan.first.as_ref().map(|(_, id)| id.clone()),
                out_of_order: false,
                processing: plan.processing,
                error: None,
                seq: plan.seq,
                status: webhook.status,
                customer_id: webhook.customer_id.clone(),
                source: webhook.source,
                profile: webhook.profile.clone(),
                note: plan.note,
            };
            (
                Stored {
                    seq: plan.seq,
                    duplicate_of: plan.first,
                },
                summary,
            )
        })
        .collect())
}

async fn existing_first_copies(
    db: &mut SqliteConnection,
    webhooks: &[&NewWebhook],
) -> Result<HashMap<String, i64>, InboxError> {
    let ids: Vec<&str> = webhooks
        .iter()
        .filter(|webhook| webhook.accepted)
        .filter_map(|webhook| webhook.event_id.as_deref())
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query: QueryBuilder<'_, Sqlite> = QueryBuilder::new(
        "SELECT event_id, seq FROM webhooks
         WHERE accepted = 1 AND duplicate_of_seq IS NULL AND event_id IN (",
    );
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(id);
    }
    query.push(")");
    let rows: Vec<(String, i64)> = query.build_query_as().fetch_all(&mut *db).await?;
    Ok(rows.into_iter().collect())
}

/// Inserts one request (see [`insert_many`]).
pub async fn insert(
    db: &mut SqliteConnection,
    webhook: &NewWebhook,
) -> Result<(Stored, WebhookSummary), InboxError> {
    insert_many(db, &[webhook])
        .await?
        .pop()
        .ok_or_else(|| InboxError::Store("insert returned no row".to_owned()))
}
