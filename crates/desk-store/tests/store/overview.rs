//! The overview's lists: filters, search, sorts, paging and counts served by SQLite.

use crate::{mirror, PROFILE};
use chrono::{DateTime, Duration, Utc};
use desk_platform::catalog::Deployment;
use desk_platform::connection::{Connection, ConnectionStatus};
use desk_platform::customer::Customer;
use desk_store::{
    ConnectionPatch, CustomerQuery, CustomerSort, Health, Mirror, OverviewQuery, OverviewSort,
};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn customer(id: &str, name: &str, manager: Option<&str>) -> Customer {
    Customer {
        id: id.into(),
        name: name.into(),
        email: Some(format!("it@{id}.example")),
        account_manager: manager.map(str::to_owned),
        metadata: serde_json::Map::new(),
        created_at: at("2026-09-01T00:00:00Z"),
    }
}

/// A connection of `customer` to `system`; credits follow the tier rule (1, 2, 4).
fn connection(id: &str, customer: &str, system: &str, status: ConnectionStatus) -> Connection {
    let credits = match system {
        "sap-s4hana" | "oracle-ebs" => 4,
        "netsuite" | "odoo" => 2,
        _ => 1,
    };
    Connection {
        id: id.into(),
        customer_id: customer.into(),
        system_id: Some(system.into()),
        deployment: Some(Deployment::Cloud),
        name: format!("{system} of {customer}"),
        email: None,
        credits,
        status,
        online: true,
        reauthorization_required: false,
        connected_at: Some(at("2026-10-01T00:00:00Z")),
        authorized_by: None,
        token_issued_at: None,
        last_sync_at: None,
        next_sync_at: None,
        created_at: at("2026-10-01T00:00:00Z"),
        user_metadata: serde_json::Map::new(),
    }
}

fn customers() -> Vec<Customer> {
    vec![
        customer("cus_1", "Ålesund Fisk AS", Some("Priya Raman")),
        customer("cus_2", "Nordhavn Marine", Some("Tom Becker")),
        customer("cus_3", "Calder Steelworks", Some("Priya Raman")),
        customer("cus_4", "Aurora Foods", None),
    ]
}

/// Twelve connections over four customers, every status and health represented.
fn connections() -> Vec<Connection> {
    use ConnectionStatus::*;
    let mut list = vec![
        connection("con_01", "cus_1", "upkeep", Active),
        connection("con_02", "cus_1", "sap-s4hana", Active),
        connection("con_03", "cus_1", "netsuite", Inactive),
        connection("con_04", "cus_2", "upkeep", Active),
        connection("con_05", "cus_2", "sap-s4hana", Overage),
        connection("con_06", "cus_2", "odoo", Pending),
        connection("con_07", "cus_3", "oracle-ebs", Active),
        connection("con_08", "cus_3", "upkeep", Disconnected),
        connection("con_09", "cus_3", "netsuite", Synchronizing),
        connection("con_10", "cus_4", "upkeep", InProgress),
        connection("con_11", "cus_4", "odoo", Active),
        connection("con_12", "cus_9", "upkeep", Active),
    ];
    list[1].reauthorization_required = true; // needs reauthorization
    list[3].online = false; // offline
    list[4].online = false;
    list[4].reauthorization_required = true; // reauthorization wins over offline
    list[6].deployment = Some(Deployment::OnPremises);
    list[6].credits = 8;
    for (n, c) in list.iter_mut().enumerate() {
        let n = i64::try_from(n).unwrap();
        c.created_at += Duration::days(n);
        // Every third never synced; the others on three distinct days.
        c.last_sync_at = (n % 3 != 0).then(|| at("2026-11-01T00:00:00Z") + Duration::days(n % 3));
        c.next_sync_at = c.last_sync_at.map(|t| t + Duration::hours(1));
    }
    list
}

