//! A Makini profile end to end: `desk_core` against the fake Makini over loopback HTTP.

use crate::sync::desk;
use desk_core::profiles::{self, AddProfile, ProfileTarget};
use desk_core::sync::{set_connection_token, sync, EntityReport, SyncRequest};
use desk_core::Desk;
use desk_makini::fake::FakeMakini;
use desk_store::SyncRunState;
use desk_vault::SecretString;
use serde_json::{json, Value};

const ID: &str = "mk_client";
const SECRET: &str = "mk_secret";

fn orders(n: usize, day: u32) -> Vec<Value> {
    (1..=n)
        .map(|i| {
            json!({"key": format!("WO-{i:04}"), "title": format!("Order {i}"), "siteKey": "S1",
                "createdAt": "2026-01-01 00:00:00",
                "updatedAt": format!("2026-01-{day:02} 00:00:00")})
        })
        .collect()
}

async fn add(desk: &Desk, fake: &FakeMakini, secret: &str) -> Result<(), desk_core::CoreError> {
    profiles::add_profile(
        desk,
        AddProfile {
            name: "m".to_owned(),
            target: ProfileTarget::Makini {
                url: Some(fake.url.clone()),
                region: None,
                client_id: ID.to_owned(),
                client_secret: SecretString::new(secret.to_owned()),
            },
        },
    )
    .await
    .map(drop)
}

fn on(profile: &str) -> SyncRequest {
    SyncRequest {
        profile: Some(profile.to_owned()),
        ..SyncRequest::default()
    }
}

/// A fake with one connection ("ct_user" its token) holding `n` work orders, 100 per page:
/// fewer than the adapter asks (500), so walks follow the answer's `meta`.
async fn fake_with_orders(n: usize) -> (FakeMakini, String) {
    let fake = FakeMakini::start(ID, SECRET).await.unwrap();
    let key = fake.with_state(|st| {
        st.max_per_page = Some(100);
        let key = st.add_connection("Acme North", "it@acme.example", "maintainx", "ct_user");
        let c = st.connection_mut(&key).unwrap();
        c.records.insert("eam/work-orders".into(), orders(n, 3));
        key
    });
    (fake, key)
}

/// Keeps the integrator's own token ("ct_user", as [`fake_with_orders`] issues it) for the
/// connection, as a user pastes it on the connection's page.
async fn keep_users_token(desk: &Desk, key: &str) {
    set_connection_token(
        desk,
        Some("m"),
        key,
        SecretString::new("ct_user".to_owned()),
    )
    .await
    .unwrap();
}

