use crate::support::*;
use desk_inbox::{ListFilter, Processing, Source};
use http::StatusCode;

#[tokio::test]
async fn catch_up_stores_only_events_not_received_by_webhook_and_remembers_the_last_id() {
    let harness = Harness::new().await;
    let events: Vec<_> = (0..4)
        .map(|n| {
            status_changed(
                &format!("evt_{n}"),
                "conn_1",
                n,
                if n % 2 == 0 { "active" } else { "inactive" },
            )
        })
        .collect();
    assert_eq!(harness.deliver(&events[1]).await, StatusCode::OK);
    assert_eq!(harness.inbox.catch_up_cursor().await.unwrap(), None);
    let report = harness.inbox.catch_up(events.clone()).await.unwrap();
    assert_eq!(report.stored, vec!["evt_0", "evt_2", "evt_3"]);
    assert_eq!(report.already_received, vec!["evt_1"]);
    assert_eq!(report.last_event_id.as_deref(), Some("evt_3"));
    assert_eq!(
        harness.inbox.catch_up_cursor().await.unwrap().as_deref(),
        Some("evt_3")
    );

    let again = harness.inbox.catch_up(events).await.unwrap();
    assert!(again.stored.is_empty());
    harness.inbox.process_pending().await.unwrap();
    let state = harness
        .inbox
        .connection_state("conn_1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.status.as_deref(), Some("inactive"));
    assert_eq!(state.last_event_id.as_deref(), Some("evt_3"));
    let page = harness.inbox.list(&ListFilter::default()).await.unwrap();
    assert_eq!(page.data.len(), 4);
    // evt_1 came by webhook before catch-up fetched the older evt_0: evt_0 is out of order.
    let old = page
        .data
        .iter()
        .find(|row| row.id.as_deref() == Some("evt_0"))
        .unwrap();
    assert!(old.out_of_order);
    assert_eq!(old.processing, Processing::Skipped);
    let in_order = page.data.iter().filter(|row| !row.out_of_order);
    assert!(in_order
        .clone()
        .all(|row| row.processing == Processing::Processed));
    assert_eq!(
        page.data
            .iter()
            .filter(|row| row.source == Source::Catchup)
            .count(),
        3
    );
}

#[tokio::test]
async fn a_webhook_arriving_after_catch_up_fetched_its_event_is_a_duplicate() {
    let harness = Harness::new().await;
    let event = status_changed("evt_1", "conn_1", 0, "active");
    harness.inbox.catch_up(vec![event.clone()]).await.unwrap();
    let (status, body) = harness.post(signed(&event, harness.now())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["duplicate"], true);
    assert_eq!(harness.inbox.process_pending().await.unwrap(), 1);
}
