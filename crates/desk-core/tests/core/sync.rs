//! `desk_core::sync` and the offline reads, against the real engine over loopback HTTP.

use chrono::{Duration, TimeZone, Utc};
use desk_client::{
    ClientConfig, FaultKind, ListOptions, PlatformClient, RecordQuery as Pull, SandboxFault,
    SandboxSettings, Secret,
};
use desk_core::events::DeskEvent;
use desk_core::offline::{self, ConnectionsQuery};
use desk_core::profiles::{self, AddProfile, ProfileTarget};
use desk_core::sync::{sync, SyncRequest};
use desk_core::{CoreError, Desk, DeskConfig, VaultAccess};
use desk_engine::{Engine, EngineConfig};
use desk_platform::catalog::Deployment;
use desk_platform::clock::ManualClock;
use desk_platform::connection::CreateConnection;
use desk_platform::customer::CreateCustomer;
use desk_store::{RecordQuery, SyncRunState};
use desk_vault::SecretString;
use futures::TryStreamExt;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

pub(crate) const CLIENT_ID: &str = "team-engine";
pub(crate) const CLIENT_SECRET: &str = "cs_team_engine_secret";

/// An engine served without its background jobs: the test moves its clock and runs `tick`.
pub(crate) struct ManualEngine {
    pub(crate) url: String,
    pub(crate) engine: Engine,
    pub(crate) clock: Arc<ManualClock>,
    _stop: tokio::sync::oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

pub(crate) async fn manual_engine() -> ManualEngine {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0).unwrap(),
    ));
    let config = EngineConfig {
        admin_client_id: CLIENT_ID.to_owned(),
        admin_client_secret: Some(CLIENT_SECRET.to_owned()),
        ..EngineConfig::default()
    };
    let (engine, _) = Engine::open_with_clock(&dir.path().join("engine.db"), config, clock.clone())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = engine.router();
    tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                drop(stopped.await);
            })
            .await
            .unwrap();
    });
    ManualEngine {
        url,
        engine,
        clock,
        _stop: stop,
        _dir: dir,
    }
}

impl ManualEngine {
    pub(crate) fn client(&self) -> PlatformClient {
        PlatformClient::new(
            &self.url,
            CLIENT_ID,
            Secret::new(CLIENT_SECRET),
            ClientConfig::default().with_clock(self.clock.clone()),
        )
        .unwrap()
    }

    /// A connection of `records` records per entity, synced on the platform: (id, token).
    pub(crate) async fn connection(&self, name: &str, records: i64) -> (String, String) {
        let (id, token) = self.unsynced_connection(name, records).await;
        self.engine.tick().await.unwrap();
        assert_eq!(
            self.client().sync_status(&id).await.unwrap().state,
            "completed"
        );
        (id, token)
    }

    /// A connection of `records` records per entity whose first platform sync has not run yet
    /// (it runs at the next tick): (id, token).
    pub(crate) async fn unsynced_connection(&self, name: &str, records: i64) -> (String, String) {
        let client = self.client();
        client.sandbox_purchase_credits(8).await.unwrap();
        let customer = client
            .create_customer(&CreateCustomer {
                name: format!("{name} Ltd"),
                email: None,
                account_manager: None,
                metadata: serde_json::Map::new(),
            })
            .await
            .unwrap();
        let created = client
            .create_connection(&CreateConnection {
                customer_id: customer.id,
                system_id: "upkeep".to_owned(),
                deployment: Deployment::Cloud,
                name: name.to_owned(),
                email: None,
                credentials: BTreeMap::from([
                    ("email".to_owned(), "ops@example.com".to_owned()),
                    ("password".to_owned(), "hunter2".to_owned()),
                ]),
                user_metadata: serde_json::Map::new(),
                sync: None,
                webhook: None,
            })
            .await
            .unwrap();
        let id = created.connection.id;
        client
            .sandbox_configure(
                &id,
                &SandboxSettings {
                    records_per_entity: Some(records),
                    // The engine's clock stands still here, so a per-minute window never
                    // reopens: the tests' own reads must never meet the limit.
                    rate_limit_per_minute: Some(1_000_000),
                },
            )
            .await
            .unwrap();
        (id, created.token)
    }

