//! The pages of one walk, in order, fetched and prepared for the mirror's writer (checked,
//! serialised, their index text extracted), each with the cursor of the page after it.
//!
//! A cursor walk (our API) asks one page at a time: each page names the next. Makini's pages
//! are numbered, so once an answer says how many there are, the next few are asked at once
//! ([`desk_makini::MakiniData::pages_in_flight`]): the platform works on them while this task prepares the
//! one in hand and the writer stores the one before. They are still handed on in page order,
//! and a page that failed ends the walk only when its turn comes, after every page before it,
//! as a one-at-a-time walk would end.

use crate::platform::DataClient;
use crate::CoreError;
use desk_client::{ClientError, RecordQuery};
use desk_makini::MakiniData;
use desk_store::PreparedPage;
use futures::stream::{FuturesOrdered, StreamExt};
use tokio::sync::mpsc::Sender;

/// A page for the writer: the cursor after it (`None` after the last), and its records.
pub(crate) type PageForWriter = (Option<String>, PreparedPage);

/// Fetches `entity` from `cursor` (`None`: the start) into `ahead` until the last page, or
/// until the writer stops taking pages (it stopped on an error of its own, which the walk
/// reports).
pub(crate) async fn fetch_pages(
    data: &DataClient,
    entity: &str,
    query: &RecordQuery,
    cursor: Option<String>,
    ahead: Sender<PageForWriter>,
) -> Result<(), CoreError> {
    match data.numbered() {
        Some(makini) => {
            let first = data.page_number(entity, cursor.as_deref())?;
            numbered(makini, entity, query, first, ahead).await
        }
        None => by_cursor(data, entity, query, cursor, ahead).await,
    }
}

async fn by_cursor(
    data: &DataClient,
    entity: &str,
    query: &RecordQuery,
    mut cursor: Option<String>,
    ahead: Sender<PageForWriter>,
) -> Result<(), CoreError> {
    loop {
        let page = data
            .records_page(entity, query, cursor.as_deref())
            .await
            .map_err(CoreError::Client)?;
        let next = page.next_cursor.filter(|next| !next.is_empty());
        if next.is_some() && next == cursor {
            return Err(ClientError::Decode {
                path: data.path_of(entity),
                request_id: None,
                message: "the platform returned the same cursor twice".to_owned(),
            }
            .into());
        }
        let prepared = PreparedPage::new(&page.data)?;
        if ahead.send((next.clone(), prepared)).await.is_err() {
            return Ok(());
        }
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(()),
        }
    }
}

/// One numbered page's answer: its number, the page after it, the list's last page.
struct Numbered {
    page: u64,
    next: Option<u64>,
    last: Option<u64>,
    prepared: PreparedPage,
}

async fn numbered(
    makini: &MakiniData,
    entity: &str,
    query: &RecordQuery,
    first: u64,
    ahead: Sender<PageForWriter>,
) -> Result<(), CoreError> {
    let in_flight = makini.pages_in_flight();
    let fetch = |page: u64| async move {
        let answer = makini
            .records_page(entity, query.modified_after, page)
            .await
            .map_err(CoreError::Client)?;
        Ok::<_, CoreError>(Numbered {
            page,
            next: answer.next_page,
            last: answer.last_page,
            prepared: PreparedPage::new(&answer.records)?,
        })
    };
    let mut asked = FuturesOrdered::new();
    asked.push_back(fetch(first));
    let mut next_to_ask = first + 1;
    while let Some(answer) = asked.next().await {
        let Numbered {
            page,
            next,
            last,
            prepared,
        } = answer?;
        if ahead
            .send((next.map(|n| n.to_string()), prepared))
            .await
            .is_err()
        {
            return Ok(());
        }
        let Some(next) = next else {
            // The last page: what is still in flight was asked past the end.
            return Ok(());
        };
        if next != page + 1 {
            // The platform named another page than the one after: follow it from there.
            asked = FuturesOrdered::new();
            next_to_ask = next;
        }
        // Never past the last page the answer names; one at a time when it names none (a
        // list with `links.next` only).
        let end = last.unwrap_or(next).max(next);
        while asked.len() < in_flight && next_to_ask <= end {
            asked.push_back(fetch(next_to_ask));
            next_to_ask += 1;
        }
    }
    Ok(())
}