fn entity_report(report: &desk_core::sync::SyncReport, entity: &str) -> EntityReport {
    report
        .entities
        .iter()
        .find(|e| e.entity == entity)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn a_makini_profile_logs_in_first_and_mirrors_records_with_the_users_token_untouched() {
    let (fake, key) = fake_with_orders(230).await;
    fake.with_state(|st| {
        let c = st.connection_mut(&key).unwrap();
        c.records.insert(
            "eam/assets".into(),
            vec![
                json!({"key": "A1", "name": "Pump", "updatedAt": "2026-01-02T00:00:00Z",
                "deletedAt": "2026-01-02T00:00:00Z"}),
            ],
        );
    });
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;

    let refused = add(&desk, &fake, "wrong").await.unwrap_err();
    assert_eq!(refused.code().as_str(), "AUTHENTICATION_FAILED");
    assert!(profiles::profiles(&desk).await.unwrap().is_empty());
    add(&desk, &fake, SECRET).await.unwrap();

    // No token in the vault: the connection is listed, and no token is issued behind the
    // integrator's back (Makini's token route may replace theirs).
    let first = sync(&desk, on("m")).await.unwrap();
    assert_eq!(first.connections, 1);
    assert_eq!(first.customers, 1);
    assert_eq!(first.skipped.len(), 1, "{first:?}");
    assert!(fake.with_state(|st| !st
        .requests
        .iter()
        .any(|r| r.contains("/api/system/connections/") && r.ends_with("/token"))));

    keep_users_token(&desk, &key).await;
    let full = sync(&desk, on("m")).await.unwrap();
    assert!(full.skipped.is_empty(), "{full:?}");
    let work_orders = entity_report(&full, "work-orders");
    assert_eq!(work_orders.state, SyncRunState::Completed);
    assert_eq!(work_orders.inserted, 230);
    assert_eq!(
        work_orders.pages, 3,
        "100 per page, as the fake serves them"
    );
    assert_eq!(entity_report(&full, "assets").inserted, 1);
    assert_eq!(entity_report(&full, "inventory-items").inserted, 0);
    // The user's token still works: nothing replaced it.
    assert_eq!(
        fake.with_state(|st| st.connection_mut(&key).unwrap().tokens.clone()),
        vec!["ct_user".to_owned()]
    );

    // Records mirrored with Makini's fields and ours.
    let page = desk
        .mirror()
        .records(&desk_store::RecordQuery {
            entity: Some("work-orders".to_owned()),
            connection_id: Some(key.clone()),
            limit: 5,
            ..desk_store::RecordQuery::default()
        })
        .await
        .unwrap();
    let record = &page.records[0];
    assert_eq!(record["siteKey"], "S1");
    assert!(record["id"].as_str().unwrap().starts_with("WO-"));

    // Incremental: only what changed since the last pull is asked for.
    fake.with_state(|st| {
        let c = st.connection_mut(&key).unwrap();
        let list = c.records.get_mut("eam/work-orders").unwrap();
        list[0]["title"] = json!("Changed");
        list[0]["updatedAt"] = json!("2026-02-01 00:00:00");
        list.push(json!({"key": "WO-9999", "title": "New", "updatedAt": "2026-02-01 00:00:00"}));
        st.requests.clear();
    });
    let again = sync(&desk, on("m")).await.unwrap();
    let work_orders = entity_report(&again, "work-orders");
    assert!(work_orders.modified_after.is_some());
    assert_eq!(
        (work_orders.inserted, work_orders.updated),
        (1, 1),
        "{work_orders:?}"
    );
    assert!(fake
        .with_state(|st| st.requests.iter().any(
            |r| r.contains("/api/eam/work-orders") && r.contains("filter%5BupdatedAt%3Agt%5D")
        )));

    // `fail` is Makini's reauthorization signal: the connection is flagged and skipped.
    fake.with_state(|st| st.connection_mut(&key).unwrap().sync_status = "fail".to_owned());
    let failed = sync(&desk, on("m")).await.unwrap();
    assert!(
        failed.skipped[0].reason.contains("reauthorization"),
        "{failed:?}"
    );
    let mirrored = desk.mirror().connection(&key).await.unwrap();
    assert!(mirrored.connection.reauthorization_required);
}

#[tokio::test]
async fn a_makini_walk_asks_pages_ahead_stores_every_page_before_a_failed_one_and_resumes_there() {
    let (fake, key) = fake_with_orders(650).await;
    // Not retried (a 4xx other than 429): the walk ends at page 3.
    fake.with_state(|st| st.failing_page = Some((3, 400)));
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    add(&desk, &fake, SECRET).await.unwrap();
    sync(
        &desk,
        SyncRequest {
            directory_only: true,
            ..on("m")
        },
    )
    .await
    .unwrap();
    keep_users_token(&desk, &key).await;
    let work_orders = |report: &desk_core::sync::SyncReport| entity_report(report, "work-orders");
    let asked = |fake: &FakeMakini| -> Vec<u64> {
        fake.with_state(|st| {
            st.requests
                .iter()
                .filter(|r| r.contains("/api/eam/work-orders?"))
                .filter_map(|r| {
                    r.split(['?', '&'])
                        .find_map(|pair| pair.strip_prefix("page="))
                        .and_then(|n| n.parse().ok())
                })
                .collect()
        })
    };
    let query = desk_store::RecordQuery {
        entity: Some("work-orders".to_owned()),
        connection_id: Some(key.clone()),
        ..desk_store::RecordQuery::default()
    };
    let mirror = desk.mirror();

    let failed = work_orders(&sync(&desk, on("m")).await.unwrap());
    assert_eq!(failed.state, SyncRunState::Failed, "{failed:?}");
    assert_eq!((failed.pages, failed.inserted), (2, 200), "{failed:?}");
    assert_eq!(mirror.count_records(&query).await.unwrap(), 200);
    // Page 1 said there are 7: pages 2, 3 and 4 were asked before any of them answered.
    let pages = asked(&fake);
    assert_eq!(pages[0], 1, "{pages:?}");
    assert!(pages.contains(&4), "pages in flight: {pages:?}");
    assert!(!pages.contains(&7), "no further than in flight: {pages:?}");

    fake.with_state(|st| {
        st.failing_page = None;
        st.requests.clear();
    });
    let resumed = work_orders(&sync(&desk, on("m")).await.unwrap());
    assert_eq!(resumed.state, SyncRunState::Completed, "{resumed:?}");
    assert!(resumed.resumed, "{resumed:?}");
    assert_eq!(resumed.inserted, 450, "{resumed:?}");
    assert_eq!(mirror.count_records(&query).await.unwrap(), 650);
    let pages = asked(&fake);
    // Resumed at the failed page, none past the last; then the walk that follows a resumed
    // one (the changes since it began) starts from page 1.
    let mut resumed_pages = pages[..pages.len().min(5)].to_vec();
    resumed_pages.sort_unstable();
    assert_eq!(resumed_pages, vec![3, 4, 5, 6, 7], "{pages:?}");
    assert!(pages[5..].iter().all(|&page| page == 1), "{pages:?}");
}
