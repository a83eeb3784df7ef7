//! What a simulated system does to the connection in front of it: faults, health, rate limits.

use crate::engine::Engine;
use crate::error::EngineError;
use crate::lifecycle;
use crate::store::{connections, sandbox};
use chrono::{DateTime, Duration, Utc};
use desk_platform::event::EventType;
use desk_platform::ErrorCode;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// `POST /api/v1/sandbox/connections/{id}/faults`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    ExpireCredentials,
    GoOffline,
    ComeOnline,
    RateLimit,
    FailNextSync,
    SystemError,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub kind: FaultKind,
    /// For `go_offline` and `rate_limit`: how long it lasts (default: offline until
    /// `come_online`; a rate-limit storm of 60 s).
    #[serde(default)]
    pub duration_seconds: Option<i64>,
}

/// Applies a fault to the simulated system, then lets the health monitor see it at once.
pub async fn inject(engine: &Engine, connection_id: &str, fault: Fault) -> Result<(), EngineError> {
    let now = engine.clock.now();
    if fault
        .duration_seconds
        .is_some_and(|s| !(1..=86_400).contains(&s))
    {
        return Err(EngineError::invalid("duration_seconds must be 1 to 86400"));
    }
    let mut tx = engine.store.begin().await?;
    let stored = connections::get(&mut tx, connection_id)
        .await?
        .ok_or_else(|| EngineError::not_found("connection", connection_id))?;
    if stored.connection.system_id.is_none() {
        return Err(EngineError::conflict(
            "a pending connection has no system yet",
        ));
    }
    let mut state = sandbox::ensure(&mut tx, connection_id).await?;
    let until =
        |default: i64| Some(now + Duration::seconds(fault.duration_seconds.unwrap_or(default)));
    match fault.kind {
        FaultKind::ExpireCredentials => state.credentials_valid = false,
        FaultKind::GoOffline => {
            state.online = false;
            state.offline_until = fault.duration_seconds.and(until(0));
        }
        FaultKind::ComeOnline => {
            state.online = true;
            state.offline_until = None;
        }
        FaultKind::RateLimit => state.rate_limit_until = until(60),
        FaultKind::FailNextSync => state.fail_next_sync = true,
        FaultKind::SystemError => state.fail_next_call = true,
    }
    sandbox::save(&mut tx, &state).await?;
    if fault.kind == FaultKind::SystemError {
        let data = serde_json::json!({"message": "the system reported an internal error", "source": "sandbox"});
        lifecycle::emit(
            &mut tx,
            now,
            EventType::SystemError,
            Some(connection_id),
            Some(&stored.connection.customer_id),
            data,
        )
        .await?;
    }
    tx.commit().await?;
    check_health(engine, connection_id).await
}

/// The health monitor for one connection: brings the connection's flags in line with its system.
pub async fn check_health(engine: &Engine, connection_id: &str) -> Result<(), EngineError> {
    let now = engine.clock.now();
    // Read first: the monitor passes every second over every connection, and most passes find
    // nothing to change, so the writer is only taken when an outage has run its course.
    let (connection, mut state) = {
        let mut db = engine.store.reader().acquire().await?;
        let Some(stored) = connections::get(&mut db, connection_id).await? else {
            return Ok(());
        };
        let Some(state) = sandbox::get(&mut db, connection_id).await? else {
            return Ok(());
        };
        (stored.connection, state)
    };
    if state.offline_until.is_some_and(|until| until <= now) {
        let mut tx = engine.store.begin().await?;
        state = sandbox::ensure(&mut tx, connection_id).await?;
        if state.offline_until.is_some_and(|until| until <= now) {
            state.online = true;
            state.offline_until = None;
            sandbox::save(&mut tx, &state).await?;
        }
        tx.commit().await?;
    }
    if connection.status == desk_platform::connection::ConnectionStatus::Disconnected
        || connection.system_id.is_none()
    {
        return Ok(());
    }
    if connection.online != state.online {
        lifecycle::set_online(engine, connection_id, state.online).await?;
    }
    if !state.credentials_valid && !connection.reauthorization_required {
        let reason = "the system refused the stored credentials (they expired or were revoked)";
        lifecycle::require_reauthorization(engine, connection_id, reason).await?;
    }
    Ok(())
}

