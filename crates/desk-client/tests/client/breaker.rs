use crate::harness::{client_config, clock, retry, Reply, ScriptedServer};
use desk_client::{BreakerPolicy, BreakerState, ClientError, ConnectionClient, Secret};
use desk_platform::clock::Clock;
use serde_json::json;
use std::time::Duration;

fn policy() -> BreakerPolicy {
    BreakerPolicy {
        failure_threshold: 3,
        cool_down: Duration::from_secs(30),
    }
}

#[tokio::test]
async fn a_connection_that_keeps_failing_opens_its_circuit_and_fails_fast_until_the_cool_down() {
    let server = ScriptedServer::start(vec![Reply::envelope(503, "SYSTEM_UNAVAILABLE")]).await;
    let clock = clock();
    let (config, _) = client_config(&clock);
    let data = ConnectionClient::new(
        &server.url,
        "conn_a",
        Secret::new("ct_a"),
        config.with_retry(retry(1)).with_breaker(policy()),
    )
    .unwrap();
    for _ in 0..3 {
        assert_eq!(
            data.connection().await.unwrap_err().code(),
            "SYSTEM_UNAVAILABLE"
        );
    }
    let opened_at = clock.now();
    match data.connection().await.unwrap_err() {
        ClientError::CircuitOpen {
            connection_id,
            retry_at,
        } => {
            assert_eq!(connection_id, "conn_a");
            assert_eq!(retry_at, opened_at + chrono::Duration::seconds(30));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.hits(), 3, "the open circuit sent nothing");

    // After the cool-down one trial goes through; it fails, so the circuit opens again.
    clock.advance(chrono::Duration::seconds(30));
    assert_eq!(
        data.connection().await.unwrap_err().code(),
        "SYSTEM_UNAVAILABLE"
    );
    assert_eq!(data.connection().await.unwrap_err().code(), "CIRCUIT_OPEN");
    assert_eq!(server.hits(), 4);

    // The system recovers: the next trial succeeds and closes the circuit.
    server.set_script(vec![Reply::json(200, json!({"id": "wo_1"}))]);
    clock.advance(chrono::Duration::seconds(30));
    data.record("work-orders", "wo_1").await.unwrap();
    data.record("work-orders", "wo_1").await.unwrap();
    assert_eq!(server.hits(), 6);
}

#[tokio::test]
async fn each_connection_has_its_own_circuit_and_the_platform_client_reports_it() {
    let server = ScriptedServer::start(vec![Reply::envelope(503, "SYSTEM_UNAVAILABLE")]).await;
    let clock = clock();
    let (config, _) = client_config(&clock);
    let platform = desk_client::PlatformClient::new(
        &server.url,
        "id",
        Secret::new("s"),
        config.with_retry(retry(1)).with_breaker(policy()),
    )
    .unwrap();
    let failing = platform.connection_client("conn_a", Secret::new("ct_a"));
    let healthy = platform.connection_client("conn_b", Secret::new("ct_b"));
    for _ in 0..3 {
        failing.connection().await.unwrap_err();
    }
    assert!(matches!(
        platform.breaker_state("conn_a"),
        BreakerState::Open { .. }
    ));
    assert_eq!(
        platform.breaker_state("conn_b"),
        BreakerState::Closed {
            consecutive_failures: 0
        }
    );
    assert_eq!(
        healthy.connection().await.unwrap_err().code(),
        "SYSTEM_UNAVAILABLE"
    );
    assert_eq!(
        failing.connection().await.unwrap_err().code(),
        "CIRCUIT_OPEN"
    );
}

#[tokio::test]
async fn answers_about_the_request_itself_never_open_the_circuit() {
    let server = ScriptedServer::start(vec![Reply::envelope(404, "NOT_FOUND")]).await;
    let clock = clock();
    let (config, _) = client_config(&clock);
    let data = ConnectionClient::new(
        &server.url,
        "conn_a",
        Secret::new("ct_a"),
        config.with_retry(retry(1)).with_breaker(policy()),
    )
    .unwrap();
    for _ in 0..10 {
        assert_eq!(
            data.record("work-orders", "nope").await.unwrap_err().code(),
            "NOT_FOUND"
        );
    }
    assert_eq!(server.hits(), 10);
}
