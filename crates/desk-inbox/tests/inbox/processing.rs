use crate::support::*;
use desk_inbox::{ApplyError, EventApplier, InboxConfig, InboxEvent, ListFilter, Processing};
use desk_platform::event::{Event, EventType};
use futures::future::BoxFuture;
use http::StatusCode;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test]
async fn events_set_status_online_reauthorization_and_last_sync_of_their_connection() {
    let harness = Harness::new().await;
    let events = [
        event(
            "evt_1",
            EventType::ConnectionCreated,
            "conn_1",
            0,
            json!({"status": "synchronizing"}),
        ),
        status_changed("evt_2", "conn_1", 10, "active"),
        event(
            "evt_3",
            EventType::SyncCompleted,
            "conn_1",
            20,
            json!({"sync_id": "sync_1", "records": 7}),
        ),
        event(
            "evt_4",
            EventType::ConnectionReauthorizationRequired,
            "conn_1",
            30,
            json!({"reason": "password changed"}),
        ),
        event(
            "evt_5",
            EventType::SyncFailed,
            "conn_1",
            40,
            json!({"sync_id": "sync_2", "error": "401 from system"}),
        ),
    ];
    for event in &events {
        assert_eq!(harness.deliver(event).await, StatusCode::OK);
    }
    assert_eq!(harness.inbox.process_pending().await.unwrap(), 5);
    let state = harness
        .inbox
        .connection_state("conn_1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.status.as_deref(), Some("active"));
    assert_eq!(state.online, Some(true));
    assert!(state.reauthorization_required);
    assert_eq!(
        state.reauthorization_reason.as_deref(),
        Some("password changed")
    );
    assert_eq!(state.last_sync_result.as_deref(), Some("failed"));
    assert_eq!(state.last_sync_error.as_deref(), Some("401 from system"));
    assert_eq!(state.last_event_id.as_deref(), Some("evt_5"));
    assert_eq!(state.customer_id.as_deref(), Some("cus_1"));
    let page = harness.inbox.list(&ListFilter::default()).await.unwrap();
    assert!(
        page.data
            .iter()
            .all(|row| row.processing == Processing::Processed),
        "{page:?}"
    );
}

#[tokio::test]
async fn a_disconnect_marks_the_connection_disconnected_and_offline() {
    let harness = Harness::new().await;
    harness
        .deliver(&status_changed("evt_1", "conn_1", 0, "active"))
        .await;
    harness
        .deliver(&event(
            "evt_2",
            EventType::ConnectionDisconnected,
            "conn_1",
            5,
            json!({}),
        ))
        .await;
    harness.inbox.process_pending().await.unwrap();
    let state = harness
        .inbox
        .connection_state("conn_1")
        .await
        .unwrap()
        .unwrap();
    assert!(state.disconnected);
    assert_eq!(state.online, Some(false));
}

#[tokio::test]
async fn a_status_change_older_than_the_last_applied_one_is_marked_out_of_order_and_skipped() {
    let harness = Harness::new().await;
    harness
        .deliver(&status_changed("evt_new", "conn_1", 60, "inactive"))
        .await;
    harness.inbox.process_pending().await.unwrap();
    harness
        .deliver(&status_changed("evt_old", "conn_1", 0, "active"))
        .await;
    harness.inbox.process_pending().await.unwrap();
    let state = harness
        .inbox
        .connection_state("conn_1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.status.as_deref(), Some("inactive"));
    let old = harness.inbox.show("evt_old").await.unwrap().summary;
    assert!(old.out_of_order);
    assert_eq!(old.processing, Processing::Skipped);
    assert!(old.note.unwrap().contains("evt_new"));
}

#[tokio::test]
async fn an_older_event_of_another_kind_still_applies_to_its_own_fields() {
    let harness = Harness::new().await;
    harness
        .deliver(&status_changed("evt_2", "conn_1", 60, "active"))
        .await;
    harness.inbox.process_pending().await.unwrap();
    harness
        .deliver(&event(
            "evt_1",
            EventType::ConnectionReauthorizationRequired,
            "conn_1",
            0,
            json!({"reason": "x"}),
        ))
        .await;
    harness.inbox.process_pending().await.unwrap();
    let state = harness
        .inbox
        .connection_state("conn_1")
        .await
        .unwrap()
        .unwrap();
    assert!(state.reauthorization_required);
    assert!(
        !harness
            .inbox
            .show("evt_1")
            .await
            .unwrap()
            .summary
            .out_of_order
    );
}

#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<String>>,
    fail_on: Option<String>,
}

impl EventApplier for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }

    fn apply<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(async move {
            if self.fail_on.as_deref() == Some(event.id.as_str()) {
                return Err(ApplyError::new("mirror is read-only"));
            }
            self.seen.lock().unwrap().push(event.id.clone());
            Ok(())
        })
    }
}

