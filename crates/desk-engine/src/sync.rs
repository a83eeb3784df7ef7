//! Syncs: pulling what the simulated system has into the platform's record store, on a schedule
//! per connection (initial over the history window, then incremental), or on request.

use crate::engine::Engine;
use crate::error::EngineError;
use crate::lifecycle::emit_for;
use crate::sandbox::generate;
use crate::store::records::{self, StoredRecord};
use crate::store::syncs::{self, Cursor, SyncRun};
use crate::store::{connections, sandbox};
use crate::token;
use crate::webhooks::makini::{self, EntityChanges};
use chrono::{DateTime, Duration, Utc};
use desk_platform::connection::{ConnectionStatus, SyncSettings};
use desk_platform::event::EventType;
use desk_platform::ids::prefix;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

/// Rows written per transaction, so a million-record initial sync never holds the writer long.
const BATCH: usize = 2_000;

/// A sync someone asked for (`POST .../syncs`), waiting for the scheduler.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    #[serde(default)]
    pub entities: Option<Vec<String>>,
    #[serde(default)]
    pub full: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Initial,
    Incremental,
    Manual,
    Full,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "initial",
            Self::Incremental => "incremental",
            Self::Manual => "manual",
            Self::Full => "full",
        }
    }
}

/// Runs every sync that is due at the engine clock's now. Returns how many ran.
pub async fn run_due(engine: &Engine) -> Result<usize, EngineError> {
    let now = engine.clock.now();
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM connections WHERE next_sync_at IS NOT NULL AND next_sync_at <= ?
           AND status IN ('synchronizing', 'in_progress', 'active', 'overage') ORDER BY next_sync_at",
    )
    .bind(now)
    .fetch_all(engine.store.reader())
    .await?;
    for id in &due {
        if let Err(err) = run(engine, id).await {
            tracing::error!(connection = %id, error = %err, "sync could not run");
        }
    }
    Ok(due.len())
}

/// The settings a connection was created with (entities empty = all the system supports).
fn entities_for(
    engine: &Engine,
    system_id: &str,
    settings: &SyncSettings,
    asked: Option<&[String]>,
) -> Result<Vec<String>, EngineError> {
    let system = engine.catalog.require(system_id)?;
    let configured: Vec<String> = if settings.entities.is_empty() {
        system.entities.keys().cloned().collect()
    } else {
        settings.entities.clone()
    };
    Ok(match asked {
        Some(asked) if !asked.is_empty() => configured
            .into_iter()
            .filter(|e| asked.contains(e))
            .collect(),
        _ => configured,
    })
}

/// One sync of one connection, now; skipped when one is already running for that connection
/// (the background scheduler and an explicit `tick` may both find it due).
pub async fn run(engine: &Engine, connection_id: &str) -> Result<(), EngineError> {
    if !engine.syncing.claim(connection_id) {
        return Ok(());
    }
    let result = run_claimed(engine, connection_id).await;
    if let Err(err) = &result {
        abandon(engine, connection_id, err).await;
    }
    engine.syncing.release(connection_id);
    result
}

