//! The token the app reads a connection's records with: whether the vault holds one, keeping
//! one the user pastes, and issuing one (on Makini only once the user confirmed that it may
//! replace the token the integrator's own code uses).

use crate::desk::Desk;
use crate::tokens;
use crate::CoreError;
use desk_store::MirroredConnection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ConnectionTokenShowRequest {
    pub id: String,
}

/// The token a connection's pulls use, by name of its state only (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectionTokenState {
    pub connection_id: String,
    pub profile: String,
    /// The vault holds a token for the app's pulls of this connection.
    pub kept: bool,
    pub issuing: TokenIssuing,
}

/// What issuing a token does on the connection's platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TokenIssuing {
    /// Our platform: the app issues a named read-only token of its own (at the next sync when
    /// it has none), and the connection's main token keeps working.
    OwnReadToken,
    /// Makini: its documented token route may replace the connection's current token, so the
    /// app issues one only when asked, with `replace_current_confirmed`.
    MayReplaceCurrent,
}

#[derive(Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ConnectionTokenSetRequest {
    pub id: String,
    /// Goes to the vault only.
    pub token: String,
}

impl std::fmt::Debug for ConnectionTokenSetRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionTokenSetRequest")
            .field("id", &self.id)
            .field("token", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct ConnectionTokenIssueRequest {
    pub id: String,
    /// On Makini: the user was told that the connection's current token may stop working.
    #[serde(default)]
    pub replace_current_confirmed: bool,
}

pub async fn connection_token_show(
    desk: &Desk,
    request: ConnectionTokenShowRequest,
) -> Result<ConnectionTokenState, CoreError> {
    let mirrored = desk.mirrored_connection(&request.id).await?;
    state(desk, &mirrored).await
}

pub async fn connection_token_set(
    desk: &Desk,
    request: ConnectionTokenSetRequest,
) -> Result<ConnectionTokenState, CoreError> {
    let mirrored = desk.mirrored_connection(&request.id).await?;
    tokens::set_connection_token(
        desk,
        Some(&mirrored.profile),
        &request.id,
        desk_vault::SecretString::new(request.token.trim().to_owned()),
    )
    .await?;
    state(desk, &mirrored).await
}

pub async fn connection_token_issue(
    desk: &Desk,
    request: ConnectionTokenIssueRequest,
) -> Result<ConnectionTokenState, CoreError> {
    let mirrored = desk.mirrored_connection(&request.id).await?;
    let session = desk.session(Some(&mirrored.profile)).await?;
    if session.client.is_makini() && !request.replace_current_confirmed {
        return Err(CoreError::ConfirmationRequired(format!(
            "Makini's token route may replace the current token of {}: code that calls Makini with it gets 401 until it has the new one; issue with replace_current_confirmed to go on",
            request.id
        )));
    }
    tokens::issue_token(desk, &session, &mirrored.connection).await?;
    state(desk, &mirrored).await
}

async fn state(
    desk: &Desk,
    mirrored: &MirroredConnection,
) -> Result<ConnectionTokenState, CoreError> {
    let session = desk.session(Some(&mirrored.profile)).await?;
    Ok(ConnectionTokenState {
        connection_id: mirrored.connection.id.clone(),
        profile: mirrored.profile.clone(),
        kept: tokens::has_token(desk, &session, &mirrored.connection).await?,
        issuing: if session.client.is_makini() {
            TokenIssuing::MayReplaceCurrent
        } else {
            TokenIssuing::OwnReadToken
        },
    })
}
