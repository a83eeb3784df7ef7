//! The connection tokens the app reads records with, kept in the vault under the connection's
//! customer's data key.
//!
//! On our platform (local or self-hosted) the app issues a named read-only token of its own,
//! which leaves the connection's main token (the integrator's) working. Makini documents one
//! token route, which may replace the token the integrator's code uses: there the app uses a
//! token the user supplies, or issues one only when asked, with the consequence named.

use crate::desk::Desk;
use crate::session::Session;
use crate::CoreError;
use desk_client::Secret;
use desk_platform::connection::Connection;

/// The prefix of the read-only token the app issues for itself on our platform.
const OWN_TOKEN_PREFIX: &str = "makini-desk";

/// The vault entry of a connection's token (scoped to its customer's data key).
pub(crate) fn token_name(profile: &str, connection_id: &str) -> String {
    format!("connection-token/{profile}/{connection_id}")
}

/// Keeps a connection token the user supplies (`mdesk connections token set`, or pasted on the
/// connection's page), for platforms whose token route may replace the token the integrator's
/// own code uses (Makini): the app never issues one there without being asked. The connection
/// must be mirrored (a first sync lists it), since its token is kept under its customer's data
/// key.
pub async fn set_connection_token(
    desk: &Desk,
    profile: Option<&str>,
    connection_id: &str,
    token: desk_vault::SecretString,
) -> Result<(), CoreError> {
    let profile = crate::profiles::resolve_profile(desk, profile).await?;
    if token.expose().trim().is_empty() {
        return Err(CoreError::InvalidInput("the token is empty".to_owned()));
    }
    let mirrored = desk
        .mirror()
        .connection_preferring(connection_id, Some(&profile.name))
        .await?;
    desk.vault()
        .await?
        .put(
            &mirrored.connection.customer_id,
            &token_name(&profile.name, connection_id),
            &token,
        )
        .await?;
    tracing::info!(connection_id, profile = %profile.name, "connection token kept in the vault");
    Ok(())
}

/// Whether the vault holds a token of `connection` for the session's profile.
pub(crate) async fn has_token(
    desk: &Desk,
    session: &Session,
    connection: &Connection,
) -> Result<bool, CoreError> {
    Ok(kept_token(desk, session, connection).await?.is_some())
}

/// The connection's token from the vault.
pub(crate) async fn kept_token(
    desk: &Desk,
    session: &Session,
    connection: &Connection,
) -> Result<Option<Secret>, CoreError> {
    let name = token_name(&session.profile.name, &connection.id);
    let token = desk
        .vault()
        .await?
        .get(&connection.customer_id, &name)
        .await?;
    Ok(token.map(|token| Secret::new(token.expose())))
}

/// Issues a token for the app's pulls and keeps it in the vault: the app's own named read-only
/// token on our platform; on Makini, the documented route's token, which may replace the one
/// the connection had (callers decide whether that was asked for).
pub(crate) async fn issue_token(
    desk: &Desk,
    session: &Session,
    connection: &Connection,
) -> Result<Secret, CoreError> {
    let client = &session.client;
    let issued = if client.is_makini() {
        client.issue_connection_token(&connection.id).await?.token
    } else {
        let name = format!("{OWN_TOKEN_PREFIX}.{}", desk.desk_id()?);
        client.issue_read_token(&connection.id, &name).await?
    };
    let token = desk_vault::SecretString::new(issued);
    desk.vault()
        .await?
        .put(
            &connection.customer_id,
            &token_name(&session.profile.name, &connection.id),
            &token,
        )
        .await?;
    tracing::info!(connection_id = %connection.id, profile = %session.profile.name, "issued a connection token, kept in the vault");
    Ok(Secret::new(token.expose()))
}
