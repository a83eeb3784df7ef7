use crate::harness::{
    client_config, clock, closed_port, dropping_listener, retry, Reply, ScriptedServer, SEED,
};
use desk_client::{ClientError, ConnectionClient, RetryPolicy, Secret};
use desk_platform::clock::Clock;
use rand::SeedableRng;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn ok_connection() -> Reply {
    Reply::json(200, json!({"id": "wo_1"}))
}

#[tokio::test]
async fn a_429_is_retried_after_exactly_its_retry_after_seconds() {
    let server = ScriptedServer::start(vec![
        Reply::envelope(429, "RATE_LIMIT_EXCEEDED").header("retry-after", "7"),
        ok_connection(),
    ])
    .await;
    let clock = clock();
    let (data, sleeper) = server.data_client(&clock, retry(4));
    data.record("work-orders", "wo_1").await.unwrap();
    assert_eq!(sleeper.waits(), [Duration::from_secs(7)]);
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn a_503_with_an_http_date_waits_until_that_date() {
    let clock = clock();
    let at = clock.now() + chrono::Duration::seconds(12);
    let server = ScriptedServer::start(vec![
        Reply::envelope(503, "SYSTEM_UNAVAILABLE").header(
            "retry-after",
            at.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ),
        ok_connection(),
    ])
    .await;
    let (data, sleeper) = server.data_client(&clock, retry(4));
    data.record("work-orders", "wo_1").await.unwrap();
    assert_eq!(sleeper.waits(), [Duration::from_secs(12)]);
}

#[tokio::test]
async fn without_retry_after_the_waits_are_full_jitter_backoff_from_the_seed() {
    let server = ScriptedServer::start(vec![
        Reply::envelope(503, "SYSTEM_UNAVAILABLE"),
        Reply::envelope(503, "SYSTEM_UNAVAILABLE"),
        Reply::envelope(429, "RATE_LIMIT_EXCEEDED"),
        ok_connection(),
    ])
    .await;
    let clock = clock();
    let policy = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(400),
        max_delay: Duration::from_secs(5),
        max_total: Duration::from_secs(60),
    };
    let (data, sleeper) = server.data_client(&clock, policy.clone());
    data.record("work-orders", "wo_1").await.unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let expected: Vec<Duration> = (1..=3)
        .map(|retry| policy.jittered_delay(retry, &mut rng))
        .collect();
    assert_eq!(sleeper.waits(), expected);
    for (retry, wait) in (1..).zip(sleeper.waits()) {
        assert!(wait <= policy.ceiling(retry));
    }
    assert_eq!(server.hits(), 4);
}

