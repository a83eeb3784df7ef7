//! Overview benchmark: 10,000 customers and 50,000 connections in a temp mirror, written through
//! the public `Mirror` API as a sync writes them, then each overview query timed through the API
//! and as the equivalent bare SQL issued directly with sqlx on the same file, interleaved.
//!
//! `cargo run --release -p desk-store --example bench_overview [-- CUSTOMERS CONNECTIONS]`.
//! Prints one line per query: `name: p50 X ms, p95 Y ms (ratio Z to the bare query)`, the ratio
//! being of the p95s; then the write figures as context.

use chrono::{DateTime, Duration as Days, Utc};
use desk_platform::catalog::Deployment;
use desk_platform::connection::{Connection, ConnectionStatus};
use desk_platform::customer::Customer;
use desk_store::{
    prefix_query, CustomerQuery, CustomerSort, Health, Mirror, OverviewQuery, OverviewSort,
};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::future::Future;
use std::time::{Duration, Instant};

const PROFILE: &str = "bench";
const RUNS: usize = 200;

const FIRST: [&str; 24] = [
    "Nordhavn",
    "Calder",
    "Aurora",
    "Meridian",
    "Ironbridge",
    "Halvorsen",
    "Pacific Rim",
    "Bluefield",
    "Kestrel",
    "Sunvale",
    "Granite Peak",
    "Verdant",
    "Ålesund",
    "Müller",
    "Škoda",
    "Cedar",
    "Harbor",
    "Summit",
    "Riverside",
    "Atlas",
    "Pioneer",
    "Evergreen",
    "Northwind",
    "Crescent",
];
const SECOND: [&str; 16] = [
    "Marine",
    "Steelworks",
    "Foods",
    "Water",
    "Mining",
    "Pharma",
    "Logistics",
    "Paper",
    "Aerospace",
    "Energy",
    "Cement",
    "Breweries",
    "Fisk",
    "Maschinenbau",
    "Textiles",
    "Chemicals",
];
const SUFFIX: [&str; 6] = ["AS", "GmbH", "Ltd", "Inc.", "Co.", "AB"];
const MANAGERS: [&str; 12] = [
    "Priya Raman",
    "Tom Becker",
    "Lena Okafor",
    "Diego Alvarez",
    "Aiko Tanaka",
    "Ravi Menon",
    "Ingrid Solberg",
    "Tomasz Nowak",
    "Grace Obi",
    "Pierre Lambert",
    "Mia Keller",
    "Omar Haddad",
];
/// (system id, credits in the cloud): tiers 1, 2 and 3 cost 1, 2 and 4.
const SYSTEMS: [(&str, i64); 16] = [
    ("maintainx", 1),
    ("upkeep", 1),
    ("fiix", 1),
    ("limble", 1),
    ("emaint", 1),
    ("fracttal", 1),
    ("netsuite", 2),
    ("odoo", 2),
    ("plex", 2),
    ("sage-x3", 2),
    ("fishbowl", 2),
    ("sap-s4hana", 4),
    ("sap-ecc", 4),
    ("ibm-maximo", 4),
    ("oracle-ebs", 4),
    ("infor-eam", 4),
];
const WORDS: [&str; 8] = [
    "nord", "ale", "steel", "sap", "fisk mar", "becker", "pharma", "kes",
];

/// xorshift64*: deterministic data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn customers(count: usize, epoch: DateTime<Utc>) -> Vec<Customer> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..count)
        .map(|n| Customer {
            id: format!("cus_{n:06}"),
            name: format!(
                "{} {} {}",
                FIRST[rng.below(FIRST.len())],
                SECOND[rng.below(SECOND.len())],
                SUFFIX[rng.below(SUFFIX.len())]
            ),
            email: Some(format!("it{n}@customer.example")),
            account_manager: Some(MANAGERS[rng.below(MANAGERS.len())].to_owned()),
            metadata: serde_json::Map::new(),
            created_at: epoch + Days::minutes(n as i64),
        })
        .collect()
}

