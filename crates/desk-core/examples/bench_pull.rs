//! Benchmark: records per second `desk_core::sync` pulls from an engine connection of RECORDS
//! work orders into the mirror (HTTP pages of 500, the FTS index, cursors), against inserting
//! the same rows straight into SQLite in one prepared transaction, in the same run.
//!
//! `cargo run --release -p desk-core --example bench_pull [RECORDS]` (1,000,000 by default)

use desk_core::profiles::{self, AddProfile, ProfileTarget};
use desk_core::sync::{sync, SyncRequest};
use desk_core::{Desk, DeskConfig, VaultAccess};
use desk_engine::{Engine, EngineConfig};
use desk_store::{IntegrityCheck, RecordQuery};
use desk_vault::SecretString;
use serde_json::{json, Value};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection as _, SqliteConnection};
use std::time::Instant;

type Error = Box<dyn std::error::Error + Send + Sync>;

const SECRET: &str = "bench-secret";

#[tokio::main]
async fn main() -> Result<(), Error> {
    let records: i64 = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let config = EngineConfig {
        admin_client_secret: Some(SECRET.to_owned()),
        ..EngineConfig::default()
    };
    let (engine, _) = Engine::open(&dir.path().join("engine.db"), config).await?;
    // Served without the background jobs: the one sync below is the only writer.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = engine.router();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                drop(stopped.await);
            })
            .await
    });
    let admin = admin_token(&base).await?;
    let http = reqwest::Client::new();
    let customer: Value = http
        .post(format!("{base}/api/v1/customers"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Bench"}))
        .send()
        .await?
        .error_for_status()?
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
        .error_for_status()?
        .json()
        .await?;
    let id = created["connection"]["id"]
        .as_str()
        .ok_or("no connection")?
        .to_owned();
    http.put(format!("{base}/api/v1/sandbox/connections/{id}"))
        .bearer_auth(&admin)
        .json(&json!({"records_per_entity": records, "rate_limit_per_minute": 10_000_000}))
        .send()
        .await?
        .error_for_status()?;
    let started = Instant::now();
    engine.tick().await?;
    println!(
        "context: the engine's initial sync of {records} work orders took {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let desk = Desk::open(DeskConfig {
        data_dir: dir.path().join("desk"),
        vault: VaultAccess {
            key_file: Some(dir.path().join("vault.key")),
            passphrase: None,
        },
        integrity: IntegrityCheck::Quick,
        local_seed: desk_engine::seed::Seed::Demo,
    })
    .await?;
    profiles::add_profile(
        &desk,
        AddProfile {
            name: "bench".to_owned(),
            target: ProfileTarget::SelfHosted {
                url: base.clone(),
                client_id: "mdesk-local".to_owned(),
                client_secret: SecretString::new(SECRET.to_owned()),
            },
        },
    )
    .await?;
    let started = Instant::now();
    let report = sync(
        &desk,
        SyncRequest {
            issue_tokens: true,
            ..SyncRequest::default()
        },
    )
    .await?;
    let pull_seconds = started.elapsed().as_secs_f64();
    let pulled = report.records();
    if pulled != records as u64 || report.failures() > 0 {
        return Err(format!("pulled {pulled} of {records} records: {report:?}").into());
    }
    let pull_rate = pulled as f64 / pull_seconds;

    // Baseline: the same rows (as the mirror stored them) into a plain table, one prepared
    // statement in one transaction.
    let mut rows: Vec<(String, String)> = Vec::with_capacity(records as usize);
    let mut after: Option<String> = None;
    loop {
        let page = desk
            .mirror()
            .records(&RecordQuery {
                limit: desk_store::MAX_LIMIT,
                after: after.clone(),
                ..RecordQuery::default()
            })
            .await?;
        for record in &page.records {
            rows.push((
                record["id"].as_str().ok_or("no id")?.to_owned(),
                record.to_string(),
            ));
        }
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut plain = SqliteConnection::connect_with(
        &SqliteConnectOptions::new()
            .filename(dir.path().join("plain.db"))
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal),
    )
    .await?;
    sqlx::query("CREATE TABLE records (id TEXT, data TEXT)")
        .execute(&mut plain)
        .await?;
    let started = Instant::now();
    let mut tx = plain.begin().await?;
    for (id, data) in &rows {
        sqlx::query("INSERT INTO records (id, data) VALUES (?, ?)")
            .bind(id)
            .bind(data)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let plain_rate = rows.len() as f64 / started.elapsed().as_secs_f64();

    // A stricter second baseline: 100 rows per INSERT statement, as the mirror writes them
    // (each statement is a round trip to sqlx's SQLite thread, which the one-row baseline pays
    // per record).
    sqlx::query("CREATE TABLE batched (id TEXT, data TEXT)")
        .execute(&mut plain)
        .await?;
    let started = Instant::now();
    let mut tx = plain.begin().await?;
    for chunk in rows.chunks(100) {
        let mut insert: sqlx::QueryBuilder<'_, sqlx::Sqlite> =
            sqlx::QueryBuilder::new("INSERT INTO batched (id, data) ");
        insert.push_values(chunk, |mut row, (id, data)| {
            row.push_bind(id).push_bind(data);
        });
        insert.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    let batched_rate = rows.len() as f64 / started.elapsed().as_secs_f64();

    println!(
        "mirror_pull_from_engine: {pull_rate:.0} records/s ({:.2} to baseline; {pulled} records over HTTP in pages of 500, {pull_seconds:.1} s)",
        pull_rate / plain_rate
    );
    println!("plain_insert_one_prepared_tx: {plain_rate:.0} records/s (1.00, baseline)");
    println!(
        "plain_insert_batched_100_one_tx: {batched_rate:.0} records/s (the mirror pull is {:.2} of it)",
        pull_rate / batched_rate
    );
    desk.close().await;
    if stop.send(()).is_err() {
        return Err("the engine stopped before the end of the run".into());
    }
    server.await??;
    Ok(())
}

async fn admin_token(base: &str) -> Result<String, Error> {
    let token: Value = reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "mdesk-local"),
            ("client_secret", SECRET),
        ])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(token["access_token"].as_str().ok_or("no token")?.to_owned())
}