async fn seeded() -> crate::TestMirror {
    let m = mirror().await;
    m.mirror
        .replace_customers(PROFILE, &customers())
        .await
        .unwrap();
    m.mirror
        .replace_connections(PROFILE, &connections(), &[])
        .await
        .unwrap();
    m
}

/// Everything, in creation order (which is id order here).
fn query() -> OverviewQuery {
    OverviewQuery {
        profile: PROFILE.into(),
        sort: OverviewSort::Created,
        limit: 500,
        ..Default::default()
    }
}

async fn ids(mirror: &Mirror, query: &OverviewQuery) -> Vec<String> {
    let page = mirror.overview_page(query).await.unwrap();
    page.rows
        .into_iter()
        .map(|row| row.connection.connection.id)
        .collect()
}

fn searched(text: &str) -> OverviewQuery {
    OverviewQuery {
        search: Some(text.into()),
        ..query()
    }
}

#[tokio::test]
async fn filters_combine() {
    let m = seeded().await;
    let manager = OverviewQuery {
        account_manager: Some("Priya Raman".into()),
        ..query()
    };
    assert_eq!(
        ids(&m.mirror, &manager).await,
        ["con_01", "con_02", "con_03", "con_07", "con_08", "con_09"]
    );
    let narrowed = OverviewQuery {
        statuses: vec![ConnectionStatus::Active, ConnectionStatus::Inactive],
        ..manager.clone()
    };
    assert_eq!(
        ids(&m.mirror, &narrowed).await,
        ["con_01", "con_02", "con_03", "con_07"]
    );
    let on_premises = OverviewQuery {
        deployment: Some(Deployment::OnPremises),
        ..narrowed.clone()
    };
    assert_eq!(ids(&m.mirror, &on_premises).await, ["con_07"]);
    let tier_one_upkeep = OverviewQuery {
        system_id: Some("upkeep".into()),
        tier: Some(1),
        ..query()
    };
    assert_eq!(
        ids(&m.mirror, &tier_one_upkeep).await,
        ["con_01", "con_04", "con_08", "con_10", "con_12"]
    );
    let of_customer = OverviewQuery {
        customer_id: Some("cus_2".into()),
        health: Some(Health::Attention),
        ..query()
    };
    assert_eq!(ids(&m.mirror, &of_customer).await, ["con_04", "con_05"]);
    let searched_too = OverviewQuery {
        search: Some("sap".into()),
        ..of_customer
    };
    assert_eq!(ids(&m.mirror, &searched_too).await, ["con_05"]);
    let page = m.mirror.overview_page(&narrowed).await.unwrap();
    assert_eq!(page.total, 4);
    let other_profile = OverviewQuery {
        profile: "elsewhere".into(),
        ..query()
    };
    assert!(ids(&m.mirror, &other_profile).await.is_empty());
}

#[tokio::test]
async fn search_by_customer_name_prefix_finds_its_connections() {
    let m = seeded().await;
    assert_eq!(
        ids(&m.mirror, &searched("nordh")).await,
        ["con_04", "con_05", "con_06"]
    );
    assert_eq!(
        ids(&m.mirror, &searched("No")).await,
        ["con_04", "con_05", "con_06"],
        "two letters are a prefix too"
    );
    assert_eq!(
        ids(&m.mirror, &searched("n")).await,
        ["con_03", "con_04", "con_05", "con_06", "con_09"],
        "and one: netsuite and Nordhavn"
    );
    assert_eq!(
        ids(&m.mirror, &searched("nord sap")).await,
        ["con_05"],
        "every word must match, in any of the fields"
    );
    assert_eq!(
        ids(&m.mirror, &searched("becker")).await,
        ["con_04", "con_05", "con_06"],
        "the account manager"
    );
    assert_eq!(ids(&m.mirror, &searched("con_07")).await, ["con_07"]);
    assert_eq!(
        ids(&m.mirror, &searched("cus_4")).await,
        ["con_10", "con_11"]
    );
    assert_eq!(
        ids(&m.mirror, &searched("s4han")).await,
        ["con_02", "con_05"],
        "the system id"
    );
}

