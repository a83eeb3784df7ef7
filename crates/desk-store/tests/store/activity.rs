//! Profiles, events seen and the mirror's own sync runs.

use crate::{mirror, CONN, PROFILE};
use chrono::{DateTime, Utc};
use desk_platform::event::Event;
use desk_store::{Profile, ProfileKind, SyncRunState};
use serde_json::json;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

#[tokio::test]
async fn a_profile_keeps_only_a_reference_to_its_secret_and_can_be_updated() {
    let m = mirror().await;
    let mut profile = Profile {
        name: "eu-cloud".into(),
        kind: ProfileKind::Makini,
        base_url: Some("https://api.makini.io".into()),
        region: Some("eu".into()),
        client_id: Some("cid".into()),
        secret_ref: Some("profile/eu-cloud/client_secret".into()),
        created_at: at("2026-11-01T00:00:00Z"),
    };
    m.mirror.upsert_profile(&profile).await.unwrap();
    profile.base_url = Some("https://eu.api.makini.io".into());
    m.mirror.upsert_profile(&profile).await.unwrap();
    assert_eq!(m.mirror.profiles().await.unwrap(), vec![profile.clone()]);
    assert_eq!(m.mirror.profile("eu-cloud").await.unwrap(), profile);
    assert_eq!(
        m.mirror.profile("nope").await.unwrap_err().code(),
        "NOT_FOUND"
    );
    profile.name = "  ".into();
    assert_eq!(
        m.mirror.upsert_profile(&profile).await.unwrap_err().code(),
        "INVALID_INPUT"
    );
}

#[tokio::test]
async fn events_are_stored_once_and_listed_newest_first() {
    let m = mirror().await;
    let event = |id: &str, when: &str| -> Event {
        serde_json::from_value(
            json!({"id": id, "type": "connection.status_changed", "created_at": when,
            "connection_id": CONN, "customer_id": "cus_1",
            "data": {"previous": "active", "current": "inactive", "online": true}}),
        )
        .unwrap()
    };
    let events = [
        event("evt_1", "2026-11-01T00:00:00Z"),
        event("evt_2", "2026-11-02T00:00:00Z"),
    ];
    assert_eq!(m.mirror.record_events(PROFILE, &events).await.unwrap(), 2);
    assert_eq!(m.mirror.record_events(PROFILE, &events).await.unwrap(), 0);
    let listed = m.mirror.events(PROFILE, Some(CONN), 10).await.unwrap();
    assert_eq!(listed, vec![events[1].clone(), events[0].clone()]);
    assert!(m
        .mirror
        .events(PROFILE, Some("conn_other"), 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_sync_run_left_running_is_marked_interrupted_by_the_next_one() {
    let m = mirror().await;
    let first = m
        .mirror
        .start_sync_run(PROFILE, CONN, "assets", at("2026-11-24T10:00:00Z"))
        .await
        .unwrap();
    let second = m
        .mirror
        .start_sync_run(PROFILE, CONN, "assets", at("2026-11-24T11:00:00Z"))
        .await
        .unwrap();
    m.mirror
        .finish_sync_run(
            second,
            SyncRunState::Failed,
            120,
            Some("RATE_LIMIT_EXCEEDED after 5 retries"),
            at("2026-11-24T11:05:00Z"),
        )
        .await
        .unwrap();
    let runs = m.mirror.sync_runs(PROFILE, Some(CONN), 10).await.unwrap();
    assert_eq!(
        runs.iter().map(|r| (r.id, r.state)).collect::<Vec<_>>(),
        [
            (second, SyncRunState::Failed),
            (first, SyncRunState::Interrupted)
        ]
    );
    assert_eq!(runs[0].records, 120);
    assert_eq!(
        runs[0].error.as_deref(),
        Some("RATE_LIMIT_EXCEEDED after 5 retries")
    );
    let err = m
        .mirror
        .finish_sync_run(999, SyncRunState::Completed, 0, None, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND");
}