    /// Every record of every entity of a connection, as the platform serves it now.
    pub(crate) async fn records(&self, id: &str, token: &str) -> BTreeMap<(String, String), Value> {
        let client = self.client();
        let data = client.connection_client(id, Secret::new(token));
        let mut all = BTreeMap::new();
        for entity in client.sync_status(id).await.unwrap().entities {
            let records: Vec<Value> = data
                .records(
                    &entity.entity,
                    Pull {
                        modified_after: None,
                        list: ListOptions::page_size(500),
                    },
                )
                .try_collect()
                .await
                .unwrap();
            for record in records {
                let key = (
                    entity.entity.clone(),
                    record["id"].as_str().unwrap().to_owned(),
                );
                all.insert(key, record);
            }
        }
        all
    }
}

pub(crate) async fn desk(dir: &std::path::Path) -> Desk {
    Desk::open(DeskConfig {
        data_dir: dir.join("data"),
        vault: VaultAccess {
            key_file: Some(dir.join("vault.key")),
            passphrase: None,
        },
        integrity: desk_store::IntegrityCheck::Quick,
        local_seed: desk_engine::seed::Seed::Demo,
    })
    .await
    .unwrap()
}

/// What the mirror holds of a connection, keyed like [`ManualEngine::records`].
pub(crate) async fn mirrored(desk: &Desk, id: &str) -> BTreeMap<(String, String), Value> {
    let mut all = BTreeMap::new();
    let mut after = None;
    loop {
        let page = desk
            .mirror()
            .records(&RecordQuery {
                connection_id: Some(id.to_owned()),
                include_deleted: true,
                limit: desk_store::MAX_LIMIT,
                after,
                ..RecordQuery::default()
            })
            .await
            .unwrap();
        for record in page.records {
            // The mirror keeps records by entity; the id is unique within one here.
            let entity = entity_of(&record);
            let key = (entity, record["id"].as_str().unwrap().to_owned());
            assert!(
                all.insert(key.clone(), record).is_none(),
                "{key:?} mirrored twice"
            );
        }
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => return all,
        }
    }
}

/// Asserts the mirror holds exactly the platform's records, naming only the differences (the
/// whole maps are thousands of records).
#[track_caller]
pub(crate) fn assert_same_records(
    mirror: &BTreeMap<(String, String), Value>,
    platform: &BTreeMap<(String, String), Value>,
) {
    let missing: Vec<_> = platform
        .keys()
        .filter(|k| !mirror.contains_key(*k))
        .collect();
    let extra: Vec<_> = mirror
        .keys()
        .filter(|k| !platform.contains_key(*k))
        .collect();
    let differing: Vec<_> = platform
        .iter()
        .filter_map(|(key, record)| {
            let mirrored = mirror.get(key)?;
            (mirrored != record).then(|| format!("{key:?}: mirror {mirrored} platform {record}"))
        })
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differing.is_empty(),
        "missing from the mirror: {missing:?}\nonly in the mirror: {extra:?}\ndiffering:\n{}",
        differing.join("\n")
    );
}

/// Sandbox record ids carry their entity's prefix (PO-000001, WO-..., ...).
fn entity_of(record: &Value) -> String {
    let id = record["id"].as_str().unwrap();
    match id.split('-').next().unwrap() {
        "PO" => "purchase-orders",
        "WO" => "work-orders",
        "ITM" => "inventory-items",
        "V" => "vendors",
        "AST" => "assets",
        other => panic!("unknown record id prefix {other:?} in {id}"),
    }
    .to_owned()
}

/// The app's own read-only token the sync issued and keeps in the vault.
async fn vault_token(desk: &Desk, id: &str) -> String {
    let customer = desk
        .mirror()
        .connection(id)
        .await
        .unwrap()
        .connection
        .customer_id;
    desk.vault()
        .await
        .unwrap()
        .get(&customer, &format!("connection-token/team/{id}"))
        .await
        .unwrap()
        .expect("the issued token is kept in the vault")
        .expose()
        .to_owned()
}

/// A fresh engine with one connection of `records` records per entity, mirrored by a fresh
/// desk through the team profile (records included): (engine, connection id, folder, desk).
async fn mirrored_connection(
    name: &str,
    records: i64,
) -> (ManualEngine, String, tempfile::TempDir, Desk) {
    let engine = manual_engine().await;
    let (id, _) = engine.connection(name, records).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    add_team_profile(&desk, &engine).await;
    sync(&desk, issuing()).await.unwrap();
    (engine, id, dir, desk)
}

