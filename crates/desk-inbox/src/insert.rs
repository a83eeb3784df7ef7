//! Inserting stored requests, on the writer's own SQLite connection (rusqlite, synchronous).
//!
//! The writer runs a whole batch (BEGIN, one lookup and one insert per request, COMMIT) on its
//! own thread with cached prepared statements. Through sqlx every statement was a hand-off to
//! sqlx's SQLite thread and back (~70 us each under load, 5 per batch, with BEGIN at ~270 us):
//! that hand-off, not SQLite, set the pace of the whole receiver. Inserts happen only inside
//! an IMMEDIATE transaction, which no other writer (in any process) can interleave with, so a
//! lookup of an id's first copy sees every earlier row, this batch's included.

use crate::error::InboxError;
use crate::model::{Processing, SignatureCheck, Source, WebhookSummary};
use crate::store::format_time;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};

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
    pub headers: StoredHeaders,
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
    /// Process a copy of an id already accepted instead of skipping it (Makini's record
    /// changes: a retry and a later change of the same records have the same bytes, and a pull
    /// too many costs less than one missed).
    pub process_copies: bool,
}

/// A request's headers as stored: `[[name, value], ...]` as JSON text, encoded by the handler
/// that read the request. The runtime's workers run side by side while the writer is one
/// thread, and each microsecond it spends per row is in the wait of every request of the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHeaders {
    pub json: String,
    /// Whether they carry the test mark ([`crate::model::TEST_HEADER`]).
    pub test: bool,
}

impl StoredHeaders {
    /// No headers (events fetched by catch-up).
    pub fn none() -> Self {
        Self {
            json: "[]".to_owned(),
            test: false,
        }
    }
}

/// Where a stored request ended up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub seq: i64,
    /// `(seq, id)` of the first copy when this one is a duplicate.
    pub duplicate_of: Option<(i64, String)>,
}

/// The seq of the accepted first copy of `event_id`, if one is stored.
pub fn first_copy(tx: &Transaction<'_>, event_id: &str) -> Result<Option<i64>, InboxError> {
    let mut lookup = tx.prepare_cached(
        "SELECT seq FROM webhooks WHERE event_id = ?1 AND accepted = 1 AND duplicate_of_seq IS NULL",
    )?;
    Ok(lookup.query_row([event_id], |row| row.get(0)).optional()?)
}

/// Inserts one request. A verified request whose id was already accepted (before, or earlier
/// in this transaction) is stored as a duplicate of that first copy.
pub fn insert(
    tx: &Transaction<'_>,
    webhook: &NewWebhook,
) -> Result<(Stored, WebhookSummary), InboxError> {
    let first = match (&webhook.event_id, webhook.accepted) {
        (Some(id), true) => first_copy(tx, id)?.map(|seq| (seq, id.clone())),
        _ => None,
    };
    let (processing, note) = match (&first, webhook.accepted) {
        (Some((first, _)), _) if webhook.process_copies => (
            Processing::Pending,
            Some(format!(
                "same bytes as #{first}; processed again: a record change cannot be told from \
                 its retry"
            )),
        ),
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
    // AUTOINCREMENT: the seq is above every one ever used, deleted rows' included.
    let mut statement = tx.prepare_cached(
        "INSERT INTO webhooks (event_id, source, profile, received_at, remote_addr, method,
            path, headers, body, body_size, body_truncated, scheme, signature, signature_reason,
            status, answer_reason, accepted, event_type, connection_id, customer_id,
            event_created_at, duplicate_of_seq, duplicate_of, processing, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
    )?;
    statement.execute(params![
        webhook.event_id,
        webhook.source.as_str(),
        webhook.profile,
        format_time(webhook.received_at),
        webhook.remote_addr,
        webhook.method,
        webhook.path,
        webhook.headers.json,
        webhook.body,
        webhook.body_size,
        webhook.body_truncated,
        webhook.scheme,
        webhook.signature.as_str(),
        webhook.signature_reason,
        webhook.status.map(i64::from),
        webhook.answer_reason,
        webhook.accepted,
        webhook.event_type,
        webhook.connection_id,
        webhook.customer_id,
        webhook.event_created_at,
        first.as_ref().map(|(seq, _)| *seq),
        first.as_ref().map(|(_, id)| id.as_str()),
        processing.as_str(),
        note,
    ])?;
    let seq = tx.last_insert_rowid();
    let summary = WebhookSummary {
        id: webhook.event_id.clone(),
        received_at: webhook.received_at,
        event_type: webhook.event_type.clone(),
        connection_id: webhook.connection_id.clone(),
        signature: webhook.signature,
        duplicate_of: first.as_ref().map(|(_, id)| id.clone()),
        out_of_order: false,
        processing,
        error: None,
        seq,
        status: webhook.status,
        customer_id: webhook.customer_id.clone(),
        source: webhook.source,
        profile: webhook.profile.clone(),
        note,
        test: webhook.headers.test,
    };
    Ok((
        Stored {
            seq,
            duplicate_of: first,
        },
        summary,
    ))
}

/// `inbox_meta[key] = value`.
pub fn meta_set(tx: &Transaction<'_>, key: &str, value: &str) -> Result<(), InboxError> {
    tx.prepare_cached(
        "INSERT INTO inbox_meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}
