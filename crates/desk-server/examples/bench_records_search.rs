//! The data browser's search as you type over 1,000,000 mirrored work orders through the action
//! layer: every keystroke of a few searches (`p`, `pu`, `pum`, `pump`, `pump o`, ...) as the
//! browser asks it, a page of 100 and the total (counted up to the browser's cap of 10,000
//! matches, past which it shows "10,000+"), timed three ways, interleaved: the same FTS5
//! query on the mirror's file with sqlx (the bare query, the baseline), the `records_browse`
//! action fn (what the window's command calls) and the action over HTTP through `mdesk serve`'s
//! router on loopback (what the browser calls).
//!
//! `cargo run --release -p desk-server --example bench_records_search [-- RECORDS]`. One line per
//! keystroke, then the worst; goal: p95 under 50 ms and within 1.5x of the bare query. Each
//! keystroke is timed `RUNS` times per way (10: the slow ones take a good part of a second).

use desk_core::actions::{self};
use desk_core::{Desk, DeskConfig, VaultAccess};
use desk_store::{match_expression, RecordQuery};
use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::sync::Arc;
use std::time::Instant;

#[path = "common/three_ways.rs"]
mod three_ways;

use three_ways::{compare_runs, Error, Figures, Loopback};

const PAGE: u32 = 100;
const WRITE_PAGE: usize = 500;
const CONNECTIONS: u64 = 8;
const TASKS: [&str; 8] = [
    "Overhaul",
    "Inspect",
    "Grease",
    "Realign",
    "Replace",
    "Flush",
    "Calibrate",
    "Rewire",
];
const MACHINES: [&str; 10] = [
    "pump skid",
    "press brake",
    "spiral conveyor",
    "screw compressor",
    "steam boiler",
    "palletizer",
    "cooling tower",
    "robot cell",
    "extruder",
    "chiller",
];
const CREW: [&str; 6] = [
    "Okafor",
    "Lindgren",
    "Moreau",
    "Takahashi",
    "Novak",
    "Brennan",
];
/// What is typed, one keystroke at a time.
const TYPED: [&str; 2] = ["pump overhaul", "okafor"];
/// Runs per keystroke and way: a keystroke matching a tenth of the records takes a good part of
/// a second, and there are a dozen keystrokes.
const RUNS: usize = 10;

fn work_order(n: u64) -> (String, Value) {
    let pick = |items: &[&'static str], salt: u64| {
        items[((n.wrapping_mul(0x9E37_79B9) ^ salt) % items.len() as u64) as usize]
    };
    let updated = format!("2026-11-{:02}T{:02}:{:02}:00Z", 1 + n % 28, n % 24, n % 60);
    let record = json!({
        "id": format!("WO-{n:07}"),
        "title": format!("{} {}", pick(&TASKS, 1), pick(&MACHINES, 7)),
        "technician": pick(&CREW, 13),
        "priority": pick(&["low", "medium", "high"], 3),
        "created_at": updated, "updated_at": updated, "deleted_at": null,
    });
    (format!("conn_{}", n % CONNECTIONS), record)
}

/// Every prefix of `text` as typed, a keystroke each (`p`, `pu`, ... `pump overhaul`).
fn keystrokes(text: &str) -> Vec<String> {
    (1..=text.len())
        .map(|end| text[..end].to_owned())
        .filter(|typed| !typed.ends_with(' '))
        .collect()
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let count: u64 = std::env::args()
        .nth(1)
        .map(|arg| arg.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let desk = Desk::open(DeskConfig {
        vault: VaultAccess {
            key_file: Some(dir.path().join("vault.key")),
            passphrase: None,
        },
        ..DeskConfig::new(dir.path().join("desk"))
    })
    .await?;
    let started = Instant::now();
    let mut pages: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for n in 0..count {
        let (connection, record) = work_order(n);
        let page = pages.entry(connection.clone()).or_default();
        page.push(record);
        if page.len() == WRITE_PAGE {
            let page = pages.remove(&connection).unwrap_or_default();
            desk.mirror()
                .upsert_records("bench", &connection, "work-orders", &page, Some("more"))
                .await?;
        }
    }
    for (connection, page) in pages {
        desk.mirror()
            .upsert_records("bench", &connection, "work-orders", &page, None)
            .await?;
    }
    println!(
        "context: {count} work orders mirrored in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The bare query: the mirror's FTS5 index and records table, read directly.
    let direct = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(desk.data_dir().join("mirror.db"))
                .read_only(true),
        )
        .await?;
    let page_sql =
        "SELECT r.data FROM records_fts CROSS JOIN records r ON r.seq = records_fts.rowid
                    WHERE records_fts MATCH ? AND r.entity = 'work-orders' AND r.deleted_at IS NULL
                    ORDER BY records_fts.rowid LIMIT ?";
    // Counted as the browser counts a search: up to the cap and one more, which says "more".
    let count_sql = "SELECT COUNT(*) FROM (SELECT 1 FROM records_fts CROSS JOIN records r ON r.seq = records_fts.rowid
                     WHERE records_fts MATCH ? AND r.entity = 'work-orders' AND r.deleted_at IS NULL LIMIT ?)";
    let cap = i64::from(actions::SEARCH_COUNT_CAP);

    let desk = Arc::new(desk);
    let loopback = Loopback::start(Arc::clone(&desk)).await?;
    let http = &loopback.http;
    let desk = &*desk;
    let direct = &direct;
    let mut figures = Figures::default();
    for text in TYPED {
        for typed in keystrokes(text) {
            let matcher = match_expression(&typed, None, None, None).ok_or("no words")?;
            let query = RecordQuery {
                entity: Some("work-orders".to_owned()),
                search: Some(typed.clone()),
                limit: PAGE,
                ..RecordQuery::default()
            };
            let body =
                json!({"entity": "work-orders", "search": typed, "limit": PAGE, "offset": 0});
            // Each way answers the total of matches, which must agree.
            compare_runs(
                &mut figures,
                &format!("search_as_you_type {typed:?}"),
                RUNS,
                |_| {
                    let matcher = matcher.clone();
                    async move {
                        let rows: Vec<String> = sqlx::query_scalar(page_sql)
                            .bind(&matcher)
                            .bind(i64::from(PAGE))
                            .fetch_all(direct)
                            .await?;
                        let total: i64 = sqlx::query_scalar(count_sql)
                            .bind(&matcher)
                            .bind(cap + 1)
                            .fetch_one(direct)
                            .await?;
                        drop(rows);
                        Ok(usize::try_from(total.min(cap))?)
                    }
                },
                |_| {
                    let query = query.clone();
                    async move {
                        let view = actions::records_browse(desk, query).await?;
                        Ok(usize::try_from(view.total)?)
                    }
                },
                |_| http.call("records_browse", body.clone(), "/total"),
            )
            .await?;
        }
    }
    println!(
        "search as you type over {count} records: worst p95 {:.2} ms through the action (worst ratio {:.2} to the bare FTS query), {:.2} ms through HTTP (goal: under 50 ms, within 1.5x)",
        figures.worst_action, figures.worst_ratio, figures.worst_http
    );
    direct.close().await;
    loopback.stop().await
}
