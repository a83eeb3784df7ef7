//! Page N+1 of a Makini list without OFFSET. Makini's lists are numbered pages (Laravel's
//! length-aware paginator), so a client walking 1M records asks for page 2,000 at the end:
//! with OFFSET and a COUNT per page, each page costs a scan of everything before it and the
//! walk is quadratic. A walk asks its pages in order, so the engine remembers where each walk's
//! last few pages ended (their sort values and `seq`) and the list's total, and serves a later
//! page from the nearest of them through the index, as a cursor would: the page right after
//! one served continues from its end, and a client with a few pages in flight (page N+3 asked
//! while N+1 and N+2 are on their way) skips at most [`AHEAD`] pages of the index from the
//! last one served, not the whole list.
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
/// How many pages past a remembered one a page may be and still continue from it.
pub const AHEAD: u32 = 8;
/// Positions kept per walk: its latest pages, so pages answered out of order (several in
/// flight) each find an earlier one.
const KEPT: usize = 8;

/// Where one served page ended.
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

/// Where to serve a page from: after `from`'s last row, skipping `pages_between` whole pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Continuation {
    pub from: Position,
    pub pages_between: u32,
}

#[derive(Debug, Default)]
pub struct Walks {
    /// Per walk, its latest served pages in ascending page order.
    positions: Mutex<HashMap<String, Vec<Position>>>,
}

impl Walks {
    /// Where to continue `page` of the walk `key` from: the latest page served before it, at
    /// most [`AHEAD`] pages back, when nothing was added since.
    pub fn continuation(&self, key: &str, page: u32, max_seq: i64) -> Option<Continuation> {
        let positions = self.positions.lock().unwrap_or_else(|p| p.into_inner());
        positions
            .get(key)?
            .iter()
            .rev()
            .find(|p| p.page < page)
            .filter(|p| page - p.page <= AHEAD && p.max_seq == max_seq && p.at.elapsed() < TTL)
            .map(|p| Continuation {
                from: p.clone(),
                pages_between: page - p.page - 1,
            })
    }

    pub fn remember(&self, key: String, position: Position) {
        let mut positions = self.positions.lock().unwrap_or_else(|p| p.into_inner());
        if positions.len() >= CAPACITY && !positions.contains_key(&key) {
            positions.retain(|_, walk| walk.iter().any(|p| p.at.elapsed() < TTL));
            if positions.len() >= CAPACITY {
                let oldest = positions
                    .iter()
                    .min_by_key(|(_, walk)| walk.iter().map(|p| p.at).max())
                    .map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    positions.remove(&oldest);
                }
            }
        }
        let walk = positions.entry(key).or_default();
        // A page served again (a retry) replaces its old end; a walk started over from page 1
        // forgets the pages of the previous one.
        if position.page == 1 {
            walk.clear();
        } else {
            walk.retain(|p| p.page != position.page);
        }
        let at = walk.partition_point(|p| p.page < position.page);
        walk.insert(at, position);
        if walk.len() > KEPT {
            walk.remove(0);
        }
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

    fn between(walks: &Walks, page: u32, max_seq: i64) -> Option<(u32, u32)> {
        walks
            .continuation("q", page, max_seq)
            .map(|c| (c.from.page, c.pages_between))
    }

    #[test]
    fn a_later_page_of_an_unchanged_list_continues_from_the_nearest_page_before_it() {
        let walks = Walks::default();
        walks.remember("q".to_owned(), at(3, 50));
        assert_eq!(between(&walks, 4, 50), Some((3, 0)));
        assert_eq!(between(&walks, 6, 50), Some((3, 2)), "pages in flight");
        assert_eq!(between(&walks, 3 + AHEAD, 50), Some((3, AHEAD - 1)));
        assert_eq!(between(&walks, 4 + AHEAD, 50), None, "too far ahead");
        assert_eq!(between(&walks, 3, 50), None, "a page repeated");
        assert_eq!(between(&walks, 4, 51), None, "records added");
        assert!(walks.continuation("other", 4, 50).is_none());
        // Pages answered out of order: each continues from the latest page before it.
        walks.remember("q".to_owned(), at(5, 50));
        walks.remember("q".to_owned(), at(4, 50));
        assert_eq!(between(&walks, 5, 50), Some((4, 0)));
        assert_eq!(between(&walks, 7, 50), Some((5, 1)));
    }

    #[test]
    fn a_walk_keeps_its_latest_pages_and_forgets_them_when_it_starts_over() {
        let walks = Walks::default();
        for page in 1..=20 {
            walks.remember("q".to_owned(), at(page, 50));
        }
        assert_eq!(between(&walks, 21, 50), Some((20, 0)));
        assert_eq!(between(&walks, 14, 50), Some((13, 0)));
        assert_eq!(between(&walks, 13, 50), None, "older than the pages kept");
        walks.remember("q".to_owned(), at(1, 50));
        assert_eq!(between(&walks, 2, 50), Some((1, 0)));
        assert_eq!(between(&walks, 21, 50), None, "the previous walk's pages");
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
