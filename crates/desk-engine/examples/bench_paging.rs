//! Benchmark: records per second a client pages out of a 1M-record connection over HTTP, against
//! paging the same rows straight out of the engine's SQLite file, in the same run.
//!
//! `cargo run --release -p desk-engine --example bench_paging [RECORDS]`

use desk_engine::{Engine, EngineConfig};
use serde_json::{json, Value};
use std::time::Instant;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let records: i64 = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let db_path = dir.path().join("engine.db");
    let config = EngineConfig {
        admin_client_secret: Some("bench".to_owned()),
        ..EngineConfig::default()
    };
    let (engine, _) = Engine::open(&db_path, config).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(desk_engine::serve(listener, engine.clone(), async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "mdesk-local"),
            ("client_secret", "bench"),
        ])
        .send()
        .await?
        .json()
        .await?;
    let admin = token["access_token"].as_str().ok_or("no token")?.to_owned();
    let customer: Value = http
        .post(format!("{base}/api/v1/customers"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Bench"}))
        .send()
        .await?
        .json()
        .await?;
    let created: Value = http
        .post(format!("{base}/api/v1/connections"))
        .bearer_auth(&admin)
        .json(&json!({"customer_id": customer["id"], "system_id": "upkeep", "deployment": "cloud", "name": "bench",
                      "credentials": {"email": "b@example.com", "password": "p"},
                      "sync": {"entities": ["work-orders"], "interval_minutes": 10080}}))
        .send()
        .await?
        .json()
        .await?;
    let id = created["connection"]["id"]
        .as_str()
        .ok_or("no connection")?
        .to_owned();
    let token = created["token"]
        .as_str()
        .ok_or("no connection token")?
        .to_owned();
    http.put(format!("{base}/api/v1/sandbox/connections/{id}"))
        .bearer_auth(&admin)
        .json(&json!({"records_per_entity": records, "rate_limit_per_minute": 10_000_000}))
        .send()
        .await?
        .error_for_status()?;

    let started = Instant::now();
    engine.tick().await?;
    let sync_seconds = started.elapsed().as_secs_f64();
    println!(
        "context: initial sync of {records} work orders took {sync_seconds:.1} s ({:.0} records/s)",
        records as f64 / sync_seconds
    );

    // Through the API, as a client pages: limit=500, following next_cursor.
    let started = Instant::now();
    let mut paged = 0usize;
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{base}/api/v1/work-orders?limit=500&cursor={c}"),
            None => format!("{base}/api/v1/work-orders?limit=500"),
        };
        let page: Value = http
            .get(url)
            .bearer_auth(&token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        paged += page["data"].as_array().map_or(0, Vec::len);
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let api_rate = paged as f64 / started.elapsed().as_secs_f64();

    // Baseline: the same pages straight from SQLite, each row's JSON parsed as a client would.
    let pool =
        sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", db_path.display())).await?;
    let started = Instant::now();
    let mut direct = 0usize;
    let mut after = 0i64;
    loop {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT seq, data FROM records WHERE connection_id = ? AND entity = 'work-orders' AND seq > ? ORDER BY seq LIMIT 500",
        )
        .bind(&id)
        .bind(after)
        .fetch_all(&pool)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        for (_, data) in &rows {
            let _: Value = serde_json::from_str(data)?;
        }
        direct += rows.len();
    }
    let direct_rate = direct as f64 / started.elapsed().as_secs_f64();
    assert_eq!(paged, direct, "both walks see every record once");
    println!(
        "engine_paging: {api_rate:.0} records/s ({:.2} of direct SQLite paging at {direct_rate:.0} records/s; {paged} records, pages of 500)",
        api_rate / direct_rate
    );
    let _ = stop.send(());
    server.await??;
    Ok(())
}
