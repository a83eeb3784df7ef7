//! CSV and JSON exports of records, streamed page by page so a million rows never sit in
//! memory. Writers are synchronous (a file, a buffer): each page is written between reads.

use crate::error::{Result, StoreError};
use crate::mirror::Mirror;
use crate::query::{parse_cursor, RawRecord, RecordQuery, RecordSource};
use serde_json::Value;
use std::collections::HashSet;
use std::io::Write;

const EXPORT_PAGE: u32 = 2_000;

impl Mirror {
    /// The next rows of an export: after the last seq written, or, in a sorted export (whose
    /// seqs are not in order), at the next offset.
    async fn export_page(
        &self,
        query: &RecordQuery,
        after: i64,
        offset: &mut u32,
    ) -> Result<Vec<RawRecord>> {
        if query.sort.is_none() {
            return self.raw_page(query, after, EXPORT_PAGE, 0).await;
        }
        let rows = self.raw_page(query, 0, EXPORT_PAGE, *offset).await?;
        *offset += rows.len() as u32;
        Ok(rows)
    }

    /// Every record matching `query`'s filters and search (its limit and offset are ignored;
    /// `after` is honoured) as a JSON array, one line per record: `{connection_id,
    /// customer_id, customer_name, record}`, the record as the data API returned it.
    pub async fn export_json<W: Write>(&self, mut writer: W, query: &RecordQuery) -> Result<u64> {
        let mut after = parse_cursor(query.after.as_deref())?;
        let mut offset = 0u32;
        let mut written = 0u64;
        writer.write_all(b"[").map_err(StoreError::Export)?;
        loop {
            let rows = self.export_page(query, after, &mut offset).await?;
            let sources = self.record_sources(&rows).await?;
            for (row, source) in rows.iter().zip(&sources) {
                let separator: &[u8] = if written == 0 { b"\n" } else { b",\n" };
                writer.write_all(separator).map_err(StoreError::Export)?;
                // The source's fields, then the record's own text, copied unparsed.
                let head = serde_json::to_string(source).map_err(StoreError::bad_row)?;
                let head = head.strip_suffix('}').unwrap_or(&head);
                writer
                    .write_all(format!("{head},\"record\":").as_bytes())
                    .and_then(|()| writer.write_all(row.data.as_bytes()))
                    .and_then(|()| writer.write_all(b"}"))
                    .map_err(StoreError::Export)?;
                written += 1;
                after = row.seq;
            }
            if rows.len() < EXPORT_PAGE as usize {
                break;
            }
        }
        writer.write_all(b"\n]\n").map_err(StoreError::Export)?;
        writer.flush().map_err(StoreError::Export)?;
        Ok(written)
    }

    /// Every record matching `query` (as for [`Mirror::export_json`]) as RFC 4180 CSV: the
    /// record's source (`connection_id`, `customer_id`, `customer_name`), then one column per
    /// top-level key that holds a value in some record (`id` first, the rest in order of first
    /// appearance; a column always empty is left out), nested values as JSON text, absent and
    /// null values empty. A record key named like a source column is headed `record.KEY`.
    pub async fn export_csv<W: Write>(&self, mut writer: W, query: &RecordQuery) -> Result<u64> {
        let columns = self.csv_columns(query).await?;
        let header: Vec<String> = SOURCE_COLUMNS
            .iter()
            .map(|c| (*c).to_owned())
            .chain(columns.iter().map(|c| {
                if SOURCE_COLUMNS.contains(&c.as_str()) {
                    format!("record.{c}")
                } else {
                    c.clone()
                }
            }))
            .map(|c| csv_field(&c))
            .collect();
        write_line(&mut writer, &header)?;
        let mut after = parse_cursor(query.after.as_deref())?;
        let mut offset = 0u32;
        let mut written = 0u64;
        loop {
            let rows = self.export_page(query, after, &mut offset).await?;
            let sources = self.record_sources(&rows).await?;
            for (row, source) in rows.iter().zip(&sources) {
                let record: Value = serde_json::from_str(&row.data).map_err(StoreError::bad_row)?;
                let fields: Vec<String> = source_cells(source)
                    .into_iter()
                    .chain(columns.iter().map(|column| cell(record.get(column))))
                    .map(|text| csv_field(&text))
                    .collect();
                write_line(&mut writer, &fields)?;
                written += 1;
                after = row.seq;
            }
            if rows.len() < EXPORT_PAGE as usize {
                break;
            }
        }
        writer.flush().map_err(StoreError::Export)?;
        Ok(written)
    }

    /// A first pass over the same rows: the union of top-level keys that hold a value (not
    /// null, not an empty string) in at least one record.
    async fn csv_columns(&self, query: &RecordQuery) -> Result<Vec<String>> {
        let mut after = parse_cursor(query.after.as_deref())?;
        let mut offset = 0u32;
        let mut columns = vec!["id".to_owned()];
        let mut seen: HashSet<String> = columns.iter().cloned().collect();
        loop {
            let rows = self.export_page(query, after, &mut offset).await?;
            for row in &rows {
                let record: Value = serde_json::from_str(&row.data).map_err(StoreError::bad_row)?;
                if let Value::Object(map) = record {
                    for (key, value) in &map {
                        if !cell(Some(value)).is_empty() && seen.insert(key.clone()) {
                            columns.push(key.clone());
                        }
                    }
                }
                after = row.seq;
            }
            if rows.len() < EXPORT_PAGE as usize {
                return Ok(columns);
            }
        }
    }
}

/// The columns every CSV export starts with: where the row came from.
const SOURCE_COLUMNS: [&str; 3] = ["connection_id", "customer_id", "customer_name"];

fn source_cells(source: &RecordSource) -> [String; 3] {
    [
        source.connection_id.clone(),
        source.customer_id.clone().unwrap_or_default(),
        source.customer_name.clone().unwrap_or_default(),
    ]
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Quoted when it holds a separator, a quote, a line break or edge spaces; quotes doubled.
pub(crate) fn csv_field(text: &str) -> String {
    let needs_quotes =
        text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn write_line<W: Write>(writer: &mut W, fields: &[String]) -> Result<()> {
    writer
        .write_all(fields.join(",").as_bytes())
        .and_then(|()| writer.write_all(b"\r\n"))
        .map_err(StoreError::Export)
}
