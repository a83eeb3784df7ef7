//! Profiles, customers, connections and the credit dashboard's numbers on a small known set.

use crate::{mirror, PROFILE};
use chrono::{DateTime, NaiveDate, Utc};
use desk_platform::account::{Account, CreditBalance, Plan};
use desk_platform::catalog::System;
use desk_platform::connection::{Connection, ConnectionStatus};
use desk_platform::customer::Customer;
use desk_platform::ledger::LedgerEntry;
use desk_store::{ConnectionFilter, CreditShare, Mirror};
use serde_json::json;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn system(id: &str, tier: u8) -> System {
    serde_json::from_value(json!({
        "id": id, "name": id, "vendor": "v", "category": "erp", "tier": tier,
        "deployments": ["cloud", "on_premises"], "credits": {"cloud": 1, "on_premises": 2},
        "auth": {"kind": "basic", "fields": []}, "entities": {}, "rate_limit_per_minute": 60
    }))
    .unwrap()
}

fn connection(
    id: &str,
    customer: &str,
    system: &str,
    deployment: &str,
    credits: i64,
    status: &str,
) -> Connection {
    serde_json::from_value(json!({
        "id": id, "customer_id": customer, "system_id": system, "deployment": deployment,
        "name": format!("{system} for {customer}"), "email": null, "credits": credits,
        "status": status, "online": true, "reauthorization_required": false,
        "connected_at": "2026-10-01T00:00:00Z", "authorized_by": "it@example.com",
        "token_issued_at": null, "last_sync_at": null, "next_sync_at": null,
        "created_at": "2026-10-01T00:00:00Z", "user_metadata": {"region": "eu"}
    }))
    .unwrap()
}

fn customer(id: &str, name: &str) -> Customer {
    Customer {
        id: id.into(),
        name: name.into(),
        email: None,
        account_manager: Some("sam@example.com".into()),
        metadata: serde_json::Map::new(),
        created_at: at("2026-09-01T00:00:00Z"),
    }
}

fn entry(id: &str, when: &str, delta: i64, reason: &str) -> LedgerEntry {
    serde_json::from_value(
        json!({"id": id, "at": when, "connection_id": null, "delta": delta,
        "overage_delta": 0, "reason": reason, "balance_after": 0}),
    )
    .unwrap()
}

async fn seeded(m: &Mirror) {
    let account = Account {
        id: "acc_1".into(),
        name: "Makini Demo".into(),
        plan: Plan::Paid,
        region: "eu".into(),
        credits: CreditBalance {
            purchased: 20,
            in_use: 9,
            available: 11,
            overage_in_use: 2,
        },
        derived: Vec::new(),
    };
    let mut earlier = account.clone();
    earlier.credits = CreditBalance {
        purchased: 10,
        in_use: 5,
        available: 5,
        overage_in_use: 0,
    };
    m.apply_account_snapshot(PROFILE, &earlier, at("2026-11-01T00:00:00Z"))
        .await
        .unwrap();
    m.apply_account_snapshot(PROFILE, &account, at("2026-11-24T00:00:00Z"))
        .await
        .unwrap();
    m.replace_customers(
        PROFILE,
        &[
            customer("cus_a", "Acme Foods"),
            customer("cus_b", "Borealis Steel"),
        ],
    )
    .await
    .unwrap();
    let catalog = [system("upkeep", 1), system("sap_ecc", 3)];
    let connections = [
        connection("conn_1", "cus_a", "upkeep", "cloud", 1, "active"),
        connection("conn_2", "cus_a", "sap_ecc", "on_premises", 8, "active"),
        // Not in the catalog: the tier is read back from the cost (2 on cloud = tier 2).
        connection("conn_3", "cus_b", "odoo", "cloud", 2, "overage"),
        connection("conn_4", "cus_b", "odoo", "on_premises", 4, "inactive"),
        connection("conn_5", "cus_b", "upkeep", "cloud", 1, "disconnected"),
    ];
    m.replace_connections(PROFILE, &connections, &catalog)
        .await
        .unwrap();
    let ledger = [
        entry("led_1", "2026-09-01T00:00:00Z", 20, "purchase"),
        entry("led_2", "2026-10-01T00:00:00Z", -1, "connect"),
        entry("led_3", "2026-11-01T00:00:00Z", -8, "connect"),
        entry("led_4", "2026-11-10T00:00:00Z", -4, "activate"),
        entry("led_5", "2026-11-20T00:00:00Z", 2, "disconnect"),
        entry("led_6", "2026-11-21T00:00:00Z", 10, "purchase"),
    ];
    assert_eq!(m.append_ledger(PROFILE, &ledger).await.unwrap(), 6);
    assert_eq!(
        m.append_ledger(PROFILE, &ledger).await.unwrap(),
        0,
        "idempotent by id"
    );
}