#[tokio::test]
async fn a_failing_hook_is_recorded_on_the_webhook_and_rolls_back_its_state_change() {
    let recorder = Arc::new(Recorder {
        fail_on: Some("evt_2".to_owned()),
        ..Default::default()
    });
    let hook = recorder.clone();
    let harness = Harness::with(move |config| InboxConfig {
        appliers: vec![hook],
        ..config
    })
    .await;
    assert_eq!(
        harness
            .deliver(&status_changed("evt_1", "conn_1", 0, "active"))
            .await,
        StatusCode::OK
    );
    assert_eq!(
        harness
            .deliver(&status_changed("evt_2", "conn_1", 10, "inactive"))
            .await,
        StatusCode::OK
    );
    harness.inbox.process_pending().await.unwrap();
    let failed = harness.inbox.show("evt_2").await.unwrap().summary;
    assert_eq!(failed.processing, Processing::Failed);
    assert_eq!(
        failed.error.as_deref(),
        Some("recorder: mirror is read-only")
    );
    let state = harness
        .inbox
        .connection_state("conn_1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        state.status.as_deref(),
        Some("active"),
        "the failed event changed nothing"
    );
    assert_eq!(*recorder.seen.lock().unwrap(), vec!["evt_1".to_owned()]);
}

#[tokio::test]
async fn a_body_that_is_not_a_valid_event_fails_processing_but_was_still_answered_200() {
    let harness = Harness::new().await;
    let body = serde_json::to_vec(&json!({"id": "evt_1", "type": "sync.completed"})).unwrap();
    assert_eq!(
        harness
            .post(signed_raw("evt_1", body, harness.now()))
            .await
            .0,
        StatusCode::OK
    );
    harness.inbox.process_pending().await.unwrap();
    let row = harness.inbox.show("evt_1").await.unwrap().summary;
    assert_eq!(row.processing, Processing::Failed);
    assert!(row.error.unwrap().contains("not a valid event"));
}