pub(crate) async fn add_team_profile(desk: &Desk, engine: &ManualEngine) {
    add_team_profile_at(desk, &engine.url).await;
}

/// The team profile on `url`: the engine's, or a proxy's in front of it.
pub(crate) async fn add_team_profile_at(desk: &Desk, url: &str) {
    profiles::add_profile(
        desk,
        AddProfile {
            name: "team".to_owned(),
            target: ProfileTarget::SelfHosted {
                url: url.to_owned(),
                client_id: CLIENT_ID.to_owned(),
                client_secret: SecretString::new(CLIENT_SECRET.to_owned()),
            },
        },
    )
    .await
    .unwrap();
}

fn issuing() -> SyncRequest {
    SyncRequest {
        issue_tokens: true,
        ..SyncRequest::default()
    }
}

#[tokio::test]
async fn a_self_hosted_profile_mirrors_every_record_and_then_only_what_changed() {
    let engine = manual_engine().await;
    let (id, integrators_token) = engine.connection("Line 1", 1_200).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    add_team_profile(&desk, &engine).await;

    // No token in the vault and no --issue-tokens: the app issues its own named read-only
    // token, which leaves the integrator's token working.
    let report = sync(&desk, SyncRequest::default()).await.unwrap();
    assert_eq!(report.connections, 1);
    assert_eq!(report.failures(), 0, "{report:#?}");
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert!(report
        .entities
        .iter()
        .all(|e| e.modified_after.is_none() && !e.resumed));
    let token = vault_token(&desk, &id).await;
    assert_ne!(token, integrators_token);
    assert_eq!(
        mirrored(&desk, &id).await,
        engine.records(&id, &integrators_token).await,
        "the integrator's token still reads, and the mirror holds what it reads"
    );
    let named = engine.client().named_tokens(&id).await.unwrap();
    let desk_id = desk.desk_id().unwrap();
    assert_eq!(named.len(), 1, "{named:?}");
    assert_eq!(named[0].name, format!("makini-desk.{desk_id}"));
    assert_eq!(named[0].scope, desk_platform::connection::TokenScope::Read);

    // Revoked by the platform's admin: the next sync issues the app's own again, once.
    engine
        .client()
        .revoke_named_token(&id, &named[0].name)
        .await
        .unwrap();
    let report = sync(&desk, SyncRequest::default()).await.unwrap();
    assert_eq!(report.failures(), 0, "{report:#?}");
    assert_ne!(vault_token(&desk, &id).await, token);
    let token = vault_token(&desk, &id).await;
    assert_eq!(
        engine.records(&id, &token).await,
        engine.records(&id, &integrators_token).await
    );

    // A day later the system has new records and changed ones; the next sync asks only for
    // changes since the newest it saw (minus the overlap) and ends equal to the platform again.
    engine.clock.advance(Duration::days(1));
    engine.engine.tick().await.unwrap();
    let report = sync(&desk, SyncRequest::default()).await.unwrap();
    assert_eq!(report.failures(), 0, "{report:#?}");
    assert!(report.entities.iter().all(|e| e.modified_after.is_some()));
    let pulled: u64 = report
        .entities
        .iter()
        .map(|e| e.inserted + e.updated + e.unchanged)
        .sum();
    assert!(
        pulled < 5 * 1_200,
        "an incremental sync walked {pulled} records"
    );
    assert!(
        report.records() > 0,
        "a day of changes found nothing: {report:#?}"
    );
    assert_eq!(
        mirrored(&desk, &id).await,
        engine.records(&id, &token).await
    );
    desk.close().await;
}

