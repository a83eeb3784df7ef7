//! The store's rules against a real alerts.db in a temp folder: one alert per subject and
//! kind, sources merged, forward-only states, resolution only through a passing check, and
//! everything still there after the file is reopened.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use desk_alerts::*;

fn report(kind: AlertKind, connection: Option<&str>, source: Source, at: DateTime<Utc>) -> Report {
    Report {
        profile: "local".into(),
        kind,
        connection_id: connection.map(str::to_owned),
        customer_id: Some("cus_1".into()),
        system_id: Some("sap".into()),
        source,
        at,
        detail: Some(format!("seen by {}", source.as_str())),
        in_maintenance: false,
    }
}

async fn open(dir: &tempfile::TempDir) -> SqliteAlerts {
    SqliteAlerts::open(dir.path())
        .await
        .expect("open alerts.db")
}

const REAUTH: AlertKind = AlertKind::ReauthorizationRequired;

#[tokio::test]
async fn a_second_report_merges_its_source_into_the_one_alert() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir).await;
    let t0 = Utc::now().trunc_subsecs(6);
    let first = store
        .report(report(REAUTH, Some("conn_1"), Source::Webhook, t0))
        .await
        .expect("report");
    assert!(first.opened && first.new_source);
    let second = store
        .report(report(
            REAUTH,
            Some("conn_1"),
            Source::Poll,
            t0 + Duration::seconds(5),
        ))
        .await
        .expect("report");
    assert!(!second.opened && second.new_source);
    let third = store
        .report(report(
            REAUTH,
            Some("conn_1"),
            Source::Poll,
            t0 + Duration::seconds(9),
        ))
        .await
        .expect("report");
    assert!(!third.opened && !third.new_source);
    assert_eq!(first.alert.id, third.alert.id);
    assert_eq!(third.alert.sources, [Source::Webhook, Source::Poll]);
    // The poll's words never replace the webhook's reason.
    assert_eq!(third.alert.detail.as_deref(), Some("seen by webhook"));
    assert_eq!(third.alert.opened_at, first.alert.opened_at);

    let detail = store.get(&first.alert.id).await.expect("get");
    let poll = detail
        .reports
        .iter()
        .find(|r| r.source == Source::Poll)
        .expect("poll report");
    assert_eq!(poll.count, 2);
    assert!(poll.last_at > poll.first_at);
    let all = store.list(&AlertFilter::default()).await.expect("list");
    assert_eq!(all.len(), 1);

    // Another kind, or another connection, is another alert.
    let other = store
        .report(report(AlertKind::Offline, Some("conn_1"), Source::Poll, t0))
        .await
        .expect("report");
    assert!(other.opened);
    let account = store
        .report(report(AlertKind::CreditsLow, None, Source::Poll, t0))
        .await
        .expect("report");
    assert!(account.opened);
    assert_eq!(account.alert.connection_id, None);
    let filter = AlertFilter {
        kinds: vec![REAUTH],
        ..AlertFilter::default()
    };
    assert_eq!(store.list(&filter).await.expect("list").len(), 1);
}