#[tokio::test]
async fn retries_stop_after_the_last_attempt_with_the_last_answer() {
    let server = ScriptedServer::start(vec![Reply::envelope(503, "SYSTEM_UNAVAILABLE")]).await;
    let clock = clock();
    let (data, sleeper) = server.data_client(&clock, retry(3));
    let err = data.record("work-orders", "wo_1").await.unwrap_err();
    assert_eq!(err.code(), "SYSTEM_UNAVAILABLE");
    assert_eq!(server.hits(), 3);
    assert_eq!(sleeper.waits().len(), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_time_budget_is_handed_to_the_caller_instead_of_waited() {
    let server = ScriptedServer::start(vec![
        Reply::envelope(429, "RATE_LIMIT_EXCEEDED").header("retry-after", "3600"),
        ok_connection(),
    ])
    .await;
    let clock = clock();
    let (data, sleeper) = server.data_client(&clock, retry(4));
    match data.record("work-orders", "wo_1").await.unwrap_err() {
        ClientError::Api {
            status: 429,
            retry_after,
            ..
        } => assert_eq!(retry_after, Some(Duration::from_secs(3600))),
        other => panic!("{other:?}"),
    }
    assert!(sleeper.waits().is_empty());
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_post_is_retried_after_a_429_because_the_server_did_not_process_it() {
    let server = ScriptedServer::start(vec![
        Reply::envelope(429, "RATE_LIMIT_EXCEEDED").header("retry-after", "1"),
        Reply::json(201, json!({"id": "wo_9"})),
    ])
    .await;
    let clock = clock();
    let (data, sleeper) = server.data_client(&clock, retry(4));
    let created = data
        .create_record("work-orders", &json!({"title": "Pump"}))
        .await
        .unwrap();
    assert_eq!(created["id"], "wo_9");
    assert_eq!(sleeper.waits(), [Duration::from_secs(1)]);
    let methods: Vec<_> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|(m, _)| m.to_string())
        .collect();
    assert_eq!(methods, ["POST", "POST"]);
}

#[tokio::test]
async fn a_500_is_not_retried() {
    let server = ScriptedServer::start(vec![Reply::envelope(500, "INTERNAL_ERROR")]).await;
    let clock = clock();
    let (data, _) = server.data_client(&clock, retry(4));
    data.record("work-orders", "wo_1").await.unwrap_err();
    assert_eq!(server.hits(), 1);
}

fn client_at(
    url: &str,
    clock: &desk_platform::clock::ManualClock,
    policy: RetryPolicy,
) -> (ConnectionClient, crate::harness::RecordingSleeper) {
    let (config, sleeper) = client_config(clock);
    let client = ConnectionClient::new(
        url,
        "conn_x",
        Secret::new("ct_x"),
        config.with_retry(policy),
    )
    .unwrap();
    (client, sleeper)
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_a_get_but_never_for_a_post() {
    let clock = clock();
    let (url, accepts) = dropping_listener(100).await;
    let (data, sleeper) = client_at(&url, &clock, retry(3));
    let err = data.record("work-orders", "wo_1").await.unwrap_err();
    assert_eq!(err.code(), "TRANSPORT_ERROR", "{err:?}");
    assert_eq!(accepts.load(Ordering::SeqCst), 3);
    assert_eq!(sleeper.waits().len(), 2);

    let (url, accepts) = dropping_listener(100).await;
    let (data, sleeper) = client_at(&url, &clock, retry(3));
    let err = data
        .create_record("work-orders", &json!({"title": "Pump"}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "TRANSPORT_ERROR", "{err:?}");
    assert_eq!(
        accepts.load(Ordering::SeqCst),
        1,
        "the POST may have been processed"
    );
    assert!(sleeper.waits().is_empty());
}

#[tokio::test]
async fn a_refused_connect_is_retried_even_for_a_post() {
    let clock = clock();
    let url = closed_port().await;
    let (data, sleeper) = client_at(&url, &clock, retry(4));
    let err = data
        .create_record("work-orders", &json!({"title": "Pump"}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "TRANSPORT_ERROR", "{err:?}");
    assert_eq!(sleeper.waits().len(), 3, "the server never saw it");
}

#[tokio::test]
async fn a_timeout_is_reported_as_such_and_a_timed_out_post_is_not_resent() {
    let server = ScriptedServer::start(vec![ok_connection().after(Duration::from_secs(3))]).await;
    let clock = clock();
    let (config, _) = client_config(&clock);
    let data = ConnectionClient::new(
        &server.url,
        "conn_x",
        Secret::new("ct_x"),
        config
            .with_retry(retry(2))
            .with_timeouts(Duration::from_secs(1), Duration::from_millis(300)),
    )
    .unwrap();
    let err = data
        .create_record("work-orders", &json!({"title": "Pump"}))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
    assert_eq!(server.hits(), 1);
    let err = data.record("work-orders", "wo_1").await.unwrap_err();
    assert_eq!(err.code(), "TIMEOUT");
    assert_eq!(server.hits(), 3, "a GET is tried twice");
}

#[tokio::test]
async fn backoff_never_runs_past_the_time_budget() {
    let server = ScriptedServer::start(vec![Reply::envelope(503, "SYSTEM_UNAVAILABLE")]).await;
    let clock = clock();
    let policy = RetryPolicy {
        max_attempts: 50,
        base_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(8),
        max_total: Duration::from_secs(10),
    };
    let (data, sleeper) = server.data_client(&clock, policy);
    let err = data.record("work-orders", "wo_1").await.unwrap_err();
    assert_eq!(err.code(), "SYSTEM_UNAVAILABLE");
    let waited: Duration = sleeper.waits().iter().sum();
    assert!(waited <= Duration::from_secs(10), "{waited:?}");
    assert!(server.hits() < 50, "the budget, not the attempts, ended it");
    assert_eq!(server.hits(), sleeper.waits().len() + 1);
}
