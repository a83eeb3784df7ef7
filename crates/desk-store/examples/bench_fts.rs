//! Mirror benchmark: 1M synthetic records in a temp mirror.
//!
//! - `upsert_records` in pages of 500 (records, cursor and FTS index in one transaction per
//!   page) against inserting the same rows into a plain table in one prepared transaction
//!   (rusqlite, one thread) and 100 rows per statement (sqlx);
//! - p95 of 200 full-text searches through `Mirror::records` against the same FTS5 query issued
//!   directly with sqlx on the same file.
//!
//! `cargo run --release -p desk-store --example bench_fts [-- RECORDS]`. Prints one line per
//! figure: `name: value unit (ratio to baseline)`.

use desk_store::{match_expression, Mirror, RecordQuery};
use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::Row as _;
use std::time::{Duration, Instant};

const PAGE: usize = 500;
const SEARCHES: usize = 200;
const CONNECTIONS: u64 = 4;

const WORK: [&str; 12] = [
    "Replace",
    "Inspect",
    "Lubricate",
    "Calibrate",
    "Repair",
    "Overhaul",
    "Clean",
    "Align",
    "Tighten",
    "Test",
    "Rebuild",
    "Service",
];
const ASSETS: [&str; 12] = [
    "hydraulic press",
    "conveyor belt",
    "CNC lathe",
    "air compressor",
    "boiler feed pump",
    "cooling tower fan",
    "forklift",
    "packaging line",
    "injection molder",
    "gearbox",
    "centrifugal pump",
    "welding robot",
];
const PARTS: [&str; 14] = [
    "Ball bearing 6204-2RS",
    "Hydraulic seal kit",
    "V-belt SPA 1250",
    "Gasket DN50",
    "Proximity sensor M12",
    "Contactor 24V",
    "Filter cartridge 10 micron",
    "Grease EP2 cartridge",
    "Shaft coupling",
    "Solenoid valve 1/2in",
    "Thermocouple type K",
    "Drive chain 08B",
    "Pressure gauge 0-16 bar",
    "Servo motor 1.5kW",
];
const VENDORS: [&str; 12] = [
    "Acme Bearings",
    "Nordic Valves",
    "Rhein Hydraulik",
    "Great Lakes Supply",
    "Sakura Motion",
    "Atlas Fasteners",
    "Iberia Seals",
    "Pioneer Electric",
    "Tatra Gear",
    "Baltic Filters",
    "Summit Automation",
    "Delta Lubricants",
];
const SUFFIXES: [&str; 5] = ["GmbH", "AB", "Ltd", "Inc", "S.A."];
const PEOPLE: [&str; 10] = [
    "Dana Whitfield",
    "Ravi Menon",
    "Ingrid Solberg",
    "Tomasz Nowak",
    "Aiko Tanaka",
    "Luis Ortega",
    "Grace Obi",
    "Pierre Lambert",
    "Mia Keller",
    "Omar Haddad",
];
const QUERIES: [&str; 20] = [
    "hydraulic",
    "bearing",
    "acme",
    "conveyor belt",
    "gasket",
    "replace seal",
    "whitfield",
    "pump",
    "compressor",
    "nordic valves",
    "sensor",
    "lubricate gearbox",
    "forklift",
    "calib",
    "servo motor",
    "filter",
    "press",
    "tanaka",
    "drive chain",
    "welding robot",
];

/// xorshift64*: deterministic records without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn record(n: u64) -> (String, &'static str, Value) {
    let mut rng = Rng(n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let connection = format!("conn_{}", n % CONNECTIONS);
    let day = 1 + n % 28;
    let updated = format!("2026-10-{day:02}T{:02}:{:02}:00Z", n % 24, n % 60);
    let vendor = format!("{} {}", rng.pick(&VENDORS), rng.pick(&SUFFIXES));
    let (entity, mut value) = match n % 4 {
        0 | 1 => (
            "work-orders",
            json!({"title": format!("{} {}", rng.pick(&WORK), rng.pick(&ASSETS)),
                   "priority": rng.pick(&["low", "medium", "high", "urgent"]),
                   "state": rng.pick(&["open", "in_progress", "on_hold", "completed"]),
                   "technician": rng.pick(&PEOPLE), "estimated_hours": rng.next() % 16,
                   "parts": [{"name": rng.pick(&PARTS), "quantity": 1 + rng.next() % 5}]}),
        ),
        2 => (
            "purchase-orders",
            json!({"number": format!("4500{n:06}"), "vendor": vendor, "currency": "EUR",
                   "status": rng.pick(&["draft", "approved", "received", "closed"]),
                   "line_items": [{"description": rng.pick(&PARTS), "quantity": 1 + rng.next() % 50},
                                  {"description": rng.pick(&PARTS), "quantity": 1 + rng.next() % 50}]}),
        ),
        _ => (
            "inventory-items",
            json!({"sku": format!("SKU-{n:07}"), "name": rng.pick(&PARTS), "vendor": vendor,
                   "location": format!("Warehouse {} / Bin {}", rng.pick(&["A", "B", "C"]), rng.next() % 60),
                   "quantity_on_hand": rng.next() % 500}),
        ),
    };
    value["id"] = json!(format!("rec_{n:08}"));
    value["created_at"] = json!(updated);
    value["updated_at"] = json!(updated);
    value["deleted_at"] = Value::Null;
    (connection, entity, value)
}

