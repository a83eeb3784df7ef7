//! Page N+1 of a Makini list without OFFSET. Makini's lists are numbered pages (Laravel's
//! length-aware paginator), so a client walking 1M records asks for page 2,000 at the end:
//! with OFFSET and a COUNT per page, each page costs a scan of everything before it and the
//! walk is quadratic. A walk asks its pages in order, so the engine remembers where each walk's
//! last page ended (its sort values and `seq`) and the list's total, and serves the next page
//! from there through the index, as a cursor would.
//!
//! What it remembers is keyed by the whole query but for `page` (connection, entity, filters,
//! `filterMatch`, sorts, `per_page`), only for sorts that are all ascending on text columns
//! (`key`, `createdAt`, `updatedAt`, or none: our own order), and forgotten after
//! [`TTL`] or when records were added since (`MAX(seq)` moved). Any other page is served with
//! OFFSET and counted again, exactly as Laravel does. The one departure: while a walk runs, a
//! record that leaves the list before the walk's position no longer shifts later pages (a
//! record is neither skipped nor repeated), and `total` is the count when the walk's first
//! page was served, until records are added.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a walk's position is kept after its last page.
pub const TTL: Duration = Duration::from_secs(120);
/// Walks remembered at once; the oldest is forgotten first.
const CAPACITY: usize = 256;

/// Where one walk's last served page ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub page: u32,
    /// The last row's sort values, in the query's sort order, then its `seq`.
    pub sort_values: Vec<String>,
    pub seq: i64,
    pub total: i64,
    /// `MAX(seq)` of the records table when the page was served.
    pub max_seq: i64,
    pub at: Instant,
}

#[derive(Debug, Default)]
pub struct Walks {
    positions: Mutex<HashMap<String, Position>>,
}

impl Walks {
    /// The position to continue from for `page` of the walk `key`, when its previous page was
    /// the last one served and nothing was added since.
    pub fn continuation(&self, key: &str, page: u32, max_seq: i64) -> Option<Position> {
        let positions = self.positions.lock().unwrap_or_else(|p| p.into_inner());
        positions
            .get(key)
            .filter(|p| p.page + 1 == page && p.max_seq == max_seq && p.at.elapsed() < TTL)
            .cloned()
    }

    pub fn remember(&self, key: String, position: Position) {
        let mut positions = self.positions.lock().unwrap_or_else(|p| p.into_inner());
        if positions.len() >= CAPACITY && !positions.contains_key(&key) {
            positions.retain(|_, p| p.at.elapsed() < TTL);
            if positions.len() >= CAPACITY {
                if let Some(oldest) = positions
                    .iter()
                    .min_by_key(|(_, p)| p.at)
                    .map(|(k, _)| k.clone())
                {
                    positions.remove(&oldest);
                }
            }
        }
        positions.insert(key, position);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(page: u32, max_seq: i64) -> Position {
        Position {
            page,
            sort_values: vec!["WO-000010".to_owned()],
            seq: 10,
            total: 100,
            max_seq,
            at: Instant::now(),
        }
    }

    #[test]
    fn only_the_next_page_of_an_unchanged_list_continues() {
        let walks = Walks::default();
        walks.remember("q".to_owned(), at(3, 50));
        assert!(walks.continuation("q", 4, 50).is_some());
        assert!(walks.continuation("q", 5, 50).is_none(), "a page skipped");
        assert!(walks.continuation("q", 3, 50).is_none(), "a page repeated");
        assert!(walks.continuation("q", 4, 51).is_none(), "records added");
        assert!(walks.continuation("other", 4, 50).is_none());
    }

    #[test]
    fn the_oldest_walk_is_forgotten_at_capacity() {
        let walks = Walks::default();
        for i in 0..CAPACITY + 1 {
            walks.remember(format!("q{i}"), at(1, 1));
        }
        assert!(walks.continuation("q0", 2, 1).is_none());
        assert!(walks.continuation(&format!("q{CAPACITY}"), 2, 1).is_some());
    }
}
