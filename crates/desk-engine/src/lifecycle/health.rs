//! State the simulated systems push onto a connection: offline/online, credentials refused.

use super::connect::require_connection;
use super::emit_for;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::store::connections;
use desk_platform::connection::Connection;
use desk_platform::event::EventType;
use serde_json::json;

/// The system's credentials stopped working: calls fail with `REAUTHORIZATION_REQUIRED` until a
/// reauthorization. Idempotent: a connection already in that state emits nothing.
pub async fn require_reauthorization(
    engine: &Engine,
    id: &str,
    reason: &str,
) -> Result<Connection, EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let mut stored = require_connection(&mut tx, id).await?;
    if !stored.connection.status.is_live()
        && stored.connection.status != desk_platform::connection::ConnectionStatus::Inactive
    {
        return Err(EngineError::conflict(format!(
            "a {} connection has no credentials to expire",
            stored.connection.status.as_str()
        )));
    }
    if !stored.connection.reauthorization_required {
        stored.connection.reauthorization_required = true;
        connections::update(&mut tx, &stored).await?;
        let c = &stored.connection;
        let data = json!({ "reason": reason });
        emit_for(
            &mut tx,
            now,
            EventType::ConnectionReauthorizationRequired,
            c,
            data,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(stored.connection)
}

/// The system went offline or came back. Idempotent like [`require_reauthorization`].
pub async fn set_online(
    engine: &Engine,
    id: &str,
    online: bool,
) -> Result<Connection, EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let mut stored = require_connection(&mut tx, id).await?;
    if stored.connection.online != online {
        stored.connection.online = online;
        connections::update(&mut tx, &stored).await?;
        let c = &stored.connection;
        let data = json!({ "previous": c.status, "current": c.status, "online": online });
        emit_for(&mut tx, now, EventType::ConnectionStatusChanged, c, data).await?;
    }
    tx.commit().await?;
    Ok(stored.connection)
}
