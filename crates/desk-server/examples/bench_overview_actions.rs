//! The overview's queries through the action layer, at 10,000 customers and 50,000
//! connections: a desk whose local engine starts on the `scale` seed, its directory synced over
//! HTTP as the app does, then each query timed three ways, interleaved: the bare mirror query
//! (desk-store, the baseline), the action fn (what the window's command calls), and the action
//! over HTTP through `mdesk serve`'s router on loopback (what the browser calls).
//!
//! `cargo run --release -p desk-server --example bench_overview_actions`. One line per query:
//! `name: p95 (ratio to the mirror query) for the action and for HTTP`; goal: every action under
//! 100 ms and within 1.5x of the mirror query.

use desk_core::actions::{
    self, ConnectionSort, ConnectionsListRequest, CustomersListRequest, Health,
};
use desk_core::sync::{sync, SyncRequest};
use desk_core::{Desk, DeskConfig, VaultAccess};
use desk_engine::seed::Seed;
use desk_platform::connection::ConnectionStatus;
use desk_server::{LaunchToken, ServerState};
use desk_store::{CustomerQuery, Health as StoreHealth, OverviewQuery, OverviewSort};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 100;
const WORDS: [&str; 6] = ["nord", "steel", "sap", "maximo", "becker", "pharma"];

type Error = Box<dyn std::error::Error>;