fn connections(count: usize, customers: usize, epoch: DateTime<Utc>) -> Vec<Connection> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    (0..count)
        .map(|n| {
            let (system, cost) = SYSTEMS[rng.below(SYSTEMS.len())];
            let on_premises = rng.below(5) == 0;
            let status = match rng.below(100) {
                0..=79 => ConnectionStatus::Active,
                80..=85 => ConnectionStatus::Inactive,
                86..=88 => ConnectionStatus::Overage,
                89..=91 => ConnectionStatus::Pending,
                92..=95 => ConnectionStatus::Disconnected,
                96..=97 => ConnectionStatus::Synchronizing,
                _ => ConnectionStatus::InProgress,
            };
            let created_at = epoch + Days::minutes(n as i64 * 3);
            let synced = status.is_live().then(|| created_at + Days::days(30));
            Connection {
                id: format!("con_{n:06}"),
                customer_id: format!("cus_{:06}", rng.below(customers)),
                system_id: Some(system.to_owned()),
                deployment: Some(if on_premises {
                    Deployment::OnPremises
                } else {
                    Deployment::Cloud
                }),
                name: format!("{system} {}", ["ERP", "Plant", "Fleet", "Finance"][n % 4]),
                email: Some(format!("admin{n}@customer.example")),
                credits: if on_premises { cost * 2 } else { cost },
                status,
                online: rng.below(50) != 0,
                reauthorization_required: rng.below(33) == 0,
                connected_at: Some(created_at),
                authorized_by: Some("it@customer.example".to_owned()),
                token_issued_at: Some(created_at),
                last_sync_at: synced,
                next_sync_at: synced.map(|at| at + Days::hours(1)),
                created_at,
                user_metadata: serde_json::Map::new(),
            }
        })
        .collect()
}

fn percentile(samples: &mut [Duration], pct: usize) -> f64 {
    samples.sort();
    let at = (samples.len() * pct).div_ceil(100).saturating_sub(1);
    samples.get(at).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// A query through the API and its bare SQL twin, timed `RUNS` times each, alternating which
/// goes first so neither always meets a warm cache. Both return how many rows they read, which
/// must agree.
async fn compare<A, AF, B, BF>(
    name: &str,
    api: A,
    bare: B,
) -> Result<f64, Box<dyn std::error::Error>>
where
    A: Fn() -> AF,
    AF: Future<Output = Result<usize, desk_store::StoreError>>,
    B: Fn() -> BF,
    BF: Future<Output = Result<usize, sqlx::Error>>,
{
    let (mut api_times, mut bare_times) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        let time_api = async {
            let started = Instant::now();
            let n = api().await?;
            Ok::<_, Box<dyn std::error::Error>>((started.elapsed(), n))
        };
        let time_bare = async {
            let started = Instant::now();
            let n = bare().await?;
            Ok::<_, Box<dyn std::error::Error>>((started.elapsed(), n))
        };
        let ((a, n_api), (b, n_bare)) = if i % 2 == 0 {
            let a = time_api.await?;
            (a, time_bare.await?)
        } else {
            let b = time_bare.await?;
            (time_api.await?, b)
        };
        if n_api != n_bare {
            return Err(
                format!("{name}: the API read {n_api} rows, the bare query {n_bare}").into(),
            );
        }
        api_times.push(a);
        bare_times.push(b);
    }
    let (p50, p95) = (
        percentile(&mut api_times, 50),
        percentile(&mut api_times, 95),
    );
    let (bare_p50, bare_p95) = (
        percentile(&mut bare_times, 50),
        percentile(&mut bare_times, 95),
    );
    let ratio = p95 / bare_p95;
    println!(
        "{name}: p50 {p50:.2} ms, p95 {p95:.2} ms (ratio {ratio:.2} to the bare query: p50 {bare_p50:.2} ms, p95 {bare_p95:.2} ms)"
    );
    Ok(p95)
}

