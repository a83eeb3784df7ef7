//! Named connection tokens: additional tokens under a name (the app's own read token, a BI
//! tool's), issued, listed and revoked without touching the connection's main token, so reading
//! a connection's data never breaks the integrator's production code that holds the main one.
//!
//! Documented behaviour: a reissue of the main token (`POST .../token`) and a reauthorization
//! with the same account's credentials keep named tokens; a reauthorization into another account
//! or instance and a disconnect revoke them.

use super::connect::require_connection;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::store::tokens;
use crate::token;
use desk_platform::connection::{ConnectionStatus, IssueNamedToken, NamedToken, NamedTokenIssued};
use desk_platform::ids::prefix;

const MAX_NAME: usize = 64;

fn check_name(name: &str) -> Result<(), EngineError> {
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(EngineError::invalid(format!(
            "token name {name:?} must be 1-{MAX_NAME} letters, digits, '-', '_' or '.'"
        )))
    }
}

/// Issues a token under `request.name`; a live one of that name is replaced.
pub async fn issue_named_token(
    engine: &Engine,
    id: &str,
    request: IssueNamedToken,
) -> Result<NamedTokenIssued, EngineError> {
    check_name(&request.name)?;
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let stored = require_connection(&mut tx, id).await?;
    if matches!(
        stored.connection.status,
        ConnectionStatus::Disconnected | ConnectionStatus::Pending
    ) {
        return Err(EngineError::conflict(format!(
            "a {} connection takes no tokens",
            stored.connection.status.as_str()
        )));
    }
    let value = token::generate(prefix::CONNECTION_TOKEN);
    tokens::insert_named_token(
        &mut tx,
        &token::hash(&value),
        id,
        &request.name,
        request.scope,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(connection = %id, name = %request.name, scope = request.scope.as_str(), "issued a named connection token");
    Ok(NamedTokenIssued {
        named: NamedToken {
            name: request.name,
            scope: request.scope,
            issued_at: now,
            revoked_at: None,
        },
        token: value,
    })
}

pub async fn named_tokens(engine: &Engine, id: &str) -> Result<Vec<NamedToken>, EngineError> {
    let mut tx = engine.store.begin().await?;
    require_connection(&mut tx, id).await?;
    let listed = tokens::named_tokens(&mut tx, id).await?;
    tx.commit().await?;
    Ok(listed)
}

/// Revokes the live token of that name and answers it as it now stands.
pub async fn revoke_named_token(
    engine: &Engine,
    id: &str,
    name: &str,
) -> Result<NamedToken, EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    require_connection(&mut tx, id).await?;
    if !tokens::revoke_named_token(&mut tx, id, name, now).await? {
        return Err(EngineError::not_found("live token named", name));
    }
    let revoked = tokens::named_tokens(&mut tx, id)
        .await?
        .into_iter()
        .find(|t| t.name == name && t.revoked_at == Some(now))
        .ok_or_else(|| EngineError::not_found("live token named", name))?;
    tx.commit().await?;
    Ok(revoked)
}