#[tokio::test]
async fn a_sync_stopped_between_pages_resumes_from_its_cursor_to_exactly_the_platforms_records() {
    let engine = manual_engine().await;
    // Ten pages an entity: the walk cannot finish its first entity before the stop lands (see
    // below).
    let (id, main_token) = engine.connection("Line 2", 5_000).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = Arc::new(desk(dir.path()).await);
    add_team_profile(&desk, &engine).await;

    // Stop the first sync once its first write is stored: the task is dropped at an await, as
    // a killed process would stop, between or during transactions. A write in flight then
    // still lands, and a write holds up to four queued pages: on this single-threaded runtime
    // the stop comes before the walk's next write begins, so at most 2 x 4 of the ten pages
    // are stored.
    let mut events = desk.subscribe();
    let running = {
        let desk = Arc::clone(&desk);
        tokio::spawn(async move { sync(&desk, issuing()).await })
    };
    loop {
        if let DeskEvent::RecordsPulled { .. } = events.recv().await.unwrap() {
            break;
        }
    }
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());
    let partial = mirrored(&desk, &id).await;
    let token = vault_token(&desk, &id).await;
    assert!(!partial.is_empty() && partial.len() < engine.records(&id, &token).await.len());
    assert!(partial.len() <= 2 * 4 * 500, "{} stored", partial.len());

    // While the walk waits, the platform moves on, also behind its cursor: the first record,
    // stored by the first write, changes.
    let first = ("assets".to_owned(), "AST-000001".to_owned());
    assert!(partial.contains_key(&first));
    engine.clock.advance(Duration::hours(2));
    engine
        .client()
        .connection_client(&id, Secret::new(&main_token))
        .update_record("assets", &first.1, &json!({"name": "Site North (renamed)"}))
        .await
        .unwrap();
    engine.engine.tick().await.unwrap();
    let platform = engine.records(&id, &token).await;
    assert_ne!(partial[&first], platform[&first]);

    let report = sync(&desk, SyncRequest::default()).await.unwrap();
    assert_eq!(report.failures(), 0, "{report:#?}");
    assert!(report.entities.iter().any(|e| e.resumed), "{report:#?}");
    assert_same_records(&mirrored(&desk, &id).await, &platform);
    let runs = desk
        .mirror()
        .sync_runs("team", Some(&id), 50)
        .await
        .unwrap();
    assert!(
        runs.iter().any(|r| r.state == SyncRunState::Interrupted),
        "{runs:#?}"
    );
    let detail = offline::show_connection(&desk, &id).await.unwrap();
    assert!(detail.entities.iter().all(|e| !e.unfinished));
    let total: i64 = detail.entities.iter().map(|e| e.cursor.records).sum();
    assert_eq!(total as usize, platform.len());
}

#[tokio::test]
async fn a_connection_needing_reauthorization_is_skipped_with_its_reason_its_records_kept_and_the_others_still_sync(
) {
    let engine = manual_engine().await;
    let (broken, _) = engine.connection("Broken", 30).await;
    let (healthy, _) = engine.connection("Healthy", 30).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    add_team_profile(&desk, &engine).await;
    sync(&desk, issuing()).await.unwrap();

    engine
        .client()
        .sandbox_fault(&broken, &SandboxFault::new(FaultKind::ExpireCredentials))
        .await
        .unwrap();
    engine.engine.tick().await.unwrap();
    let report = sync(&desk, SyncRequest::default()).await.unwrap();
    assert_eq!(report.failures(), 0, "{report:#?}");
    assert!(report.entities.iter().all(|e| e.connection_id == healthy));
    assert_eq!(report.skipped.len(), 1, "{report:#?}");
    assert_eq!(report.skipped[0].connection_id, broken);
    assert!(report.skipped[0].reason.contains("reauthorization"));
    assert_eq!(
        mirrored(&desk, &healthy).await,
        engine
            .records(&healthy, &vault_token(&desk, &healthy).await)
            .await
    );
    assert!(
        !mirrored(&desk, &broken).await.is_empty(),
        "what was mirrored is kept"
    );
    let mirrored_broken = desk.mirror().connection(&broken).await.unwrap();
    assert!(mirrored_broken.connection.reauthorization_required);
}

