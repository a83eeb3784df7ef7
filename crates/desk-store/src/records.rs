//! Synced records and the cursors that make a pull resumable.
//!
//! A page of records and the cursor that follows it are written in one transaction, and a
//! record is keyed by (connection, entity, id, profile): a pull killed at any point resumes
//! from the stored cursor, and a page applied twice changes nothing. The FTS index is
//! maintained here, in the same transaction, by the only code that writes `records`.

use crate::error::{Result, StoreError};
use crate::mirror::{Mirror, Tx};
use crate::search::{indexed_text, scope_text};
use crate::time;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row as _;
use std::collections::HashMap;

/// Rows per multi-row INSERT: 4 bound values each, well under SQLite's variable limit, and
/// large enough that per-statement overhead stops mattering.
const CHUNK: usize = 100;

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

/// One record ready to store.
struct Prepared<'a> {
    id: String,
    data: String,
    updated_at: Option<String>,
    deleted_at: Option<String>,
    value: &'a Value,
}

fn prepare(value: &Value) -> Result<Prepared<'_>> {
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
    Ok(Prepared {
        id,
        data: value.to_string(),
        updated_at: time::from_json(map.get("updated_at"), "updated_at")?,
        deleted_at: time::from_json(map.get("deleted_at"), "deleted_at")?,
        value,
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
        self.upsert_page((profile, connection_id, entity), records, next_cursor, None)
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
        self.upsert_page(
            (profile, connection_id, entity),
            records,
            None,
            Some(high_water_cap),
        )
        .await
    }

    async fn upsert_page(
        &self,
        (profile, connection_id, entity): (&str, &str, &str),
        records: &[Value],
        next_cursor: Option<&str>,
        high_water_cap: Option<DateTime<Utc>>,
    ) -> Result<UpsertOutcome> {
        let prepared = records.iter().map(prepare).collect::<Result<Vec<_>>>()?;
        let high_water = prepared.iter().filter_map(|r| r.updated_at.clone()).max();
        let scope = scope_text(profile, connection_id, entity);
        let mut tx = self.begin().await?;
        // New rows get a seq above the current maximum (AUTOINCREMENT never reuses one), which
        // is how an insert is told apart from an update in RETURNING.
        let max_before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM records")
            .fetch_one(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?;
        let mut outcome = UpsertOutcome::default();
        for chunk in prepared.chunks(CHUNK) {
            let changed = self
                .upsert_chunk(&mut tx, profile, connection_id, entity, chunk)
                .await?;
            let (new, updated): (Vec<_>, Vec<_>) =
                changed.into_iter().partition(|(seq, _)| *seq > max_before);
            outcome.inserted += new.len() as u64;
            outcome.updated += updated.len() as u64;
            outcome.unchanged += chunk.len().saturating_sub(new.len() + updated.len()) as u64;
            self.index(&mut tx, chunk, &new, &scope, "INSERT").await?;
            self.index(&mut tx, chunk, &updated, &scope, "INSERT OR REPLACE")
                .await?;
        }
        let inserted = i64::try_from(outcome.inserted).unwrap_or(i64::MAX);
        self.put_cursor(
            &mut tx,
            (profile, connection_id, entity),
            next_cursor,
            high_water,
            inserted,
        )
        .await?;
        if let Some(cap) = high_water_cap {
            sqlx::query(
                "UPDATE sync_cursors SET high_water = ?1
                 WHERE profile = ?2 AND connection_id = ?3 AND entity = ?4
                   AND (high_water IS NULL OR high_water > ?1)",
            )
            .bind(time::format(cap))
            .bind(profile)
            .bind(connection_id)
            .bind(entity)
            .execute(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?;
        }
        tx.commit().await.map_err(|err| self.fail(err))?;
        tracing::trace!(
            profile,
            connection_id,
            entity,
            ?outcome,
            "records page stored"
        );
        Ok(outcome)
    }

    /// Returns (seq, index in chunk) of every row inserted or changed.
    async fn upsert_chunk(
        &self,
        tx: &mut Tx,
        profile: &str,
        connection_id: &str,
        entity: &str,
        chunk: &[Prepared<'_>],
    ) -> Result<Vec<(i64, usize)>> {
        let mut sql = String::from(
            "INSERT INTO records (profile, connection_id, entity, record_id, data, updated_at, deleted_at) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            // Numbered throughout: sqlx counts anonymous `?` on its own, not as SQLite does
            // after `?NNN`.
            let n = 4 + 4 * i;
            sql.push_str(&format!(
                "(?1, ?2, ?3, ?{}, ?{}, ?{}, ?{})",
                n,
                n + 1,
                n + 2,
                n + 3
            ));
        }
        // A replayed or out-of-order page never moves a record back to an older version.
        sql.push_str(
            " ON CONFLICT (connection_id, entity, record_id, profile) DO UPDATE SET
                data = excluded.data, updated_at = excluded.updated_at, deleted_at = excluded.deleted_at
              WHERE (records.data IS NOT excluded.data OR records.deleted_at IS NOT excluded.deleted_at)
                AND (records.updated_at IS NULL OR excluded.updated_at IS NULL
                     OR excluded.updated_at >= records.updated_at)
              RETURNING seq, record_id",
        );
        let mut query = sqlx::query(&sql)
            .bind(profile)
            .bind(connection_id)
            .bind(entity);
        for record in chunk {
            query = query
                .bind(&record.id)
                .bind(&record.data)
                .bind(&record.updated_at)
                .bind(&record.deleted_at);
        }
        let rows = query
            .fetch_all(&mut **tx)
            .await
            .map_err(|err| self.fail(err))?;
        // A page may repeat an id: the last copy is the one stored, and its row is returned
        // once per copy.
        let position: HashMap<&str, usize> = chunk
            .iter()
            .enumerate()
            .map(|(at, record)| (record.id.as_str(), at))
            .collect();
        let mut changed: Vec<(i64, usize)> = Vec::with_capacity(rows.len());
        for row in &rows {
            let seq: i64 = row.try_get(0)?;
            let id: String = row.try_get(1)?;
            let at = *position
                .get(id.as_str())
                .ok_or_else(|| StoreError::bad_row(format!("unexpected record {id:?}")))?;
            if !changed.iter().any(|(known, _)| *known == seq) {
                changed.push((seq, at));
            }
        }
        Ok(changed)
    }

    async fn index(
        &self,
        tx: &mut Tx,
        chunk: &[Prepared<'_>],
        rows: &[(i64, usize)],
        scope: &str,
        verb: &str,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut sql = format!("{verb} INTO records_fts (rowid, scope, text) VALUES ");
        for i in 0..rows.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?)");
        }
        let mut query = sqlx::query(&sql);
        for &(seq, at) in rows {
            let text = chunk
                .get(at)
                .map(|r| indexed_text(r.value))
                .unwrap_or_default();
            query = query.bind(seq).bind(scope).bind(text);
        }
        query
            .execute(&mut **tx)
            .await
            .map_err(|err| self.fail(err))?;
        Ok(())
    }

    async fn put_cursor(
        &self,
        tx: &mut Tx,
        (profile, connection_id, entity): (&str, &str, &str),
        cursor: Option<&str>,
        high_water: Option<String>,
        added: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sync_cursors (profile, connection_id, entity, cursor, high_water, records, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (profile, connection_id, entity) DO UPDATE SET
                cursor = excluded.cursor,
                high_water = CASE WHEN sync_cursors.high_water IS NULL
                                    OR excluded.high_water > sync_cursors.high_water
                                  THEN excluded.high_water ELSE sync_cursors.high_water END,
                records = sync_cursors.records + excluded.records,
                updated_at = excluded.updated_at",
        )
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
