//! Makini-format webhooks of the local engine, through a served inbox, bring changed records
//! into the mirror by themselves: the mirror applier asks `jobs::pulls` for an incremental pull.

use crate::sync::{add_team_profile, desk, manual_engine, mirrored};
use chrono::Duration;
use desk_core::events::DeskEvent;
use desk_core::sync::{sync, SyncRequest};
use desk_inbox::{Inbox, InboxConfig, ListFilter, Processing};
use desk_platform::connection::{WebhookFormat, WebhookSettings};
use desk_platform::webhook_signature::WebhookKey;
use std::time::Duration as Wait;

#[tokio::test]
async fn a_makini_format_webhook_for_changed_records_brings_their_new_versions_into_the_mirror() {
    let engine = manual_engine().await;
    let (id, token) = engine.connection("Hooked", 20).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    add_team_profile(&desk, &engine).await;
    sync(&desk, SyncRequest::default()).await.unwrap();
    let before = mirrored(&desk, &id).await;

    // The inbox as `mdesk inbox serve` runs it: the desk's appliers for the profile, the
    // connection's webhook secret, on 127.0.0.1.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
    let secret = engine
        .client()
        .set_webhook(
            &id,
            &WebhookSettings {
                url,
                events: Vec::new(),
                format: Some(WebhookFormat::Makini),
            },
        )
        .await
        .unwrap()
        .secret;
    let inbox = Inbox::open(
        dir.path().join("inbox"),
        InboxConfig {
            appliers: desk_core::alerts::applier::appliers(&desk, "team")
                .await
                .unwrap(),
            ..InboxConfig::with_secret(WebhookKey::from_secret(&secret).unwrap())
        },
    )
    .await
    .unwrap();
    let serving = inbox.clone();
    tokio::spawn(async move { serving.serve(listener, std::future::pending()).await });
    let mut events = desk.subscribe();

    // A day later the engine's sync changes records and sends its webhooks; the test syncs
    // nothing itself.
    engine.clock.advance(Duration::days(1));
    engine.engine.tick().await.unwrap();
    let expected = engine.records(&id, &token).await;
    assert_ne!(expected, before, "a day changes records");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let pulls = desk_core::jobs::pulls::run(&desk, async {
        drop(stopped.await);
    });
    let watch = async {
        for _ in 0..200 {
            if mirrored(&desk, &id).await == expected {
                break;
            }
            tokio::time::sleep(Wait::from_millis(50)).await;
        }
        drop(stop);
    };
    tokio::join!(pulls, watch);
    assert_eq!(
        mirrored(&desk, &id).await,
        expected,
        "the mirror holds the records' new versions"
    );

    let processed = inbox
        .list(&ListFilter {
            processing: Some(Processing::Processed),
            connection_id: Some(id.clone()),
            ..ListFilter::default()
        })
        .await
        .unwrap()
        .data;
    assert!(
        processed.iter().any(|w| w
            .event_type
            .as_deref()
            .is_some_and(|t| t.ends_with(".updated"))),
        "{processed:?}"
    );
    let mut finished = false;
    while let Ok(event) = events.try_recv() {
        finished |= matches!(event, DeskEvent::SyncFinished { ref profile, failures: 0, .. } if profile == "team");
    }
    assert!(finished, "the pull emitted the usual sync events");
    inbox.close().await;
    desk.close().await;
}
