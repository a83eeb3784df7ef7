use crate::harness::{config, credentials_for, TestEngine};
use axum::http::StatusCode;
use proptest::prelude::*;
use serde_json::{json, Value};

/// The ledger and the pool agree: `available = purchased - in_use`, in_use never exceeds
/// purchased, the sum of every delta is `available`, the sum of overage deltas is overage in use,
/// and in_use is what the live connections consumed.
async fn assert_books_balance(t: &TestEngine) {
    let credits = t.account_credits().await;
    let (purchased, in_use, available, overage) = (
        credits["purchased"].as_i64().unwrap(),
        credits["in_use"].as_i64().unwrap(),
        credits["available"].as_i64().unwrap(),
        credits["overage_in_use"].as_i64().unwrap(),
    );
    assert_eq!(available, purchased - in_use);
    assert!(in_use <= purchased, "{credits}");
    let ledger = t.walk("/api/v1/credits/ledger", 500).await;
    let sum = |field: &str| {
        ledger
            .iter()
            .map(|e| e[field].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(
        sum("delta"),
        available,
        "ledger deltas add up to the available credits"
    );
    assert_eq!(sum("overage_delta"), overage);
    assert_eq!(ledger.last().unwrap()["balance_after"], available);
    let connections = t.walk("/api/v1/connections", 500).await;
    let consuming: i64 = connections
        .iter()
        .filter(|c| {
            matches!(
                c["status"].as_str(),
                Some("active" | "synchronizing" | "in_progress")
            )
        })
        .map(|c| c["credits"].as_i64().unwrap())
        .sum();
    assert_eq!(consuming, in_use);
    let in_overage: i64 = connections
        .iter()
        .filter(|c| c["status"] == "overage")
        .map(|c| c["credits"].as_i64().unwrap())
        .sum();
    assert_eq!(in_overage, overage);
}

#[derive(Debug, Clone)]
enum Op {
    Connect { system: usize, on_premises: bool },
    Disconnect(usize),
    Activate { pick: usize, overage: bool },
    Buy(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..3, any::<bool>()).prop_map(|(system, on_premises)| Op::Connect { system, on_premises }),
        2 => (0usize..64).prop_map(Op::Disconnect),
        2 => (0usize..64, any::<bool>()).prop_map(|(pick, overage)| Op::Activate { pick, overage }),
        1 => (1i64..6).prop_map(Op::Buy),
    ]
}

async fn apply(t: &TestEngine, customer: &str, op: &Op, ids: &mut Vec<String>) {
    match op {
        Op::Connect {
            system,
            on_premises,
        } => {
            let (system, deployment) = match (system, on_premises) {
                (0, _) => ("upkeep", "cloud"),
                (1, _) => ("netsuite", "cloud"),
                (_, true) => ("sap-s4hana", "on_premises"),
                (_, false) => ("sap-s4hana", "cloud"),
            };
            let reply = t.connect(customer, system, deployment).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            ids.push(reply.body["connection"]["id"].as_str().unwrap().to_owned());
        }
        Op::Disconnect(pick) if !ids.is_empty() => {
            let id = &ids[pick % ids.len()];
            let reply = t
                .post(&format!("/api/v1/connections/{id}/disconnect"), json!({}))
                .await;
            assert!(matches!(reply.status.as_u16(), 200 | 409), "{}", reply.body);
        }
        Op::Activate { pick, overage } if !ids.is_empty() => {
            let id = &ids[pick % ids.len()];
            let reply = t
                .post(
                    &format!("/api/v1/connections/{id}/activate"),
                    json!({"overage": overage}),
                )
                .await;
            assert!(
                matches!(reply.status.as_u16(), 200 | 402 | 403 | 409),
                "{}",
                reply.body
            );
        }
        Op::Buy(credits) => t.buy(*credits).await,
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_balances_after_any_sequence_of_lifecycle_actions(ops in proptest::collection::vec(op(), 1..25), paid in any::<bool>()) {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let t = TestEngine::start().await;
            if paid {
                t.set_plan("paid").await;
            }
            let customer = t.customer("Prop").await;
            let mut ids = Vec::new();
            for op in &ops {
                apply(&t, &customer, op, &mut ids).await;
                assert_books_balance(&t).await;
            }
        });
    }
}

/// 100 creates race over real HTTP against a pool that fits 10: exactly 10 win their credits.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_parallel_creates_never_overdraw_a_pool_that_fits_ten() {
    let t = TestEngine::start_with(config()).await;
    t.buy(9).await;
    let customer = t.customer("Race").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(desk_engine::serve(listener, t.engine.clone(), async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for n in 0..100 {
        let (client, base, token, customer) = (
            client.clone(),
            base.clone(),
            t.token.clone(),
            customer.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let body = json!({"customer_id": customer, "system_id": "upkeep", "deployment": "cloud",
                              "name": format!("racer {n}"), "credentials": credentials_for("upkeep")});
            let response = client
                .post(format!("{base}/api/v1/connections"))
                .bearer_auth(token)
                .json(&body)
                .timeout(std::time::Duration::from_secs(60))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            response.json::<Value>().await.unwrap()["connection"]["status"].as_str().unwrap().to_owned()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| *s == "synchronizing").count(),
        10
    );
    assert_eq!(statuses.iter().filter(|s| *s == "inactive").count(), 90);
    assert_eq!(
        t.account_credits().await,
        json!({"purchased": 10, "in_use": 10, "available": 0, "overage_in_use": 0})
    );
    assert_books_balance(&t).await;
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_ledger_refuses_edits_at_the_database_level() {
    let t = TestEngine::start().await;
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        t.dir.path().join("engine.db").display()
    ))
    .await
    .unwrap();
    let update = sqlx::query("UPDATE ledger SET delta = 1000")
        .execute(&pool)
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM ledger").execute(&pool).await;
    assert!(delete.is_err());
}