#[tokio::test]
async fn duplicates_reach_the_hooks_only_once() {
    let recorder = Arc::new(Recorder::default());
    let hook = recorder.clone();
    let harness = Harness::with(move |config| InboxConfig {
        appliers: vec![hook],
        ..config
    })
    .await;
    let event = status_changed("evt_1", "conn_1", 0, "active");
    for _ in 0..3 {
        assert_eq!(harness.deliver(&event).await, StatusCode::OK);
        harness.inbox.process_pending().await.unwrap();
    }
    assert_eq!(recorder.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn the_background_processor_processes_what_arrives_without_being_asked() {
    let harness = Harness::with(|config| InboxConfig {
        background_processing: true,
        ..config
    })
    .await;
    let mut tail = harness.inbox.subscribe();
    harness
        .deliver(&status_changed("evt_1", "conn_1", 0, "active"))
        .await;
    let mut received = false;
    let mut processed = false;
    while !(received && processed) {
        match tokio::time::timeout(Duration::from_secs(10), tail.recv())
            .await
            .unwrap()
            .unwrap()
        {
            InboxEvent::Received { webhook } => received = webhook.id.as_deref() == Some("evt_1"),
            InboxEvent::Processed { webhook } => {
                processed = webhook.processing == Processing::Processed;
            }
        }
    }
    let state = harness
        .inbox
        .connection_state("conn_1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.status.as_deref(), Some("active"));
    harness.inbox.close().await;
}

#[tokio::test]
async fn replay_processes_a_webhook_again_and_refuses_rejected_ones() {
    let recorder = Arc::new(Recorder::default());
    let hook = recorder.clone();
    let harness = Harness::with(move |config| InboxConfig {
        appliers: vec![hook],
        ..config
    })
    .await;
    harness
        .deliver(&status_changed("evt_1", "conn_1", 0, "active"))
        .await;
    harness.inbox.process_pending().await.unwrap();
    let replayed = harness.inbox.replay(&["evt_1".to_owned()]).await.unwrap();
    assert_eq!(replayed.len(), 1);
    assert_eq!(replayed[0].processing, Processing::Processed);
    assert_eq!(recorder.seen.lock().unwrap().len(), 2);
    let bad = signed_raw("evt_x", b"nope".to_vec(), harness.now());
    harness.post(bad).await;
    let err = harness
        .inbox
        .replay(&["evt_x".to_owned()])
        .await
        .unwrap_err();
    assert_eq!(err.code(), desk_platform::ErrorCode::Conflict);
    let err = harness
        .inbox
        .replay(&["evt_unknown".to_owned()])
        .await
        .unwrap_err();
    assert_eq!(err.code(), desk_platform::ErrorCode::NotFound);
}

#[tokio::test]
async fn pending_webhooks_left_by_a_closed_inbox_are_processed_when_it_opens_again() {
    let harness = Harness::new().await;
    harness
        .deliver(&status_changed("evt_1", "conn_1", 0, "active"))
        .await;
    harness.inbox.close().await;
    let config = InboxConfig {
        background_processing: false,
        ..InboxConfig::with_secret(key())
    };
    let reopened = desk_inbox::Inbox::open(harness.dir.path(), config)
        .await
        .unwrap();
    assert_eq!(reopened.process_pending().await.unwrap(), 1);
    assert_eq!(
        reopened
            .connection_state("conn_1")
            .await
            .unwrap()
            .unwrap()
            .status
            .as_deref(),
        Some("active")
    );
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused_and_left_as_it_was() {
    let harness = Harness::new().await;
    harness
        .deliver(&status_changed("evt_1", "conn_1", 0, "active"))
        .await;
    let path = harness.inbox.path().to_path_buf();
    harness.inbox.close().await;
    {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'future', 1, x'00', 0)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let before = std::fs::read(&path).unwrap();
    let err = desk_inbox::Inbox::open(&path, InboxConfig::with_secret(key()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            desk_inbox::InboxError::NewerDatabase { version: 9999, .. }
        ),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_and_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inbox.db");
    std::fs::write(
        &path,
        b"this is not sqlite, but somebody's notes".repeat(200),
    )
    .unwrap();
    let before = std::fs::read(&path).unwrap();
    assert!(
        desk_inbox::Inbox::open(&path, InboxConfig::with_secret(key()))
            .await
            .is_err()
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[tokio::test]
async fn records_given_per_entity_are_summed_into_the_last_sync() {
    let harness = Harness::new().await;
    let data = json!({"sync_id": "sync_1", "records": {"assets": 3, "work-orders": 4}});
    harness
        .deliver(&event("evt_1", EventType::SyncCompleted, "conn_1", 0, data))
        .await;
    harness.inbox.process_pending().await.unwrap();
    let state = harness
        .inbox
        .connection_state("conn_1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.last_sync_records, Some(7));
    assert_eq!(state.last_sync_id.as_deref(), Some("sync_1"));
}

#[tokio::test]
async fn events_of_a_connection_with_the_same_time_apply_in_arrival_order() {
    // The engine stamps all events of one transaction, or of a frozen test clock, alike.
    let harness = Harness::new().await;
    harness
        .deliver(&event(
            "evt_b",
            EventType::ConnectionCreated,
            "conn_1",
            0,
            json!({"status": "active"}),
        ))
        .await;
    harness
        .deliver(&status_changed("evt_z", "conn_1", 0, "active"))
        .await;
    harness
        .deliver(&event(
            "evt_a",
            EventType::ConnectionDisconnected,
            "conn_1",
            0,
            json!({}),
        ))
        .await;
    harness.inbox.process_pending().await.unwrap();
    let state = harness
        .inbox
        .connection_state("conn_1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.status.as_deref(), Some("disconnected"));
    assert_eq!(state.last_event_id.as_deref(), Some("evt_a"));
    let stats = harness.inbox.stats().await.unwrap();
    assert_eq!((stats.processed, stats.out_of_order), (3, 0));
}

#[tokio::test]
async fn a_connection_created_event_never_overrides_a_status_change_of_the_same_time() {
    let harness = Harness::new().await;
    harness
        .deliver(&status_changed("evt_a", "conn_1", 0, "inactive"))
        .await;
    harness.inbox.process_pending().await.unwrap();
    harness
        .deliver(&event(
            "evt_b",
            EventType::ConnectionCreated,
            "conn_1",
            0,
            json!({"status": "active"}),
        ))
        .await;
    harness.inbox.process_pending().await.unwrap();
    let state = harness
        .inbox
        .connection_state("conn_1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.status.as_deref(), Some("inactive"));
    assert!(
        harness
            .inbox
            .show("evt_b")
            .await
            .unwrap()
            .summary
            .out_of_order
    );
}
