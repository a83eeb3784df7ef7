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
use desk_store::{CustomerQuery, Health as StoreHealth, OverviewQuery, OverviewSort};
use std::sync::Arc;
use std::time::Instant;

const WORDS: [&str; 6] = ["nord", "steel", "sap", "maximo", "becker", "pharma"];

#[path = "common/three_ways.rs"]
mod three_ways;

use three_ways::{compare, Error, Figures, Loopback};

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
    let loopback = Loopback::start(Arc::clone(&desk)).await?;
    let mirror = desk.mirror();
    let desk = &*desk;
    let http = &loopback.http;
    let mut figures = Figures::default();
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
    loopback.stop().await?;
    Ok(())
}
