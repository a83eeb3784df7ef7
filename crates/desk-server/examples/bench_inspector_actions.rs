//! The webhook inspector's list at 100,000 stored webhooks through the action layer: an inbox
//! filled through its catch-up path (the platform's events, stored as the inspector lists them),
//! attached to a desk, then each list timed three ways, interleaved: the inbox's own page query
//! (desk-inbox, the baseline), the `webhooks_list` action fn (what the window's command calls),
//! and the action over HTTP through `mdesk serve`'s router on loopback (what the browser calls).
//!
//! `cargo run --release -p desk-server --example bench_inspector_actions [-- WEBHOOKS]`. One line
//! per list: `name: p95 (ratio to the inbox query)`; goal: p95 under 50 ms.

use chrono::{Duration as Days, TimeZone as _, Utc};
use desk_core::actions::{self, WebhookFilter, WebhooksListRequest};
use desk_core::{Desk, DeskConfig, VaultAccess};
use desk_inbox::{Inbox, InboxConfig, ListFilter, PageOrder};
use desk_platform::event::{Event, EventType};
use desk_server::{LaunchToken, ServerState};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 60;
const PAGE: u32 = 100;
const CONNECTIONS: usize = 500;

type Error = Box<dyn std::error::Error>;

fn p95(samples: &mut [Duration]) -> f64 {
    samples.sort();
    let at = (samples.len() * 95).div_ceil(100).saturating_sub(1);
    samples.get(at).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The platform's events of 500 connections over three months, of every type.
fn events(count: usize) -> Vec<Event> {
    let start = Utc
        .with_ymd_and_hms(2026, 9, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    (0..count)
        .map(|n| {
            let kind = EventType::ALL[n % EventType::ALL.len()];
            let connection = format!("conn_{:024x}", n % CONNECTIONS);
            let entity = ["work_orders", "assets", "purchase_orders"][n % 3];
            let note = if n % 97 == 0 {
                "pump overhaul at plant 7"
            } else {
                "routine"
            };
            Event {
                id: format!("evt_{n:024x}"),
                event_type: kind,
                created_at: start + Days::seconds((n as i64) * 77),
                connection_id: Some(connection.clone()),
                customer_id: Some(format!("cus_{:024x}", n % (CONNECTIONS / 5))),
                data: serde_json::json!({
                    "connection_id": connection,
                    "entity": entity,
                    "records": n % 1000,
                    "note": note,
                }),
            }
        })
        .collect()
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let count: usize = std::env::args()
        .nth(1)
        .map(|arg| arg.parse())
        .transpose()?
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let desk = Desk::open(DeskConfig {
        vault: VaultAccess {
            key_file: Some(dir.path().join("vault.key")),
            passphrase: None,
        },
        ..DeskConfig::new(dir.path().join("desk"))
    })
    .await?;
    let inbox = Inbox::open(desk.inbox_dir(), InboxConfig::default()).await?;
    let started = Instant::now();
    for batch in events(count).chunks(1000) {
        inbox.catch_up(batch.to_vec()).await?;
    }
    println!(
        "context: {count} webhooks stored through catch-up in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    desk.attach_inbox(inbox)?;
    let desk = Arc::new(desk);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let token = LaunchToken::random();
    let state = Arc::new(ServerState::new(Arc::clone(&desk), token.clone(), addr));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(desk_server::serve(listener, state, None, async move {
        drop(stopped.await);
    }));
    let client = reqwest::Client::builder().no_proxy().build()?;
    let base = format!("http://{addr}");

    let connection = format!("conn_{:024x}", 42);
    // (name, the action's filter, the inbox's filter)
    let lists: Vec<(&str, WebhookFilter, ListFilter)> = vec![
        (
            "inspector_newest_page",
            WebhookFilter::default(),
            ListFilter::default(),
        ),
        (
            "inspector_by_type",
            WebhookFilter {
                event_type: Some("connection.reauthorization_required".to_owned()),
                ..WebhookFilter::default()
            },
            ListFilter {
                event_type: Some("connection.reauthorization_required".to_owned()),
                ..ListFilter::default()
            },
        ),
        (
            "inspector_by_connection",
            WebhookFilter {
                connection_id: Some(connection.clone()),
                ..WebhookFilter::default()
            },
            ListFilter {
                connection_id: Some(connection.clone()),
                ..ListFilter::default()
            },
        ),
        (
            "inspector_search_body",
            WebhookFilter {
                search: Some("pump overhaul".to_owned()),
                ..WebhookFilter::default()
            },
            ListFilter {
                search: Some("pump overhaul".to_owned()),
                ..ListFilter::default()
            },
        ),
    ];
    let inbox = desk.inbox().await?;
    let mut worst = 0.0f64;
    for (name, filter, bare_filter) in lists {
        let body = serde_json::to_value(serde_json::json!({
            "filter": {
                "search": filter.search,
                "event_type": filter.event_type,
                "connection_id": filter.connection_id,
            },
        }))?;
        let mut times = [Vec::new(), Vec::new(), Vec::new()];
        for run in 0..RUNS {
            let mut totals = [0i64; 3];
            for turn in 0..3 {
                let way = (run + turn) % 3;
                let started = Instant::now();
                totals[way] = match way {
                    0 => {
                        inbox
                            .page(&bare_filter, PageOrder::ReceivedNewest, 0, PAGE)
                            .await?
                            .total
                    }
                    1 => {
                        actions::webhooks_list(
                            &desk,
                            WebhooksListRequest {
                                filter: filter.clone(),
                                order: PageOrder::ReceivedNewest,
                                offset: 0,
                                limit: Some(PAGE),
                            },
                        )
                        .await?
                        .page
                        .total
                    }
                    _ => {
                        let answer: serde_json::Value = client
                            .post(format!("{base}/api/actions/webhooks_list"))
                            .bearer_auth(token.as_str())
                            .json(&body)
                            .send()
                            .await?
                            .error_for_status()?
                            .json()
                            .await?;
                        answer["total"].as_i64().ok_or("no total in the answer")?
                    }
                };
                times[way].push(started.elapsed());
            }
            if totals[0] != totals[1] || totals[0] != totals[2] {
                return Err(
                    format!("{name}: totals differ (inbox, action, http): {totals:?}").into(),
                );
            }
        }
        let [mut bare, mut action, mut http] = times;
        let (bare, action, http) = (p95(&mut bare), p95(&mut action), p95(&mut http));
        println!(
            "{name}: action p95 {action:.2} ms (ratio {:.2} to the inbox query's {bare:.2} ms), http p95 {http:.2} ms (ratio {:.2})",
            action / bare,
            http / bare
        );
        worst = worst.max(http);
    }
    println!(
        "inspector over {count} webhooks: worst p95 through HTTP {worst:.2} ms (goal: under 50 ms)"
    );
    if stop.send(()).is_err() {
        eprintln!("the server had stopped already");
    }
    server.await??;
    Ok(())
}
