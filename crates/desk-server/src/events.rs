//! `GET /api/events`: desk-core's event stream as server-sent events, one JSON `DeskEvent` per
//! message. A subscriber that falls behind is told how many it missed (`lagged`), so the UI
//! can reload what it shows instead of trusting a gap.

use crate::ServerState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use futures::{Stream, StreamExt};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

pub(crate) fn routes() -> Router<Arc<ServerState>> {
    Router::new().route("/events", get(stream))
}

async fn stream(
    State(state): State<Arc<ServerState>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = BroadcastStream::new(state.desk.subscribe()).map(|item| {
        Ok(match item {
            Ok(event) => match serde_json::to_string(&event) {
                Ok(json) => Event::default().data(json),
                Err(err) => {
                    tracing::error!(error = %err, "a desk event does not serialise");
                    Event::default().event("error").data(err.to_string())
                }
            },
            Err(BroadcastStreamRecvError::Lagged(missed)) => {
                Event::default().event("lagged").data(missed.to_string())
            }
        })
    });
    let hello = futures::stream::once(async { Ok(Event::default().event("ready").data("{}")) });
    Sse::new(hello.chain(events)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
