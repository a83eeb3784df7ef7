//! The webhook inspector's list at 100,000 stored webhooks through the action layer: an inbox
//! filled through its catch-up path (the platform's events, stored as the inspector lists them),
//! attached to a desk, then each list timed three ways, interleaved: the inbox's own page query
//! (desk-inbox, the baseline), the `webhooks_list` action fn (what the window's command calls),
//! and the action over HTTP through `mdesk serve`'s router on loopback (what the browser calls).
//!
//! `cargo run --release -p desk-server --example bench_inspector_actions [-- WEBHOOKS]`. One line
//! per list: `name: p95 (ratio to the inbox query)`, each way run `three_ways::RUNS` times; goal:
//! p95 under 50 ms.

use chrono::{Duration as Days, TimeZone as _, Utc};
use desk_core::actions::{self, WebhookFilter, WebhooksListRequest};
use desk_core::{Desk, DeskConfig, VaultAccess};
use desk_inbox::{Inbox, InboxConfig, ListFilter, PageOrder};
use desk_platform::event::{Event, EventType};
use std::sync::Arc;
use std::time::Instant;

#[path = "common/three_ways.rs"]
mod three_ways;

use three_ways::{compare, Error, Figures, Loopback};

const PAGE: u32 = 100;
const CONNECTIONS: usize = 500;

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
    // The search index is filled in the background after a burst; the timed part measures
    // the filled index (rows not indexed yet would be scanned, as before it existed).
    let started = Instant::now();
    inbox.index_for_search().await?;
    println!(
        "context: search index filled in a further {:.1} s",
        started.elapsed().as_secs_f64()
    );
    desk.attach_inbox(inbox)?;
    let desk = Arc::new(desk);
    let loopback = Loopback::start(Arc::clone(&desk)).await?;
    let http = &loopback.http;

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
    let desk = &*desk;
    let mut figures = Figures::default();
    for (name, filter, bare_filter) in lists {
        let body = serde_json::json!({
            "filter": {
                "search": filter.search,
                "event_type": filter.event_type,
                "connection_id": filter.connection_id,
            },
        });
        // Each way answers how many webhooks match the list, which must agree.
        compare(
            &mut figures,
            name,
            |_| {
                let bare_filter = bare_filter.clone();
                async move {
                    let page = inbox
                        .page(&bare_filter, PageOrder::ReceivedNewest, 0, PAGE)
                        .await?;
                    Ok(usize::try_from(page.total)?)
                }
            },
            |_| {
                let request = WebhooksListRequest {
                    filter: filter.clone(),
                    order: PageOrder::ReceivedNewest,
                    offset: 0,
                    limit: Some(PAGE),
                };
                async move {
                    let view = actions::webhooks_list(desk, request).await?;
                    Ok(usize::try_from(view.page.total)?)
                }
            },
            |_| http.call("webhooks_list", body.clone(), "/total"),
        )
        .await?;
    }
    println!(
        "inspector over {count} webhooks: worst p95 {:.2} ms through the action, {:.2} ms through HTTP (goal: under 50 ms)",
        figures.worst_action, figures.worst_http
    );
    loopback.stop().await
}
