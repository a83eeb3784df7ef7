//! The data client against the real engine, with the engine's own fault injection.

use crate::harness::{client_config, collect, retry, TestEngine};
use desk_client::{
    BreakerPolicy, ClientError, FaultKind, ListOptions, RecordQuery, SandboxFault, StartSync,
};
use desk_platform::connection::Reauthorize;
use desk_platform::ErrorCode;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test]
async fn a_record_stream_walks_every_page_of_a_synced_connection() {
    let engine = TestEngine::start().await;
    let client = engine.client();
    let (id, token) = engine.synced(&client).await;
    let data = client.connection_client(&id, token);
    let whole = collect(data.records(
        "purchase-orders",
        RecordQuery {
            list: ListOptions::page_size(500),
            ..RecordQuery::default()
        },
    ))
    .await;
    assert_eq!(whole.len(), 90);
    let paged = collect(data.records(
        "purchase-orders",
        RecordQuery {
            list: ListOptions::page_size(7),
            ..RecordQuery::default()
        },
    ))
    .await;
    assert_eq!(paged, whole);
    let ids: HashSet<_> = paged.iter().map(|po| po["id"].to_string()).collect();
    assert_eq!(ids.len(), 90, "no record repeated");

    let first = whole[0]["id"].as_str().unwrap();
    assert_eq!(
        data.record("purchase-orders", first).await.unwrap(),
        whole[0]
    );
}

#[tokio::test]
async fn a_frozen_field_answers_field_not_updatable_and_a_draft_takes_the_change() {
    let engine = TestEngine::start().await;
    let client = engine.client();
    let (id, token) = engine.synced(&client).await;
    let data = client.connection_client(&id, token);
    let orders = collect(data.records("purchase-orders", RecordQuery::default())).await;
    let approved = orders.iter().find(|po| po["status"] == "approved").unwrap();
    let draft = orders.iter().find(|po| po["status"] == "draft").unwrap();
    let err = data
        .update_record(
            "purchase-orders",
            approved["id"].as_str().unwrap(),
            &json!({"total": 1.0}),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::Api {
                status: 422,
                code: ErrorCode::FieldNotUpdatable,
                ..
            }
        ),
        "{err:?}"
    );
    let changed = data
        .update_record(
            "purchase-orders",
            draft["id"].as_str().unwrap(),
            &json!({"currency": "EUR"}),
        )
        .await
        .unwrap();
    assert_eq!(changed["currency"], "EUR");

    let batch = data
        .batch_records(
            "purchase-orders",
            &json!({"operations": [
                {"op": "update", "id": draft["id"], "data": {"currency": "USD"}},
                {"op": "update", "id": approved["id"], "data": {"total": 2.0}},
            ]}),
        )
        .await
        .unwrap();
    assert_eq!(batch["failed"], 1, "{batch}");
    assert_eq!(batch["results"][1]["error"]["code"], "FIELD_NOT_UPDATABLE");
}

#[tokio::test]
async fn a_rate_limit_storm_is_waited_out_for_exactly_the_engines_retry_after() {
    let engine = TestEngine::start().await;
    let (config, sleeper) = client_config(&engine.clock);
    let client = engine.client_with(config);
    let (id, token) = engine.synced(&client).await;
    client
        .sandbox_fault(
            &id,
            &SandboxFault {
                kind: FaultKind::RateLimit,
                duration_seconds: Some(5),
            },
        )
        .await
        .unwrap();
    let data = client.connection_client(&id, token);
    let orders = collect(data.records("purchase-orders", RecordQuery::default())).await;
    assert_eq!(orders.len(), 90);
    assert_eq!(sleeper.waits(), [Duration::from_secs(5)]);
}

#[tokio::test]
async fn an_offline_system_opens_the_circuit_and_a_trial_after_recovery_closes_it() {
    let engine = TestEngine::start().await;
    let (config, _) = client_config(&engine.clock);
    let client = engine.client_with(config.with_retry(retry(2)).with_breaker(BreakerPolicy {
        failure_threshold: 2,
        cool_down: Duration::from_secs(30),
    }));
    let (id, token) = engine.synced(&client).await;
    let data = client.connection_client(&id, token);
    let orders = collect(data.records("purchase-orders", RecordQuery::default())).await;
    let some = orders[0]["id"].as_str().unwrap().to_owned();

    client
        .sandbox_fault(&id, &SandboxFault::new(FaultKind::GoOffline))
        .await
        .unwrap();
    for _ in 0..2 {
        let err = data.record("purchase-orders", &some).await.unwrap_err();
        assert_eq!(err.code(), "SYSTEM_UNAVAILABLE", "{err:?}");
    }
    let err = data.record("purchase-orders", &some).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::CircuitOpen { connection_id, .. } if *connection_id == id),
        "{err:?}"
    );

    client
        .sandbox_fault(&id, &SandboxFault::new(FaultKind::ComeOnline))
        .await
        .unwrap();
    engine.clock.advance(chrono::Duration::seconds(30));
    data.record("purchase-orders", &some).await.unwrap();
    assert_eq!(
        client.breaker_state(&id),
        desk_client::BreakerState::Closed {
            consecutive_failures: 0
        }
    );
}