#[tokio::test]
async fn diacritics_and_case_are_folded_both_ways() {
    let m = seeded().await;
    for text in ["Ålesund", "alesund", "ALE", "åle"] {
        assert_eq!(
            ids(&m.mirror, &searched(text)).await,
            ["con_01", "con_02", "con_03"],
            "{text}"
        );
    }
    let customers = m
        .mirror
        .customers_page(&CustomerQuery {
            profile: PROFILE.into(),
            search: Some("Åle".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(customers.rows.len(), 1);
    assert_eq!(customers.rows[0].customer.name, "Ålesund Fisk AS");
}

#[tokio::test]
async fn blank_search_finds_everything_and_unsearchable_text_finds_nothing() {
    let m = seeded().await;
    assert_eq!(ids(&m.mirror, &searched("   ")).await.len(), 12);
    for text in [
        "-",
        "\"",
        "*",
        "()",
        "NEAR(",
        "'; DROP TABLE connections; --",
    ] {
        let page = m.mirror.overview_page(&searched(text)).await.unwrap();
        assert_eq!((page.total, page.rows.len()), (0, 0), "{text:?}");
    }
    let counts = m.mirror.overview_counts(&searched("*")).await.unwrap();
    assert_eq!(counts.total, 0);
    assert_eq!(
        ids(&m.mirror, &query()).await.len(),
        12,
        "the table survived"
    );
}

#[tokio::test]
async fn sort_orders_break_ties_by_id_and_descending_is_the_exact_reverse() {
    let m = seeded().await;
    let sorted = |sort| OverviewQuery { sort, ..query() };
    assert_eq!(
        ids(&m.mirror, &sorted(OverviewSort::Customer)).await,
        [
            "con_12", // its customer is not mirrored: no name sorts first
            "con_10", "con_11", // Aurora
            "con_07", "con_08", "con_09", // Calder
            "con_04", "con_05", "con_06", // Nordhavn
            "con_01", "con_02", "con_03", // Ålesund sorts after the ASCII letters
        ]
    );
    assert_eq!(
        ids(&m.mirror, &sorted(OverviewSort::Status)).await,
        [
            "con_06", // pending
            "con_09", // synchronizing
            "con_10", // in progress
            "con_01", "con_02", "con_04", "con_07", "con_11", "con_12", // active
            "con_03", // inactive
            "con_05", // overage
            "con_08", // disconnected
        ]
    );
    assert_eq!(
        ids(&m.mirror, &sorted(OverviewSort::Health)).await,
        [
            "con_01", "con_07", "con_09", "con_10", "con_11", "con_12", // healthy
            "con_02", "con_05", // needs reauthorization
            "con_04", // offline
            "con_03", // inactive
            "con_06", // pending
            "con_08", // disconnected
        ]
    );
    assert_eq!(
        ids(&m.mirror, &sorted(OverviewSort::Credits)).await,
        [
            "con_01", "con_04", "con_08", "con_10", "con_12", // 1
            "con_03", "con_06", "con_09", "con_11", // 2
            "con_02", "con_05", // 4
            "con_07", // 8
        ]
    );
    assert_eq!(
        ids(&m.mirror, &sorted(OverviewSort::LastSync)).await,
        [
            "con_01", "con_04", "con_07", "con_10", // never synced first
            "con_02", "con_05", "con_08", "con_11", "con_03", "con_06", "con_09", "con_12",
        ]
    );
    for sort in [
        OverviewSort::Name,
        OverviewSort::Customer,
        OverviewSort::System,
        OverviewSort::Status,
        OverviewSort::Health,
        OverviewSort::LastSync,
        OverviewSort::NextSync,
        OverviewSort::Credits,
        OverviewSort::Created,
        OverviewSort::Tier,
    ] {
        let mut ascending = ids(&m.mirror, &sorted(sort)).await;
        let descending = ids(
            &m.mirror,
            &OverviewQuery {
                descending: true,
                ..sorted(sort)
            },
        )
        .await;
        ascending.reverse();
        assert_eq!(ascending, descending, "{sort:?}");
    }
    let created = ids(&m.mirror, &sorted(OverviewSort::Created)).await;
    let mut by_id = created.clone();
    by_id.sort();
    assert_eq!(created, by_id, "created one day apart, in id order");
}

#[tokio::test]
async fn paging_never_repeats_or_skips() {
    let m = seeded().await;
    for sort in [
        OverviewSort::Health,
        OverviewSort::Customer,
        OverviewSort::LastSync,
    ] {
        let all = ids(&m.mirror, &OverviewQuery { sort, ..query() }).await;
        for limit in [1, 2, 5, 7, 12] {
            let mut walked = Vec::new();
            let mut offset = 0;
            loop {
                let page = m
                    .mirror
                    .overview_page(&OverviewQuery {
                        sort,
                        limit,
                        offset,
                        ..query()
                    })
                    .await
                    .unwrap();
                assert_eq!(page.total, 12);
                assert_eq!(page.offset, offset);
                assert!(page.rows.len() <= limit as usize);
                if page.rows.is_empty() {
                    break;
                }
                offset += u32::try_from(page.rows.len()).unwrap();
                walked.extend(page.rows.into_iter().map(|r| r.connection.connection.id));
            }
            assert_eq!(walked, all, "{sort:?} by {limit}");
        }
    }
    let clamped = m
        .mirror
        .overview_page(&OverviewQuery {
            limit: 0,
            ..query()
        })
        .await
        .unwrap();
    assert_eq!(clamped.rows.len(), 1, "a limit of 0 is clamped to 1");
}

#[tokio::test]
async fn health_is_derived_from_status_then_reauthorization_then_online() {
    let m = mirror().await;
    let mut list = Vec::new();
    for status in ConnectionStatus::ALL {
        for reauthorization_required in [false, true] {
            for online in [true, false] {
                let id = format!(
                    "con_{}_{}_{}",
                    status.as_str(),
                    u8::from(reauthorization_required),
                    u8::from(online)
                );
                let mut c = connection(&id, "cus_1", "upkeep", status);
                c.reauthorization_required = reauthorization_required;
                c.online = online;
                list.push(c);
            }
        }
    }
    m.mirror
        .replace_connections(PROFILE, &list, &[])
        .await
        .unwrap();
    let page = m.mirror.overview_page(&query()).await.unwrap();
    assert_eq!(page.rows.len(), 28);
    for row in page.rows {
        let c = &row.connection.connection;
        let expected = match c.status {
            ConnectionStatus::Disconnected => Health::Disconnected,
            ConnectionStatus::Pending => Health::Pending,
            ConnectionStatus::Inactive => Health::Inactive,
            _ if c.reauthorization_required => Health::NeedsReauthorization,
            _ if !c.online => Health::Offline,
            _ => Health::Healthy,
        };
        assert_eq!(row.health, expected, "{}", c.id);
        assert_eq!(row.customer_name, None, "no customer mirrored");
    }
    let counts = m.mirror.overview_counts(&query()).await.unwrap();
    assert_eq!(
        (
            counts.by_health.healthy,
            counts.by_health.needs_reauthorization,
            counts.by_health.offline,
            counts.by_health.attention,
            counts.by_health.inactive,
        ),
        (4, 8, 4, 12, 4),
        "four live statuses: 1 healthy, 2 needing reauthorization, 1 offline each"
    );
}

#[tokio::test]
async fn counts_ignore_the_status_and_health_filters() {
    let m = seeded().await;
    let filtered = OverviewQuery {
        statuses: vec![ConnectionStatus::Disconnected],
        health: Some(Health::Healthy),
        ..query()
    };
    let counts = m.mirror.overview_counts(&filtered).await.unwrap();
    assert_eq!(counts, m.mirror.overview_counts(&query()).await.unwrap());
    assert_eq!(counts.total, 12);
    assert_eq!(
        counts.customers, 5,
        "four mirrored customers and one not yet"
    );
    for status in ConnectionStatus::ALL {
        let listed = m
            .mirror
            .overview_page(&OverviewQuery {
                statuses: vec![status],
                ..query()
            })
            .await
            .unwrap()
            .total;
        assert_eq!(counts.by_status.get(status), listed, "{status:?}");
    }
    for health in Health::OF_ROWS.into_iter().chain([Health::Attention]) {
        let listed = m
            .mirror
            .overview_page(&OverviewQuery {
                health: Some(health),
                ..query()
            })
            .await
            .unwrap()
            .total;
        assert_eq!(counts.by_health.get(health), listed, "{health:?}");
    }
    assert_eq!(counts.by_status.active, 6);
    assert_eq!(counts.by_health.attention, 3);
    let of_priya = m
        .mirror
        .overview_counts(&OverviewQuery {
            account_manager: Some("Priya Raman".into()),
            statuses: vec![ConnectionStatus::Active],
            ..query()
        })
        .await
        .unwrap();
    assert_eq!((of_priya.total, of_priya.customers), (6, 2));
    assert_eq!(of_priya.by_status.disconnected, 1);
}

#[tokio::test]
async fn a_connection_patched_by_an_event_moves_between_health_counts() {
    let m = seeded().await;
    let before = m.mirror.overview_counts(&query()).await.unwrap();
    let patched = m
        .mirror
        .patch_connection(
            PROFILE,
            "con_01",
            &ConnectionPatch {
                reauthorization_required: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(patched);
    let after = m.mirror.overview_counts(&query()).await.unwrap();
    assert_eq!(after.by_health.healthy, before.by_health.healthy - 1);
    assert_eq!(
        after.by_health.needs_reauthorization,
        before.by_health.needs_reauthorization + 1
    );
    assert_eq!(after.by_health.attention, before.by_health.attention + 1);
    let attention = OverviewQuery {
        health: Some(Health::Attention),
        ..query()
    };
    assert!(ids(&m.mirror, &attention)
        .await
        .contains(&"con_01".to_owned()));
    m.mirror
        .patch_connection(
            PROFILE,
            "con_01",
            &ConnectionPatch {
                status: Some(ConnectionStatus::Disconnected),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let disconnected = m.mirror.overview_counts(&query()).await.unwrap();
    assert_eq!(
        disconnected.by_health.disconnected,
        before.by_health.disconnected + 1
    );
    assert_eq!(disconnected.by_health.attention, before.by_health.attention);
    assert_eq!(disconnected.by_status.active, before.by_status.active - 1);
}

#[tokio::test]
async fn a_renamed_customer_is_searched_and_sorted_by_its_new_name() {
    let m = seeded().await;
    let mut renamed = customers();
    renamed[1].name = "Aaberg Shipping".into();
    renamed[1].account_manager = Some("Lena Okafor".into());
    m.mirror.replace_customers(PROFILE, &renamed).await.unwrap();
    assert!(ids(&m.mirror, &searched("nordhavn")).await.is_empty());
    assert_eq!(
        ids(&m.mirror, &searched("aaberg okafor")).await,
        ["con_04", "con_05", "con_06"]
    );
    let by_customer = ids(
        &m.mirror,
        &OverviewQuery {
            sort: OverviewSort::Customer,
            ..query()
        },
    )
    .await;
    assert_eq!(by_customer[1..4], ["con_04", "con_05", "con_06"]);
    let page = m.mirror.overview_page(&searched("aaberg")).await.unwrap();
    assert_eq!(
        page.rows[0].customer_name.as_deref(),
        Some("Aaberg Shipping")
    );
    assert_eq!(page.rows[0].account_manager.as_deref(), Some("Lena Okafor"));
    // A customer no longer listed leaves its connections without a name, and unsearchable by it.
    m.mirror
        .replace_customers(PROFILE, &renamed[..1])
        .await
        .unwrap();
    assert!(ids(&m.mirror, &searched("aaberg")).await.is_empty());
    assert_eq!(
        ids(&m.mirror, &searched("cus_2")).await,
        ["con_04", "con_05", "con_06"],
        "its id is still the connection's"
    );
    // Customers mirrored after their connections are found through them.
    m.mirror
        .replace_customers(PROFILE, &customers())
        .await
        .unwrap();
    assert_eq!(ids(&m.mirror, &searched("nordhavn")).await.len(), 3);
}

#[tokio::test]
async fn replaced_and_upserted_connections_leave_no_stale_search_entries() {
    let m = seeded().await;
    let mut list = connections();
    list.retain(|c| c.id != "con_07");
    list[0].name = "Harbour cranes".into();
    m.mirror
        .replace_connections(PROFILE, &list, &[])
        .await
        .unwrap();
    assert!(
        ids(&m.mirror, &searched("oracle")).await.is_empty(),
        "removed"
    );
    assert!(ids(&m.mirror, &searched("con_07")).await.is_empty());
    assert_eq!(ids(&m.mirror, &searched("harbour")).await, ["con_01"]);
    assert!(
        !ids(&m.mirror, &searched("upkeep of"))
            .await
            .contains(&"con_01".to_owned()),
        "the old name is gone from the index"
    );
    let mut moved = list[0].clone();
    moved.customer_id = "cus_3".into();
    m.mirror
        .upsert_connections(PROFILE, &[moved], &[])
        .await
        .unwrap();
    assert!(ids(&m.mirror, &searched("calder harbour")).await == ["con_01"]);
    assert!(ids(&m.mirror, &searched("alesund harbour"))
        .await
        .is_empty());
    // The same list again changes nothing (and still finds everything once).
    let before = ids(&m.mirror, &query()).await;
    m.mirror
        .replace_connections(PROFILE, &list, &[])
        .await
        .unwrap();
    m.mirror
        .replace_connections(PROFILE, &list, &[])
        .await
        .unwrap();
    assert_eq!(ids(&m.mirror, &query()).await, before);
    assert_eq!(ids(&m.mirror, &searched("con")).await.len(), 11);
}

#[tokio::test]
async fn the_customers_page_counts_connections_attention_and_credits() {
    let m = seeded().await;
    let page = |sort, descending| CustomerQuery {
        profile: PROFILE.into(),
        sort,
        descending,
        ..Default::default()
    };
    let by_name = m
        .mirror
        .customers_page(&page(CustomerSort::Name, false))
        .await
        .unwrap();
    assert_eq!(by_name.total, 4);
    let numbers: Vec<(&str, u64, u64, i64)> = by_name
        .rows
        .iter()
        .map(|r| {
            (
                r.customer.id.as_str(),
                r.connections,
                r.attention,
                r.credits_in_use,
            )
        })
        .collect();
    assert_eq!(
        numbers,
        [
            ("cus_4", 2, 0, 3),  // in progress 1 + active 2
            ("cus_3", 3, 0, 10), // active 8 on premises + synchronizing 2
            ("cus_2", 3, 2, 1),  // overage is not from the pool
            ("cus_1", 3, 1, 5),
        ]
    );
    let by_attention = m
        .mirror
        .customers_page(&page(CustomerSort::Attention, true))
        .await
        .unwrap();
    let order: Vec<&str> = by_attention
        .rows
        .iter()
        .map(|r| r.customer.id.as_str())
        .collect();
    assert_eq!(
        order,
        ["cus_2", "cus_1", "cus_3", "cus_4"],
        "ties by name, descending"
    );
    let by_connections = m
        .mirror
        .customers_page(&page(CustomerSort::Connections, false))
        .await
        .unwrap();
    assert_eq!(by_connections.rows[0].customer.id, "cus_4");
    let searched = m
        .mirror
        .customers_page(&CustomerQuery {
            search: Some("priya".into()),
            limit: 1,
            offset: 1,
            ..page(CustomerSort::Name, false)
        })
        .await
        .unwrap();
    assert_eq!((searched.total, searched.rows.len()), (2, 1));
    assert_eq!(searched.rows[0].customer.id, "cus_1");
    let managed = m
        .mirror
        .customers_page(&CustomerQuery {
            account_manager: Some("Tom Becker".into()),
            ..page(CustomerSort::Connections, true)
        })
        .await
        .unwrap();
    assert_eq!(managed.total, 1);
    assert_eq!(managed.rows[0].customer.name, "Nordhavn Marine");
    let nothing = m
        .mirror
        .customers_page(&CustomerQuery {
            search: Some("--".into()),
            ..page(CustomerSort::Name, false)
        })
        .await
        .unwrap();
    assert_eq!(nothing.total, 0);
}

#[tokio::test]
async fn the_types_cross_to_the_ui_in_snake_case() {
    let m = seeded().await;
    let page = m.mirror.overview_page(&searched("con_05")).await.unwrap();
    let json = serde_json::to_value(&page).unwrap();
    assert_eq!(json["rows"][0]["health"], "needs_reauthorization");
    assert_eq!(json["rows"][0]["connection"]["status"], "overage");
    let counts = serde_json::to_value(m.mirror.overview_counts(&query()).await.unwrap()).unwrap();
    assert_eq!(counts["by_status"]["in_progress"], 1);
    assert_eq!(counts["by_health"]["needs_reauthorization"], 2);
    let query: OverviewQuery = serde_json::from_value(serde_json::json!({
        "profile": PROFILE, "health": "attention", "sort": "last_sync", "descending": true,
        "deployment": "on_premises"
    }))
    .unwrap();
    assert_eq!(query.health, Some(Health::Attention));
    assert_eq!(query.sort, OverviewSort::LastSync);
    assert_eq!(serde_json::to_value(&page).unwrap(), json, "stable");
    let round: desk_store::OverviewPage = serde_json::from_value(json).unwrap();
    assert_eq!(round, page);
}

#[tokio::test]
async fn a_mirror_of_the_first_format_is_migrated_with_its_directory_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mirror.db");
    // The first format, as an older build left it: only its own migration applied.
    let first = dir.path().join("first");
    std::fs::create_dir(&first).unwrap();
    let name = "20261124000001_mirror.sql";
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(name),
        first.join(name),
    )
    .unwrap();
    let pool = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true),
    )
    .await
    .unwrap();
    sqlx::migrate::Migrator::new(first.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO customers VALUES ('local', 'cus_1', 'Ålesund Fisk AS', NULL, 'Priya Raman', '{}',
            '2026-09-01T00:00:00.000000Z')",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO connections VALUES ('local', 'con_1', 'cus_1', 'upkeep', 1, 'cloud', 'Fleet',
            NULL, 1, 'active', 0, 0, NULL, NULL, NULL, NULL, NULL, '2026-10-01T00:00:00.000000Z', '{}')",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let m = Mirror::open(&path).await.unwrap();
    let page = m.overview_page(&searched("alesund")).await.unwrap();
    assert_eq!(page.total, 1);
    let row = &page.rows[0];
    assert_eq!(row.health, Health::Offline);
    assert_eq!(row.customer_name.as_deref(), Some("Ålesund Fisk AS"));
    assert_eq!(row.account_manager.as_deref(), Some("Priya Raman"));
    assert_eq!(row.connection.tier, Some(1));
    let customers = m
        .customers_page(&CustomerQuery {
            profile: PROFILE.into(),
            search: Some("priya".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(customers.rows[0].connections, 1);
}

#[tokio::test]
async fn statistics_are_taken_after_a_sync_so_one_customer_is_read_through_its_index() {
    let m = mirror().await;
    let list: Vec<Connection> = (0..3_000)
        .map(|n| {
            let status = ConnectionStatus::ALL[n % ConnectionStatus::ALL.len()];
            connection(
                &format!("con_{n:05}"),
                &format!("cus_{:03}", n % 300),
                "upkeep",
                status,
            )
        })
        .collect();
    m.mirror
        .replace_connections(PROFILE, &list, &[])
        .await
        .unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", m.path.display()))
        .await
        .unwrap();
    // The statement `overview_page` issues for one customer's first page.
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "EXPLAIN QUERY PLAN SELECT c.* FROM connections c WHERE c.profile = ? AND c.customer_id = ?
         ORDER BY c.name ASC, c.id ASC LIMIT ? OFFSET ?",
    )
    .bind(PROFILE)
    .bind("cus_007")
    .bind(100)
    .bind(0)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        plan.iter()
            .any(|row| row.3.contains("connections_by_customer")),
        "{plan:?}"
    );
    pool.close().await;
    let page = m
        .mirror
        .overview_page(&OverviewQuery {
            customer_id: Some("cus_007".into()),
            ..query()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 10);
}

#[tokio::test]
async fn a_customer_created_in_the_app_is_searchable_at_once_and_named_on_its_connections() {
    let m = seeded().await;
    let acme = customer("cus_new", "Acme Works", Some("Ola Nordmann"));
    m.mirror.upsert_customer(PROFILE, &acme).await.unwrap();
    let page = m
        .mirror
        .customers_page(&desk_store::CustomerQuery {
            profile: PROFILE.into(),
            search: Some("acme".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].customer.id, "cus_new");

    // Renamed from the app: searched by the new name, and its connections carry it.
    let owned = connection("con_new", "cus_new", "upkeep", ConnectionStatus::Active);
    m.mirror
        .upsert_connections(PROFILE, &[owned], &[])
        .await
        .unwrap();
    let renamed = customer("cus_new", "Zenith Works", Some("Ola Nordmann"));
    m.mirror.upsert_customer(PROFILE, &renamed).await.unwrap();
    assert_eq!(ids(&m.mirror, &searched("zenith")).await, ["con_new"]);
    assert!(ids(&m.mirror, &searched("acme")).await.is_empty());
    let page = m.mirror.overview_page(&searched("zenith")).await.unwrap();
    assert_eq!(page.rows[0].customer_name.as_deref(), Some("Zenith Works"));
}

#[tokio::test]
async fn connection_names_name_the_ids_the_mirror_holds_preferring_the_shown_profile() {
    let m = seeded().await;
    // A second profile on the same platform mirrors con_01 under an older name.
    let mut renamed = connections();
    renamed.truncate(1);
    renamed[0].name = "an older name".into();
    m.mirror
        .replace_connections("other", &renamed, &[])
        .await
        .unwrap();
    let ids: Vec<String> = ["con_07", "con_01", "conn_unknown"]
        .map(str::to_owned)
        .into();
    let names = m
        .mirror
        .connection_names(&ids, Some(PROFILE))
        .await
        .unwrap();
    let listed: Vec<_> = names
        .iter()
        .map(|n| (n.id.as_str(), n.name.as_str(), n.customer_name.as_deref()))
        .collect();
    assert_eq!(
        listed,
        [
            ("con_01", "upkeep of cus_1", Some("Ålesund Fisk AS")),
            ("con_07", "oracle-ebs of cus_3", Some("Calder Steelworks")),
        ]
    );
    let other = m
        .mirror
        .connection_names(&ids, Some("other"))
        .await
        .unwrap();
    assert_eq!(other[0].name, "an older name");
    assert!(m
        .mirror
        .connection_names(&[], None)
        .await
        .unwrap()
        .is_empty());
}
