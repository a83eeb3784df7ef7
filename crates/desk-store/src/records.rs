//! Synced records and the cursors that make a pull resumable.
//!
//! A page of records and the cursor that follows it are written in one transaction, and a
//! record is keyed by (connection, entity, id, profile): a pull killed at any point resumes
//! from the stored cursor, and a page applied twice changes nothing. The FTS index is
//! maintained in the same transaction, by the only code that writes `records` (`pages.rs`).
//!
//! A page is prepared first ([`PreparedPage::new`]: checked, serialised, its index text
//! extracted), on the caller's task, and then written by the page writer on its own thread: a
//! pull prepares the next page while the writer stores this one.

use crate::error::{Result, StoreError};
use crate::mirror::{Mirror, Tx};
use crate::pages::PageWrite;
use crate::search::{indexed_text, scope_text};
use crate::time;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row as _;

/// Moves an entity's cursor: `?4` the page cursor, `?5` the newest `updated_at` of the page
/// (kept when older than the stored one), `?6` records added, `?7` now. Shared by both writers.
pub(crate) const PUT_CURSOR: &str = "INSERT INTO sync_cursors (profile, connection_id, entity, cursor, high_water, records, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
     ON CONFLICT (profile, connection_id, entity) DO UPDATE SET
        cursor = excluded.cursor,
        high_water = CASE WHEN sync_cursors.high_water IS NULL
                            OR excluded.high_water > sync_cursors.high_water
                          THEN excluded.high_water ELSE sync_cursors.high_water END,
        records = sync_cursors.records + excluded.records,
        updated_at = excluded.updated_at";

/// Moves the high-water mark back to `?1` when it is later (or unset), for the last page of a
/// walk ([`Mirror::upsert_last_page`]).
pub(crate) const CAP_HIGH_WATER: &str = "UPDATE sync_cursors SET high_water = ?1
     WHERE profile = ?2 AND connection_id = ?3 AND entity = ?4
       AND (high_water IS NULL OR high_water > ?1)";

/// Where the last pull of one entity of one connection stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SyncCursor {
    /// The next page of an unfinished walk; `None` once a walk completed.
    pub cursor: Option<String>,
    /// The newest `updated_at` pulled: the next incremental sync's `modified_after`.
    pub high_water: Option<DateTime<Utc>>,
    /// Records of this entity in the mirror (deleted ones included).
    pub records: i64,
    pub updated_at: DateTime<Utc>,
}

/// What one page did to the mirror.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct UpsertOutcome {
    pub inserted: u64,
    pub updated: u64,
    /// Already mirrored as they are, or older than the mirrored version.
    pub unchanged: u64,
}

/// A page of records checked and made ready to store: each record's id, its JSON as stored,
/// its times in the stored form and the text the full-text index gets. Owned, so the page
/// writer's thread can take it.
#[derive(Debug, Clone, Default)]
pub struct PreparedPage {
    pub(crate) rows: Vec<PreparedRecord>,
    /// The newest `updated_at` of the page.
    pub(crate) high_water: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct PreparedRecord {
    pub(crate) id: String,
    pub(crate) data: String,
    pub(crate) updated_at: Option<String>,
    pub(crate) deleted_at: Option<String>,
    pub(crate) text: String,
}

impl PreparedPage {
    /// Checks every record (a JSON object with an `"id"`, RFC 3339 times): one that is not
    /// fails the page, which is then not written at all.
    pub fn new(records: &[Value]) -> Result<Self> {
        let rows = records.iter().map(prepare).collect::<Result<Vec<_>>>()?;
        let high_water = rows.iter().filter_map(|r| r.updated_at.clone()).max();
        Ok(Self { rows, high_water })
    }

