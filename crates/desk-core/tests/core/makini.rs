//! A Makini profile end to end: `desk_core` against the fake Makini over loopback HTTP.

use crate::sync::desk;
use desk_core::profiles::{self, AddProfile, ProfileTarget};
use desk_core::sync::{set_connection_token, sync, SyncRequest};
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

#[tokio::test]
async fn a_makini_profile_logs_in_first_and_mirrors_records_with_the_users_token_untouched() {
    let fake = FakeMakini::start(ID, SECRET).await.unwrap();
    let key = fake.with_state(|st| {
        // Fewer per page than the adapter asks (500): the walk follows the answer's `meta`.
        st.max_per_page = Some(100);
        let key = st.add_connection("Acme North", "it@acme.example", "maintainx", "ct_user");
        let c = st.connection_mut(&key).unwrap();
        c.records.insert("eam/work-orders".into(), orders(230, 3));
        c.records.insert(
            "eam/assets".into(),
            vec![
                json!({"key": "A1", "name": "Pump", "updatedAt": "2026-01-02T00:00:00Z",
                "deletedAt": "2026-01-02T00:00:00Z"}),
            ],
        );
        key
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

    set_connection_token(
        &desk,
        Some("m"),
        &key,
        SecretString::new("ct_user".to_owned()),
    )
    .await
    .unwrap();
    let full = sync(&desk, on("m")).await.unwrap();
    assert!(full.skipped.is_empty(), "{full:?}");
    let by_entity = |report: &desk_core::sync::SyncReport, entity: &str| {
        report
            .entities
            .iter()
            .find(|e| e.entity == entity)
            .cloned()
            .unwrap()
    };
    let work_orders = by_entity(&full, "work-orders");
    assert_eq!(work_orders.state, SyncRunState::Completed);
    assert_eq!(work_orders.inserted, 230);
    assert_eq!(
        work_orders.pages, 3,
        "100 per page, as the fake serves them"
    );
    assert_eq!(by_entity(&full, "assets").inserted, 1);
    assert_eq!(by_entity(&full, "inventory-items").inserted, 0);
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
    let work_orders = by_entity(&again, "work-orders");
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