#[tokio::test]
async fn states_move_forward_and_only_a_passing_check_resolves() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir).await;
    let t0 = Utc::now().trunc_subsecs(6);
    let id = store
        .report(report(REAUTH, Some("conn_1"), Source::Poll, t0))
        .await
        .expect("report")
        .alert
        .id;
    let acked = store.acknowledge(&id, "ana", t0).await.expect("ack");
    assert_eq!(acked.state, AlertState::Acknowledged);
    assert_eq!(acked.acknowledged_by.as_deref(), Some("ana"));
    // Acknowledging again changes nothing (not even who).
    let again = store.acknowledge(&id, "bob", t0).await.expect("ack");
    assert_eq!(again.acknowledged_by.as_deref(), Some("ana"));

    let until = t0 + Duration::hours(2);
    let snoozed = store.snooze(&id, Some(until), t0).await.expect("snooze");
    assert!(snoozed.snoozed_at(t0) && !snoozed.snoozed_at(until));

    let expires = t0 + Duration::days(7);
    let notified = store
        .mark_notified(&id, "mailto", Some(("http://link", expires)), t0)
        .await
        .expect("notify");
    assert_eq!(notified.state, AlertState::CustomerNotified);
    assert_eq!(notified.notice_link.as_deref(), Some("http://link"));
    // A later acknowledgement never moves the state back.
    let acked_late = store.acknowledge(&id, "ana", t0).await.expect("ack");
    assert_eq!(acked_late.state, AlertState::CustomerNotified);

    // A reauthorization the platform refused keeps it open and says so.
    let refused = store
        .note_reauthorization("local", "conn_1", false, "the login failed", t0)
        .await
        .expect("note");
    assert_eq!(refused[0].state, AlertState::CustomerNotified);
    assert_eq!(refused[0].last_check_ok, Some(false));
    assert!(refused[0]
        .last_check_message
        .as_deref()
        .is_some_and(|m| m.contains("did not heal")));

    // A failing live check keeps it open.
    let failed = store
        .record_check(
            &id,
            LiveCheck {
                at: t0,
                ok: false,
                message: "still refused".into(),
            },
        )
        .await
        .expect("check");
    assert_eq!(failed.state, AlertState::CustomerNotified);
    assert_eq!(failed.resolved_at, None);

    store
        .note_reauthorization("local", "conn_1", true, "reauthorized", t0)
        .await
        .expect("note");
    // Reauthorized is not resolved: the check decides.
    assert_ne!(
        store.get(&id).await.expect("get").alert.state,
        AlertState::Resolved
    );
    let resolved = store
        .record_check(
            &id,
            LiveCheck {
                at: t0 + Duration::seconds(1),
                ok: true,
                message: "accepted".into(),
            },
        )
        .await
        .expect("check");
    assert_eq!(resolved.state, AlertState::Resolved);
    assert_eq!(resolved.resolution, Some(Resolution::Resolved));
    assert!(resolved.resolved_at.is_some());
    let err = store
        .acknowledge(&id, "ana", t0)
        .await
        .expect_err("a resolved alert is not acknowledged");
    assert_eq!(err.code(), "CONFLICT");

    // A new report after resolution opens a new alert.
    let reopened = store
        .report(report(REAUTH, Some("conn_1"), Source::Webhook, t0))
        .await
        .expect("report");
    assert!(reopened.opened);
    assert_ne!(reopened.alert.id, id);
    let history: Vec<String> = store
        .get(&id)
        .await
        .expect("get")
        .history
        .into_iter()
        .map(|c| c.change)
        .collect();
    assert_eq!(
        history,
        [
            "opened",
            "acknowledged",
            "snoozed",
            "notified",
            "reauthorization_failed",
            "check_failed",
            "reauthorized",
            "resolved"
        ]
    );
}

#[tokio::test]
async fn an_alert_healed_without_reauthorization_is_recovered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir).await;
    let t0 = Utc::now().trunc_subsecs(6);
    let id = store
        .report(report(AlertKind::Offline, Some("conn_2"), Source::Poll, t0))
        .await
        .expect("report")
        .alert
        .id;
    let recovered = store
        .record_check(
            &id,
            LiveCheck {
                at: t0,
                ok: true,
                message: "answers".into(),
            },
        )
        .await
        .expect("check");
    assert_eq!(recovered.resolution, Some(Resolution::Recovered));
}

#[tokio::test]
async fn alerts_and_observations_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let t0 = Utc::now().trunc_subsecs(6);
    let id = {
        let store = open(&dir).await;
        let id = store
            .report(report(REAUTH, Some("conn_1"), Source::Webhook, t0))
            .await
            .expect("report")
            .alert
            .id;
        store.acknowledge(&id, "ana", t0).await.expect("ack");
        let seen = store
            .observe(
                "local",
                AlertKind::SyncFailing,
                "conn_1",
                Some("vendors: boom"),
                t0,
            )
            .await
            .expect("observe");
        assert_eq!(seen.count, 1);
        store.close().await;
        id
    };
    let store = open(&dir).await;
    let alert = store.get(&id).await.expect("get").alert;
    assert_eq!(alert.state, AlertState::Acknowledged);
    assert_eq!(alert.sources, [Source::Webhook]);
    let seen = store
        .observe(
            "local",
            AlertKind::SyncFailing,
            "conn_1",
            None,
            t0 + Duration::seconds(1),
        )
        .await
        .expect("observe");
    assert_eq!(seen.count, 2);
    assert_eq!(seen.first_at, t0);
    assert_eq!(seen.detail.as_deref(), Some("vendors: boom"));
    store
        .forget("local", AlertKind::SyncFailing, "conn_1")
        .await
        .expect("forget");
    let fresh = store
        .observe(
            "local",
            AlertKind::SyncFailing,
            "conn_1",
            None,
            t0 + Duration::seconds(2),
        )
        .await
        .expect("observe");
    assert_eq!(fresh.count, 1);
    let open_filter = AlertFilter {
        states: vec![AlertState::Open],
        ..AlertFilter::default()
    };
    assert!(store.list(&open_filter).await.expect("list").is_empty());
}
