//! Makini's page-based lists: `page`/`per_page` in, `meta.current_page`/`meta.last_page` (or
//! `links.next`) out.

use crate::wire::{Links, Meta, PageOf};
use desk_client::{ClientError, RawAnswer};
use serde::de::DeserializeOwned;
use std::future::Future;

/// A list longer than this many pages is refused rather than walked forever.
const MAX_PAGES: u64 = 100_000;

/// The page after `requested`, or `None` after the last. An answer that did not move past a
/// page already walked is an error, not a loop.
pub(crate) fn next_page(
    requested: u64,
    meta: Option<&Meta>,
    links: Option<&Links>,
    items: usize,
    path: &str,
) -> Result<Option<u64>, ClientError> {
    if items == 0 {
        return Ok(None);
    }
    let current = meta.and_then(|m| m.current_page).unwrap_or(requested);
    if current < requested {
        return Err(ClientError::Decode {
            path: path.to_owned(),
            request_id: None,
            message: format!("asked for page {requested}, got page {current} again"),
        });
    }
    let next = match meta.and_then(|m| m.last_page) {
        Some(last) => (current < last).then_some(current + 1),
        None => links
            .and_then(|l| l.next.as_deref())
            .filter(|next| !next.is_empty())
            .map(|_| current + 1),
    };
    match next {
        Some(page) if page > MAX_PAGES => Err(ClientError::Decode {
            path: path.to_owned(),
            request_id: None,
            message: format!("more than {MAX_PAGES} pages"),
        }),
        other => Ok(other),
    }
}

/// Every item of a list, page by page (admin lists are short: connections, platforms).
pub(crate) async fn collect<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, ClientError>
where
    T: DeserializeOwned,
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<RawAnswer, ClientError>>,
{
    let mut items = Vec::new();
    let mut page = 1;
    loop {
        let answer = fetch(page).await?;
        let parsed: PageOf<T> = answer.decode()?;
        let next = next_page(
            page,
            parsed.meta.as_ref(),
            parsed.links.as_ref(),
            parsed.data.len(),
            &answer.path,
        )?;
        items.extend(parsed.data);
        match next {
            Some(next) => page = next,
            None => return Ok(items),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(current: u64, last: Option<u64>) -> Meta {
        Meta {
            current_page: Some(current),
            last_page: last,
            ..Meta::default()
        }
    }

    #[test]
    fn pages_follow_meta_then_links_and_stop_on_an_empty_page() {
        let next =
            |m: Option<Meta>, l: Option<Links>, n| next_page(2, m.as_ref(), l.as_ref(), n, "/p");
        assert_eq!(next(Some(meta(2, Some(3))), None, 5).ok(), Some(Some(3)));
        assert_eq!(next(Some(meta(3, Some(3))), None, 5).ok(), Some(None));
        let more = Links {
            next: Some("https://x/?page=3".into()),
        };
        assert_eq!(next(None, Some(more), 5).ok(), Some(Some(3)));
        assert_eq!(next(None, Some(Links::default()), 5).ok(), Some(None));
        assert_eq!(next(Some(meta(2, Some(9))), None, 0).ok(), Some(None));
        assert!(
            next(Some(meta(1, Some(9))), None, 5).is_err(),
            "a page repeated"
        );
    }
}
