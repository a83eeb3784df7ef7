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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_shutdown_mid_burst_answers_200_only_for_stored_webhooks() {
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
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut sends = Vec::new();
    for n in 0..150 {
        let (client, url, acked) = (client.clone(), url.clone(), acked.clone());
        sends.push(tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(n)).await;
            let event = status_changed(&format!("evt_{n:03}"), "conn_1", n as i64, "active");
            let body = serde_json::to_vec(&event).unwrap();
            let now = chrono::Utc::now().timestamp();
            if let Ok(sent) =
                desk_inbox::send_signed(&client, &url, &key(), &event.id, body, now).await
            {
                if sent.status == 200 {
                    acked.lock().unwrap().push(event.id);
                }
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    stop.send(()).unwrap();
    for send in sends {
        send.await.unwrap();
    }
    served.await.unwrap().unwrap();

    let config = InboxConfig {
        background_processing: false,
        ..InboxConfig::with_secret(key())
    };
    let reopened = Inbox::open(dir.path(), config).await.unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(!acked.is_empty());
    for id in &acked {
        let detail = reopened.show(id).await.unwrap();
        assert_eq!(detail.summary.status, Some(200), "{id}");
    }
}

#[tokio::test]
async fn a_second_inbox_on_the_same_folder_replays_while_the_first_one_serves() {
    let dir = tempfile::tempdir().unwrap();
    let serving = Inbox::open(dir.path(), InboxConfig::with_secret(key()))
        .await
        .unwrap();
    let cli_config = InboxConfig {
        background_processing: false,
        ..InboxConfig::with_secret(key())
    };
    let cli = Inbox::open(dir.path(), cli_config).await.unwrap();
    let event = status_changed("evt_1", "conn_1", 0, "active");
    let response = tower::ServiceExt::oneshot(
        serving.router(),
        signed(&event, chrono::Utc::now().timestamp()),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), http::StatusCode::OK);
    let replayed = cli.replay(&["evt_1".to_owned()]).await.unwrap();
    assert_eq!(replayed[0].processing, Processing::Processed);
    assert_eq!(
        cli.list(&ListFilter::default()).await.unwrap().data.len(),
        1
    );
    serving.close().await;
    cli.close().await;
}

/// The intake's timing (what the bench prints per run) counts every request once, and a
/// request's stages never add up to more than its whole wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_intake_timing_counts_every_request_and_its_stages_fit_in_its_wait() {
    for durability in [desk_inbox::Durability::Full, desk_inbox::Durability::Normal] {
        let harness = Harness::with(|config| InboxConfig {
            durability,
            ..config
        })
        .await;
        let sends = (0..120).map(|n| {
            harness.deliver_owned(status_changed(
                &format!("evt_{n:03}"),
                "conn_1",
                n,
                "active",
            ))
        });
        let statuses = futures::future::join_all(sends).await;
        assert!(statuses.iter().all(|status| status.as_u16() == 200));
        // A duplicate is a request too; a catch-up is not.
        assert_eq!(
            harness
                .deliver(&status_changed("evt_000", "conn_1", 0, "active"))
                .await,
            200
        );
        harness
            .inbox
            .catch_up(vec![status_changed("evt_catchup", "conn_1", 500, "active")])
            .await
            .unwrap();

        let timing = harness.inbox.intake_timing();
        assert_eq!((timing.rows, timing.answers), (121, 121), "{durability:?}");
        assert!((1..=121).contains(&timing.batches), "{timing:?}");
        let stages = timing.queued + timing.writing + timing.disk_wait + timing.syncing;
        assert!(timing.answer_wait >= stages, "{durability:?}: {timing:?}");
        assert!(timing.writing > std::time::Duration::ZERO);
        match durability {
            desk_inbox::Durability::Full => {
                assert!(
                    (1..=timing.batches + 1).contains(&timing.syncs),
                    "{timing:?}"
                );
                assert!(timing.syncing > std::time::Duration::ZERO);
            }
            desk_inbox::Durability::Normal => {
                assert_eq!(timing.syncs, 0);
                assert_eq!(timing.syncing + timing.disk_wait, std::time::Duration::ZERO);
            }
        }
        let later = harness.inbox.intake_timing().since(&timing);
        assert_eq!((later.rows, later.batches, later.answers), (0, 0, 0));
    }
}
