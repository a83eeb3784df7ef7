//! Cursor-paginated lists as async streams: one page is fetched when the previous one is used up,
//! following `next_cursor` until the platform says there is no more.

use crate::error::ClientError;
use desk_platform::Page;
use futures::Stream;
use std::future::Future;

/// How lists are walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListOptions {
    /// Items per page (`limit`); `None` leaves it to the platform (100). The platform accepts
    /// 1 to 500 and answers `INVALID_REQUEST` otherwise.
    pub page_size: Option<u32>,
}

impl ListOptions {
    pub fn page_size(page_size: u32) -> Self {
        Self {
            page_size: Some(page_size),
        }
    }

    /// `limit` and `cursor` for one page request.
    pub(crate) fn query(&self, cursor: Option<&str>) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        if let Some(limit) = self.page_size {
            query.push(("limit", limit.to_string()));
        }
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        query
    }
}

/// Walks every page `fetch` returns, starting without a cursor. A page that hands back the
/// cursor it was fetched with would loop forever; that ends the stream with an error instead.
pub(crate) fn walk<T, F, Fut>(
    path: String,
    mut fetch: F,
) -> impl Stream<Item = Result<T, ClientError>> + Send + 'static
where
    T: Send + 'static,
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>, ClientError>> + Send,
{
    async_stream::try_stream! {
        let mut cursor: Option<String> = None;
        loop {
            let page = fetch(cursor.clone()).await?;
            let next = page.next_cursor.filter(|next| !next.is_empty());
            for item in page.data {
                yield item;
            }
            match next {
                None => break,
                Some(next) if cursor.as_deref() == Some(next.as_str()) => {
                    Err(ClientError::Decode {
                        path: path.clone(),
                        request_id: None,
                        message: format!("the platform returned the same cursor {next:?} twice"),
                    })?;
                }
                Some(next) => cursor = Some(next),
            }
        }
    }
}