/// The bare twin of a page: its rows and its total, in one read transaction as the API does.
async fn bare_page(
    pool: &SqlitePool,
    rows_sql: &str,
    total_sql: &str,
    args: Vec<String>,
) -> Result<usize, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut rows = sqlx::query(rows_sql);
    let mut total = sqlx::query_scalar::<_, i64>(total_sql);
    for arg in &args {
        rows = rows.bind(arg);
        total = total.bind(arg);
    }
    let rows = rows.fetch_all(&mut *tx).await?;
    total.fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(rows.len())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let customer_count: usize = args.next().map_or(Ok(10_000), |a| a.parse())?;
    let connection_count: usize = args.next().map_or(Ok(50_000), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    // BENCH_OVERVIEW_DB keeps the filled mirror there, to look at query plans afterwards.
    let path = match std::env::var_os("BENCH_OVERVIEW_DB") {
        Some(kept) => std::path::PathBuf::from(kept),
        None => dir.path().join("mirror.db"),
    };
    let mirror = Mirror::open(&path).await?;
    let epoch: DateTime<Utc> = "2025-01-01T00:00:00Z".parse()?;
    let customers = customers(customer_count, epoch);
    let mut connections = connections(connection_count, customer_count, epoch);

    // Written as a sync writes them: all customers, then all connections, one transaction each.
    let started = Instant::now();
    mirror.replace_customers(PROFILE, &customers).await?;
    let customers_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    mirror
        .replace_connections(PROFILE, &connections, &[])
        .await?;
    let connections_ms = started.elapsed().as_secs_f64() * 1000.0;
    // The next sync: every live connection synced once more, 1% renamed.
    for (n, c) in connections.iter_mut().enumerate() {
        c.last_sync_at = c.last_sync_at.map(|at| at + Days::hours(1));
        if n % 100 == 0 {
            c.name.push_str(" (renamed)");
        }
    }
    let started = Instant::now();
    mirror
        .replace_connections(PROFILE, &connections, &[])
        .await?;
    let resync_ms = started.elapsed().as_secs_f64() * 1000.0;

    let bare = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(SqliteConnectOptions::new().filename(&path).read_only(true))
        .await?;
    let by_name = OverviewQuery {
        profile: PROFILE.into(),
        ..Default::default()
    };
    let mut worst: f64 = 0.0;

    let q = by_name.clone();
    worst = worst.max(
        compare(
            "overview_first_page_by_name",
            || async { Ok(mirror.overview_page(&q).await?.rows.len()) },
            || {
                bare_page(
                    &bare,
                    "SELECT * FROM connections WHERE profile = ? ORDER BY name, id LIMIT 100 OFFSET 0",
                    "SELECT COUNT(*) FROM connections WHERE profile = ?",
                    vec![PROFILE.to_owned()],
                )
            },
        )
        .await?,
    );

    let last = u32::try_from(connection_count.saturating_sub(100))?;
    let q = OverviewQuery {
        offset: last,
        sort: OverviewSort::Customer,
        descending: true,
        ..by_name.clone()
    };
    let deep_sql = format!(
        "SELECT * FROM connections WHERE profile = ? ORDER BY customer_name DESC, id DESC LIMIT 100 OFFSET {last}"
    );
    worst = worst.max(
        compare(
            "overview_last_page_by_customer_desc",
            || async { Ok(mirror.overview_page(&q).await?.rows.len()) },
            || {
                bare_page(
                    &bare,
                    &deep_sql,
                    "SELECT COUNT(*) FROM connections WHERE profile = ?",
                    vec![PROFILE.to_owned()],
                )
            },
        )
        .await?,
    );

    let q = OverviewQuery {
        statuses: vec![ConnectionStatus::Inactive, ConnectionStatus::Overage],
        sort: OverviewSort::LastSync,
        descending: true,
        ..by_name.clone()
    };
    worst = worst.max(
        compare(
            "overview_by_status_inactive_or_overage",
            || async { Ok(mirror.overview_page(&q).await?.rows.len()) },
            || {
                bare_page(
                    &bare,
                    "SELECT * FROM connections WHERE profile = ? AND status_rank IN (4, 5)
                     ORDER BY last_sync_at DESC, id DESC LIMIT 100 OFFSET 0",
                    "SELECT COUNT(*) FROM connections WHERE profile = ? AND status_rank IN (4, 5)",
                    vec![PROFILE.to_owned()],
                )
            },
        )
        .await?,
    );

    let q = OverviewQuery {
        health: Some(Health::Attention),
        sort: OverviewSort::Customer,
        ..by_name.clone()
    };
    worst = worst.max(
        compare(
            "overview_needing_attention_by_customer",
            || async { Ok(mirror.overview_page(&q).await?.rows.len()) },
            || {
                bare_page(
                    &bare,
                    "SELECT * FROM connections WHERE profile = ? AND health_rank IN (1, 2)
                     ORDER BY customer_name, id LIMIT 100 OFFSET 0",
                    "SELECT COUNT(*) FROM connections WHERE profile = ? AND health_rank IN (1, 2)",
                    vec![PROFILE.to_owned()],
                )
            },
        )
        .await?,
    );

    let customer = customers
        .get(customer_count / 2)
        .map(|c| c.id.clone())
        .ok_or("no customers")?;
    let q = OverviewQuery {
        customer_id: Some(customer.clone()),
        ..by_name.clone()
    };
    worst = worst.max(
        compare(
            "overview_of_one_customer",
            || async { Ok(mirror.overview_page(&q).await?.rows.len()) },
            || {
                bare_page(
                    &bare,
                    "SELECT * FROM connections WHERE profile = ? AND customer_id = ?
                     ORDER BY name, id LIMIT 100 OFFSET 0",
                    "SELECT COUNT(*) FROM connections WHERE profile = ? AND customer_id = ?",
                    vec![PROFILE.to_owned(), customer.clone()],
                )
            },
        )
        .await?,
    );

    // Searches: one word at a time from the list (each API run and its twin use the same word).
    let turn = std::cell::Cell::new(0usize);
    let word = || WORDS[turn.get() / 2 % WORDS.len()];
    let next = || turn.set(turn.get() + 1);
    worst = worst.max(
        compare(
            "overview_searched",
            || {
                let q = OverviewQuery {
                    search: Some(word().to_owned()),
                    ..by_name.clone()
                };
                next();
                let mirror = &mirror;
                async move { Ok(mirror.overview_page(&q).await?.rows.len()) }
            },
            || {
                let matcher = prefix_query(word()).unwrap_or_default();
                next();
                let bare = &bare;
                async move {
                    bare_page(
                        bare,
                        "SELECT * FROM connections WHERE profile = ?1 AND seq IN
                           (SELECT rowid FROM connections_fts WHERE connections_fts MATCH ?2)
                         ORDER BY name, id LIMIT 100 OFFSET 0",
                        "SELECT COUNT(*) FROM connections WHERE profile = ?1 AND seq IN
                           (SELECT rowid FROM connections_fts WHERE connections_fts MATCH ?2)",
                        vec![PROFILE.to_owned(), matcher.clone()],
                    )
                    .await
                }
            },
        )
        .await?,
    );

    let q = by_name.clone();
    worst = worst.max(
        compare(
            "overview_counts",
            || async {
                let counts = mirror.overview_counts(&q).await?;
                Ok(usize::try_from(counts.total).unwrap_or(0))
            },
            || async {
                let mut tx = bare.begin().await?;
                let groups: Vec<(i64, i64, i64)> = sqlx::query_as(
                    "SELECT status_rank, health_rank, COUNT(*) FROM connections WHERE profile = ?
                     GROUP BY status_rank, health_rank",
                )
                .bind(PROFILE)
                .fetch_all(&mut *tx)
                .await?;
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(DISTINCT customer_id) FROM connections WHERE profile = ?",
                )
                .bind(PROFILE)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(groups
                    .iter()
                    .map(|g| usize::try_from(g.2).unwrap_or(0))
                    .sum())
            },
        )
        .await?,
    );

    let stats = "SELECT c.customer_id, COUNT(*) AS connections,
            SUM(c.health_rank IN (1, 2)) AS attention,
            SUM(CASE WHEN c.status_rank IN (1, 2, 3) THEN c.credits ELSE 0 END) AS credits_in_use";
    let q = CustomerQuery {
        profile: PROFILE.into(),
        ..Default::default()
    };
    let by_name_sql = format!(
        "WITH page AS (SELECT id, name, email, account_manager, metadata, created_at FROM customers
                       WHERE profile = ?1 ORDER BY name, id LIMIT 100 OFFSET 0),
              s AS ({stats} FROM page CROSS JOIN connections c
                    ON c.profile = ?1 AND c.customer_id = page.id GROUP BY c.customer_id)
         SELECT page.*, s.connections, s.attention, s.credits_in_use
         FROM page LEFT JOIN s ON s.customer_id = page.id ORDER BY page.name, page.id"
    );
    worst = worst.max(
        compare(
            "customers_first_page_by_name",
            || async { Ok(mirror.customers_page(&q).await?.rows.len()) },
            || {
                bare_page(
                    &bare,
                    &by_name_sql,
                    "SELECT COUNT(*) FROM customers WHERE profile = ?1",
                    vec![PROFILE.to_owned()],
                )
            },
        )
        .await?,
    );

    let q = CustomerQuery {
        profile: PROFILE.into(),
        sort: CustomerSort::Attention,
        descending: true,
        ..Default::default()
    };
    let by_attention_sql = format!(
        "WITH s AS ({stats} FROM connections c WHERE c.profile = ?1 GROUP BY c.customer_id)
         SELECT cu.*, s.connections, s.attention, s.credits_in_use
         FROM customers cu LEFT JOIN s ON s.customer_id = cu.id WHERE cu.profile = ?1
         ORDER BY IFNULL(s.attention, 0) DESC, cu.name DESC, cu.id DESC LIMIT 100 OFFSET 0"
    );
    worst = worst.max(
        compare(
            "customers_by_attention",
            || async { Ok(mirror.customers_page(&q).await?.rows.len()) },
            || {
                bare_page(
                    &bare,
                    &by_attention_sql,
                    "SELECT COUNT(*) FROM customers WHERE profile = ?1",
                    vec![PROFILE.to_owned()],
                )
            },
        )
        .await?,
    );

    let q = CustomerQuery {
        profile: PROFILE.into(),
        search: Some("nord".into()),
        ..Default::default()
    };
    let searched_sql = format!(
        "WITH page AS (SELECT id, name, email, account_manager, metadata, created_at FROM customers
                       WHERE profile = ?1 AND seq IN
                         (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?2)
                       ORDER BY name, id LIMIT 100 OFFSET 0),
              s AS ({stats} FROM page CROSS JOIN connections c
                    ON c.profile = ?1 AND c.customer_id = page.id GROUP BY c.customer_id)
         SELECT page.*, s.connections, s.attention, s.credits_in_use
         FROM page LEFT JOIN s ON s.customer_id = page.id ORDER BY page.name, page.id"
    );
    let matcher = prefix_query("nord").unwrap_or_default();
    worst = worst.max(
        compare(
            "customers_searched",
            || async { Ok(mirror.customers_page(&q).await?.rows.len()) },
            || {
                bare_page(
                    &bare,
                    &searched_sql,
                    "SELECT COUNT(*) FROM customers WHERE profile = ?1 AND seq IN
                       (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?2)",
                    vec![PROFILE.to_owned(), matcher.clone()],
                )
            },
        )
        .await?,
    );

    println!("overview_worst_p95: {worst:.2} ms (goal: under 100 ms)");
    println!(
        "write_replace_customers: {customers_ms:.0} ms for {customer_count} customers (context)"
    );
    println!(
        "write_replace_connections: {connections_ms:.0} ms for {connection_count} connections (context)"
    );
    println!(
        "write_resync_connections: {resync_ms:.0} ms for {connection_count} connections, all changed, 1% renamed (context)"
    );
    bare.close().await;
    mirror.close().await;
    Ok(())
}
