use crate::support::*;
use desk_inbox::{Inbox, InboxConfig, ListFilter, Processing};
use std::collections::HashSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_two_hundred_concurrent_signed_posts_is_stored_exactly_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let config = InboxConfig {
        background_processing: false,
        ..InboxConfig::with_secret(key())
    };
    let inbox = Inbox::open(dir.path(), config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = inbox.clone();
    let served = tokio::spawn(async move {
        server
            .serve(listener, async move { drop(stopped.await) })
            .await
    });

    let client = desk_inbox::http_client().unwrap();
    let sends = (0..200).map(|n| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let event = status_changed(
                &format!("evt_{n:03}"),
                &format!("conn_{}", n % 10),
                n,
                "active",
            );
            let body = serde_json::to_vec(&event).unwrap();
            let now = chrono::Utc::now().timestamp();
            desk_inbox::send_signed(&client, &url, &key(), &event.id, body, now)
                .await
                .unwrap()
                .status
        }
    });
    let statuses = futures::future::join_all(sends).await;
    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");

    let page = inbox
        .list(&ListFilter {
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.data.len(), 200);
    let ids: HashSet<_> = page
        .data
        .iter()
        .map(|row| row.id.clone().unwrap())
        .collect();
    assert_eq!(ids.len(), 200);
    assert!(page.data.iter().all(|row| row.duplicate_of.is_none()));
    assert_eq!(inbox.process_pending().await.unwrap(), 200);
    // Concurrent senders reorder events of a connection: older ones are skipped as out of
    // order, everything else is processed, nothing is left pending or failed.
    let rows = inbox
        .list(&ListFilter {
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(rows
        .data
        .iter()
        .all(|row| row.processing == Processing::Processed
            || (row.processing == Processing::Skipped && row.out_of_order)));
    stop.send(()).unwrap();
    served.await.unwrap().unwrap();
}