    /// Adds a later page's records after these (stored as one, in order).
    pub fn append(&mut self, later: PreparedPage) {
        self.rows.extend(later.rows);
        self.high_water = self.high_water.take().max(later.high_water);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

fn prepare(value: &Value) -> Result<PreparedRecord> {
    let Value::Object(map) = value else {
        return Err(StoreError::InvalidInput(format!(
            "a record must be a JSON object, not {value}"
        )));
    };
    let id = match map.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        _ => {
            return Err(StoreError::InvalidInput(
                "a record needs an \"id\" (a non-empty string or a number)".into(),
            ))
        }
    };
    Ok(PreparedRecord {
        id,
        data: value.to_string(),
        updated_at: time::from_json(map.get("updated_at"), "updated_at")?,
        deleted_at: time::from_json(map.get("deleted_at"), "deleted_at")?,
        text: indexed_text(value),
    })
}

impl Mirror {
    /// Stores one page of an entity's records and moves that entity's cursor to `next_cursor`
    /// (`None`: the walk is complete), all in one transaction. A record already mirrored is
    /// replaced only by a version that differs and is not older (`updated_at`); a record whose
    /// `deleted_at` is set is kept, flagged. A page with an invalid record writes nothing.
    pub async fn upsert_records(
        &self,
        profile: &str,
        connection_id: &str,
        entity: &str,
        records: &[Value],
        next_cursor: Option<&str>,
    ) -> Result<UpsertOutcome> {
        let page = PreparedPage::new(records)?;
        self.upsert_prepared(profile, connection_id, entity, page, next_cursor)
            .await
    }

    /// Stores the last page of a walk, like [`Mirror::upsert_records`] with no next cursor, and
    /// in the same transaction moves the high-water mark back to `high_water_cap` when it is
    /// later (or unset): a walk may have passed records that changed while it ran, so the next
    /// pull must ask from no later than the platform's time when this walk began. One
    /// transaction, so a pull killed right after its last page cannot leave the mark too late.
    pub async fn upsert_last_page(
        &self,
        profile: &str,
        connection_id: &str,
        entity: &str,
        records: &[Value],
        high_water_cap: DateTime<Utc>,
    ) -> Result<UpsertOutcome> {
        let page = PreparedPage::new(records)?;
        self.upsert_prepared_last_page(profile, connection_id, entity, page, high_water_cap)
            .await
    }

    /// [`Mirror::upsert_records`] of a page prepared beforehand.
    pub async fn upsert_prepared(
        &self,
        profile: &str,
        connection_id: &str,
        entity: &str,
        page: PreparedPage,
        next_cursor: Option<&str>,
    ) -> Result<UpsertOutcome> {
        self.write_page(PageWrite {
            profile: profile.to_owned(),
            connection_id: connection_id.to_owned(),
            entity: entity.to_owned(),
            scope: scope_text(profile, connection_id, entity),
            page,
            next_cursor: next_cursor.map(str::to_owned),
            high_water_cap: None,
        })
        .await
    }

    /// [`Mirror::upsert_last_page`] of a page prepared beforehand.
    pub async fn upsert_prepared_last_page(
        &self,
        profile: &str,
        connection_id: &str,
        entity: &str,
        page: PreparedPage,
        high_water_cap: DateTime<Utc>,
    ) -> Result<UpsertOutcome> {
        self.write_page(PageWrite {
            profile: profile.to_owned(),
            connection_id: connection_id.to_owned(),
            entity: entity.to_owned(),
            scope: scope_text(profile, connection_id, entity),
            page,
            next_cursor: None,
            high_water_cap: Some(time::format(high_water_cap)),
        })
        .await
    }

    /// Hands a page to the page writer's thread once it is this process's turn to write. A
    /// caller that stops waiting (a cancelled sync) does not stop the write: the page and its
    /// cursor are stored together or not at all either way.
    async fn write_page(&self, write: PageWrite) -> Result<UpsertOutcome> {
        let turn = self.write_turn().await;
        let pages = self.pages().clone();
        let (profile, connection_id, entity) = (
            write.profile.clone(),
            write.connection_id.clone(),
            write.entity.clone(),
        );
        let outcome = tokio::task::spawn_blocking(move || {
            let outcome = pages.write(&write);
            drop(turn);
            outcome
        })
        .await
        .map_err(|err| {
            StoreError::Database(crate::error::DbError::Writer(format!(
                "the page writer stopped: {err}"
            )))
        })?
        .map_err(|err| self.fail(err))?;
        tracing::trace!(
            profile,
            connection_id,
            entity,
            ?outcome,
            "records page stored"
        );
        Ok(outcome)
    }

