//! The inspector screen's reads: pages at an offset (a virtual list jumps anywhere) with the
//! total that matches, in arrival or creation order; when catch-up last ran; replay previews.

use crate::error::InboxError;
use crate::inbox::Inbox;
use crate::inspector::{push_filters, resolve, MAX_PAGE};
use crate::model::{InspectorPage, ListFilter, ListedWebhook, PageOrder, WebhookSummary};
use crate::store::{self, format_time, parse_time, WebhookRow, WEBHOOK_COLUMNS};
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};

/// The key in `inbox_meta` of when catch-up last finished a pass.
const CAUGHT_UP_AT: &str = "catchup.finished_at";

/// What replaying a set of webhooks would do, before doing it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ReplayPreview {
    /// The first copies that would go back into processing (a duplicate means its first).
    pub webhooks: Vec<WebhookSummary>,
    /// The names given that can never be processed (rejected requests), with why.
    pub refused: Vec<(String, String)>,
}

impl Inbox {
    /// One page of the webhooks matching `filter` (its cursor, order and limit fields are
    /// ignored), at `offset`, in `order`, with how many match in all.
    pub async fn page(
        &self,
        filter: &ListFilter,
        order: PageOrder,
        offset: u32,
        limit: u32,
    ) -> Result<InspectorPage, InboxError> {
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(InboxError::Invalid(format!(
                "a page holds 1 to {MAX_PAGE} webhooks, not {limit}"
            )));
        }
        let mut count: QueryBuilder<'_, Sqlite> =
            QueryBuilder::new("SELECT COUNT(*) FROM webhooks WHERE 1 = 1");
        push_filters(&mut count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(self.pool()).await?;
        let mut query: QueryBuilder<'_, Sqlite> = QueryBuilder::new(format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE 1 = 1"
        ));
        push_filters(&mut query, filter);
        // Ties (and events without a created_at, sorted last) keep arrival order.
        query.push(match order {
            PageOrder::ReceivedNewest => " ORDER BY seq DESC",
            PageOrder::ReceivedOldest => " ORDER BY seq ASC",
            PageOrder::CreatedNewest => {
                " ORDER BY event_created_at IS NULL, event_created_at DESC, seq DESC"
            }
            PageOrder::CreatedOldest => {
                " ORDER BY event_created_at IS NULL, event_created_at ASC, seq ASC"
            }
        });
        query
            .push(" LIMIT ")
            .push_bind(i64::from(limit))
            .push(" OFFSET ")
            .push_bind(i64::from(offset));
        let rows: Vec<WebhookRow> = query.build_query_as().fetch_all(self.pool()).await?;
        let rows = rows
            .into_iter()
            .map(|row| {
                Ok(ListedWebhook {
                    summary: row.summary()?,
                    event_created_at: row.event_created_at,
                })
            })
            .collect::<Result<Vec<_>, InboxError>>()?;
        Ok(InspectorPage {
            rows,
            total,
            offset: i64::from(offset),
        })
    }

    /// The arrival numbers of the webhooks matching `filter`, oldest first, at most `limit`:
    /// what "replay the filtered set" names.
    pub async fn matching_seqs(
        &self,
        filter: &ListFilter,
        limit: u32,
    ) -> Result<Vec<i64>, InboxError> {
        let mut query: QueryBuilder<'_, Sqlite> =
            QueryBuilder::new("SELECT seq FROM webhooks WHERE 1 = 1");
        push_filters(&mut query, filter);
        query
            .push(" ORDER BY seq LIMIT ")
            .push_bind(i64::from(limit));
        Ok(query.build_query_scalar().fetch_all(self.pool()).await?)
    }

    /// What [`Inbox::replay`] would put back into processing for `keys`, changing nothing.
    pub async fn replay_preview(&self, keys: &[String]) -> Result<ReplayPreview, InboxError> {
        let mut db = self.pool().acquire().await?;
        let mut preview = ReplayPreview {
            webhooks: Vec::new(),
            refused: Vec::new(),
        };
        for key in keys {
            let row = resolve(&mut db, key).await?;
            let first = match row.duplicate_of_seq {
                Some(first) => store::webhook_by_seq(&mut db, first)
                    .await?
                    .ok_or_else(|| InboxError::NotFound(format!("#{first}")))?,
                None if row.accepted => row,
                None => {
                    let why = row
                        .answer_reason
                        .clone()
                        .unwrap_or_else(|| "rejected".to_owned());
                    preview.refused.push((key.clone(), why));
                    continue;
                }
            };
            if !preview.webhooks.iter().any(|w| w.seq == first.seq) {
                preview.webhooks.push(first.summary()?);
            }
        }
        Ok(preview)
    }

    /// When catch-up last finished a pass over the platform's event log, if ever.
    pub async fn caught_up_at(&self) -> Result<Option<DateTime<Utc>>, InboxError> {
        let mut db = self.pool().acquire().await?;
        store::meta_get(&mut db, CAUGHT_UP_AT)
            .await?
            .as_deref()
            .map(parse_time)
            .transpose()
    }

    /// Records that a catch-up pass finished at `at`.
    pub async fn note_caught_up(&self, at: DateTime<Utc>) -> Result<(), InboxError> {
        let _turn = self.write_lock().lock().await;
        sqlx::query(
            "INSERT INTO inbox_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .bind(CAUGHT_UP_AT)
        .bind(format_time(at))
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
