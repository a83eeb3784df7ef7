//! Stored times: fixed-width UTC text, so comparisons and ORDER BY work on the text itself.

use crate::error::{Result, StoreError};
use chrono::{DateTime, Utc};

pub(crate) fn format(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub(crate) fn format_opt(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(format)
}

pub(crate) fn parse(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|err| StoreError::bad_row(format!("stored time {text:?}: {err}")))
}

pub(crate) fn parse_opt(text: Option<String>) -> Result<Option<DateTime<Utc>>> {
    text.as_deref().map(parse).transpose()
}

/// A time field of a synced record, normalised to the stored form; `None` when absent or null.
/// A value that is not RFC 3339 is refused: it would sort wrongly against the others.
pub(crate) fn from_json(value: Option<&serde_json::Value>, field: &str) -> Result<Option<String>> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(text)) => DateTime::parse_from_rfc3339(text)
            .map(|at| Some(format(at.with_timezone(&Utc))))
            .map_err(|err| StoreError::InvalidInput(format!("record {field} {text:?}: {err}"))),
        Some(other) => Err(StoreError::InvalidInput(format!(
            "record {field} must be an RFC 3339 string, not {other}"
        ))),
    }
}
