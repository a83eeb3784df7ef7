//! The inspector's queries: list with filters, detail, replay, export.

use crate::error::InboxError;
use crate::inbox::Inbox;
use crate::model::{
    InboxStats, ListFilter, Sibling, SignatureCheck, WebhookDetail, WebhookPage, WebhookSummary,
};
use crate::search_index;
use crate::store::{self, format_time, parse_time, WebhookRow, WEBHOOK_COLUMNS};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use sqlx::{Connection, QueryBuilder, Sqlite, SqliteConnection};

const DEFAULT_PAGE: u32 = 100;
/// The most webhooks one page holds.
pub const MAX_PAGE: u32 = 1000;

/// How a user names a stored webhook: `#12` or `12` is an arrival number (seq), anything else
/// an event id (meaning its first accepted copy, or else its latest request).
pub(crate) async fn resolve(
    db: &mut SqliteConnection,
    key: &str,
) -> Result<WebhookRow, InboxError> {
    let key = key.trim();
    let seq = key.strip_prefix('#').unwrap_or(key).parse::<i64>().ok();
    let row = match seq {
        Some(seq) => store::webhook_by_seq(db, seq).await?,
        None => {
            let sql = format!(
                "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE event_id = ?
                 ORDER BY (accepted = 1 AND duplicate_of_seq IS NULL) DESC, seq DESC LIMIT 1"
            );
            sqlx::query_as(&sql)
                .bind(key)
                .fetch_optional(&mut *db)
                .await?
        }
    };
    row.ok_or_else(|| InboxError::NotFound(key.to_owned()))
}

