//! Alerts against the real engine: expired credentials seen by the status poll and by the
//! platform's event (as the inbox applies it) make one alert with both sources; it survives
//! a restart; the notice carries a magic link; a reauthorization with refused credentials
//! keeps it open, a good one resolves it after the live check; a system that heals by itself
//! is recovered.

use super::sync::{add_team_profile, desk, manual_engine, ManualEngine};
use desk_alerts::{AlertKind, AlertState, Resolution, Source};
use desk_client::{EventFilter, FaultKind, ListOptions, SandboxFault};
use desk_core::actions::{
    alert_acknowledge, alert_notice, alert_resolve_check, alerts_list, connection_create,
    connection_reauthorize, AlertAcknowledgeRequest, AlertNoticeRequest, AlertResolveCheckRequest,
    AlertsListRequest, ConnectionCreateRequest, ConnectionReauthorizeRequest,
};
use desk_core::alerts::{applier::AlertApplier, detect, Alerts};
use desk_core::{Desk, DeskEvent};
use desk_inbox::EventApplier;
use desk_platform::catalog::Deployment;
use desk_platform::customer::CreateCustomer;
use desk_platform::event::EventType;
use futures::TryStreamExt;
use std::collections::BTreeMap;

fn fiix(secret: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("subdomain".to_owned(), "acme".to_owned()),
        ("app_key".to_owned(), "app".to_owned()),
        ("access_key".to_owned(), "access".to_owned()),
        ("secret_key".to_owned(), secret.to_owned()),
    ])
}

/// A desk on the team profile with one live Fiix connection.
async fn connected(engine: &ManualEngine, dir: &std::path::Path) -> (Desk, String) {
    // The platform's times are the desk's (link expiries are compared with the wall clock).
    engine.clock.set(chrono::Utc::now());
    let client = engine.client();
    client.sandbox_purchase_credits(4).await.unwrap();
    let customer = client
        .create_customer(&CreateCustomer {
            name: "Acme Works".to_owned(),
            email: Some("it@acme.example".to_owned()),
            account_manager: None,
            metadata: serde_json::Map::new(),
        })
        .await
        .unwrap();
    let desk = desk(dir).await;
    add_team_profile(&desk, engine).await;
    let created = connection_create(
        &desk,
        ConnectionCreateRequest {
            customer_id: customer.id,
            system_id: "fiix".to_owned(),
            deployment: Deployment::Cloud,
            name: "Plant CMMS".to_owned(),
            email: None,
            credentials: fiix("s3cret"),
            sync: None,
            webhook: None,
        },
    )
    .await
    .unwrap();
    // The app's first sync fills the mirror's directory (the notice names the customer).
    let directory = desk_core::sync::SyncRequest {
        directory_only: true,
        ..desk_core::sync::SyncRequest::default()
    };
    desk_core::sync::sync(&desk, directory).await.unwrap();
    (desk, created.connection.id)
}

async fn poll(desk: &Desk) {
    let session = desk.session(None).await.unwrap();
    let pass = desk_core::poll::poll_pass(desk, &session).await.unwrap();
    let alerts = Alerts::of(desk).await.unwrap();
    detect::after_poll(&alerts, &session, &pass.connections)
        .await
        .unwrap();
}

/// The platform's events for `id`, applied as the inbox's processor applies them.
async fn deliver_events(desk: &Desk, engine: &ManualEngine, id: &str, kind: EventType) {
    let events: Vec<_> = engine
        .client()
        .events(
            EventFilter {
                after: None,
                connection_id: Some(id.to_owned()),
            },
            ListOptions::page_size(100),
        )
        .try_collect()
        .await
        .unwrap();
    let applier = AlertApplier::new(Alerts::of(desk).await.unwrap(), "team");
    let mut applied = 0;
    for event in events.iter().filter(|e| e.event_type == kind) {
        applier.apply(event).await.unwrap();
        applied += 1;
    }
    assert!(applied > 0, "the platform logged no {kind:?} for {id}");
}

async fn unresolved_of(desk: &Desk, id: &str) -> Vec<desk_core::actions::AlertView> {
    alerts_list(
        desk,
        AlertsListRequest {
            connection_id: Some(id.to_owned()),
            ..AlertsListRequest::default()
        },
    )
    .await
    .unwrap()
    .alerts
}

