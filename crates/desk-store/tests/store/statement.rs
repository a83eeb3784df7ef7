//! Ledger lines, monthly statements and idle connections on a small known account.

use crate::{mirror, PROFILE};
use chrono::{DateTime, Utc};
use desk_platform::connection::Connection;
use desk_platform::customer::Customer;
use desk_platform::ledger::LedgerEntry;
use desk_store::{LedgerFilter, Mirror, StatementBalance, SyncRunState};
use serde_json::json;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn connection(
    id: &str,
    customer: &str,
    credits: i64,
    status: &str,
    last_sync: Option<&str>,
) -> Connection {
    serde_json::from_value(json!({
        "id": id, "customer_id": customer, "system_id": "sap-ecc", "deployment": "on_premises",
        "name": format!("ERP {id}"), "email": null, "credits": credits,
        "status": status, "online": true, "reauthorization_required": false,
        "connected_at": "2026-10-01T00:00:00Z", "authorized_by": "it@example.com",
        "token_issued_at": null, "last_sync_at": last_sync, "next_sync_at": null,
        "created_at": "2026-10-01T00:00:00Z", "user_metadata": {}
    }))
    .unwrap()
}

fn customer(id: &str, name: &str) -> Customer {
    Customer {
        id: id.into(),
        name: name.into(),
        email: None,
        account_manager: None,
        metadata: serde_json::Map::new(),
        created_at: at("2026-09-01T00:00:00Z"),
    }
}

/// (id, time, connection, delta, overage delta, reason, the platform's balance after).
type Entry = (
    &'static str,
    &'static str,
    Option<&'static str>,
    i64,
    i64,
    &'static str,
    i64,
);
const LEDGER: [Entry; 7] = [
    ("led_1", "2026-09-01T00:00:00Z", None, 20, 0, "purchase", 20),
    (
        "led_2",
        "2026-10-05T00:00:00Z",
        Some("conn_a"),
        -8,
        0,
        "connect",
        12,
    ),
    (
        "led_3",
        "2026-11-02T00:00:00Z",
        Some("conn_b"),
        -8,
        0,
        "connect",
        4,
    ),
    (
        "led_4",
        "2026-11-03T00:00:00Z",
        Some("conn_c"),
        0,
        4,
        "overage",
        4,
    ),
    (
        "led_5",
        "2026-11-20T00:00:00Z",
        Some("conn_a"),
        8,
        0,
        "disconnect",
        12,
    ),
    ("led_6", "2026-11-21T00:00:00Z", None, 10, 0, "purchase", 22),
    (
        "led_7",
        "2026-12-01T00:00:00Z",
        Some("conn_d"),
        -1,
        0,
        "connect",
        21,
    ),
];

async fn seeded(m: &Mirror) {
    m.replace_customers(
        PROFILE,
        &[
            customer("cus_a", "Acme Foods"),
            customer("cus_b", "Borealis Steel"),
        ],
    )
    .await
    .unwrap();
    let connections = [
        connection(
            "conn_a",
            "cus_a",
            8,
            "disconnected",
            Some("2026-11-19T00:00:00Z"),
        ),
        connection("conn_b", "cus_a", 8, "active", Some("2026-11-30T00:00:00Z")),
        connection("conn_c", "cus_b", 4, "overage", None),
        connection("conn_d", "cus_b", 1, "active", Some("2026-12-01T12:00:00Z")),
    ];
    m.replace_connections(PROFILE, &connections, &[])
        .await
        .unwrap();
    let ledger: Vec<LedgerEntry> = LEDGER
        .iter()
        .map(|(id, when, connection, delta, overage, reason, balance)| {
            serde_json::from_value(json!({"id": id, "at": when, "connection_id": connection,
                "delta": delta, "overage_delta": overage, "reason": reason, "balance_after": balance}))
            .unwrap()
        })
        .collect();
    m.append_ledger(PROFILE, &ledger).await.unwrap();
}

