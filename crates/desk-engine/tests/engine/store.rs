use crate::harness::{config, TestEngine};
use desk_engine::seed::Seed;
use desk_engine::{Engine, EngineConfig};

#[tokio::test]
async fn a_restart_keeps_everything() {
    let t = TestEngine::start().await;
    let customer = t.customer("Durable").await;
    t.connect(&customer, "upkeep", "cloud").await;
    let before = (
        t.walk("/api/v1/connections", 10).await,
        t.walk("/api/v1/credits/ledger", 10).await,
    );
    t.engine.close().await;
    let (engine, info) = Engine::open(&t.dir.path().join("engine.db"), config())
        .await
        .unwrap();
    assert!(!info.created);
    let restarted = TestEngine {
        router: engine.router(),
        engine,
        ..t
    };
    let after = (
        restarted.walk("/api/v1/connections", 10).await,
        restarted.walk("/api/v1/credits/ledger", 10).await,
    );
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_generated_admin_secret_is_reported_once_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("engine.db");
    let no_secret = EngineConfig::default();
    let (engine, first) = Engine::open(&path, no_secret.clone()).await.unwrap();
    assert!(first.generated_client_secret.is_some());
    engine.close().await;
    let (_, second) = Engine::open(&path, no_secret).await.unwrap();
    assert!(second.generated_client_secret.is_none());
}

#[tokio::test]
async fn a_store_from_a_newer_engine_is_refused_and_left_untouched() {
    let t = TestEngine::start().await;
    let path = t.dir.path().join("engine.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'from the future', 1, x'00', 0)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    t.engine.close().await;
    let bytes_before = std::fs::read(&path).unwrap();
    let error = Engine::open(&path, config()).await.unwrap_err();
    assert!(
        error.to_string().to_lowercase().contains("migrat"),
        "{error}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes_before);
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_reported_not_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("engine.db");
    std::fs::write(
        &path,
        b"this is not sqlite, it is a text file that someone put here",
    )
    .unwrap();
    let error = Engine::open(&path, config()).await.unwrap_err();
    assert!(error.to_string().contains("database"), "{error}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"this is not sqlite, it is a text file that someone put here"
    );
}

#[tokio::test]
async fn the_demo_seed_is_a_believable_account_and_is_applied_only_once() {
    let seeded = EngineConfig {
        seed: Some(Seed::Demo),
        ..config()
    };
    let t = TestEngine::start_with(seeded.clone()).await;
    let account = t.get("/api/v1/account").await.body;
    assert_eq!(account["plan"], "paid");
    assert_eq!(account["credits"]["purchased"], 64);
    assert!(account["credits"]["overage_in_use"].as_i64().unwrap() > 0);
    let customers = t.walk("/api/v1/customers", 100).await;
    assert_eq!(customers.len(), 12);
    assert!(customers.iter().all(|c| c["account_manager"].is_string()));
    let connections = t.walk("/api/v1/connections", 100).await;
    assert!(connections.len() >= 25);
    let count =
        |f: &dyn Fn(&serde_json::Value) -> bool| connections.iter().filter(|c| f(c)).count();
    assert!(count(&|c| c["status"] == "inactive") >= 2);
    assert_eq!(count(&|c| c["status"] == "overage"), 1);
    assert!(count(&|c| c["reauthorization_required"] == true) >= 3);
    assert!(count(&|c| c["deployment"] == "on_premises") >= 3);
    assert!(count(&|c| c["online"] == false && c["status"] != "pending") >= 1);
    for tier_credits in [1, 2, 4] {
        assert!(
            count(&|c| c["credits"] == tier_credits) > 0,
            "no connection costing {tier_credits}"
        );
    }
    assert!(t.walk("/api/v1/credits/ledger", 100).await.len() > 20);
    t.engine.close().await;
    let (engine, _) = Engine::open(&t.dir.path().join("engine.db"), seeded)
        .await
        .unwrap();
    let again = TestEngine {
        router: engine.router(),
        engine,
        ..t
    };
    assert_eq!(
        again.walk("/api/v1/customers", 100).await.len(),
        12,
        "the seed is never re-applied"
    );
}

/// Every time the demo seed wrote is in the past, and its offline connection stays offline
/// under the health monitor (it came back online a second after start before).
#[tokio::test]
async fn the_demo_seed_dates_everything_in_the_past_and_its_offline_connection_stays_offline() {
    let t = TestEngine::start_with(EngineConfig {
        seed: Some(Seed::Demo),
        ..config()
    })
    .await;
    use desk_platform::clock::Clock as _;
    let now = t.clock.now();
    let events = t.walk("/api/v1/events", 500).await;
    assert!(!events.is_empty());
    for event in &events {
        let at: chrono::DateTime<chrono::Utc> =
            event["created_at"].as_str().unwrap().parse().unwrap();
        assert!(at <= now, "an event dated {at}, after now ({now}): {event}");
    }
    let offline = |connections: &[serde_json::Value]| -> Vec<String> {
        connections
            .iter()
            .filter(|c| {
                c["online"] == false && c["status"] != "pending" && c["status"] != "disconnected"
            })
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let before = offline(&t.walk("/api/v1/connections", 100).await);
    assert_eq!(before.len(), 1, "one offline connection: {before:?}");
    for _ in 0..3 {
        t.clock.advance(chrono::Duration::minutes(5));
        t.engine.tick().await.unwrap();
    }
    assert_eq!(offline(&t.walk("/api/v1/connections", 100).await), before);
    let connections = t.walk("/api/v1/connections", 100).await;
    let states = [
        connections.iter().any(|c| {
            c["status"] == "active" && c["online"] == true && c["reauthorization_required"] == false
        }),
        connections
            .iter()
            .any(|c| c["reauthorization_required"] == true),
        connections.iter().any(|c| c["status"] == "inactive"),
        connections.iter().any(|c| c["status"] == "overage"),
        connections.iter().any(|c| c["status"] == "pending"),
        connections.iter().any(|c| c["status"] == "disconnected"),
    ];
    assert!(
        states.iter().all(|s| *s),
        "every state the README promises: {states:?}"
    );
    t.engine.close().await;
}