fn p95(samples: &mut [Duration]) -> f64 {
    samples.sort();
    let at = (samples.len() * 95).div_ceil(100).saturating_sub(1);
    samples.get(at).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

async fn timed<F: Future<Output = Result<usize, Error>>>(f: F) -> Result<(Duration, usize), Error> {
    let started = Instant::now();
    let rows = f.await?;
    Ok((started.elapsed(), rows))
}

struct Figures {
    worst_action: f64,
    worst_ratio: f64,
}

/// Times the three ways of one query `RUNS` times each, rotating which goes first so none
/// always meets a warm cache. All three return how many rows they read, which must agree.
async fn compare<M, MF, A, AF, H, HF>(
    figures: &mut Figures,
    name: &str,
    mirror: M,
    action: A,
    http: H,
) -> Result<(), Error>
where
    M: Fn(usize) -> MF,
    MF: Future<Output = Result<usize, Error>>,
    A: Fn(usize) -> AF,
    AF: Future<Output = Result<usize, Error>>,
    H: Fn(usize) -> HF,
    HF: Future<Output = Result<usize, Error>>,
{
    let mut times = [Vec::new(), Vec::new(), Vec::new()];
    for run in 0..RUNS {
        let mut rows = [0usize; 3];
        for turn in 0..3 {
            let way = (run + turn) % 3;
            let (took, n) = match way {
                0 => timed(mirror(run)).await?,
                1 => timed(action(run)).await?,
                _ => timed(http(run)).await?,
            };
            times[way].push(took);
            rows[way] = n;
        }
        if rows[0] != rows[1] || rows[0] != rows[2] {
            return Err(format!("{name}: rows differ (mirror, action, http): {rows:?}").into());
        }
    }
    let [mut bare, mut action, mut http] = times;
    let (bare, action, http) = (p95(&mut bare), p95(&mut action), p95(&mut http));
    println!(
        "{name}: action p95 {action:.2} ms (ratio {:.2} to the mirror query's {bare:.2} ms), http p95 {http:.2} ms (ratio {:.2})",
        action / bare,
        http / bare
    );
    figures.worst_action = figures.worst_action.max(action);
    figures.worst_ratio = figures.worst_ratio.max(action / bare);
    Ok(())
}

struct Http {
    client: reqwest::Client,
    base: String,
    token: LaunchToken,
}

impl Http {
    /// An action over HTTP; `rows` picks the row count out of the answer.
    async fn call(&self, name: &str, body: serde_json::Value, rows: &str) -> Result<usize, Error> {
        let answer: serde_json::Value = self
            .client
            .post(format!("{}/api/actions/{name}", self.base))
            .bearer_auth(self.token.as_str())
            .json(&body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let value = answer
            .pointer(rows)
            .ok_or_else(|| format!("{name}: no {rows}"))?;
        Ok(match value {
            serde_json::Value::Array(items) => items.len(),
            other => other.as_u64().ok_or("not a count")? as usize,
        })
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let dir = tempfile::tempdir()?;
    let desk = Desk::open(DeskConfig {
        vault: VaultAccess {
            key_file: Some(dir.path().join("vault.key")),
            passphrase: None,
        },
        local_seed: Seed::Scale,
        ..DeskConfig::new(dir.path().join("desk"))
    })
    .await?;
    let started = Instant::now();
    let report = sync(
        &desk,
        SyncRequest {
            directory_only: true,
            ..SyncRequest::default()
        },
    )
    .await?;
    println!(
        "context: the scale seed and a directory sync of {} customers and {} connections over HTTP took {:.1} s",
        report.customers,
        report.connections,
        started.elapsed().as_secs_f64()
    );
    let profile = report.profile.clone();
    let desk = Arc::new(desk);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let token = LaunchToken::random();
    let state = Arc::new(ServerState::new(Arc::clone(&desk), token.clone(), addr));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(desk_server::serve(listener, state, None, async move {
        let _ = stopped.await;
    }));
    let http = Http {
        client: reqwest::Client::builder().no_proxy().build()?,
        base: format!("http://{addr}"),
        token,
    };
    let mirror = desk.mirror();
    let desk = &*desk;
    let http = &http;
    let mut figures = Figures {
        worst_action: 0.0,
        worst_ratio: 0.0,
    };
    let base = OverviewQuery {
        profile: profile.clone(),
        ..OverviewQuery::default()
    };

    // (name, action request, its JSON, the mirror's query)
    let lists: Vec<(
        &str,
        ConnectionsListRequest,
        serde_json::Value,
        OverviewQuery,
    )> = vec![
        (
            "overview_first_page_by_name",
            ConnectionsListRequest::default(),
            serde_json::json!({}),
            base.clone(),
        ),
        (
            "overview_inactive_or_overage_by_last_sync",
            ConnectionsListRequest {
                statuses: vec![ConnectionStatus::Inactive, ConnectionStatus::Overage],
                sort: ConnectionSort::LastSync,
                descending: true,
                ..ConnectionsListRequest::default()
            },
            serde_json::json!({"statuses": ["inactive", "overage"], "sort": "last_sync", "descending": true}),
            OverviewQuery {
                statuses: vec![ConnectionStatus::Inactive, ConnectionStatus::Overage],
                sort: OverviewSort::LastSync,
                descending: true,
                ..base.clone()
            },
        ),
        (
            "overview_needing_attention_by_customer",
            ConnectionsListRequest {
                health: vec![Health::NeedsReauthorization, Health::Offline],
                sort: ConnectionSort::Customer,
                ..ConnectionsListRequest::default()
            },
            serde_json::json!({"health": ["needs_reauthorization", "offline"], "sort": "customer"}),
            OverviewQuery {
                health: Some(StoreHealth::Attention),
                sort: OverviewSort::Customer,
                ..base.clone()
            },
        ),
        (
            "overview_last_page_by_customer_desc",
            ConnectionsListRequest {
                sort: ConnectionSort::Customer,
                descending: true,
                offset: 49_900,
                ..ConnectionsListRequest::default()
            },
            serde_json::json!({"sort": "customer", "descending": true, "offset": 49_900}),
            OverviewQuery {
                sort: OverviewSort::Customer,
                descending: true,
                offset: 49_900,
                ..base.clone()
            },
        ),
    ];
    for (name, request, json, query) in lists {
        compare(
            &mut figures,
            name,
            |_| {
                let query = query.clone();
                async move { Ok(mirror.overview_page(&query).await?.rows.len()) }
            },
            |_| {
                let request = request.clone();
                async move { Ok(actions::connections_list(desk, request).await?.rows.len()) }
            },
            |_| http.call("connections_list", json.clone(), "/rows"),
        )
        .await?;
    }

    compare(
        &mut figures,
        "overview_searched",
        |run| {
            let query = OverviewQuery {
                search: Some(WORDS[run % WORDS.len()].to_owned()),
                ..base.clone()
            };
            async move { Ok(mirror.overview_page(&query).await?.rows.len()) }
        },
        |run| {
            let request = ConnectionsListRequest {
                search: Some(WORDS[run % WORDS.len()].to_owned()),
                ..ConnectionsListRequest::default()
            };
            async move { Ok(actions::connections_list(desk, request).await?.rows.len()) }
        },
        |run| {
            let json = serde_json::json!({"search": WORDS[run % WORDS.len()]});
            async move { http.call("connections_list", json, "/rows").await }
        },
    )
    .await?;

    compare(
        &mut figures,
        "overview_counts",
        |_| {
            let query = base.clone();
            async move { Ok(mirror.overview_counts(&query).await?.total as usize) }
        },
        |_| async move {
            let counts =
                actions::connections_counts(desk, ConnectionsListRequest::default()).await?;
            Ok(counts.total as usize)
        },
        |_| http.call("connections_counts", serde_json::json!({}), "/total"),
    )
    .await?;

    for (name, search) in [
        ("customers_first_page_by_name", None),
        ("customers_searched", Some("nord")),
    ] {
        let query = CustomerQuery {
            profile: profile.clone(),
            search: search.map(str::to_owned),
            ..CustomerQuery::default()
        };
        compare(
            &mut figures,
            name,
            |_| {
                let query = query.clone();
                async move { Ok(mirror.customers_page(&query).await?.rows.len()) }
            },
            |_| {
                let request = CustomersListRequest {
                    search: search.map(str::to_owned),
                    ..CustomersListRequest::default()
                };
                async move { Ok(actions::customers_list(desk, request).await?.rows.len()) }
            },
            |_| {
                http.call(
                    "customers_list",
                    serde_json::json!({"search": search}),
                    "/rows",
                )
            },
        )
        .await?;
    }

    println!(
        "overview_actions_worst: p95 {:.2} ms (goal: under 100 ms), ratio {:.2} to the mirror query (goal: within 1.5)",
        figures.worst_action, figures.worst_ratio
    );
    if stop.send(()).is_err() {
        eprintln!("the server had already stopped");
    }
    server.await??;
    Ok(())
}
