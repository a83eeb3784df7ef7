//! A Makini profile against the local engine's Makini surface, end to end over loopback HTTP:
//! the adapter fills the mirror with the same records our own API gives, with the token the
//! user supplied, and the integrator's token keeps working.

use crate::sync::{desk, manual_engine, mirrored, CLIENT_ID, CLIENT_SECRET};
use chrono::{DateTime, SecondsFormat, Utc};
use desk_core::profiles::{self, AddProfile, ProfileTarget};
use desk_core::sync::{set_connection_token, sync, SyncRequest};
use desk_vault::SecretString;
use serde_json::Value;
use std::collections::BTreeMap;

fn micros(value: &Value) -> String {
    let at: DateTime<Utc> = value.as_str().unwrap().parse().unwrap();
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The live records of a listing by (entity, id), with their update time to the microsecond
/// (the adapter keeps times to the microsecond).
fn live(records: &BTreeMap<(String, String), Value>) -> BTreeMap<(String, String), String> {
    records
        .iter()
        .filter(|(_, r)| r["deleted_at"].is_null())
        .map(|(key, r)| (key.clone(), micros(&r["updated_at"])))
        .collect()
}

#[tokio::test]
async fn a_makini_profile_on_the_engines_makini_surface_mirrors_what_our_api_serves() {
    let engine = manual_engine().await;
    let (id, integrators_token) = engine.connection("Line 1", 900).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    profiles::add_profile(
        &desk,
        AddProfile {
            name: "m".to_owned(),
            target: ProfileTarget::Makini {
                url: Some(engine.url.clone()),
                region: None,
                client_id: CLIENT_ID.to_owned(),
                client_secret: SecretString::new(CLIENT_SECRET.to_owned()),
            },
        },
    )
    .await
    .unwrap();
    let on_m = || SyncRequest {
        profile: Some("m".to_owned()),
        ..SyncRequest::default()
    };

    // The connection is listed through /api/system/connections; without a token nothing is
    // issued (Makini's route would replace the integrator's).
    let first = sync(&desk, on_m()).await.unwrap();
    assert_eq!(first.connections, 1, "{first:?}");
    assert_eq!(first.skipped.len(), 1, "{first:?}");
    let listed = desk.mirror().connection(&id).await.unwrap();
    assert_eq!(listed.connection.system_id.as_deref(), Some("upkeep"));

    set_connection_token(
        &desk,
        Some("m"),
        &id,
        SecretString::new(integrators_token.clone()),
    )
    .await
    .unwrap();
    let full = sync(&desk, on_m()).await.unwrap();
    assert_eq!(full.failures(), 0, "{full:#?}");
    assert!(full.skipped.is_empty(), "{full:?}");
    let native = engine.records(&id, &integrators_token).await;
    let through_makini = mirrored(&desk, &id).await;
    assert!(live(&native).len() > 1_000, "{} records", native.len());
    assert_eq!(
        live(&through_makini),
        live(&native),
        "the same records, changed at the same times"
    );
    let work_order = through_makini
        .iter()
        .find(|((entity, _), _)| entity == "work-orders")
        .map(|(_, r)| r)
        .unwrap();
    assert!(
        work_order["key"].is_string() && work_order["assetKey"].is_string(),
        "{work_order}"
    );

    // A day later: the incremental pull (filter[updatedAt:gt]) brings the mirror level again.
    engine.clock.advance(chrono::Duration::days(1));
    engine.engine.tick().await.unwrap();
    let again = sync(&desk, on_m()).await.unwrap();
    assert_eq!(again.failures(), 0, "{again:#?}");
    assert!(
        again.entities.iter().all(|e| e.modified_after.is_some()),
        "{again:#?}"
    );
    assert_eq!(
        live(&mirrored(&desk, &id).await),
        live(&engine.records(&id, &integrators_token).await)
    );
}