fn share(
    key: &str,
    label: &str,
    connections: i64,
    in_use: i64,
    overage: i64,
    inactive: i64,
) -> CreditShare {
    CreditShare {
        key: key.into(),
        label: label.into(),
        connections,
        in_use,
        overage_in_use: overage,
        inactive,
    }
}

#[tokio::test]
async fn credits_come_from_the_latest_snapshot_with_breakdowns_by_tier_customer_and_deployment() {
    let m = mirror().await;
    seeded(&m.mirror).await;
    let credits = m.mirror.credits(PROFILE).await.unwrap();
    assert_eq!(
        (
            credits.purchased,
            credits.in_use,
            credits.available,
            credits.overage_in_use
        ),
        (20, 9, 11, 2)
    );
    assert_eq!(
        credits.by_tier,
        [
            share("3", "Tier 3", 1, 8, 0, 0),
            share("1", "Tier 1", 1, 1, 0, 0),
            share("2", "Tier 2", 2, 0, 2, 4),
        ]
    );
    assert_eq!(
        credits.by_customer,
        [
            share("cus_a", "Acme Foods", 2, 9, 0, 0),
            share("cus_b", "Borealis Steel", 2, 0, 2, 4),
        ]
    );
    assert_eq!(
        credits.by_deployment,
        [
            share("on_premises", "on_premises", 2, 8, 0, 4),
            share("cloud", "cloud", 2, 1, 2, 0),
        ]
    );
    assert_eq!(
        credits.by_system,
        [
            share("sap_ecc", "sap_ecc", 1, 8, 0, 0),
            share("upkeep", "upkeep", 1, 1, 0, 0),
            share("odoo", "odoo", 2, 0, 2, 4),
        ]
    );
    let json = serde_json::to_value(&credits).unwrap();
    for field in [
        "purchased",
        "in_use",
        "available",
        "overage_in_use",
        "by_tier",
        "by_customer",
        "by_deployment",
        "by_system",
    ] {
        assert!(json.get(field).is_some(), "{field}");
    }
}

#[tokio::test]
async fn a_profile_never_synced_has_zero_credits() {
    let m = mirror().await;
    let credits = m.mirror.credits("nobody").await.unwrap();
    assert_eq!(
        (credits.purchased, credits.available, credits.as_of),
        (0, 0, None)
    );
    assert!(credits.by_tier.is_empty());
}

#[tokio::test]
async fn history_lists_every_snapshot_oldest_first() {
    let m = mirror().await;
    seeded(&m.mirror).await;
    let history = m.mirror.credit_history(PROFILE).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|s| s.credits.purchased)
            .collect::<Vec<_>>(),
        [10, 20]
    );
    assert_eq!(history[1].plan, "paid");
}

