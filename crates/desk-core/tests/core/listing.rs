//! `app_status` with the platform held mid-request by a proxy: while a sync lists the account it
//! says so (the overview shows "Syncing the account" instead of "No connections yet"), and its
//! probe says when the platform stops answering (the top bar's state).

use crate::sync::{add_team_profile_at, desk, manual_engine};
use desk_core::actions::{app_status, AppStatusRequest};
use desk_core::sync::{sync, SyncRequest};
use desk_core::Desk;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A TCP proxy to an HTTP server that holds what clients send while its gate is closed, so a
/// request already on a kept-alive connection waits too, as on a platform that is slow to
/// answer.
struct GatedProxy {
    url: String,
    gate: watch::Sender<bool>,
}

async fn gated_proxy(target_url: &str) -> GatedProxy {
    let target = target_url
        .strip_prefix("http://")
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (gate, open) = watch::channel(true);
    tokio::spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            let target = target.clone();
            let mut open = open.clone();
            tokio::spawn(async move {
                let Ok(outbound) = TcpStream::connect(&target).await else {
                    return;
                };
                let (mut from_client, mut to_client) = inbound.into_split();
                let (mut from_server, mut to_server) = outbound.into_split();
                tokio::spawn(
                    async move { tokio::io::copy(&mut from_server, &mut to_client).await },
                );
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    let n = match from_client.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if open.wait_for(|open| *open).await.is_err() {
                        return;
                    }
                    if to_server.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    GatedProxy { url, gate }
}

async fn listing(desk: &Desk) -> bool {
    app_status(desk, AppStatusRequest { probe: false })
        .await
        .unwrap()
        .directory_syncing
}

#[tokio::test]
async fn the_app_status_says_a_sync_is_listing_the_account_until_its_listing_is_stored() {
    let engine = manual_engine().await;
    engine.connection("Plant North", 3).await;
    let proxy = gated_proxy(&engine.url).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = Arc::new(desk(dir.path()).await);
    add_team_profile_at(&desk, &proxy.url).await;
    assert!(!listing(&desk).await, "no sync yet");

    proxy.gate.send_replace(false);
    let syncing = tokio::spawn({
        let desk = Arc::clone(&desk);
        async move {
            sync(
                &desk,
                SyncRequest {
                    directory_only: true,
                    ..SyncRequest::default()
                },
            )
            .await
        }
    });
    let mut flagged = false;
    for _ in 0..200 {
        if listing(&desk).await {
            flagged = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(flagged, "the held sync never read as listing");
    // Still listing while the platform holds the answer: nothing is mirrored yet.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(listing(&desk).await);
    assert!(!syncing.is_finished());

    proxy.gate.send_replace(true);
    let report = syncing.await.unwrap().unwrap();
    assert_eq!(report.connections, 1, "{report:?}");
    assert!(
        !listing(&desk).await,
        "the listing is stored: no longer syncing"
    );
}

async fn reach(desk: &Desk) -> desk_core::actions::PlatformReach {
    app_status(desk, AppStatusRequest { probe: true })
        .await
        .unwrap()
        .platform
}

/// The top bar's platform state (`app_status` with a probe): online while the platform answers,
/// unreachable with a retry once it stops answering within the probe's time (the mirror is
/// what is shown meanwhile), online again when it answers.
#[tokio::test]
async fn the_probe_says_online_then_unreachable_when_the_platform_stops_answering() {
    use desk_core::actions::PlatformReach;
    use desk_core::{Code, NextStep};

    let engine = manual_engine().await;
    engine.connection("Plant North", 3).await;
    let proxy = gated_proxy(&engine.url).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    add_team_profile_at(&desk, &proxy.url).await;

    match reach(&desk).await {
        PlatformReach::Online { base_url } => {
            assert_eq!(base_url.trim_end_matches('/'), proxy.url)
        }
        other => panic!("expected online, got {other:?}"),
    }

    proxy.gate.send_replace(false);
    let started = std::time::Instant::now();
    match reach(&desk).await {
        PlatformReach::Unreachable { base_url, error } => {
            assert_eq!(
                base_url.as_deref().map(|u| u.trim_end_matches('/')),
                Some(proxy.url.as_str())
            );
            assert_eq!(error.code, Code::PlatformUnreachable, "{error:?}");
            assert_eq!(error.next_step, Some(NextStep::Retry), "{error:?}");
        }
        other => panic!("expected unreachable, got {other:?}"),
    }
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "it gave up before the probe's time"
    );
    proxy.gate.send_replace(true);
    assert!(matches!(reach(&desk).await, PlatformReach::Online { .. }));
}