fn p95(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    let at = (samples.len() * 95).div_ceil(100).saturating_sub(1);
    samples.get(at).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let total: u64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 1_000_000,
    };
    let dir = tempfile::tempdir()?;
    let mirror = Mirror::open(&dir.path().join("mirror.db")).await?;

    // Mirror: pages of 500 of one (connection, entity), as a sync pulls them.
    let mut mirror_time = Duration::ZERO;
    let mut pages: std::collections::BTreeMap<(String, &str), Vec<Value>> = Default::default();
    for n in 0..total {
        let (connection, entity, value) = record(n);
        let key = (connection, entity);
        let page = pages.entry(key.clone()).or_default();
        page.push(value);
        if page.len() == PAGE || n + 1 == total {
            let page = pages.remove(&key).unwrap_or_default();
            let started = Instant::now();
            mirror
                .upsert_records("bench", &key.0, key.1, &page, Some(&n.to_string()))
                .await?;
            mirror_time += started.elapsed();
        }
    }
    for ((connection, entity), page) in std::mem::take(&mut pages) {
        let started = Instant::now();
        mirror
            .upsert_records("bench", &connection, entity, &page, None)
            .await?;
        mirror_time += started.elapsed();
    }

    // Baseline: the same rows into a plain table, one transaction, one prepared statement, on
    // one thread (rusqlite, as the page writer): through sqlx each row was a hand-off between
    // threads, and that, not SQLite, set this baseline's pace (16-22k rows/s on a day when
    // thread wake-ups were slow here, against ~100k before).
    let plain_path = dir.path().join("plain.db");
    let plain_time = tokio::task::spawn_blocking(move || -> Result<Duration, rusqlite::Error> {
        let mut db = rusqlite::Connection::open(&plain_path)?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.execute_batch(
            "CREATE TABLE plain (connection_id TEXT, entity TEXT, record_id TEXT, data TEXT, updated_at TEXT)",
        )?;
        let mut plain_time = Duration::ZERO;
        let tx = db.transaction()?;
        {
            let mut insert = tx.prepare("INSERT INTO plain VALUES (?, ?, ?, ?, ?)")?;
            for n in 0..total {
                let (connection, entity, value) = record(n);
                let started = Instant::now();
                insert.execute(rusqlite::params![
                    connection,
                    entity,
                    value["id"].as_str(),
                    value.to_string(),
                    value["updated_at"].as_str()
                ])?;
                plain_time += started.elapsed();
            }
        }
        let started = Instant::now();
        tx.commit()?;
        Ok(plain_time + started.elapsed())
    })
    .await??;

    let plain = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(dir.path().join("plain.db"))
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal),
        )
        .await?;

    // A stricter second baseline: the same rows, 100 per multi-row INSERT, as the mirror does.
    sqlx::query(
        "CREATE TABLE batched (connection_id TEXT, entity TEXT, record_id TEXT, data TEXT, updated_at TEXT)",
    )
    .execute(&plain)
    .await?;
    let batch_sql = format!(
        "INSERT INTO batched VALUES {}",
        vec!["(?, ?, ?, ?, ?)"; 100].join(", ")
    );
    let mut batched_time = Duration::ZERO;
    let mut tx = plain.begin().await?;
    let mut n = 0;
    while n < total {
        let rows: Vec<_> = (n..(n + 100).min(total)).map(record).collect();
        n += rows.len() as u64;
        let started = Instant::now();
        if rows.len() == 100 {
            let mut query = sqlx::query(&batch_sql);
            for (connection, entity, value) in &rows {
                query = query
                    .bind(connection)
                    .bind(*entity)
                    .bind(value["id"].as_str())
                    .bind(value.to_string())
                    .bind(value["updated_at"].as_str());
            }
            query.execute(&mut *tx).await?;
        } else {
            for (connection, entity, value) in &rows {
                sqlx::query("INSERT INTO batched VALUES (?, ?, ?, ?, ?)")
                    .bind(connection)
                    .bind(*entity)
                    .bind(value["id"].as_str())
                    .bind(value.to_string())
                    .bind(value["updated_at"].as_str())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        batched_time += started.elapsed();
    }
    let started = Instant::now();
    tx.commit().await?;
    batched_time += started.elapsed();
    plain.close().await;

    #[allow(clippy::cast_precision_loss)]
    let rate = |time: Duration| total as f64 / time.as_secs_f64();
    let (mirror_rate, plain_rate) = (rate(mirror_time), rate(plain_time));
    println!(
        "upsert_records_pages_of_500: {mirror_rate:.0} records/s ({:.2} to baseline)",
        mirror_rate / plain_rate
    );
    println!("plain_insert_one_prepared_tx: {plain_rate:.0} records/s (1.00, baseline)");
    let batched_rate = rate(batched_time);
    println!(
        "plain_insert_batched_100_one_tx: {batched_rate:.0} records/s (mirror is {:.2} of it)",
        mirror_rate / batched_rate
    );

    // Searches: the same FTS5 query through the API and directly, interleaved.
    let direct = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(dir.path().join("mirror.db"))
                .read_only(true),
        )
        .await?;
    let sql =
        "SELECT r.seq, r.data FROM records_fts CROSS JOIN records r ON r.seq = records_fts.rowid
               WHERE records_fts.rowid > ? AND records_fts MATCH ? AND r.deleted_at IS NULL
               ORDER BY records_fts.rowid LIMIT 50 OFFSET 0";
    let (mut api_samples, mut direct_samples) = (Vec::new(), Vec::new());
    let mut found = 0usize;
    for i in 0..SEARCHES {
        let text = QUERIES[i % QUERIES.len()];
        let matcher = match_expression(text, None, None, None).ok_or("query has no words")?;
        let query = RecordQuery {
            search: Some(text.to_owned()),
            limit: 50,
            ..Default::default()
        };
        let api = async {
            let started = Instant::now();
            let page = mirror.records(&query).await?;
            Ok::<_, desk_store::StoreError>((started.elapsed(), page.records.len()))
        };
        let raw = async {
            let started = Instant::now();
            let rows = sqlx::query(sql)
                .bind(0i64)
                .bind(&matcher)
                .fetch_all(&direct)
                .await?;
            let data: Vec<String> = rows
                .iter()
                .map(|r| r.try_get(1))
                .collect::<Result<_, _>>()?;
            Ok::<_, sqlx::Error>((started.elapsed(), data.len()))
        };
        // Alternate which goes first, so neither always meets a warm cache.
        let ((a, n_api), (d, n_direct)) = if i % 2 == 0 {
            let a = api.await?;
            (a, raw.await?)
        } else {
            let d = raw.await?;
            (api.await?, d)
        };
        if n_api != n_direct {
            return Err(format!("{text:?}: API found {n_api}, direct {n_direct}").into());
        }
        found += n_api;
        api_samples.push(a);
        direct_samples.push(d);
    }
    let (api_p95, direct_p95) = (p95(api_samples), p95(direct_samples));
    println!(
        "fts_search_p95_mirror_api: {api_p95:.2} ms ({:.2} to baseline)",
        api_p95 / direct_p95
    );
    println!("fts_search_p95_direct_sqlx: {direct_p95:.2} ms (1.00, baseline)");
    println!(
        "fts_search_rows_per_query: {:.1} rows (limit 50)",
        found as f64 / SEARCHES as f64
    );
    direct.close().await;

    // Context for the UI: a common word filtered to a small connection (the index still walks
    // every match), and counting every match of a common word.
    let small: Vec<Value> = (0..1_000u64)
        .map(|n| record(n).2)
        .map(|mut value| {
            value["id"] = json!(format!("small_{}", value["id"].as_str().unwrap_or("")));
            value
        })
        .collect();
    for page in small.chunks(PAGE) {
        mirror
            .upsert_records("bench", "conn_small", "work-orders", page, None)
            .await?;
    }
    let mut filtered = Vec::new();
    for i in 0..50 {
        let query = RecordQuery {
            search: Some(QUERIES[i % QUERIES.len()].to_owned()),
            connection_id: Some("conn_small".into()),
            limit: 50,
            ..Default::default()
        };
        let started = Instant::now();
        mirror.records(&query).await?;
        filtered.push(started.elapsed());
    }
    println!(
        "fts_search_p95_filtered_to_small_connection: {:.2} ms (context)",
        p95(filtered)
    );
    let started = Instant::now();
    let count = mirror
        .count_records(&RecordQuery {
            search: Some("pump".into()),
            ..Default::default()
        })
        .await?;
    println!(
        "count_records_common_word: {:.1} ms for {count} matches (context)",
        started.elapsed().as_secs_f64() * 1000.0
    );
    mirror.close().await;

    let size = std::fs::metadata(dir.path().join("mirror.db"))?.len();
    let started = Instant::now();
    let reopened = Mirror::open(&dir.path().join("mirror.db")).await?;
    let open_ms = started.elapsed().as_secs_f64() * 1000.0;
    reopened.close().await;
    println!(
        "open_with_quick_check: {open_ms:.0} ms (file {:.0} MB)",
        size as f64 / 1e6
    );
    Ok(())
}