#[tokio::test]
async fn ledger_lines_name_their_connection_and_customer_newest_first() {
    let m = mirror().await;
    seeded(&m.mirror).await;
    let all = m
        .mirror
        .ledger_lines(PROFILE, &LedgerFilter::default(), 100)
        .await
        .unwrap();
    let ids: Vec<_> = all.iter().map(|l| l.entry.id.as_str()).collect();
    assert_eq!(
        ids,
        ["led_7", "led_6", "led_5", "led_4", "led_3", "led_2", "led_1"]
    );
    let connect = &all[4];
    assert_eq!(connect.connection_name.as_deref(), Some("ERP conn_b"));
    assert_eq!(connect.customer_name.as_deref(), Some("Acme Foods"));
    assert_eq!(connect.deployment.as_deref(), Some("on_premises"));
    assert_eq!(
        all[1].customer_id, None,
        "a purchase belongs to no customer"
    );

    let borealis = LedgerFilter {
        customer_id: Some("cus_b".into()),
        ..LedgerFilter::default()
    };
    let lines = m
        .mirror
        .ledger_lines(PROFILE, &borealis, 100)
        .await
        .unwrap();
    assert_eq!(
        lines
            .iter()
            .map(|l| l.entry.id.as_str())
            .collect::<Vec<_>>(),
        ["led_7", "led_4"]
    );
    assert_eq!(
        m.mirror
            .ledger_lines(PROFILE, &LedgerFilter::default(), 2)
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn the_account_statement_runs_from_opening_to_the_platforms_closing_balance() {
    let m = mirror().await;
    seeded(&m.mirror).await;
    let november = m.mirror.statement(PROFILE, "2026-11", None).await.unwrap();
    assert_eq!(november.balance, StatementBalance::Available);
    assert_eq!((november.opening, november.closing), (12, 22));
    assert_eq!(november.platform_closing, Some(22));
    let running: Vec<_> = november.lines.iter().map(|l| l.running).collect();
    assert_eq!(running, [4, 4, 12, 22]);
    assert_eq!(
        (
            november.consumed,
            november.returned,
            november.purchased,
            november.overage_change
        ),
        (8, 8, 10, 4)
    );
    // Every month's closing is the next one's opening, and each matches the platform from
    // the first entry on (before it the platform said nothing).
    let mut previous = 0;
    let mut checked = 0;
    for month in ["2026-08", "2026-09", "2026-10", "2026-11", "2026-12"] {
        let s = m.mirror.statement(PROFILE, month, None).await.unwrap();
        assert_eq!(s.opening, previous, "{month}");
        match s.platform_closing {
            Some(platform) => {
                assert_eq!(s.closing, platform, "{month}");
                checked += 1;
            }
            None => assert!(s.lines.is_empty() && checked == 0, "{month}: {s:?}"),
        }
        previous = s.closing;
    }
    assert!(
        checked >= 4,
        "{checked} months checked against the platform"
    );
    assert!(m.mirror.statement(PROFILE, "2026-13", None).await.is_err());
}

#[tokio::test]
async fn a_statement_before_any_ledger_claims_no_platform_balance() {
    let m = mirror().await;
    let empty = m.mirror.statement(PROFILE, "2026-11", None).await.unwrap();
    assert_eq!((empty.opening, empty.closing), (0, 0));
    assert!(empty.lines.is_empty());
    assert_eq!(empty.platform_closing, None, "nothing to check against");
    // A month without entries after some has the balance they left.
    seeded(&m.mirror).await;
    let later = m.mirror.statement(PROFILE, "2027-02", None).await.unwrap();
    assert!(later.lines.is_empty());
    assert_eq!(later.platform_closing, Some(later.opening));
}

#[tokio::test]
async fn a_customer_statement_counts_what_its_connections_hold() {
    let m = mirror().await;
    seeded(&m.mirror).await;
    let acme = m
        .mirror
        .statement(PROFILE, "2026-11", Some("cus_a"))
        .await
        .unwrap();
    assert_eq!(acme.balance, StatementBalance::Held);
    // conn_a held 8 since October; conn_b took 8 more; conn_a gave its 8 back.
    assert_eq!((acme.opening, acme.closing), (8, 8));
    assert_eq!(
        acme.lines.iter().map(|l| l.running).collect::<Vec<_>>(),
        [16, 8]
    );
    assert_eq!(acme.platform_closing, None);
    let borealis = m
        .mirror
        .statement(PROFILE, "2026-11", Some("cus_b"))
        .await
        .unwrap();
    assert_eq!(
        (borealis.opening, borealis.closing, borealis.overage_change),
        (0, 0, 4)
    );
}

#[tokio::test]
async fn idle_connections_hold_credits_without_syncing_or_without_changes() {
    let m = mirror().await;
    seeded(&m.mirror).await;
    // conn_b synced after the cutoff, and its pull changed nothing.
    let run = m
        .mirror
        .start_sync_run(PROFILE, "conn_b", "work-orders", at("2026-11-30T00:00:00Z"))
        .await
        .unwrap();
    m.mirror
        .finish_sync_run(
            run,
            SyncRunState::Completed,
            0,
            None,
            at("2026-11-30T00:01:00Z"),
        )
        .await
        .unwrap();
    // conn_d synced and changed records.
    let run = m
        .mirror
        .start_sync_run(PROFILE, "conn_d", "work-orders", at("2026-12-01T12:00:00Z"))
        .await
        .unwrap();
    m.mirror
        .finish_sync_run(
            run,
            SyncRunState::Completed,
            5,
            None,
            at("2026-12-01T12:01:00Z"),
        )
        .await
        .unwrap();
    let idle = m
        .mirror
        .idle_connections(PROFILE, at("2026-11-25T00:00:00Z"))
        .await
        .unwrap();
    let found: Vec<_> = idle
        .iter()
        .map(|i| (i.connection_id.as_str(), i.reason.as_str()))
        .collect();
    // Disconnected conn_a holds nothing; conn_c (overage) never synced.
    assert_eq!(found, [("conn_b", "no_changes"), ("conn_c", "no_sync")]);
    assert_eq!(idle[0].customer_name.as_deref(), Some("Acme Foods"));
}