    async fn put_cursor(
        &self,
        tx: &mut Tx,
        (profile, connection_id, entity): (&str, &str, &str),
        cursor: Option<&str>,
        high_water: Option<String>,
        added: i64,
    ) -> Result<()> {
        sqlx::query(PUT_CURSOR)
            .bind(profile)
            .bind(connection_id)
            .bind(entity)
            .bind(cursor)
            .bind(high_water)
            .bind(added)
            .bind(time::format(Utc::now()))
            .execute(&mut **tx)
            .await
            .map_err(|err| self.fail(err))?;
        Ok(())
    }

    /// Sets where the next pull of an entity starts, keeping the high-water mark (a `--full`
    /// sync starts a walk with `None` after [`Mirror::reset_cursor`]).
    pub async fn set_cursor(
        &self,
        profile: &str,
        connection_id: &str,
        entity: &str,
        cursor: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        self.put_cursor(&mut tx, (profile, connection_id, entity), cursor, None, 0)
            .await?;
        tx.commit().await.map_err(|err| self.fail(err))
    }

    /// Forgets the cursor and high-water mark, so the next pull walks everything again. The
    /// records stay; re-pulled ones are matched by id.
    pub async fn reset_cursor(
        &self,
        profile: &str,
        connection_id: &str,
        entity: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE sync_cursors SET cursor = NULL, high_water = NULL
             WHERE profile = ? AND connection_id = ? AND entity = ?",
        )
        .bind(profile)
        .bind(connection_id)
        .bind(entity)
        .execute(&mut *tx)
        .await
        .map_err(|err| self.fail(err))?;
        tx.commit().await.map_err(|err| self.fail(err))
    }

    /// The entities anything was mirrored of (any profile, any connection), by name.
    pub async fn entities(&self) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT DISTINCT entity FROM sync_cursors ORDER BY entity")
            .fetch_all(self.reader())
            .await
            .map_err(|err| self.fail(err))
    }

    /// Every entity cursor of a connection, by entity name.
    pub async fn cursors(
        &self,
        profile: &str,
        connection_id: &str,
    ) -> Result<Vec<(String, SyncCursor)>> {
        let rows = sqlx::query(
            "SELECT entity, cursor, high_water, records, updated_at FROM sync_cursors
             WHERE profile = ? AND connection_id = ? ORDER BY entity",
        )
        .bind(profile)
        .bind(connection_id)
        .fetch_all(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        rows.iter()
            .map(|row| Ok((row.try_get("entity")?, cursor_from_row(row)?)))
            .collect()
    }

    /// `None` before the first page of the entity was stored.
    pub async fn cursor(
        &self,
        profile: &str,
        connection_id: &str,
        entity: &str,
    ) -> Result<Option<SyncCursor>> {
        let row = sqlx::query(
            "SELECT cursor, high_water, records, updated_at FROM sync_cursors
             WHERE profile = ? AND connection_id = ? AND entity = ?",
        )
        .bind(profile)
        .bind(connection_id)
        .bind(entity)
        .fetch_optional(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        row.as_ref().map(cursor_from_row).transpose()
    }
}

fn cursor_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<SyncCursor> {
    Ok(SyncCursor {
        cursor: row.try_get("cursor")?,
        high_water: time::parse_opt(row.try_get("high_water")?)?,
        records: row.try_get("records")?,
        updated_at: time::parse(&row.try_get::<String, _>("updated_at")?)?,
    })
}
