//! Benchmark: records per second pulled from an engine connection of RECORDS work orders into
//! the mirror, against the engine's own paging rate in the same run:
//!
//! - baseline: `GET /api/v1/work-orders?limit=500` walked by `next_cursor` with a plain reqwest
//!   client, each page's JSON parsed and dropped (the least a client of the API does);
//! - `desk_core::sync` on a self-hosted profile (our API, pages of 500, the FTS index, cursors);
//! - `desk_core::sync` on a Makini profile against the engine's Makini surface
//!   (`/api/eam/work-orders?page=N&per_page=500`), with the connection's own token supplied;
//! - and, as before, the same rows inserted straight into SQLite in one prepared transaction
//!   (one row and 100 rows per statement).
//!
//! `cargo run --release -p desk-core --example bench_pull [RECORDS]` (1,000,000 by default)

use desk_core::profiles::{self, AddProfile, ProfileTarget};
use desk_core::sync::{set_connection_token, sync, SyncRequest};
use desk_core::{Desk, DeskConfig, VaultAccess};
use desk_engine::{Engine, EngineConfig};
use desk_store::{IntegrityCheck, RecordQuery};
use desk_vault::SecretString;
use serde_json::{json, Value};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection as _, SqliteConnection};
use std::path::Path;
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
    // The connection's own token: the self-hosted sync issues a named read token of its own and
    // leaves this one working, so the Makini profile below uses it.
    let token = created["token"].as_str().ok_or("no token")?.to_owned();
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

    // Baseline: the engine's own paging rate, as a plain client sees it.
    let (paged, paging_seconds) = page_through(&http, &base, &token).await?;
    if paged != records as u64 {
        return Err(format!("paged {paged} of {records} records").into());
    }
    let paging_rate = paged as f64 / paging_seconds;
    println!(
        "engine_paging_over_http: {paging_rate:.0} records/s (1.00, baseline; GET /api/v1/work-orders?limit=500 by next_cursor, each page parsed and dropped, {paging_seconds:.1} s)"
    );
    // BENCH_ONLY=makini (or `ours`) runs that pull alone beside the baseline, for a profiler;
    // each line is printed when measured, so a profiler can be attached at the line before.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let wanted = |part: &str| only.is_empty() || only == part;

    // Our API: a self-hosted profile into a fresh desk.
    let desk = open_desk(dir.path(), "desk").await?;
    let mut pull_rate = None;
    if wanted("ours") {
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
        let rate = pulled as f64 / pull_seconds;
        println!(
            "mirror_pull_from_engine: {rate:.0} records/s ({:.2} to baseline; desk_core::sync on a self-hosted profile, {pulled} records over HTTP in pages of 500, {pull_seconds:.1} s)",
            rate / paging_rate
        );
        pull_rate = Some(rate);
    }

    if wanted("makini") {
        // Makini's surface: a Makini profile on the same engine into a second fresh desk. A first
        // directory-only sync mirrors the connection, so its token can be kept for it.
        let makini_desk = open_desk(dir.path(), "makini-desk").await?;
        profiles::add_profile(
            &makini_desk,
            AddProfile {
                name: "m".to_owned(),
                target: ProfileTarget::Makini {
                    url: Some(base.clone()),
                    region: None,
                    client_id: "mdesk-local".to_owned(),
                    client_secret: SecretString::new(SECRET.to_owned()),
                },
            },
        )
        .await?;
        let on_makini = |directory_only| SyncRequest {
            profile: Some("m".to_owned()),
            directory_only,
            ..SyncRequest::default()
        };
        sync(&makini_desk, on_makini(true)).await?;
        set_connection_token(
            &makini_desk,
            Some("m"),
            &id,
            SecretString::new(token.clone()),
        )
        .await?;
        let started = Instant::now();
        let report = sync(&makini_desk, on_makini(false)).await?;
        let makini_seconds = started.elapsed().as_secs_f64();
        let makini_pulled = report.records();
        if makini_pulled != records as u64 || report.failures() > 0 || !report.skipped.is_empty() {
            return Err(format!(
                "pulled {makini_pulled} of {records} records through the Makini surface: {report:?}"
            )
            .into());
        }
        let makini_rate = makini_pulled as f64 / makini_seconds;
        println!(
            "mirror_pull_makini_surface: {makini_rate:.0} records/s ({:.2} to baseline; desk_core::sync on a Makini profile, /api/eam/work-orders?page=N&per_page=500, {makini_seconds:.1} s)",
            makini_rate / paging_rate
        );
        makini_desk.close().await;
    }

    // The baseline again after the pulls: how much the machine drifted during the run.
    let (_, again_seconds) = page_through(&http, &base, &token).await?;
    let again_rate = paged as f64 / again_seconds;
    println!(
        "engine_paging_over_http_after_pulls: {again_rate:.0} records/s ({:.2} to baseline; the same walk again, for the run's drift)",
        again_rate / paging_rate
    );
    if let Some(pull_rate) = pull_rate {
        plain_baselines(&desk, dir.path(), paging_rate, pull_rate).await?;
    }
    desk.close().await;
    if stop.send(()).is_err() {
        return Err("the engine stopped before the end of the run".into());
    }
    server.await??;
    Ok(())
}

/// The same rows (as the mirror stored them) into a plain table, one prepared statement in one
/// transaction, then 100 rows per statement.
async fn plain_baselines(
    desk: &Desk,
    dir: &Path,
    paging_rate: f64,
    pull_rate: f64,
) -> Result<(), Error> {
    let mut rows: Vec<(String, String)> = Vec::new();
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
            .filename(dir.join("plain.db"))
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
        "plain_insert_one_prepared_tx: {plain_rate:.0} records/s ({:.2} to baseline; the mirror pull is {:.2} of it)",
        plain_rate / paging_rate,
        pull_rate / plain_rate
    );
    println!(
        "plain_insert_batched_100_one_tx: {batched_rate:.0} records/s ({:.2} to baseline; the mirror pull is {:.2} of it)",
        batched_rate / paging_rate,
        pull_rate / batched_rate
    );
    Ok(())
}

async fn open_desk(dir: &Path, name: &str) -> Result<Desk, Error> {
    Ok(Desk::open(DeskConfig {
        data_dir: dir.join(name),
        vault: VaultAccess {
            key_file: Some(dir.join(format!("{name}-vault.key"))),
            passphrase: None,
        },
        integrity: IntegrityCheck::Quick,
        local_seed: desk_engine::seed::Seed::Demo,
    })
    .await?)
}

/// Walks every work order of the token's connection by `next_cursor`, parsing each page's JSON
/// and dropping it: (records, seconds).
async fn page_through(
    http: &reqwest::Client,
    base: &str,
    token: &str,
) -> Result<(u64, f64), Error> {
    let started = Instant::now();
    let mut seen = 0u64;
    let mut cursor: Option<String> = None;
    loop {
        let mut request = http
            .get(format!("{base}/api/v1/work-orders"))
            .bearer_auth(token)
            .query(&[("limit", "500")]);
        if let Some(cursor) = &cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let body = request.send().await?.error_for_status()?.bytes().await?;
        let page: Value = serde_json::from_slice(&body)?;
        seen += page["data"].as_array().map_or(0, Vec::len) as u64;
        match page["next_cursor"].as_str() {
            Some(next) if !next.is_empty() => cursor = Some(next.to_owned()),
            _ => return Ok((seen, started.elapsed().as_secs_f64())),
        }
    }
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