#[tokio::test]
async fn expired_credentials_answer_reauthorization_required_until_reauthorized() {
    let engine = TestEngine::start().await;
    let client = engine.client();
    let (id, token) = engine.synced(&client).await;
    client
        .sandbox_fault(&id, &SandboxFault::new(FaultKind::ExpireCredentials))
        .await
        .unwrap();
    let data = client.connection_client(&id, token);
    let err = collect_err(&data).await;
    assert!(
        matches!(&err, ClientError::ReauthorizationRequired { connection_id: Some(c), .. } if *c == id),
        "{err:?}"
    );
    let fresh = client
        .reauthorize(
            &id,
            &Reauthorize {
                credentials: [
                    ("email".to_owned(), "ops@example.com".to_owned()),
                    ("password".to_owned(), "new-password".to_owned()),
                ]
                .into(),
                authorized_by: None,
            },
        )
        .await
        .unwrap();
    let data = client.connection_client(&id, desk_client::Secret::new(fresh.token));
    assert!(
        !collect(data.records("work-orders", RecordQuery::default()))
            .await
            .is_empty()
    );
}

async fn collect_err(data: &desk_client::ConnectionClient) -> ClientError {
    use futures::StreamExt;
    let mut stream = Box::pin(data.records("work-orders", RecordQuery::default()));
    stream.next().await.unwrap().unwrap_err()
}

#[tokio::test]
async fn a_system_error_fails_one_call_with_500_which_is_not_retried() {
    let engine = TestEngine::start().await;
    let (config, sleeper) = client_config(&engine.clock);
    let client = engine.client_with(config);
    let (id, token) = engine.synced(&client).await;
    client
        .sandbox_fault(&id, &SandboxFault::new(FaultKind::SystemError))
        .await
        .unwrap();
    let data = client.connection_client(&id, token);
    let err = collect_err(&data).await;
    assert!(
        matches!(
            err,
            ClientError::Api {
                status: 500,
                code: ErrorCode::InternalError,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(sleeper.waits().is_empty());
    assert!(
        !collect(data.records("work-orders", RecordQuery::default()))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_manual_sync_is_queued_and_its_status_lists_the_entities() {
    let engine = TestEngine::start().await;
    let client = engine.client();
    let (id, _) = engine.synced(&client).await;
    let queued = client
        .start_sync(
            &id,
            &StartSync {
                entities: Some(vec!["work-orders".to_owned()]),
                full: Some(true),
            },
        )
        .await
        .unwrap();
    assert!(queued["state"].is_string(), "{queued}");
    engine.engine.tick().await.unwrap();
    let status = client.sync_status(&id).await.unwrap();
    assert!(!status.entities.is_empty(), "{status:?}");
}

#[tokio::test]
async fn a_created_record_is_listed_as_a_change_read_back_and_deleted() {
    use desk_platform::clock::Clock;
    let engine = TestEngine::start().await;
    let client = engine.client();
    let (id, token) = engine.synced(&client).await;
    let data = client.connection_client(&id, token);
    engine.clock.advance(chrono::Duration::minutes(1));
    let since = engine.clock.now();
    engine.clock.advance(chrono::Duration::seconds(1));
    let created = data
        .create_record("work-orders", &json!({"title": "Replace seal on pump 7"}))
        .await
        .unwrap();
    let record_id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        data.record("work-orders", &record_id).await.unwrap(),
        created
    );
    let changes = collect(data.records(
        "work-orders",
        RecordQuery {
            modified_after: Some(since),
            list: ListOptions::page_size(10),
        },
    ))
    .await;
    assert_eq!(changes, [created]);
    let deleted = data.delete_record("work-orders", &record_id).await.unwrap();
    assert_eq!(deleted["id"], record_id.as_str());
    assert!(deleted["deleted_at"].is_string(), "{deleted}");
}