#[tokio::test]
async fn expired_credentials_make_one_alert_from_both_sources_and_only_a_passing_live_check_resolves_it(
) {
    let engine = manual_engine().await;
    let dir = tempfile::tempdir().unwrap();
    let (desk, id) = connected(&engine, dir.path()).await;
    let mut events = desk.subscribe();
    poll(&desk).await;
    assert!(
        unresolved_of(&desk, &id).await.is_empty(),
        "healthy: no alert"
    );

    engine
        .client()
        .sandbox_fault(&id, &SandboxFault::new(FaultKind::ExpireCredentials))
        .await
        .unwrap();
    // The inbox stopped: polling alone opens it.
    poll(&desk).await;
    let open = unresolved_of(&desk, &id).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].alert.kind, AlertKind::ReauthorizationRequired);
    assert_eq!(open[0].alert.sources, [Source::Poll]);
    // (The small pool also opened a credits alert: the one of this connection is looked for.)
    let opened = loop {
        if let DeskEvent::AlertChanged {
            alert,
            notify,
            open_count,
            ..
        } = events.try_recv().unwrap()
        {
            if alert.connection_id.as_deref() == Some(id.as_str()) {
                break (alert, notify, open_count);
            }
        }
    };
    assert_eq!(opened.0.id, open[0].alert.id);
    assert!(opened.1, "a new alert outside maintenance is notified");
    assert_eq!(opened.2, 2, "this alert and the credits one");

    // The webhook joins the same alert; another poll adds nothing new.
    deliver_events(
        &desk,
        &engine,
        &id,
        EventType::ConnectionReauthorizationRequired,
    )
    .await;
    poll(&desk).await;
    let open = unresolved_of(&desk, &id).await;
    assert_eq!(open.len(), 1, "{open:?}");
    // Ordered by when each first saw it (the webhook carries the platform's time).
    let mut sources = open[0].alert.sources.clone();
    sources.sort_by_key(|s| s.as_str());
    assert_eq!(sources, [Source::Poll, Source::Webhook]);
    let alert_id = open[0].alert.id.clone();

    // A restart keeps it.
    desk.close().await;
    let desk = super::sync::desk(dir.path()).await;
    let open = unresolved_of(&desk, &id).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].alert.id, alert_id);

    alert_acknowledge(
        &desk,
        AlertAcknowledgeRequest {
            ids: vec![alert_id.clone()],
            by: Some("ana".into()),
        },
    )
    .await
    .unwrap();
    let notice = alert_notice(
        &desk,
        AlertNoticeRequest {
            id: alert_id.clone(),
            template: None,
            magic_link: true,
            sent_via: Some("mailto".into()),
        },
    )
    .await
    .unwrap();
    let link = notice
        .magic_link
        .clone()
        .expect("the local engine offers magic links");
    assert!(link.starts_with("http://127.0.0.1:"), "{link}");
    assert!(
        notice.text.contains(&link) && notice.text.contains("Fiix"),
        "{}",
        notice.text
    );
    assert!(notice.text.contains("Plant CMMS") && notice.text.contains("Acme Works"));
    assert!(notice.mailto.starts_with("mailto:it@acme.example?subject="));
    assert_eq!(notice.state, AlertState::CustomerNotified);
    // The next notice reuses the link instead of making another.
    let again = alert_notice(
        &desk,
        AlertNoticeRequest {
            id: alert_id.clone(),
            template: Some("{customer}: {link}".into()),
            magic_link: true,
            sent_via: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(again.magic_link.as_deref(), Some(link.as_str()));
    assert!(
        again.text.starts_with("Acme Works: Reconnect here: "),
        "{}",
        again.text
    );

    // Still-bad credentials: refused, and the alert stays open saying so.
    let refused = connection_reauthorize(
        &desk,
        ConnectionReauthorizeRequest {
            id: id.clone(),
            credentials: fiix("invalid-key"),
            authorized_by: None,
            confirm_identity_change: false,
        },
    )
    .await;
    assert!(refused.is_err());
    let open = unresolved_of(&desk, &id).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].alert.last_check_ok, Some(false));
    assert!(
        open[0]
            .alert
            .last_check_message
            .as_deref()
            .is_some_and(|m| m.contains("did not heal")),
        "{:?}",
        open[0].alert
    );
    // A live check now still fails: the platform still refuses.
    let checked = alert_resolve_check(
        &desk,
        AlertResolveCheckRequest {
            id: alert_id.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!(checked.alert.state, AlertState::CustomerNotified);

    connection_reauthorize(
        &desk,
        ConnectionReauthorizeRequest {
            id: id.clone(),
            credentials: fiix("s3cret"),
            authorized_by: Some("it@acme.example".into()),
            confirm_identity_change: false,
        },
    )
    .await
    .unwrap();
    assert!(unresolved_of(&desk, &id).await.is_empty());
    let all = alerts_list(
        &desk,
        AlertsListRequest {
            all: true,
            connection_id: Some(id.clone()),
            ..AlertsListRequest::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(all.alerts.len(), 1);
    let resolved = &all.alerts[0].alert;
    assert_eq!(resolved.state, AlertState::Resolved);
    assert_eq!(resolved.resolution, Some(Resolution::Resolved));
    assert!(resolved.last_check_ok == Some(true) && resolved.resolved_at.is_some());
    desk.close().await;
}

#[tokio::test]
async fn an_outage_past_the_threshold_opens_an_alert_and_healing_by_itself_is_recovered() {
    let engine = manual_engine().await;
    let dir = tempfile::tempdir().unwrap();
    let (desk, id) = connected(&engine, dir.path()).await;
    let mut settings = desk.settings().await.unwrap();
    settings.offline_alert_minutes = 0;
    desk.save_settings(settings).await.unwrap();
    let client = engine.client();
    client
        .sandbox_fault(&id, &SandboxFault::new(FaultKind::GoOffline))
        .await
        .unwrap();
    poll(&desk).await;
    let open = unresolved_of(&desk, &id).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].alert.kind, AlertKind::Offline);
    client
        .sandbox_fault(&id, &SandboxFault::new(FaultKind::ComeOnline))
        .await
        .unwrap();
    poll(&desk).await;
    assert!(unresolved_of(&desk, &id).await.is_empty());
    let all = alerts_list(
        &desk,
        AlertsListRequest {
            all: true,
            connection_id: Some(id.clone()),
            ..AlertsListRequest::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(all.alerts[0].alert.resolution, Some(Resolution::Recovered));
    desk.close().await;
}