#[tokio::test]
async fn the_local_profile_is_created_on_first_sync_runs_the_engine_in_process_and_leaves_no_secret_on_disk(
) {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    let report = sync(&desk, SyncRequest::default()).await.unwrap();
    assert_eq!(report.profile, "local");
    assert_eq!(report.customers, 12);
    assert_eq!(report.connections, 28);
    assert_eq!(report.failures(), 0, "{report:#?}");
    assert!(report.records() > 1_000, "{report:#?}");
    // The desk keeps the session, so the engine it started serves until the desk closes
    // (announced for other processes meanwhile); closing it withdraws the serving file.
    let serving = dir.path().join("data/engine/serving.json");
    assert!(serving.exists());

    // Offline answers, from the mirror alone.
    let connections = offline::list_connections(&desk, &ConnectionsQuery::default())
        .await
        .unwrap();
    assert_eq!(connections.len(), 28);
    assert!(connections.iter().all(|c| c.customer_name.is_some()));
    let credits = offline::credits(&desk, None, true, Some(30)).await.unwrap();
    assert_eq!(credits.credits.purchased, 64);
    assert_eq!(
        credits.credits.available,
        credits.credits.purchased - credits.credits.in_use
    );
    assert_eq!(credits.history.as_ref().map(Vec::len), Some(1));
    let found = offline::records(
        &desk,
        RecordQuery {
            entity: Some("work_orders".to_owned()),
            search: Some("pump".to_owned()),
            ..RecordQuery::default()
        },
    )
    .await
    .unwrap();
    assert!(!found.records.is_empty());
    assert!(found
        .records
        .iter()
        .all(|r| r.to_string().to_lowercase().contains("pump")));

    // Every connection token the sync issued is in the vault and nowhere else on disk.
    let vault = desk.vault().await.unwrap();
    let mut secrets = Vec::new();
    for scope in vault.scopes().await.unwrap() {
        for name in vault.list(&scope).await.unwrap() {
            secrets.push(
                vault
                    .get(&scope, &name)
                    .await
                    .unwrap()
                    .unwrap()
                    .expose()
                    .to_owned(),
            );
        }
    }
    assert!(secrets.len() > 20, "{} secrets", secrets.len());
    desk.close().await;
    assert!(!serving.exists(), "closing the desk stopped its engine");
    for file in walk(dir.path()) {
        // A WAL or shared-memory file SQLite removes as its last connection closes may be
        // listed and then gone: nothing to read there.
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => panic!("{}: {err}", file.display()),
        };
        for secret in &secrets {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a secret is readable in {}",
                file.display()
            );
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test]
async fn exports_write_every_matching_record_and_refuse_an_unknown_extension() {
    let (_engine, id, dir, desk) = mirrored_connection("Export", 700).await;
    let query = RecordQuery {
        connection_id: Some(id.clone()),
        entity: Some("purchase-orders".to_owned()),
        ..RecordQuery::default()
    };
    let json = dir.path().join("pos.json");
    let report = offline::export(&desk, query.clone(), &json).await.unwrap();
    assert_eq!(report.records, 700);
    let parsed: Vec<Value> = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(parsed.len(), 700);
    let csv = dir.path().join("pos.csv");
    assert_eq!(
        offline::export(&desk, query.clone(), &csv)
            .await
            .unwrap()
            .records,
        700
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        text.lines().count(),
        701,
        "a header and one line per record"
    );
    let err = offline::export(&desk, query, &dir.path().join("pos.xlsx"))
        .await
        .unwrap_err();
    assert_eq!(err.code().as_str(), "INVALID_INPUT");
    assert!(!dir.path().join("pos.xlsx").exists());
}