impl Inbox {
    /// One page of stored webhooks, newest first unless `oldest_first`.
    pub async fn list(&self, filter: &ListFilter) -> Result<WebhookPage, InboxError> {
        let limit = filter.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(InboxError::Invalid(format!(
                "a page holds 1 to {MAX_PAGE} webhooks, not {limit}; page on with the cursor"
            )));
        }
        let cursor = match filter.cursor.as_deref() {
            None => None,
            Some(text) => Some(
                text.parse::<i64>()
                    .map_err(|_| InboxError::Invalid(format!("cursor {text:?} is not valid")))?,
            ),
        };
        if let Some(kind) = &filter.event_type {
            self.check_event_type(kind).await?;
        }
        let mut query: QueryBuilder<'_, Sqlite> = QueryBuilder::new(format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE 1 = 1"
        ));
        push_filters(&mut query, filter);
        let (compare, order) = if filter.oldest_first {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        if let Some(cursor) = cursor {
            query.push(format!(" AND seq {compare} ")).push_bind(cursor);
        }
        query
            .push(format!(" ORDER BY seq {order} LIMIT "))
            .push_bind(i64::from(limit) + 1);
        let rows: Vec<WebhookRow> = query.build_query_as().fetch_all(self.pool()).await?;
        let more = rows.len() > limit as usize;
        let data = rows
            .iter()
            .take(limit as usize)
            .map(WebhookRow::summary)
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = if more {
            data.last().map(|last| last.seq.to_string())
        } else {
            None
        };
        Ok(WebhookPage { data, next_cursor })
    }

    /// A type filter must name a type the platform sends or one stored here (a newer
    /// platform's): a typo is an error that lists the types, not an empty list.
    async fn check_event_type(&self, kind: &str) -> Result<(), InboxError> {
        if desk_platform::event::EventType::parse(kind).is_some() {
            return Ok(());
        }
        let stored: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM webhooks WHERE event_type = ? LIMIT 1")
                .bind(kind)
                .fetch_optional(self.pool())
                .await?;
        if stored.is_some() {
            return Ok(());
        }
        Err(InboxError::Invalid(format!(
            "no event type {kind:?}; the types are: {}",
            desk_platform::event::EventType::ALL
                .map(desk_platform::event::EventType::as_str)
                .join(", ")
        )))
    }

    /// How many webhooks are in each state.
    pub async fn stats(&self) -> Result<InboxStats, InboxError> {
        Ok(sqlx::query_as(
            "SELECT COUNT(*) AS total,
                COALESCE(SUM(processing = 'pending'), 0) AS pending,
                COALESCE(SUM(processing = 'processed'), 0) AS processed,
                COALESCE(SUM(processing = 'skipped'), 0) AS skipped,
                COALESCE(SUM(processing = 'failed'), 0) AS failed,
                COALESCE(SUM(status IS NOT NULL AND status != 200), 0) AS rejected,
                COALESCE(SUM(duplicate_of_seq IS NOT NULL), 0) AS duplicates,
                COALESCE(SUM(out_of_order), 0) AS out_of_order
             FROM webhooks",
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// Everything about one stored request: `#12`/`12` (arrival number) or an event id.
    pub async fn show(&self, key: &str) -> Result<WebhookDetail, InboxError> {
        let mut db = self.pool().acquire().await?;
        let row = resolve(&mut db, key).await?;
        detail(&mut db, row).await
    }

    /// Puts webhooks back into processing (each named as in [`Inbox::show`]; a duplicate means
    /// its first copy) and processes them now. All or nothing: one unknown or rejected name
    /// changes nothing. Replayed events still never move a connection backwards.
    pub async fn replay(&self, keys: &[String]) -> Result<Vec<WebhookSummary>, InboxError> {
        let mut db = self.pool().acquire().await?;
        let turn = self.write_lock().lock().await;
        let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
        let mut seqs = Vec::with_capacity(keys.len());
        for key in keys {
            let row = resolve(&mut tx, key).await?;
            let seq = match row.duplicate_of_seq {
                Some(first) => first,
                None if row.accepted => row.seq,
                None => {
                    let why = format!(
                        "it was answered {} ({}) and is never processed",
                        row.status
                            .map_or("nothing".to_owned(), |status| status.to_string()),
                        row.answer_reason.as_deref().unwrap_or("rejected")
                    );
                    return Err(InboxError::NotReplayable(key.clone(), why));
                }
            };
            if !seqs.contains(&seq) {
                seqs.push(seq);
            }
        }
        for seq in &seqs {
            sqlx::query(
                "UPDATE webhooks SET processing = 'pending', out_of_order = 0, error = NULL,
                    note = 'replayed'
                 WHERE seq = ?",
            )
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        drop(turn);
        drop(db);
        self.process_pending().await?;
        let mut db = self.pool().acquire().await?;
        let mut replayed = Vec::with_capacity(seqs.len());
        for seq in seqs {
            let row = store::webhook_by_seq(&mut db, seq)
                .await?
                .ok_or_else(|| InboxError::NotFound(format!("#{seq}")))?;
            replayed.push(row.summary()?);
        }
        Ok(replayed)
    }

    /// Every webhook matching `filter` (all pages), in full, oldest first.
    pub async fn export(&self, filter: &ListFilter) -> Result<Vec<WebhookDetail>, InboxError> {
        let mut page_filter = ListFilter {
            oldest_first: true,
            limit: Some(MAX_PAGE),
            cursor: None,
            ..filter.clone()
        };
        let mut details = Vec::new();
        let mut db = self.pool().acquire().await?;
        loop {
            let page = self.list(&page_filter).await?;
            for summary in &page.data {
                let row = store::webhook_by_seq(&mut db, summary.seq)
                    .await?
                    .ok_or_else(|| InboxError::NotFound(format!("#{}", summary.seq)))?;
                details.push(detail(&mut db, row).await?);
            }
            match page.next_cursor {
                Some(cursor) => page_filter.cursor = Some(cursor),
                None => return Ok(details),
            }
        }
    }
}

/// The filters' `AND ...` clauses, every value bound: shared by the cursor walk and the pages.
pub(crate) fn push_filters(query: &mut QueryBuilder<'_, Sqlite>, filter: &ListFilter) {
    if let Some(kind) = &filter.event_type {
        query.push(" AND event_type = ").push_bind(kind.clone());
    }
    if let Some(id) = &filter.connection_id {
        // The lookup table covers rows up to the indexer's mark; the rest are scanned.
        query
            .push(" AND connection_id = ")
            .push_bind(id.clone())
            .push(" AND seq IN (SELECT seq FROM webhook_by_connection WHERE connection_id = ")
            .push_bind(id.clone())
            .push(
                " UNION ALL SELECT seq FROM webhooks
                    WHERE seq > (SELECT indexed_upto FROM webhook_search_state))",
            );
    }
    if let Some(id) = &filter.customer_id {
        query.push(" AND customer_id = ").push_bind(id.clone());
    }
    if let Some(id) = &filter.id {
        query.push(" AND event_id = ").push_bind(id.clone());
    }
    if let Some(signature) = filter.signature {
        query
            .push(" AND signature = ")
            .push_bind(signature.as_str());
    }
    if let Some(processing) = filter.processing {
        query
            .push(" AND processing = ")
            .push_bind(processing.as_str());
    }
    if let Some(after) = filter.received_after {
        query
            .push(" AND received_at >= ")
            .push_bind(format_time(after));
    }
    if let Some(before) = filter.received_before {
        query
            .push(" AND received_at < ")
            .push_bind(format_time(before));
    }
    if let Some(text) = filter.text.as_ref().filter(|text| !text.is_empty()) {
        push_search(query, text, Fields::Body);
    }
    if filter.hide_duplicates {
        query.push(" AND duplicate_of_seq IS NULL");
    }
    if let Some(text) = filter
        .search
        .as_ref()
        .map(|text| text.trim())
        .filter(|text| !text.is_empty())
    {
        // One box for ids, types, connections and the body: a substring of any of them.
        push_search(query, text, Fields::All);
    }
}

/// Where a text filter looks.
#[derive(Clone, Copy)]
enum Fields {
    /// `ListFilter::text`: the body.
    Body,
    /// `ListFilter::search`: the event id, type, connection id or body.
    All,
}

/// ` AND <text is a substring of the fields>`. Rows the search index covers (at or below its
/// mark, see search_index.rs) are looked up in it; rows past the mark and those it cannot hold
/// (`webhook_search_raw`) are scanned with `instr`, as every row is for texts the index cannot
/// answer exactly (fewer than 3 characters, ...). Both give the same rows.
fn push_search(query: &mut QueryBuilder<'_, Sqlite>, text: &str, fields: Fields) {
    if !search_index::indexable_needle(text) {
        query.push(" AND ");
        push_instr(query, text, fields);
        return;
    }
    let phrase = search_index::phrase(text);
    let matched = match fields {
        Fields::Body => format!("body : {phrase}"),
        Fields::All => phrase,
    };
    query
        .push(" AND seq IN (SELECT rowid FROM webhook_search WHERE webhook_search MATCH ")
        .push_bind(matched)
        .push(
            " UNION ALL SELECT seq FROM webhooks
                WHERE seq > (SELECT indexed_upto FROM webhook_search_state) AND ",
        );
    push_instr(query, text, fields);
    query.push(
        " UNION ALL SELECT seq FROM webhooks
            WHERE seq IN (SELECT seq FROM webhook_search_raw) AND ",
    );
    push_instr(query, text, fields);
    query.push(")");
}

/// The scan: `text` a substring of the fields, by `instr`.
fn push_instr(query: &mut QueryBuilder<'_, Sqlite>, text: &str, fields: Fields) {
    // The body as a BLOB on both sides: a byte search that works on bodies that are not UTF-8.
    let bytes = text.as_bytes().to_vec();
    match fields {
        Fields::Body => {
            query.push("instr(body, ").push_bind(bytes).push(") > 0");
        }
        Fields::All => {
            query
                .push("(instr(event_id, ")
                .push_bind(text.to_owned())
                .push(") > 0 OR instr(event_type, ")
                .push_bind(text.to_owned())
                .push(") > 0 OR instr(connection_id, ")
                .push_bind(text.to_owned())
                .push(") > 0 OR instr(body, ")
                .push_bind(bytes)
                .push(") > 0)");
        }
    }
}

#[derive(sqlx::FromRow)]
struct SiblingRow {
    seq: i64,
    received_at: String,
    signature: String,
    status: Option<i64>,
    duplicate_of: Option<String>,
}

pub(crate) async fn detail(
    db: &mut SqliteConnection,
    row: WebhookRow,
) -> Result<WebhookDetail, InboxError> {
    let siblings: Vec<SiblingRow> = match &row.event_id {
        None => Vec::new(),
        Some(id) => {
            sqlx::query_as(
                "SELECT seq, received_at, signature, status, duplicate_of FROM webhooks
                 WHERE event_id = ? AND seq != ? ORDER BY seq",
            )
            .bind(id)
            .bind(row.seq)
            .fetch_all(&mut *db)
            .await?
        }
    };
    let siblings = siblings
        .into_iter()
        .map(|sibling| {
            Ok(Sibling {
                seq: sibling.seq,
                received_at: parse_time(&sibling.received_at)?,
                signature: SignatureCheck::parse(&sibling.signature).ok_or_else(|| {
                    InboxError::Corrupt(format!("webhook #{}: signature", sibling.seq))
                })?,
                status: sibling.status.and_then(|status| u16::try_from(status).ok()),
                duplicate_of: sibling.duplicate_of,
            })
        })
        .collect::<Result<Vec<_>, InboxError>>()?;
    let headers: Vec<(String, String)> = serde_json::from_str(&row.headers)?;
    let body_pretty = serde_json::from_slice::<serde_json::Value>(&row.body)
        .ok()
        .and_then(|json| serde_json::to_string_pretty(&json).ok());
    Ok(WebhookDetail {
        summary: row.summary()?,
        event_created_at: row.event_created_at,
        remote_addr: row.remote_addr,
        method: row.method,
        path: row.path,
        headers,
        body: String::from_utf8_lossy(&row.body).into_owned(),
        body_base64: BASE64.encode(&row.body),
        body_pretty,
        body_size: row.body_size,
        body_truncated: row.body_truncated,
        scheme: row.scheme,
        signature_reason: row.signature_reason,
        answer_reason: row.answer_reason,
        attempts: row.attempts,
        processed_at: row.processed_at.as_deref().map(parse_time).transpose()?,
        siblings,
    })
}
