//! Reading records back: filtered lists, full-text search, one record.

use crate::error::{Result, StoreError};
use crate::mirror::Mirror;
use crate::search::match_expression;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments as _, Row as _};
use std::collections::HashMap;

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 10_000;

/// Which records to read. Results come in the order they were first mirrored (`seq`), which is
/// also the order of `after` cursors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(optional_fields = nullable)]
#[serde(default)]
pub struct RecordQuery {
    pub profile: Option<String>,
    pub connection_id: Option<String>,
    pub entity: Option<String>,
    /// Words that must all appear somewhere in the record (nested fields included); the last
    /// one may be the start of a word. Any text is safe here (see [`crate::fts_query`]).
    pub search: Option<String>,
    pub include_deleted: bool,
    /// 0 means [`DEFAULT_LIMIT`]; at most [`MAX_LIMIT`].
    pub limit: u32,
    pub offset: u32,
    /// A `next_cursor` of an earlier page (ignored when `sort` is given: page by offset).
    pub after: Option<String>,
    /// Instead of `connection_id`: any of these connections (a customer's, say).
    pub connection_ids: Vec<String>,
    /// The record's `updated_at` at or after / before these times (RFC 3339, compared as text).
    pub updated_after: Option<String>,
    pub updated_before: Option<String>,
    /// Top-level fields that must equal a value (compared as text).
    pub field_filters: Vec<FieldFilter>,
    /// Order by a top-level field instead of mirror order (ties in mirror order).
    pub sort: Option<RecordSort>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct FieldFilter {
    pub field: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RecordSort {
    pub field: String,
    pub descending: bool,
}

/// A JSON path naming one top-level field, quoted so any key is safe.
fn field_path(field: &str) -> String {
    format!("$.\"{}\"", field.replace('\\', "\\\\").replace('"', "\\\""))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct RecordPage {
    /// Each record as the data API returned it.
    pub records: Vec<Value>,
    /// Where each record came from, in the same order: records of two connections can share
    /// an id and a number (two plants' `WO-000001`), and only this tells them apart.
    pub sources: Vec<RecordSource>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// The connection a record was pulled from and that connection's customer (as the mirror
/// knows them; a connection removed from the mirror leaves only its id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(optional_fields = nullable)]
pub struct RecordSource {
    pub connection_id: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
}

/// A record row as stored: its JSON text is copied by exports without being parsed.
pub(crate) struct RawRecord {
    pub seq: i64,
    pub data: String,
    pub profile: String,
    pub connection_id: String,
}

/// The SQL of a query, built from fixed fragments with every value bound.
pub(crate) struct Plan {
    pub sql: String,
    pub args: SqliteArguments<'static>,
}

/// The rows a query selects, without order or limit.
struct Filtered {
    /// `SELECT r.seq, r.data, r.profile, r.connection_id FROM ... WHERE ...`
    sql: String,
    args: SqliteArguments<'static>,
    /// The column in mirror order: the index's rowid when the search leads.
    seq_column: &'static str,
}

fn add<T>(args: &mut SqliteArguments<'static>, value: T) -> Result<()>
where
    T: 'static + Send + sqlx::Encode<'static, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    args.add(value)
        .map_err(|err| StoreError::InvalidInput(err.to_string()))
}

/// `None` when the search holds nothing searchable (the result is then empty).
fn filtered(query: &RecordQuery, after_seq: i64) -> Result<Option<Filtered>> {
    let mut args = SqliteArguments::default();
    // Bound in the order the placeholders appear: the seq bound comes first in WHERE.
    add(&mut args, after_seq)?;
    let mut sql = String::from("SELECT r.seq, r.data, r.profile, r.connection_id FROM ");
    let mut filters = Vec::new();
    let seq_column = match query.search.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(text) => {
            let Some(matcher) = match_expression(
                text,
                query.profile.as_deref(),
                query.connection_id.as_deref(),
                query.entity.as_deref(),
            ) else {
                return Ok(None);
            };
            // CROSS JOIN keeps the index first: SQLite never probes the FTS table per record.
            sql.push_str("records_fts CROSS JOIN records r ON r.seq = records_fts.rowid");
            filters.push("records_fts MATCH ?");
            add(&mut args, matcher)?;
            "records_fts.rowid"
        }
        None => {
            sql.push_str("records r");
            "r.seq"
        }
    };
    for (value, filter) in [
        (&query.profile, "r.profile = ?"),
        (&query.connection_id, "r.connection_id = ?"),
        (&query.entity, "r.entity = ?"),
    ] {
        if let Some(value) = value {
            filters.push(filter);
            add(&mut args, value.clone())?;
        }
    }
    if !query.include_deleted {
        filters.push("r.deleted_at IS NULL");
    }
    let mut owned_filters: Vec<String> = Vec::new();
    if !query.connection_ids.is_empty() {
        let marks = vec!["?"; query.connection_ids.len()].join(", ");
        owned_filters.push(format!("r.connection_id IN ({marks})"));
        for id in &query.connection_ids {
            add(&mut args, id.clone())?;
        }
    }
    for (value, filter) in [
        (&query.updated_after, "r.updated_at >= ?"),
        (&query.updated_before, "r.updated_at < ?"),
    ] {
        if let Some(value) = value {
            owned_filters.push(filter.to_owned());
            add(&mut args, value.clone())?;
        }
    }
    for filter in &query.field_filters {
        owned_filters.push("CAST(json_extract(r.data, ?) AS TEXT) = ?".to_owned());
        add(&mut args, field_path(&filter.field))?;
        add(&mut args, filter.value.clone())?;
    }
    sql.push_str(" WHERE ");
    sql.push_str(seq_column);
    sql.push_str(" > ?");
    for filter in filters.into_iter().map(str::to_owned).chain(owned_filters) {
        sql.push_str(" AND ");
        sql.push_str(&filter);
    }
    Ok(Some(Filtered {
        sql,
        args,
        seq_column,
    }))
}

/// `None` when the search holds nothing searchable (the result is then empty).
pub(crate) fn plan(
    query: &RecordQuery,
    after_seq: i64,
    limit: u32,
    offset: u32,
) -> Result<Option<Plan>> {
    let Some(Filtered {
        mut sql,
        mut args,
        seq_column,
    }) = filtered(query, after_seq)?
    else {
        return Ok(None);
    };
    sql.push_str(" ORDER BY ");
    if let Some(sort) = &query.sort {
        let direction = if sort.descending { " DESC" } else { " ASC" };
        if sort.field == "updated_at" {
            sql.push_str("r.updated_at");
        } else {
            sql.push_str("json_extract(r.data, ?)");
            add(&mut args, field_path(&sort.field))?;
        }
        sql.push_str(direction);
        sql.push_str(", ");
    }
    sql.push_str(seq_column);
    sql.push_str(" LIMIT ? OFFSET ?");
    add(&mut args, i64::from(limit))?;
    add(&mut args, i64::from(offset))?;
    Ok(Some(Plan { sql, args }))
}

pub(crate) fn parse_cursor(after: Option<&str>) -> Result<i64> {
    match after {
        None => Ok(0),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|seq| *seq >= 0)
            .ok_or_else(|| StoreError::InvalidInput(format!("not a record cursor: {text:?}"))),
    }
}

impl Mirror {
    /// One page of records matching `query`.
    pub async fn records(&self, query: &RecordQuery) -> Result<RecordPage> {
        let limit = match query.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        // A sorted walk pages by offset: a seq cursor means nothing in another order.
        let after = match query.sort {
            Some(_) => 0,
            None => parse_cursor(query.after.as_deref())?,
        };
        let rows = self.raw_page(query, after, limit, query.offset).await?;
        let next_cursor = if rows.len() == limit as usize && query.sort.is_none() {
            rows.last().map(|row| row.seq.to_string())
        } else {
            None
        };
        let records = rows
            .iter()
            .map(|row| serde_json::from_str(&row.data).map_err(StoreError::bad_row))
            .collect::<Result<Vec<Value>>>()?;
        let sources = self.record_sources(&rows).await?;
        Ok(RecordPage {
            records,
            sources,
            next_cursor,
        })
    }

    /// Rows as stored: (seq, JSON text), so exports need not parse what they copy.
    pub(crate) async fn raw_page(
        &self,
        query: &RecordQuery,
        after_seq: i64,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<RawRecord>> {
        let Some(plan) = plan(query, after_seq, limit, offset)? else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query_with(&plan.sql, plan.args)
            .fetch_all(self.reader())
            .await
            .map_err(|err| self.fail(err))?;
        rows.iter()
            .map(|row| {
                Ok(RawRecord {
                    seq: row.try_get(0)?,
                    data: row.try_get(1)?,
                    profile: row.try_get(2)?,
                    connection_id: row.try_get(3)?,
                })
            })
            .collect()
    }

    /// The source of each row, in order: one lookup per connection the rows name (a page
    /// holds few), not a join in the page's query, so counts and search plans stay as they are.
    pub(crate) async fn record_sources(&self, rows: &[RawRecord]) -> Result<Vec<RecordSource>> {
        let mut known: HashMap<(&str, &str), RecordSource> = HashMap::new();
        let mut sources = Vec::with_capacity(rows.len());
        for row in rows {
            let key = (row.profile.as_str(), row.connection_id.as_str());
            if let Some(source) = known.get(&key) {
                sources.push(source.clone());
                continue;
            }
            let found: Option<(String, Option<String>)> = sqlx::query_as(
                "SELECT c.customer_id, cu.name FROM connections c
                 LEFT JOIN customers cu ON cu.profile = c.profile AND cu.id = c.customer_id
                 WHERE c.profile = ? AND c.id = ?",
            )
            .bind(key.0)
            .bind(key.1)
            .fetch_optional(self.reader())
            .await
            .map_err(|err| self.fail(err))?;
            let (customer_id, customer_name) = match found {
                Some((customer_id, name)) => (Some(customer_id), name),
                None => (None, None),
            };
            let source = RecordSource {
                connection_id: row.connection_id.clone(),
                customer_id,
                customer_name,
            };
            sources.push(source.clone());
            known.insert(key, source);
        }
        Ok(sources)
    }

    /// One record of a connection's entity, deleted or not.
    pub async fn record(
        &self,
        connection_id: &str,
        entity: &str,
        record_id: &str,
    ) -> Result<Value> {
        let data: Option<String> = sqlx::query_scalar(
            "SELECT data FROM records WHERE connection_id = ? AND entity = ? AND record_id = ?
             ORDER BY profile LIMIT 1",
        )
        .bind(connection_id)
        .bind(entity)
        .bind(record_id)
        .fetch_optional(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        let data = data.ok_or_else(|| StoreError::not_found("record", record_id))?;
        serde_json::from_str(&data).map_err(StoreError::bad_row)
    }

    /// How many records match, ignoring limit, offset and cursor.
    pub async fn count_records(&self, query: &RecordQuery) -> Result<i64> {
        self.count_matching(query, None).await
    }

    /// How many records match, counting no further than `cap`: (count, whether more match).
    /// A search for a common word prefix matches a good part of a large mirror, and counting
    /// every match costs more than the page itself; "10,000+" is what a person typing needs.
    pub async fn count_records_capped(&self, query: &RecordQuery, cap: u32) -> Result<(i64, bool)> {
        let count = self.count_matching(query, Some(cap)).await?;
        let cap = i64::from(cap);
        Ok((count.min(cap), count > cap))
    }

    /// The count, or up to `cap + 1` when capped (the one more tells that more match).
    async fn count_matching(&self, query: &RecordQuery, cap: Option<u32>) -> Result<i64> {
        let Some(Filtered { sql, mut args, .. }) = filtered(query, 0)? else {
            return Ok(0);
        };
        let sql = match cap {
            Some(cap) => {
                add(&mut args, i64::from(cap) + 1)?;
                format!("SELECT COUNT(*) FROM ({sql} LIMIT ?)")
            }
            None => format!("SELECT COUNT(*) FROM ({sql})"),
        };
        let count: i64 = sqlx::query_scalar_with(&sql, args)
            .fetch_one(self.reader())
            .await
            .map_err(|err| self.fail(err))?;
        Ok(count)
    }
}