/// The health monitor's pass over the connections whose simulated system disagrees with them
/// (or whose outage has run its course): the pass runs every second, and at 50,000
/// connections reading each one in turn would keep a core busy to find nothing.
pub async fn check_all(engine: &Engine) -> Result<(), EngineError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT s.connection_id FROM sandbox_systems s JOIN connections c ON c.id = s.connection_id
         WHERE c.status != 'disconnected' AND c.system_id IS NOT NULL
           AND ((s.offline_until IS NOT NULL AND s.offline_until <= ?)
                OR c.online != s.online
                OR (s.credentials_valid = 0 AND c.reauthorization_required = 0))",
    )
    .bind(engine.clock.now())
    .fetch_all(engine.store.reader())
    .await?;
    for id in ids {
        check_health(engine, &id).await?;
    }
    Ok(())
}

/// Fixed one-minute windows per connection, in memory: the platform's per-connection limit.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimiter {
    /// Counts a call; `Err(seconds)` to wait when the minute's budget is spent.
    pub fn admit(&self, connection_id: &str, limit: u32, now: DateTime<Utc>) -> Result<(), u64> {
        let minute = now.timestamp().div_euclid(60);
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let window = windows
            .entry(connection_id.to_owned())
            .or_insert((minute, 0));
        if window.0 != minute {
            *window = (minute, 0);
        }
        if window.1 >= limit {
            return Err((60 - now.timestamp().rem_euclid(60)).max(1) as u64);
        }
        window.1 += 1;
        Ok(())
    }
}

/// Gate of every data call: the system's faults and the connection's rate limit, in that order.
pub async fn admit_call(
    engine: &Engine,
    connection_id: &str,
    system_id: &str,
) -> Result<(), EngineError> {
    let now = engine.clock.now();
    let mut db = engine.store.reader().acquire().await?;
    let state = sandbox::get(&mut db, connection_id).await?;
    drop(db);
    let limit = state
        .as_ref()
        .and_then(|s| s.rate_limit_per_minute)
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
        .unwrap_or_else(|| {
            engine
                .catalog
                .get(system_id)
                .map_or(600, |s| s.rate_limit_per_minute)
        });
    if let Some(state) = &state {
        if let Some(until) = state.rate_limit_until.filter(|until| *until > now) {
            let wait = ((until - now).num_milliseconds() + 999).div_euclid(1000);
            return Err(rate_limited(
                wait as u64,
                "the system is throttling this connection (rate-limit storm)",
            ));
        }
        if !state.online {
            return Err(EngineError::api(
                ErrorCode::SystemUnavailable,
                format!("{system_id} is offline: the system did not answer"),
            ));
        }
        if state.fail_next_call {
            let mut tx = engine.store.begin().await?;
            let mut fresh = sandbox::ensure(&mut tx, connection_id).await?;
            fresh.fail_next_call = false;
            sandbox::save(&mut tx, &fresh).await?;
            tx.commit().await?;
            return Err(EngineError::api(
                ErrorCode::InternalError,
                format!("{system_id} answered an internal error"),
            ));
        }
    }
    engine
        .rate_limiter
        .admit(connection_id, limit, now)
        .map_err(|wait| {
            rate_limited(
                wait,
                &format!("more than {limit} calls this minute on this connection"),
            )
        })
}

fn rate_limited(retry_after: u64, message: &str) -> EngineError {
    EngineError::Api {
        code: ErrorCode::RateLimitExceeded,
        message: message.to_owned(),
        retry_after: Some(retry_after),
    }
}

/// Sandbox settings of one connection (benchmarks raise the volume and the rate limit).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SandboxSettings {
    /// Records per entity an initial sync finds (up to 2,000,000).
    #[serde(default)]
    pub records_per_entity: Option<i64>,
    #[serde(default)]
    pub rate_limit_per_minute: Option<i64>,
}

pub async fn configure(
    engine: &Engine,
    connection_id: &str,
    settings: SandboxSettings,
) -> Result<(), EngineError> {
    if settings
        .records_per_entity
        .is_some_and(|n| !(0..=2_000_000).contains(&n))
        || settings
            .rate_limit_per_minute
            .is_some_and(|n| !(1..=10_000_000).contains(&n))
    {
        return Err(EngineError::invalid(
            "records_per_entity must be 0 to 2000000 and rate_limit_per_minute 1 to 10000000",
        ));
    }
    let mut tx = engine.store.begin().await?;
    connections::get(&mut tx, connection_id)
        .await?
        .ok_or_else(|| EngineError::not_found("connection", connection_id))?;
    let mut state = sandbox::ensure(&mut tx, connection_id).await?;
    if settings.records_per_entity.is_some() {
        state.records_per_entity = settings.records_per_entity;
    }
    if settings.rate_limit_per_minute.is_some() {
        state.rate_limit_per_minute = settings.rate_limit_per_minute;
    }
    sandbox::save(&mut tx, &state).await?;
    tx.commit().await?;
    Ok(())
}