/// A sync that failed before it could record its end is failed now, so the connection's sync
/// status does not read `in_progress` until the next run (an hour on) and no one waits on it.
async fn abandon(engine: &Engine, connection_id: &str, cause: &EngineError) {
    let error = format!("the engine could not record the sync: {cause}; it runs again on schedule");
    let outcome = async {
        let mut tx = engine.store.begin().await?;
        let failed =
            syncs::fail_unfinished(&mut tx, connection_id, engine.clock.now(), &error).await?;
        if failed > 0 {
            sqlx::query(
                "UPDATE connections SET status = 'active' WHERE id = ? AND status = 'in_progress'",
            )
            .bind(connection_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok::<_, EngineError>(failed)
    }
    .await;
    match outcome {
        Ok(0) => {}
        Ok(_) => tracing::warn!(connection = %connection_id, %error, "sync abandoned"),
        Err(err) => tracing::error!(
            connection = %connection_id, error = %err,
            "a sync that failed could not be marked failed either; it is failed on the next start"
        ),
    }
}

async fn run_claimed(engine: &Engine, connection_id: &str) -> Result<(), EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let Some(mut stored) = connections::get(&mut tx, connection_id).await? else {
        return Err(EngineError::not_found("connection", connection_id));
    };
    if !stored.connection.status.is_live() {
        return Ok(());
    }
    let settings = stored.sync_settings.clone();
    let requested: Option<SyncRequest> = match sqlx::query_scalar::<_, Option<String>>(
        "SELECT requested_sync FROM connections WHERE id = ?",
    )
    .bind(connection_id)
    .fetch_one(&mut *tx)
    .await?
    {
        Some(text) => Some(serde_json::from_str(&text)?),
        None => None,
    };
    let system_id = stored.connection.system_id.clone().unwrap_or_default();
    let cursors = syncs::cursors(&mut tx, connection_id).await?;
    let kind = match &requested {
        _ if cursors.is_empty() => Kind::Initial,
        Some(request) if request.full => Kind::Full,
        Some(_) => Kind::Manual,
        None => Kind::Incremental,
    };
    let entities = entities_for(
        engine,
        &system_id,
        &settings,
        requested.as_ref().and_then(|r| r.entities.as_deref()),
    )?;
    let mut system = sandbox::ensure(&mut tx, connection_id).await?;
    let run = SyncRun {
        id: token::new_id(prefix::SYNC),
        connection_id: connection_id.to_owned(),
        kind: kind.as_str().to_owned(),
        state: "in_progress".to_owned(),
        entities: serde_json::to_string(&entities)?,
        started_at: now,
        finished_at: None,
        records: 0,
        error: None,
    };
    syncs::insert_run(&mut tx, &run).await?;
    // The next run is scheduled now, so a failing sync retries on the interval, not in a loop.
    stored.connection.next_sync_at =
        Some(now + Duration::minutes(i64::from(settings.interval_minutes)));
    if stored.connection.status == ConnectionStatus::Active {
        stored.connection.status = ConnectionStatus::InProgress;
    }
    connections::update(&mut tx, &stored).await?;
    sqlx::query("UPDATE connections SET requested_sync = NULL WHERE id = ?")
        .bind(connection_id)
        .execute(&mut *tx)
        .await?;
    let failure = if system.fail_next_sync {
        system.fail_next_sync = false;
        sandbox::save(&mut tx, &system).await?;
        Some(format!(
            "{system_id} answered an internal error while listing records (injected fault)"
        ))
    } else if !system.online {
        Some(format!("{system_id} is offline: the system did not answer"))
    } else if !system.credentials_valid || stored.connection.reauthorization_required {
        Some("the system refused the stored credentials: reauthorization required".to_owned())
    } else {
        None
    };
    tx.commit().await?;
    let outcome = match failure {
        Some(error) => Err(error),
        None => {
            pull(
                engine,
                connection_id,
                &system,
                kind,
                &entities,
                &cursors,
                settings.history_days,
                now,
            )
            .await
        }
    };
    finish(engine, &run, kind, outcome).await
}

/// What a sync found in one entity: the ids it wrote, and how many records the entity holds.
struct EntityFound {
    changes: EntityChanges,
    total: i64,
}

impl EntityFound {
    fn inserted(&self) -> i64 {
        self.changes.inserted.len() as i64
    }

    fn changed(&self) -> i64 {
        (self.changes.updated.len() + self.changes.deleted.len()) as i64
    }
}

type Found = Vec<EntityFound>;

#[allow(clippy::too_many_arguments)]
async fn pull(
    engine: &Engine,
    connection_id: &str,
    system: &sandbox::SystemState,
    kind: Kind,
    entities: &[String],
    cursors: &[Cursor],
    history_days: u32,
    now: DateTime<Utc>,
) -> Result<Found, String> {
    pull_inner(
        engine,
        connection_id,
        system,
        kind,
        entities,
        cursors,
        history_days,
        now,
    )
    .await
    .map_err(|err| {
        tracing::error!(connection = %connection_id, error = %err, "sync failed");
        format!("the engine failed while storing records: {err}")
    })
}

#[allow(clippy::too_many_arguments)]
async fn pull_inner(
    engine: &Engine,
    connection_id: &str,
    system: &sandbox::SystemState,
    kind: Kind,
    entities: &[String],
    cursors: &[Cursor],
    history_days: u32,
    now: DateTime<Utc>,
) -> Result<Found, EngineError> {
    let seed = u64::from_ne_bytes(system.seed.to_ne_bytes());
    let mut generated = system.generated()?;
    let history_start = now - Duration::days(i64::from(history_days));
    let vendors = generated.get("vendors").copied().unwrap_or(40).max(1);
    let assets = generated.get("assets").copied().unwrap_or(120).max(1);
    let mut found = Found::new();
    for entity in entities {
        let cursor = cursors.iter().find(|c| &c.entity == entity);
        let since = match (kind, cursor) {
            (Kind::Full, _) | (_, None) => history_start,
            (_, Some(cursor)) => cursor.synced_until,
        };
        let made = generated.get(entity).copied().unwrap_or(0);
        let mut batch: Vec<StoredRecord> = Vec::new();
        if made == 0 {
            let count = system.records_per_entity.map_or_else(
                || generate::initial_count(entity, history_days),
                |n| n.max(0) as u64,
            );
            let span = (now - history_start).num_seconds().max(1);
            for n in 1..=count {
                let created_at =
                    history_start + Duration::seconds(span * (n as i64) / (count as i64 + 1));
                let data = generate::record(seed, entity, n, created_at, vendors, assets);
                batch.push(StoredRecord {
                    id: generate::record_id(entity, n),
                    data,
                    created_at,
                    updated_at: created_at,
                    deleted_at: None,
                });
            }
            generated.insert(entity.clone(), count);
        } else {
            // New records since the last pull, at the system's daily rate.
            let count = occurrences(generate::daily_new(entity), since, now);
            for n in made + 1..=made + count {
                let created_at = since
                    + Duration::seconds(
                        ((now - since).num_seconds().max(1) * (n - made) as i64)
                            / (count as i64 + 1),
                    );
                let data = generate::record(seed, entity, n, created_at, vendors, assets);
                batch.push(StoredRecord {
                    id: generate::record_id(entity, n),
                    data,
                    created_at,
                    updated_at: created_at,
                    deleted_at: None,
                });
            }
            generated.insert(entity.clone(), made + count);
        }
        let changed = changes(
            engine,
            connection_id,
            entity,
            seed,
            since,
            now,
            made,
            &mut rng_for_changes(seed, now, entity),
        )
        .await?;
        let mut entity_changes = EntityChanges {
            entity: entity.clone(),
            inserted: batch.iter().map(|record| record.id.clone()).collect(),
            ..EntityChanges::default()
        };
        for record in &changed {
            match record.deleted_at {
                Some(_) => entity_changes.deleted.push(record.id.clone()),
                None => entity_changes.updated.push(record.id.clone()),
            }
        }
        batch.extend(changed);
        for chunk in batch.chunks(BATCH) {
            let mut tx = engine.store.begin().await?;
            for record in chunk {
                records::upsert(&mut tx, connection_id, entity, record).await?;
            }
            tx.commit().await?;
        }
        let mut tx = engine.store.begin().await?;
        let total = records::count(&mut tx, connection_id, entity).await?;
        syncs::set_cursor(
            &mut tx,
            connection_id,
            &Cursor {
                entity: entity.clone(),
                synced_until: now,
                records: total,
                last_sync_at: now,
            },
        )
        .await?;
        let mut state = sandbox::ensure(&mut tx, connection_id).await?;
        state.generated = serde_json::to_string(&generated)?;
        sandbox::save(&mut tx, &state).await?;
        tx.commit().await?;
        found.push(EntityFound {
            changes: entity_changes,
            total,
        });
    }
    Ok(found)
}

/// How many of something happening `per_day` fall in `(since, now]`: counted on a fixed time
/// axis, so consecutive windows add up exactly (an hourly sync and a daily one see the same total).
fn occurrences(per_day: f64, since: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    let at = |t: DateTime<Utc>| (per_day * t.timestamp() as f64 / 86_400.0).floor();
    (at(now) - at(since)).max(0.0) as u64
}

fn rng_for_changes(seed: u64, now: DateTime<Utc>, entity: &str) -> StdRng {
    let salt = entity
        .bytes()
        .fold(0u64, |h, b| h.rotate_left(7) ^ u64::from(b));
    StdRng::seed_from_u64(seed ^ (now.timestamp() as u64) ^ salt)
}

/// The system changes about 5% of an entity's records a day (transactions move through their
/// states, stock moves); records that existed before this pull only.
#[allow(clippy::too_many_arguments)]
async fn changes(
    engine: &Engine,
    connection_id: &str,
    entity: &str,
    seed: u64,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    existing: u64,
    rng: &mut StdRng,
) -> Result<Vec<StoredRecord>, EngineError> {
    if existing == 0 {
        return Ok(Vec::new());
    }
    let count = occurrences(existing as f64 * 0.05, since, now).min(existing);
    let mut out = Vec::new();
    let mut db = engine.store.reader().acquire().await?;
    let mut seen = std::collections::HashSet::new();
    for attempt in 0..count * 2 {
        if out.len() as u64 >= count {
            break;
        }
        let n = rng.gen_range(1..=existing);
        if !seen.insert(n) {
            continue;
        }
        let id = generate::record_id(entity, n);
        let Some(current) = records::get(&mut db, connection_id, entity, &id).await? else {
            continue;
        };
        if current.deleted_at.is_some() {
            continue;
        }
        if let Some(data) = generate::change(
            seed,
            entity,
            n,
            attempt + now.timestamp() as u64,
            &current.data,
        ) {
            let updated_at =
                since + Duration::seconds(rng.gen_range(1..=(now - since).num_seconds().max(1)));
            out.push(StoredRecord {
                data,
                updated_at: updated_at.max(current.updated_at),
                ..current
            });
        }
    }
    Ok(out)
}

async fn finish(
    engine: &Engine,
    run: &SyncRun,
    kind: Kind,
    outcome: Result<Found, String>,
) -> Result<(), EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let Some(mut stored) = connections::get(&mut tx, &run.connection_id).await? else {
        return Err(EngineError::not_found("connection", &run.connection_id));
    };
    let previous = stored.connection.status;
    match outcome {
        Ok(found) => {
            let records: i64 = found.iter().map(|f| f.inserted() + f.changed()).sum();
            syncs::finish_run(&mut tx, &run.id, "completed", now, records, None).await?;
            stored.connection.last_sync_at = Some(now);
            if matches!(
                previous,
                ConnectionStatus::Synchronizing | ConnectionStatus::InProgress
            ) {
                stored.connection.status = ConnectionStatus::Active;
            }
            connections::update(&mut tx, &stored).await?;
            let entities: Vec<_> = found
                .iter()
                .map(|f| json!({"entity": f.changes.entity, "new": f.inserted(), "changed": f.changed(), "total": f.total}))
                .collect();
            let data = json!({"sync_id": run.id, "kind": kind.as_str(), "entities": entities, "records": records, "next_sync_at": stored.connection.next_sync_at});
            let completed = emit_for(
                &mut tx,
                now,
                EventType::SyncCompleted,
                &stored.connection,
                data,
            )
            .await?;
            let changes: Vec<EntityChanges> = found.into_iter().map(|f| f.changes).collect();
            makini::enqueue_changes(&mut tx, &completed, &changes).await?;
            if previous == ConnectionStatus::Synchronizing {
                let c = &stored.connection;
                let data = json!({"previous": previous, "current": c.status, "online": c.online});
                emit_for(
                    &mut tx,
                    now,
                    EventType::ConnectionStatusChanged,
                    &stored.connection,
                    data,
                )
                .await?;
            }
        }
        Err(error) => {
            syncs::finish_run(&mut tx, &run.id, "failed", now, 0, Some(&error)).await?;
            if previous == ConnectionStatus::InProgress {
                stored.connection.status = ConnectionStatus::Active;
                connections::update(&mut tx, &stored).await?;
            }
            let data = json!({"sync_id": run.id, "kind": kind.as_str(), "error": error, "next_sync_at": stored.connection.next_sync_at});
            emit_for(
                &mut tx,
                now,
                EventType::SyncFailed,
                &stored.connection,
                data,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub use desk_platform::sync::{EntitySyncStatus, SyncStatus};

pub async fn status(engine: &Engine, connection_id: &str) -> Result<SyncStatus, EngineError> {
    let mut db = engine.store.reader().acquire().await?;
    let stored = connections::get(&mut db, connection_id)
        .await?
        .ok_or_else(|| EngineError::not_found("connection", connection_id))?;
    let latest = syncs::latest_run(&mut db, connection_id).await?;
    let entities = syncs::cursors(&mut db, connection_id)
        .await?
        .into_iter()
        .map(|c| EntitySyncStatus {
            entity: c.entity,
            records: c.records,
            cursor: c.synced_until,
            last_sync_at: c.last_sync_at,
        })
        .collect();
    Ok(SyncStatus {
        state: latest
            .as_ref()
            .map_or_else(|| "idle".to_owned(), |run| run.state.clone()),
        last_sync_id: latest.as_ref().map(|run| run.id.clone()),
        last_successful_sync_at: syncs::last_success(&mut db, connection_id).await?,
        next_sync_at: stored.connection.next_sync_at,
        error: latest.and_then(|run| run.error),
        entities,
    })
}

/// Queues a manual (or full) sync for the scheduler's next tick.
pub async fn request(
    engine: &Engine,
    connection_id: &str,
    request: SyncRequest,
) -> Result<SyncStatus, EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let mut stored = connections::get(&mut tx, connection_id)
        .await?
        .ok_or_else(|| EngineError::not_found("connection", connection_id))?;
    if !stored.connection.status.is_live() {
        return Err(EngineError::conflict(format!(
            "a {} connection does not sync",
            stored.connection.status.as_str()
        )));
    }
    if let Some(entities) = &request.entities {
        let system = engine
            .catalog
            .require(stored.connection.system_id.as_deref().unwrap_or_default())?;
        if let Some(unknown) = entities
            .iter()
            .find(|e| !system.entities.contains_key(e.as_str()))
        {
            return Err(EngineError::invalid(format!(
                "{} has no entity {unknown:?}",
                system.name
            )));
        }
    }
    stored.connection.next_sync_at = Some(now);
    connections::update(&mut tx, &stored).await?;
    sqlx::query("UPDATE connections SET requested_sync = ? WHERE id = ?")
        .bind(serde_json::to_string(&request)?)
        .bind(connection_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    status(engine, connection_id).await
}
