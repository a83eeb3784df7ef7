//! CSV and JSON exports of records, streamed page by page so a million rows never sit in
//! memory. Writers are synchronous (a file, a buffer): each page is written between reads.

use crate::error::{Result, StoreError};
use crate::mirror::Mirror;
use crate::query::{parse_cursor, RecordQuery};
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
    ) -> Result<Vec<(i64, String)>> {
        if query.sort.is_none() {
            return self.raw_page(query, after, EXPORT_PAGE, 0).await;
        }
        let rows = self.raw_page(query, 0, EXPORT_PAGE, *offset).await?;
        *offset += rows.len() as u32;
        Ok(rows)
    }

    /// Every record matching `query`'s filters and search (its limit and offset are ignored;
    /// `after` is honoured) as a JSON array, one record per line.
    pub async fn export_json<W: Write>(&self, mut writer: W, query: &RecordQuery) -> Result<u64> {
        let mut after = parse_cursor(query.after.as_deref())?;
        let mut offset = 0u32;
        let mut written = 0u64;
        writer.write_all(b"[").map_err(StoreError::Export)?;
        loop {
            let rows = self.export_page(query, after, &mut offset).await?;
            for (seq, data) in &rows {
                let separator: &[u8] = if written == 0 { b"\n" } else { b",\n" };
                writer.write_all(separator).map_err(StoreError::Export)?;
                writer
                    .write_all(data.as_bytes())
                    .map_err(StoreError::Export)?;
                written += 1;
                after = *seq;
            }
            if rows.len() < EXPORT_PAGE as usize {
                break;
            }
        }
        writer.write_all(b"\n]\n").map_err(StoreError::Export)?;
        writer.flush().map_err(StoreError::Export)?;
        Ok(written)
    }

    /// Every record matching `query` (as for [`Mirror::export_json`]) as RFC 4180 CSV: one
    /// column per top-level key found in any record (`id` first, the rest in order of first
    /// appearance), nested values as JSON text, absent and null values empty.
    pub async fn export_csv<W: Write>(&self, mut writer: W, query: &RecordQuery) -> Result<u64> {
        let columns = self.csv_columns(query).await?;
        let header: Vec<String> = columns.iter().map(|c| csv_field(c)).collect();
        write_line(&mut writer, &header)?;
        let mut after = parse_cursor(query.after.as_deref())?;
        let mut offset = 0u32;
        let mut written = 0u64;
        loop {
            let rows = self.export_page(query, after, &mut offset).await?;
            for (seq, data) in &rows {
                let record: Value = serde_json::from_str(data).map_err(StoreError::bad_row)?;
                let fields: Vec<String> = columns
                    .iter()
                    .map(|column| csv_field(&cell(record.get(column))))
                    .collect();
                write_line(&mut writer, &fields)?;
                written += 1;
                after = *seq;
            }
            if rows.len() < EXPORT_PAGE as usize {
                break;
            }
        }
        writer.flush().map_err(StoreError::Export)?;
        Ok(written)
    }

    /// A first pass over the same rows: the union of top-level keys.
    async fn csv_columns(&self, query: &RecordQuery) -> Result<Vec<String>> {
        let mut after = parse_cursor(query.after.as_deref())?;
        let mut offset = 0u32;
        let mut columns = vec!["id".to_owned()];
        let mut seen: HashSet<String> = columns.iter().cloned().collect();
        loop {
            let rows = self.export_page(query, after, &mut offset).await?;
            for (seq, data) in &rows {
                let record: Value = serde_json::from_str(data).map_err(StoreError::bad_row)?;
                if let Value::Object(map) = record {
                    for key in map.keys() {
                        if seen.insert(key.clone()) {
                            columns.push(key.clone());
                        }
                    }
                }
                after = *seq;
            }
            if rows.len() < EXPORT_PAGE as usize {
                return Ok(columns);
            }
        }
    }
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