#[tokio::test]
async fn profiles_refuse_bad_names_wrong_secrets_and_say_which_to_choose() {
    let engine = manual_engine().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    let bad_name = profiles::add_profile(
        &desk,
        AddProfile {
            name: "no spaces".to_owned(),
            target: ProfileTarget::Local,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(bad_name.code().as_str(), "INVALID_INPUT");
    let wrong = profiles::add_profile(
        &desk,
        AddProfile {
            name: "team".to_owned(),
            target: ProfileTarget::SelfHosted {
                url: engine.url.clone(),
                client_id: CLIENT_ID.to_owned(),
                client_secret: SecretString::new("wrong".to_owned()),
            },
        },
    )
    .await
    .unwrap_err();
    assert_eq!(wrong.code().as_str(), "AUTHENTICATION_FAILED");
    assert!(
        profiles::profiles(&desk).await.unwrap().is_empty(),
        "a refused profile is not saved"
    );

    add_team_profile(&desk, &engine).await;
    let makini = desk_makini::fake::FakeMakini::start("id", "secret")
        .await
        .unwrap();
    profiles::add_profile(
        &desk,
        AddProfile {
            name: "cloud".to_owned(),
            target: ProfileTarget::Makini {
                url: Some(makini.url.clone()),
                region: Some("eu".to_owned()),
                client_id: "id".to_owned(),
                client_secret: SecretString::new("secret".to_owned()),
            },
        },
    )
    .await
    .unwrap();
    let ambiguous = sync(&desk, SyncRequest::default()).await.unwrap_err();
    assert!(matches!(ambiguous, CoreError::ProfileRequired(ref names) if names == "cloud, team"));
    let unknown = sync(
        &desk,
        SyncRequest {
            profile: Some("nope".to_owned()),
            ..SyncRequest::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(unknown.code().as_str(), "UNKNOWN_PROFILE");
    // A Makini profile syncs through its adapter (tests/core/makini.rs).
    let cloud = sync(
        &desk,
        SyncRequest {
            profile: Some("cloud".to_owned()),
            ..SyncRequest::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(cloud.connections, 0);
}

/// An inbox that applies the team profile's events to the desk's mirror, caught up with the
/// platform's event log once and processed.
async fn mirroring_inbox(
    dir: &std::path::Path,
    desk: &Desk,
    engine: &ManualEngine,
) -> (desk_inbox::Inbox, desk_core::catch_up::EventCatchUp) {
    use desk_core::mirror_applier::MirrorApplier;
    use desk_inbox::{Inbox, InboxConfig};
    use desk_platform::webhook_signature::WebhookKey;

    let key = WebhookKey::from_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let inbox = Inbox::open(
        dir.join("inbox"),
        InboxConfig {
            background_processing: false,
            appliers: vec![Arc::new(MirrorApplier::new(desk.mirror().clone(), "team"))],
            ..InboxConfig::with_secret(key)
        },
    )
    .await
    .unwrap();
    let catch_up = desk_core::catch_up::EventCatchUp::new(engine.client(), inbox.clone());
    catch_up.run_once().await.unwrap();
    inbox.process_pending().await.unwrap();
    (inbox, catch_up)
}

#[tokio::test]
async fn events_processed_by_the_inbox_move_the_mirrored_connection_before_the_next_sync() {
    let (engine, id, dir, desk) = mirrored_connection("Watched", 20).await;
    let before = desk.mirror().connection(&id).await.unwrap().connection;
    assert!(!before.reauthorization_required && before.online);

    let (inbox, catch_up) = mirroring_inbox(dir.path(), &desk, &engine).await;

    let client = engine.client();
    client
        .sandbox_fault(&id, &SandboxFault::new(FaultKind::ExpireCredentials))
        .await
        .unwrap();
    engine.engine.tick().await.unwrap();
    client
        .sandbox_fault(&id, &SandboxFault::new(FaultKind::GoOffline))
        .await
        .unwrap();
    engine.engine.tick().await.unwrap();
    catch_up.run_once().await.unwrap();
    inbox.process_pending().await.unwrap();

    let after = desk.mirror().connection(&id).await.unwrap().connection;
    assert!(after.reauthorization_required, "{after:?}");
    assert!(!after.online, "{after:?}");
    let timeline = offline::show_connection(&desk, &id).await.unwrap().events;
    assert!(timeline
        .iter()
        .any(|e| e.event_type.as_str() == "connection.reauthorization_required"));
    assert!(
        timeline
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );
    // Every event the inbox took was processed: the mirror applier never failed one.
    let failed = inbox
        .list(&desk_inbox::ListFilter {
            processing: Some(desk_inbox::Processing::Failed),
            ..desk_inbox::ListFilter::default()
        })
        .await
        .unwrap();
    assert!(failed.data.is_empty(), "{:?}", failed.data);
    inbox.close().await;
}

#[tokio::test]
async fn a_scheduled_sync_on_the_platform_moves_the_mirrored_schedule_with_its_last_sync() {
    let (engine, id, dir, desk) = mirrored_connection("Scheduled", 5).await;
    let listed = desk.mirror().connection(&id).await.unwrap().connection;

    let (inbox, catch_up) = mirroring_inbox(dir.path(), &desk, &engine).await;

    // The schedule comes due: the platform syncs on its own and says so in an event.
    let due = listed
        .next_sync_at
        .expect("a synced connection is scheduled");
    engine.clock.set(due + Duration::minutes(1));
    engine.engine.tick().await.unwrap();
    let platform = engine.client().connection(&id).await.unwrap();
    assert!(platform.next_sync_at > Some(due), "{platform:?}");
    catch_up.run_once().await.unwrap();
    inbox.process_pending().await.unwrap();

    let after = desk.mirror().connection(&id).await.unwrap().connection;
    assert_eq!(after.last_sync_at, platform.last_sync_at);
    assert_eq!(after.next_sync_at, platform.next_sync_at, "{after:?}");
    assert!(after.next_sync_at > after.last_sync_at, "{after:?}");

    // An older event caught up late does not take the schedule back.
    let stale = desk_store::ConnectionPatch {
        next_sync: Some(desk_store::NextSync {
            at: due,
            as_of: listed.last_sync_at.unwrap(),
        }),
        ..desk_store::ConnectionPatch::default()
    };
    assert!(desk
        .mirror()
        .patch_connection("team", &id, &stale)
        .await
        .unwrap());
    let kept = desk.mirror().connection(&id).await.unwrap().connection;
    assert_eq!(kept.next_sync_at, platform.next_sync_at);
    inbox.close().await;
    desk.close().await;
}

#[tokio::test]
async fn the_status_poll_writes_and_reports_only_connections_whose_health_changed() {
    use desk_core::poll::poll_connection_status;
    use desk_core::session::Session;

    let engine = manual_engine().await;
    let (watched, _) = engine.connection("Polled", 10).await;
    let (_quiet, _) = engine.connection("Quiet", 10).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    add_team_profile(&desk, &engine).await;
    sync(&desk, SyncRequest::default()).await.unwrap();
    let profile = profiles::resolve_profile(&desk, Some("team"))
        .await
        .unwrap();
    let session = Session::open(&desk, profile).await.unwrap();
    assert!(poll_connection_status(&desk, &session)
        .await
        .unwrap()
        .is_empty());

    engine
        .client()
        .sandbox_fault(&watched, &SandboxFault::new(FaultKind::GoOffline))
        .await
        .unwrap();
    engine.engine.tick().await.unwrap();
    let mut events = desk.subscribe();
    let changes = poll_connection_status(&desk, &session).await.unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].connection_id, watched);
    assert_eq!(changes[0].before.map(|h| h.online), Some(true));
    assert!(!changes[0].after.online);
    assert!(
        !desk
            .mirror()
            .connection(&watched)
            .await
            .unwrap()
            .connection
            .online
    );
    assert!(matches!(
        events.recv().await.unwrap(),
        DeskEvent::ConnectionHealthChanged { ref change, .. } if change.connection_id == watched
    ));
    assert!(poll_connection_status(&desk, &session)
        .await
        .unwrap()
        .is_empty());
    session.close().await.unwrap();
}

/// The background jobs' status poll (jobs::status_poll) before any sync lists nothing (a poll
/// would write connections without their customers or the account), and writes what changed
/// once a sync has listed them.
#[tokio::test]
async fn the_background_status_poll_leaves_the_connections_to_the_first_sync_then_writes_changes() {
    use desk_core::jobs::status_poll;

    let engine = manual_engine().await;
    let (watched, _) = engine.connection("Polled", 10).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    add_team_profile(&desk, &engine).await;

    let first = status_poll(&desk).await.unwrap();
    assert!(first.left_to_sync, "{first:?}");
    assert_eq!(first.changed, 0);
    assert!(
        desk.mirror().connection(&watched).await.is_err(),
        "the poll wrote a connection that no sync had listed"
    );
    assert!(
        first.caught_up > 0,
        "it still catches up on events: {first:?}"
    );

    sync(&desk, SyncRequest::default()).await.unwrap();
    let quiet = status_poll(&desk).await.unwrap();
    assert!(!quiet.left_to_sync, "{quiet:?}");
    assert_eq!(quiet.changed, 0);

    engine
        .client()
        .sandbox_fault(&watched, &SandboxFault::new(FaultKind::GoOffline))
        .await
        .unwrap();
    engine.engine.tick().await.unwrap();
    let changed = status_poll(&desk).await.unwrap();
    assert!(!changed.left_to_sync);
    assert_eq!(changed.changed, 1, "{changed:?}");
    assert!(
        !desk
            .mirror()
            .connection(&watched)
            .await
            .unwrap()
            .connection
            .online
    );
    desk.close().await;
}

#[tokio::test]
async fn a_sync_stopped_again_and_again_at_different_pages_still_ends_with_exactly_the_platforms_records(
) {
    let engine = manual_engine().await;
    let (id, _) = engine.connection("Line 3", 1_300).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = Arc::new(desk(dir.path()).await);
    add_team_profile(&desk, &engine).await;
    let mut request = issuing();
    // Stopped after 1, then 4, then 2 more pages of the run in progress, then run to the end;
    // between the stops the platform moves on (new and changed records).
    for pages in [1u32, 4, 2] {
        let mut events = desk.subscribe();
        let running = {
            let desk = Arc::clone(&desk);
            let request = request.clone();
            tokio::spawn(async move { sync(&desk, request).await })
        };
        let mut seen = 0;
        loop {
            match events.recv().await.unwrap() {
                DeskEvent::RecordsPulled { .. } => {
                    seen += 1;
                    if seen == pages {
                        break;
                    }
                }
                DeskEvent::SyncFinished { .. } => panic!("the sync ended before {pages} pages"),
                _ => {}
            }
        }
        running.abort();
        assert!(running.await.unwrap_err().is_cancelled());
        engine.clock.advance(Duration::hours(6));
        engine.engine.tick().await.unwrap();
        request = SyncRequest::default();
    }
    let report = sync(&desk, SyncRequest::default()).await.unwrap();
    assert_eq!(report.failures(), 0, "{report:#?}");
    let platform = engine.records(&id, &vault_token(&desk, &id).await).await;
    assert_same_records(&mirrored(&desk, &id).await, &platform);
}

#[tokio::test]
async fn a_connection_two_profiles_mirror_is_shown_as_the_active_profile_synced_it() {
    let engine = manual_engine().await;
    let (id, _) = engine.connection("Line 1", 5).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    add_team_profile(&desk, &engine).await;
    // A second profile on the same engine, first by name: it mirrors the same connection.
    profiles::add_profile(
        &desk,
        AddProfile {
            name: "a-team".to_owned(),
            target: ProfileTarget::SelfHosted {
                url: engine.url.clone(),
                client_id: CLIENT_ID.to_owned(),
                client_secret: SecretString::new(CLIENT_SECRET.to_owned()),
            },
        },
    )
    .await
    .unwrap();
    let directory = |profile: &str| SyncRequest {
        profile: Some(profile.to_owned()),
        directory_only: true,
        ..SyncRequest::default()
    };
    sync(&desk, directory("a-team")).await.unwrap();
    engine.client().disconnect(&id).await.unwrap();
    sync(&desk, directory("team")).await.unwrap();

    let status_on = |profile: &'static str| {
        let desk = &desk;
        let id = id.clone();
        async move {
            desk_core::actions::profile_switch(
                desk,
                desk_core::actions::ProfileSwitchRequest {
                    name: profile.to_owned(),
                },
            )
            .await
            .unwrap();
            let shown = offline::show_connection(desk, &id).await.unwrap();
            (shown.connection.profile, shown.connection.connection.status)
        }
    };
    use desk_platform::connection::ConnectionStatus;
    assert_eq!(
        status_on("team").await,
        ("team".to_owned(), ConnectionStatus::Disconnected)
    );
    assert_eq!(
        status_on("a-team").await,
        ("a-team".to_owned(), ConnectionStatus::Active)
    );
}

#[tokio::test]
async fn a_connection_listed_while_the_platform_synced_it_is_mirrored_as_that_sync_left_it() {
    let dir = tempfile::tempdir().unwrap();
    let engine = manual_engine().await;
    let desk = desk(dir.path()).await;
    add_team_profile(&desk, &engine).await;
    let (id, _) = engine.unsynced_connection("Late Plant", 30).await;
    let mut events = desk.subscribe();
    let platform_sync = async {
        // The platform's first sync runs once the desk's sync listed the connection and
        // waits for it.
        loop {
            if let desk_core::DeskEvent::WaitingForPlatform { .. } = events.recv().await.unwrap() {
                break;
            }
        }
        engine.engine.tick().await.unwrap();
    };
    let (report, ()) = tokio::join!(sync(&desk, SyncRequest::default()), platform_sync);
    let report = report.unwrap();
    assert_eq!(report.failures(), 0, "{report:#?}");
    assert!(report.records() > 0, "{report:#?}");
    let mirrored = desk.mirror().connection(&id).await.unwrap();
    assert_eq!(
        mirrored.connection.status,
        desk_platform::connection::ConnectionStatus::Active
    );
}
