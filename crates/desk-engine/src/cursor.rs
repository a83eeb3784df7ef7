//! Opaque list cursors. A cursor names the last row seen by its immutable `seq`, so inserts,
//! updates and deletes elsewhere never make a walk skip or repeat a row.

use crate::error::EngineError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use desk_platform::page::{DEFAULT_LIMIT, MAX_LIMIT};

pub fn encode(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{seq}"))
}

/// `None` for the start of a walk.
pub fn decode(cursor: Option<&str>) -> Result<i64, EngineError> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(0);
    };
    let bad = || EngineError::invalid(format!("cursor {cursor:?} is not one this API issued"));
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let seq = text
        .strip_prefix("v1:")
        .ok_or_else(bad)?
        .parse::<i64>()
        .map_err(|_| bad())?;
    if seq < 0 {
        return Err(bad());
    }
    Ok(seq)
}

/// The page size: default 100, 1..=500.
pub fn limit(requested: Option<u32>) -> Result<u32, EngineError> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(EngineError::invalid(format!(
            "limit must be 1 to {MAX_LIMIT}, got {n}"
        ))),
    }
}

/// Splits a fetched `limit + 1` rows into the page and its next cursor.
pub fn page<T>(mut rows: Vec<(i64, T)>, limit: u32) -> desk_platform::Page<T> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|(seq, _)| encode(*seq))
    } else {
        None
    };
    desk_platform::Page {
        data: rows.into_iter().map(|(_, item)| item).collect(),
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_strings_are_refused() {
        assert_eq!(decode(Some(&encode(42))).unwrap(), 42);
        assert_eq!(decode(None).unwrap(), 0);
        assert!(decode(Some("garbage!")).is_err());
        assert!(decode(Some(&URL_SAFE_NO_PAD.encode("v1:-3"))).is_err());
    }

    #[test]
    fn limits_outside_one_to_five_hundred_are_refused() {
        assert_eq!(limit(None).unwrap(), 100);
        assert_eq!(limit(Some(500)).unwrap(), 500);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(501)).is_err());
    }
}