#[tokio::test]
async fn the_forecast_divides_what_is_left_by_the_last_30_days_net_consumption() {
    let m = mirror().await;
    seeded(&m.mirror).await;
    // In the window: -8, -4, +2 (purchases left out): 10 credits per 30 days, 11 left.
    let forecast = m
        .mirror
        .credit_forecast(PROFILE, at("2026-11-24T12:00:00Z"), 30)
        .await
        .unwrap();
    assert_eq!(forecast.net_consumed, 10);
    assert_eq!(forecast.available, 11);
    assert!((forecast.per_day - 10.0 / 30.0).abs() < 1e-9);
    assert_eq!(
        forecast.runs_out_on,
        Some(NaiveDate::from_ymd_opt(2026, 12, 27).unwrap())
    );
    // Two months later nothing was consumed in the window: no date.
    let later = m
        .mirror
        .credit_forecast(PROFILE, at("2027-02-01T00:00:00Z"), 30)
        .await
        .unwrap();
    assert_eq!((later.net_consumed, later.runs_out_on), (0, None));
    // A 15-day window sees only -4 and +2: 2 credits per 15 days, 11 left: 82 days.
    let short = m
        .mirror
        .credit_forecast(PROFILE, at("2026-11-24T12:00:00Z"), 15)
        .await
        .unwrap();
    assert_eq!((short.net_consumed, short.window_days), (2, 15));
    assert_eq!(
        short.runs_out_on,
        Some(NaiveDate::from_ymd_opt(2027, 2, 14).unwrap())
    );
    assert!(m
        .mirror
        .credit_forecast(PROFILE, at("2026-11-24T12:00:00Z"), 0)
        .await
        .is_err());
}

#[tokio::test]
async fn a_connection_two_profiles_mirror_is_shown_from_the_preferred_one() {
    let m = mirror().await;
    seeded(&m.mirror).await;
    // "a-team" sorts before "local" and mirrors the same platform, synced at another time.
    m.mirror
        .replace_customers("a-team", &[customer("cus_a", "Acme Foods")])
        .await
        .unwrap();
    m.mirror
        .replace_connections(
            "a-team",
            &[connection(
                "conn_2",
                "cus_a",
                "sap_ecc",
                "on_premises",
                8,
                "inactive",
            )],
            &[system("sap_ecc", 3)],
        )
        .await
        .unwrap();
    let first_by_name = m.mirror.connection("conn_2").await.unwrap();
    assert_eq!(first_by_name.profile, "a-team");
    let preferred = m
        .mirror
        .connection_preferring("conn_2", Some(PROFILE))
        .await
        .unwrap();
    assert_eq!(preferred.profile, PROFILE);
    assert_eq!(preferred.connection.status, ConnectionStatus::Active);
    // A preferred profile that does not mirror it falls back to the first by name.
    let fallback = m
        .mirror
        .connection_preferring("conn_2", Some("elsewhere"))
        .await
        .unwrap();
    assert_eq!(fallback.profile, "a-team");
    let only_local = m
        .mirror
        .connection_preferring("conn_1", Some("a-team"))
        .await
        .unwrap();
    assert_eq!(only_local.profile, PROFILE);
}

#[tokio::test]
async fn connections_are_listed_filtered_and_shown_with_their_tier() {
    let m = mirror().await;
    seeded(&m.mirror).await;
    let all = m
        .mirror
        .connections(&ConnectionFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    let inactive = m
        .mirror
        .connections(&ConnectionFilter {
            status: Some(ConnectionStatus::Inactive),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        inactive
            .iter()
            .map(|c| c.connection.id.as_str())
            .collect::<Vec<_>>(),
        ["conn_4"]
    );
    let of_acme = m
        .mirror
        .connections(&ConnectionFilter {
            customer_id: Some("cus_a".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(of_acme.len(), 2);
    let shown = m.mirror.connection("conn_2").await.unwrap();
    assert_eq!((shown.tier, shown.profile.as_str()), (Some(3), PROFILE));
    assert_eq!(
        shown.connection,
        connection("conn_2", "cus_a", "sap_ecc", "on_premises", 8, "active")
    );
    assert_eq!(
        m.mirror.connection("conn_404").await.unwrap_err().code(),
        "NOT_FOUND"
    );
    // Replacing drops what the platform no longer lists.
    m.mirror
        .replace_connections(
            PROFILE,
            &[connection(
                "conn_1", "cus_a", "upkeep", "cloud", 1, "active",
            )],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        m.mirror
            .connections(&ConnectionFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
    let customers = m.mirror.customers(PROFILE).await.unwrap();
    assert_eq!(customers[0], customer("cus_a", "Acme Foods"));
}
