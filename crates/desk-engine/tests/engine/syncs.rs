use crate::harness::TestEngine;
use axum::http::StatusCode;
use chrono::Duration;
use serde_json::json;

async fn event_types(t: &TestEngine, connection: &str) -> Vec<String> {
    t.walk(&format!("/api/v1/events?connection_id={connection}"), 500)
        .await
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn incremental_syncs_run_on_the_interval_and_find_new_and_changed_records() {
    let t = TestEngine::start().await;
    let (id, token) = t.synced("upkeep").await;
    let first = t
        .get(&format!("/api/v1/connections/{id}/sync-status"))
        .await
        .body;
    assert_eq!(first["state"], "completed");
    let work_orders = first["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == "work-orders")
        .unwrap()
        .clone();
    assert_eq!(work_orders["records"], 150);
    let before = t.walk_data("/api/v1/work-orders", &token, 500).await.len();
    // A day of hourly syncs, in milliseconds.
    for _ in 0..24 {
        t.clock.advance(Duration::minutes(60));
        t.engine.tick().await.unwrap();
    }
    let after = t.walk_data("/api/v1/work-orders", &token, 500).await;
    assert!(
        (before + 4..=before + 6).contains(&after.len()),
        "about 5 new work orders a day: {before} -> {}",
        after.len()
    );
    let changed = after
        .iter()
        .filter(|w| w["updated_at"] != w["created_at"])
        .count();
    assert!(changed > 0, "some work orders moved through their states");
    let types = event_types(&t, &id).await;
    assert_eq!(types.iter().filter(|t| *t == "sync.completed").count(), 25);
    let status = t
        .get(&format!("/api/v1/connections/{id}/sync-status"))
        .await
        .body;
    assert!(
        status["next_sync_at"].as_str().unwrap()
            > status["last_successful_sync_at"].as_str().unwrap()
    );
}

#[tokio::test]
async fn a_manual_or_full_sync_runs_at_the_next_tick() {
    let t = TestEngine::start().await;
    let (id, _) = t.synced("upkeep").await;
    let queued = t
        .post(
            &format!("/api/v1/connections/{id}/syncs"),
            json!({"entities": ["vendors"]}),
        )
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
    t.engine.tick().await.unwrap();
    let events = t
        .walk(&format!("/api/v1/events?connection_id={id}"), 500)
        .await;
    let last = events
        .iter()
        .rev()
        .find(|e| e["type"] == "sync.completed")
        .unwrap();
    assert_eq!(last["data"]["kind"], "manual");
    assert_eq!(last["data"]["entities"].as_array().unwrap().len(), 1);
    t.post(
        &format!("/api/v1/connections/{id}/syncs"),
        json!({"full": true}),
    )
    .await;
    t.engine.tick().await.unwrap();
    let events = t
        .walk(&format!("/api/v1/events?connection_id={id}"), 500)
        .await;
    assert_eq!(
        events
            .iter()
            .rev()
            .find(|e| e["type"] == "sync.completed")
            .unwrap()["data"]["kind"],
        "full"
    );
    let unknown = t
        .post(
            &format!("/api/v1/connections/{id}/syncs"),
            json!({"entities": ["work-order"]}),
        )
        .await;
    assert_eq!(unknown.code(), "INVALID_REQUEST");
}

#[tokio::test]
async fn disconnecting_stops_the_schedule_at_once() {
    let t = TestEngine::start().await;
    let (id, _) = t.synced("upkeep").await;
    t.post(&format!("/api/v1/connections/{id}/disconnect"), json!({}))
        .await;
    let syncs_before = event_types(&t, &id)
        .await
        .iter()
        .filter(|t| t.starts_with("sync."))
        .count();
    for _ in 0..5 {
        t.clock.advance(Duration::hours(2));
        t.engine.tick().await.unwrap();
    }
    assert_eq!(
        event_types(&t, &id)
            .await
            .iter()
            .filter(|t| t.starts_with("sync."))
            .count(),
        syncs_before
    );
    assert_eq!(
        t.post(&format!("/api/v1/connections/{id}/syncs"), json!({}))
            .await
            .code(),
        "CONFLICT"
    );
}

#[tokio::test]
async fn a_failing_sync_says_why_and_the_next_one_succeeds() {
    let t = TestEngine::start().await;
    let (id, _) = t.synced("upkeep").await;
    t.post(
        &format!("/api/v1/sandbox/connections/{id}/faults"),
        json!({"kind": "fail_next_sync"}),
    )
    .await;
    t.clock.advance(Duration::minutes(61));
    t.engine.tick().await.unwrap();
    let status = t
        .get(&format!("/api/v1/connections/{id}/sync-status"))
        .await
        .body;
    assert_eq!(status["state"], "failed");
    assert!(
        status["error"].as_str().unwrap().contains("internal error"),
        "{status}"
    );
    let events = t
        .walk(&format!("/api/v1/events?connection_id={id}"), 500)
        .await;
    let failed = events.iter().find(|e| e["type"] == "sync.failed").unwrap();
    assert_eq!(failed["data"]["sync_id"], status["last_sync_id"]);
    t.clock.advance(Duration::minutes(61));
    t.engine.tick().await.unwrap();
    assert_eq!(
        t.get(&format!("/api/v1/connections/{id}/sync-status"))
            .await
            .body["state"],
        "completed"
    );
}

#[tokio::test]
async fn a_restarted_engine_keeps_the_schedule() {
    let t = TestEngine::start().await;
    let (id, token) = t.synced("upkeep").await;
    let before = t.walk_data("/api/v1/vendors", &token, 500).await;
    t.engine.close().await;
    let (engine, _) = desk_engine::Engine::open_with_clock(
        &t.dir.path().join("engine.db"),
        crate::harness::config(),
        std::sync::Arc::new(t.clock.clone()),
    )
    .await
    .unwrap();
    let t = TestEngine {
        router: engine.router(),
        engine,
        ..t
    };
    assert_eq!(t.walk_data("/api/v1/vendors", &token, 500).await, before);
    t.clock.advance(Duration::minutes(61));
    t.engine.tick().await.unwrap();
    let syncs = event_types(&t, &id)
        .await
        .iter()
        .filter(|t| *t == "sync.completed")
        .count();
    assert_eq!(syncs, 2);
}

/// Another process writes the store while the engine serves (`mdesk profiles add --local`
/// registers its client then): the engine's syncs wait for that writer's lock instead of
/// failing half-way with "database is locked" and leaving their run `in_progress` for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_wait_for_another_writer_of_the_store_and_all_complete() {
    let t = TestEngine::start().await;
    t.buy(16).await;
    let customer = t.customer("Busy plant").await;
    let systems = ["upkeep", "maintainx", "netsuite", "sap-s4hana"];
    for system in systems {
        let created = t.connect(&customer, system, "cloud").await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    let other = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(t.dir.path().join("engine.db"))
                .busy_timeout(std::time::Duration::from_secs(10)),
        )
        .await
        .unwrap();
    sqlx::query("CREATE TABLE another_process (n INTEGER)")
        .execute(&other)
        .await
        .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = tokio::spawn({
        let stop = std::sync::Arc::clone(&stop);
        async move {
            let mut writes = 0_u32;
            // Bounded in count as well as by the flag.
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && writes < 200_000 {
                sqlx::query("INSERT INTO another_process (n) VALUES (?)")
                    .bind(writes)
                    .execute(&other)
                    .await
                    .unwrap();
                writes += 1;
            }
            (writes, other)
        }
    });
    for _ in 0..4 {
        t.engine.tick().await.unwrap();
        t.clock.advance(Duration::hours(2));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (writes, other) = writer.await.unwrap();
    assert!(writes > 0);
    let runs: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT connection_id, state, error FROM sync_runs")
            .fetch_all(&other)
            .await
            .unwrap();
    assert_eq!(runs.len(), systems.len() * 4, "{runs:?}");
    assert!(
        runs.iter().all(|(_, state, _)| state == "completed"),
        "{runs:?}"
    );
}
