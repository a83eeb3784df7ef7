use crate::support::*;
use desk_inbox::{
    send_event, test_events, Inbox, InboxConfig, ListFilter, Processing, SignatureCheck,
    WatchOutcome,
};
use desk_platform::event::EventType;
use desk_platform::webhook_signature::WebhookKey;
use std::collections::HashSet;
use std::net::SocketAddr;

async fn seeded() -> Harness {
    let harness = Harness::new().await;
    harness
        .deliver(&status_changed("evt_1", "conn_a", 0, "active"))
        .await;
    harness
        .deliver(&status_changed("evt_2", "conn_b", 1, "inactive"))
        .await;
    harness
        .deliver(&status_changed("evt_2", "conn_b", 1, "inactive"))
        .await;
    let mut bad = signed(
        &status_changed("evt_3", "conn_a", 2, "active"),
        harness.now(),
    );
    bad.headers_mut()
        .insert("webhook-signature", "v1,bm9wZQ==".parse().unwrap());
    harness.post(bad).await;
    harness.inbox.process_pending().await.unwrap();
    harness
}

fn ids(page: &desk_inbox::WebhookPage) -> Vec<String> {
    page.data
        .iter()
        .map(|row| row.id.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn the_list_filters_by_type_connection_signature_processing_text_and_duplicates() {
    let harness = seeded().await;
    let list = |filter: ListFilter| {
        let inbox = harness.inbox.clone();
        async move { inbox.list(&filter).await.unwrap() }
    };
    assert_eq!(list(ListFilter::default()).await.data.len(), 4);
    let by_connection = list(ListFilter {
        connection_id: Some("conn_a".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(ids(&by_connection), vec!["evt_3", "evt_1"]);
    let invalid = list(ListFilter {
        signature: Some(SignatureCheck::Invalid),
        ..Default::default()
    })
    .await;
    assert_eq!(ids(&invalid), vec!["evt_3"]);
    let processed = list(ListFilter {
        processing: Some(Processing::Processed),
        ..Default::default()
    })
    .await;
    assert_eq!(ids(&processed), vec!["evt_2", "evt_1"]);
    let text = list(ListFilter {
        text: Some("\"inactive\"".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(ids(&text), vec!["evt_2", "evt_2"]);
    let firsts = list(ListFilter {
        hide_duplicates: true,
        text: Some("inactive".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(firsts.data.len(), 1);
    let typed = list(ListFilter {
        event_type: Some("sync.completed".into()),
        ..Default::default()
    })
    .await;
    assert!(typed.data.is_empty());
    let customer = list(ListFilter {
        customer_id: Some("cus_1".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(customer.data.len(), 4);
    let later = list(ListFilter {
        received_after: Some(start_time() + chrono::Duration::seconds(1)),
        ..Default::default()
    })
    .await;
    assert!(later.data.is_empty());
}

#[tokio::test]
async fn pages_follow_the_cursor_without_skipping_or_repeating() {
    let harness = Harness::new().await;
    for n in 0..25 {
        harness
            .deliver(&status_changed(&format!("evt_{n}"), "conn_1", n, "active"))
            .await;
    }
    let mut seen = Vec::new();
    let mut filter = ListFilter {
        limit: Some(7),
        ..Default::default()
    };
    loop {
        let page = harness.inbox.list(&filter).await.unwrap();
        seen.extend(page.data.iter().map(|row| row.seq));
        match page.next_cursor {
            Some(cursor) => filter.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 25);
    assert!(
        seen.windows(2).all(|pair| pair[0] > pair[1]),
        "newest first"
    );
}

#[tokio::test]
async fn list_items_serialise_with_the_fields_the_contract_names() {
    let harness = seeded().await;
    let page = harness.inbox.list(&ListFilter::default()).await.unwrap();
    let json = serde_json::to_value(&page.data).unwrap();
    for item in json.as_array().unwrap() {
        for field in [
            "id",
            "received_at",
            "event_type",
            "connection_id",
            "signature",
            "duplicate_of",
            "out_of_order",
            "processing",
            "error",
        ] {
            assert!(item.get(field).is_some(), "{field} missing in {item}");
        }
    }
    let duplicate = json
        .as_array()
        .unwrap()
        .iter()
        .find(|item| !item["duplicate_of"].is_null())
        .unwrap();
    assert_eq!(duplicate["duplicate_of"], "evt_2");
    assert_eq!(duplicate["processing"], "skipped");
    assert!(json
        .as_array()
        .unwrap()
        .iter()
        .any(|item| item["signature"] == "invalid"));
}

#[tokio::test]
async fn show_gives_headers_raw_and_pretty_body_the_signature_reason_and_the_other_copies() {
    let harness = seeded().await;
    let detail = harness.inbox.show("evt_2").await.unwrap();
    assert_eq!(
        detail.summary.duplicate_of, None,
        "an id shows its first copy"
    );
    assert_eq!(detail.siblings.len(), 1);
    assert_eq!(detail.siblings[0].duplicate_of.as_deref(), Some("evt_2"));
    assert!(detail
        .headers
        .iter()
        .any(|(name, _)| name == "webhook-signature"));
    assert!(detail
        .body_pretty
        .unwrap()
        .contains("\n  \"connection_id\": \"conn_b\""));
    assert_eq!(detail.scheme.as_deref(), Some("standard"));
    assert_eq!(detail.attempts, 1);
    let bad = harness.inbox.show("evt_3").await.unwrap();
    assert!(bad.signature_reason.is_some());
    assert!(bad.answer_reason.unwrap().starts_with("signature invalid"));
    let by_seq = harness
        .inbox
        .show(&format!("#{}", bad.summary.seq))
        .await
        .unwrap();
    assert_eq!(by_seq.summary.id.as_deref(), Some("evt_3"));
}

#[tokio::test]
async fn export_returns_every_matching_webhook_in_full_oldest_first() {
    let harness = seeded().await;
    let all = harness.inbox.export(&ListFilter::default()).await.unwrap();
    assert_eq!(all.len(), 4);
    assert!(all
        .windows(2)
        .all(|pair| pair[0].summary.seq < pair[1].summary.seq));
    let json = serde_json::to_value(&all).unwrap();
    assert!(json[0]["body"].as_str().unwrap().contains("evt_1"));
}

async fn serve_inbox(
    secret: WebhookKey,
) -> (
    Inbox,
    SocketAddr,
    tempfile::TempDir,
    tokio::sync::oneshot::Sender<()>,
) {
    let dir = tempfile::tempdir().unwrap();
    let config = InboxConfig {
        background_processing: false,
        ..InboxConfig::with_secret(secret)
    };
    let inbox = Inbox::open(dir.path(), config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = inbox.clone();
    tokio::spawn(async move {
        server
            .serve(listener, async move {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    (inbox, addr, dir, stop)
}

#[tokio::test]
async fn forwarding_re_signs_stored_webhooks_for_a_local_receiver_with_a_stable_secret() {
    let harness = seeded().await;
    // The receiver checks timestamps against the real clock.
    harness.clock.set(chrono::Utc::now());
    let forward_secret =
        WebhookKey::from_bytes(b"stable local forwarding secret".to_vec()).unwrap();
    let (target, addr, _dir, stop) = serve_inbox(forward_secret.clone()).await;
    let url = format!("http://{addr}/webhooks");
    let results = harness
        .inbox
        .forward(&["evt_1".into(), "evt_2".into()], &url, &forward_secret)
        .await
        .unwrap();
    assert!(
        results.iter().all(|result| result.status == Some(200)),
        "{results:?}"
    );
    let received = target.list(&ListFilter::default()).await.unwrap();
    assert_eq!(received.data.len(), 2);
    assert!(received
        .data
        .iter()
        .all(|row| row.signature == SignatureCheck::Valid));
    assert!(received.data.iter().all(|row| row.duplicate_of.is_none()));
    let refused = harness
        .inbox
        .forward(&["evt_3".into()], &url, &forward_secret)
        .await;
    assert!(refused.is_err(), "an unverified webhook is not re-signed");
    let _ = stop.send(());
}

#[tokio::test]
async fn test_events_of_every_type_sent_signed_are_accepted_and_processed() {
    let secret = key();
    let (target, addr, _dir, stop) = serve_inbox(secret.clone()).await;
    let client = desk_inbox::http_client().unwrap();
    let url = format!("http://{addr}/webhooks");
    let events = test_events("conn_t", "cus_t", chrono::Utc::now());
    assert_eq!(events.len(), EventType::ALL.len());
    for event in &events {
        let sent = send_event(
            &client,
            &url,
            &secret,
            event,
            chrono::Utc::now().timestamp(),
        )
        .await
        .unwrap();
        assert_eq!(sent.status, 200, "{}: {}", event.event_type, sent.answer);
    }
    target.process_pending().await.unwrap();
    let page = target.list(&ListFilter::default()).await.unwrap();
    assert_eq!(page.data.len(), events.len());
    assert!(
        page.data
            .iter()
            .all(|row| row.processing == Processing::Processed),
        "{page:#?}"
    );
    let detail = target.show(&events[0].id).await.unwrap();
    assert!(detail.remote_addr.unwrap().starts_with("127.0.0.1:"));
    let _ = stop.send(());
}

#[tokio::test]
async fn live_forwarding_sends_each_new_verified_webhook_once_to_the_local_receiver() {
    let harness = Harness::new().await;
    harness.clock.set(chrono::Utc::now());
    let forward_secret =
        WebhookKey::from_bytes(b"stable local forwarding secret".to_vec()).unwrap();
    let (target, addr, _dir, stop) = serve_inbox(forward_secret.clone()).await;
    let forwarding = harness
        .inbox
        .forward_live(format!("http://{addr}/webhooks"), forward_secret);
    let event = status_changed("evt_live", "conn_1", 0, "active");
    harness.deliver(&event).await;
    harness.deliver(&event).await; // a duplicate is not forwarded again
    let mut bad = signed(
        &status_changed("evt_bad", "conn_1", 1, "active"),
        harness.now(),
    );
    bad.headers_mut()
        .insert("webhook-signature", "v1,bm9wZQ==".parse().unwrap());
    harness.post(bad).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let page = target.list(&ListFilter::default()).await.unwrap();
        if !page.data.is_empty() || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let page = target.list(&ListFilter::default()).await.unwrap();
    assert_eq!(ids(&page), vec!["evt_live"]);
    assert_eq!(page.data[0].signature, SignatureCheck::Valid);
    forwarding.abort();
    let _ = stop.send(());
}

#[tokio::test]
async fn stats_count_webhooks_by_state() {
    let harness = seeded().await;
    let stats = harness.inbox.stats().await.unwrap();
    assert_eq!(stats.total, 4);
    assert_eq!(stats.processed, 2);
    assert_eq!(stats.skipped, 2);
    assert_eq!(stats.rejected, 1);
    assert_eq!(stats.duplicates, 1);
    assert_eq!(stats.pending + stats.failed + stats.out_of_order, 0);
}

/// A forward watcher skips what it must not forward (a signed body that is not an event, a bad
/// signature), says why, and goes on; the verified webhooks around them all arrive, and a
/// restarted watcher resumes after the last one it handled.
#[tokio::test]
async fn a_forward_watcher_skips_unverified_webhooks_keeps_going_and_resumes_after_a_restart() {
    let harness = Harness::new().await;
    harness.clock.set(chrono::Utc::now());
    let forward_secret =
        WebhookKey::from_bytes(b"stable local forwarding secret".to_vec()).unwrap();
    let (target, addr, _dir, stop) = serve_inbox(forward_secret.clone()).await;
    let url = format!("http://{addr}/webhooks");
    // Delivered before the watcher first starts: not forwarded.
    harness
        .deliver(&status_changed("evt_old", "conn_1", 0, "active"))
        .await;
    let first = harness
        .inbox
        .forward_watch_pass(&url, &forward_secret)
        .await
        .unwrap();
    assert!(first.handled.is_empty(), "{first:?}");

    harness
        .deliver(&status_changed("evt_good_1", "conn_1", 1, "active"))
        .await;
    let (status, _) = harness
        .post(signed_raw(
            "evt_no_type",
            br#"{"id":"evt_no_type"}"#.to_vec(),
            harness.now(),
        ))
        .await;
    assert_eq!(status, 400, "signed, but not an event");
    let mut forged = signed(
        &status_changed("evt_forged", "conn_1", 2, "active"),
        harness.now(),
    );
    forged
        .headers_mut()
        .insert("webhook-signature", "v1,bm9wZQ==".parse().unwrap());
    harness.post(forged).await;
    harness
        .deliver(&status_changed("evt_good_2", "conn_1", 3, "inactive"))
        .await;
    harness
        .deliver(&status_changed("evt_good_2", "conn_1", 3, "inactive"))
        .await;

    let pass = harness
        .inbox
        .forward_watch_pass(&url, &forward_secret)
        .await
        .unwrap();
    assert!(pass.held_back.is_none(), "{pass:?}");
    let outcomes: Vec<(String, bool)> = pass
        .handled
        .iter()
        .map(|w| {
            (
                w.id.clone().unwrap_or_default(),
                matches!(w.outcome, WatchOutcome::Forwarded { status: 200 }),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("evt_good_1".to_owned(), true),
            ("evt_no_type".to_owned(), false),
            ("evt_forged".to_owned(), false),
            ("evt_good_2".to_owned(), true),
            ("evt_good_2".to_owned(), false),
        ]
    );
    for skipped in &pass.handled[1..3] {
        let WatchOutcome::Skipped { reason } = &skipped.outcome else {
            panic!("{skipped:?}");
        };
        assert!(reason.starts_with("not verified (answered"), "{reason}");
    }
    let WatchOutcome::Skipped { reason } = &pass.handled[4].outcome else {
        panic!("{:?}", pass.handled[4]);
    };
    assert!(reason.contains("duplicate"), "{reason}");

    // A restart: the same inbox opened again, the watcher resumes after evt_good_2.
    harness.inbox.close().await;
    let reopened = Inbox::open(
        harness.dir.path(),
        InboxConfig {
            clock: std::sync::Arc::new(harness.clock.clone()),
            background_processing: false,
            ..InboxConfig::with_secret(key())
        },
    )
    .await
    .unwrap();
    let again = reopened
        .forward_watch_pass(&url, &forward_secret)
        .await
        .unwrap();
    assert!(again.handled.is_empty(), "nothing is sent twice: {again:?}");
    let router = reopened.router();
    let late = signed(
        &status_changed("evt_good_3", "conn_1", 4, "active"),
        harness.now(),
    );
    use tower::ServiceExt as _;
    assert_eq!(router.oneshot(late).await.unwrap().status(), 200);
    let resumed = reopened
        .forward_watch_pass(&url, &forward_secret)
        .await
        .unwrap();
    assert_eq!(resumed.handled.len(), 1, "{resumed:?}");
    assert_eq!(resumed.handled[0].id.as_deref(), Some("evt_good_3"));

    let received = target
        .list(&ListFilter {
            oldest_first: true,
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        ids(&received),
        vec!["evt_good_1", "evt_good_2", "evt_good_3"]
    );
    assert!(received
        .data
        .iter()
        .all(|row| row.signature == SignatureCheck::Valid));
    reopened.close().await;
    let _ = stop.send(());
}

/// A receiver that does not answer holds the next verified webhook back; it is sent, in order,
/// once the receiver is there.
#[tokio::test]
async fn a_forward_watcher_holds_a_verified_webhook_back_until_the_receiver_answers() {
    let harness = Harness::new().await;
    harness.clock.set(chrono::Utc::now());
    let forward_secret =
        WebhookKey::from_bytes(b"stable local forwarding secret".to_vec()).unwrap();
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = free.local_addr().unwrap();
    drop(free);
    let url = format!("http://{addr}/webhooks");
    harness
        .inbox
        .forward_watch_pass(&url, &forward_secret)
        .await
        .unwrap();
    harness
        .deliver(&status_changed("evt_a", "conn_1", 1, "active"))
        .await;
    harness
        .deliver(&status_changed("evt_b", "conn_1", 2, "inactive"))
        .await;
    let refused = harness
        .inbox
        .forward_watch_pass(&url, &forward_secret)
        .await
        .unwrap();
    assert!(refused.handled.is_empty(), "{refused:?}");
    assert_eq!(
        refused.held_back.as_ref().and_then(|h| h.id.as_deref()),
        Some("evt_a")
    );

    let dir = tempfile::tempdir().unwrap();
    let target = Inbox::open(
        dir.path(),
        InboxConfig {
            background_processing: false,
            ..InboxConfig::with_secret(forward_secret.clone())
        },
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = target.clone();
    tokio::spawn(async move {
        server
            .serve(listener, async move {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    let sent = harness
        .inbox
        .forward_watch_pass(&url, &forward_secret)
        .await
        .unwrap();
    assert!(sent.held_back.is_none(), "{sent:?}");
    let received = target
        .list(&ListFilter {
            oldest_first: true,
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&received), vec!["evt_a", "evt_b"]);
    let _ = stop.send(());
}

/// A test event is stored, shown as a test and applied to nothing; sent to be applied, it is
/// applied with its data marked as a test.
#[tokio::test]
async fn test_events_are_marked_and_applied_only_when_sent_to_be_applied() {
    let secret = key();
    let (target, addr, _dir, stop) = serve_inbox(secret.clone()).await;
    let client = desk_inbox::http_client().unwrap();
    let url = format!("http://{addr}/webhooks");
    let now = chrono::Utc::now();
    let shown = desk_inbox::test_event(
        EventType::ConnectionReauthorizationRequired,
        "conn_real",
        "cus_real",
        now,
    );
    let sent = desk_inbox::send_test_event(
        &client,
        &url,
        &secret,
        &shown,
        now.timestamp(),
        desk_inbox::TestMark::Show,
    )
    .await
    .unwrap();
    assert_eq!(sent.status, 200, "{}", sent.answer);
    target.process_pending().await.unwrap();
    let row = target.show(&shown.id).await.unwrap().summary;
    assert!(row.test);
    assert_eq!(row.processing, Processing::Skipped);
    assert!(row.note.unwrap().contains("--apply"));
    assert!(
        target
            .connection_state("conn_real")
            .await
            .unwrap()
            .is_none(),
        "a test changes no connection"
    );

    let applied = desk_inbox::test_event(
        EventType::ConnectionReauthorizationRequired,
        "conn_real",
        "cus_real",
        now,
    );
    desk_inbox::send_test_event(
        &client,
        &url,
        &secret,
        &applied,
        now.timestamp(),
        desk_inbox::TestMark::Apply,
    )
    .await
    .unwrap();
    target.process_pending().await.unwrap();
    let row = target.show(&applied.id).await.unwrap().summary;
    assert!(row.test);
    assert_eq!(row.processing, Processing::Processed);
    assert!(row.note.unwrap().starts_with("a test event, applied"));
    let state = target.connection_state("conn_real").await.unwrap().unwrap();
    assert!(state.reauthorization_required, "{state:?}");
    let _ = stop.send(());
}
