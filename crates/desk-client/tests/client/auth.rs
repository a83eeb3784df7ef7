use crate::harness::{client_config, engine_config, TestEngine, CLIENT_ID};
use desk_client::{AuthStats, ClientError, PlatformClient, Secret};
use desk_engine::EngineConfig;
use desk_platform::clock::{Clock, ManualClock};

fn minutes(n: i64) -> chrono::Duration {
    chrono::Duration::minutes(n)
}

/// Whether the engine still takes `token` as an admin token (checked outside the client).
async fn engine_accepts(engine: &TestEngine, token: &Secret) -> bool {
    let status = reqwest::Client::new()
        .get(format!("{}/api/v1/account", engine.url))
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap()
        .status();
    assert!(status == 200 || status == 401, "{status}");
    status == 200
}

#[tokio::test]
async fn the_first_call_logs_in_with_client_credentials_and_reads_the_account() {
    let engine = TestEngine::start().await;
    let client = engine.client();
    let account = client.account().await.unwrap();
    assert_eq!(account.credits.purchased, 1);
    assert_eq!(
        client.auth_stats(),
        AuthStats {
            logins: 1,
            refreshes: 0,
            failed_refreshes: 0
        }
    );
    client.account().await.unwrap();
    assert_eq!(client.auth_stats().logins, 1, "the token is reused");
}

#[tokio::test]
async fn a_wrong_client_secret_is_refused_as_unauthorized() {
    let engine = TestEngine::start().await;
    let client = PlatformClient::new(
        &engine.url,
        CLIENT_ID,
        Secret::new("not-the-secret"),
        client_config(&engine.clock).0,
    )
    .unwrap();
    let err = client.login().await.unwrap_err();
    assert!(matches!(err, ClientError::Unauthorized { .. }), "{err:?}");
    assert_eq!(err.code(), "AUTHENTICATION_FAILED");
    assert!(err.request_id().is_some_and(|id| id.starts_with("req_")));
}

#[tokio::test]
async fn concurrent_first_calls_share_one_login() {
    let engine = TestEngine::start().await;
    let client = engine.client();
    let calls = (0..16).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.account().await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    assert_eq!(client.auth_stats().logins, 1);
}

#[tokio::test]
async fn the_token_is_refreshed_just_before_it_expires_and_the_old_one_dies() {
    let engine = TestEngine::start().await;
    let client = engine.client();
    let first = client.access_token().await.unwrap();
    engine.clock.advance(minutes(50));
    assert_eq!(client.access_token().await.unwrap(), first, "still fresh");
    // Inside the one-minute margin before the hour-long token expires.
    engine
        .clock
        .advance(minutes(9) + chrono::Duration::seconds(30));
    client.account().await.unwrap();
    let second = client.access_token().await.unwrap();
    assert_ne!(second, first);
    assert_eq!(
        client.auth_stats(),
        AuthStats {
            logins: 1,
            refreshes: 1,
            failed_refreshes: 0
        }
    );
    assert!(
        !engine_accepts(&engine, &first).await,
        "rotation kills the old pair"
    );
    assert!(engine_accepts(&engine, &second).await);
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let engine = TestEngine::start().await;
    let client = engine.client();
    client.login().await.unwrap();
    engine
        .clock
        .advance(minutes(59) + chrono::Duration::seconds(30));
    let calls = (0..16).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.account().await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    let stats = client.auth_stats();
    assert_eq!((stats.logins, stats.refreshes), (1, 1), "{stats:?}");
}

#[tokio::test]
async fn a_refresh_that_fails_falls_back_to_a_fresh_login() {
    let engine = TestEngine::start_with(EngineConfig {
        refresh_token_ttl: chrono::Duration::hours(2),
        ..engine_config()
    })
    .await;
    let client = engine.client();
    client.login().await.unwrap();
    // Both tokens are dead by now: the refresh is refused, the client logs in again.
    engine.clock.advance(chrono::Duration::hours(3));
    client.account().await.unwrap();
    assert_eq!(
        client.auth_stats(),
        AuthStats {
            logins: 2,
            refreshes: 0,
            failed_refreshes: 1
        }
    );
}

#[tokio::test]
async fn a_token_the_server_no_longer_takes_gets_one_fresh_login() {
    let engine = TestEngine::start().await;
    // The client's clock stands still while the engine's moves on: the client believes its
    // token is fresh, the engine has expired it.
    let client_clock = ManualClock::new(engine.clock.now());
    let client = engine.client_with(client_config(&client_clock).0);
    client.login().await.unwrap();
    engine.clock.advance(chrono::Duration::hours(2));
    client.account().await.unwrap();
    assert_eq!(client.auth_stats().logins, 2);
}

#[tokio::test]
async fn neither_the_secret_nor_a_token_shows_in_debug_output() {
    let engine = TestEngine::start().await;
    let client = engine.client();
    let token = client.access_token().await.unwrap();
    let printed = format!("{client:?} {token:?} {token}");
    assert!(
        !printed.contains(crate::harness::CLIENT_SECRET),
        "{printed}"
    );
    assert!(!printed.contains(token.expose()), "{printed}");
}
