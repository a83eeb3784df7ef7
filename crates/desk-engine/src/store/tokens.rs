//! Admin clients, admin tokens and connection tokens, all by hash.

use crate::error::EngineError;
use chrono::{DateTime, Utc};
use desk_platform::connection::{NamedToken, TokenScope};
use sqlx::SqliteConnection;

pub async fn client_secret_hash(
    db: &mut SqliteConnection,
    client_id: &str,
) -> Result<Option<String>, EngineError> {
    Ok(
        sqlx::query_scalar("SELECT secret_hash FROM admin_clients WHERE client_id = ?")
            .bind(client_id)
            .fetch_optional(db)
            .await?,
    )
}

pub async fn upsert_client(
    db: &mut SqliteConnection,
    client_id: &str,
    secret_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), EngineError> {
    sqlx::query(
        "INSERT INTO admin_clients (client_id, secret_hash, created_at) VALUES (?, ?, ?)
         ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash",
    )
    .bind(client_id)
    .bind(secret_hash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminTokenKind {
    Access,
    Refresh,
}

impl AdminTokenKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
        }
    }
}

pub async fn insert_admin_token(
    db: &mut SqliteConnection,
    token_hash: &str,
    kind: AdminTokenKind,
    client_id: &str,
    family: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), EngineError> {
    sqlx::query(
        "INSERT INTO admin_tokens (token_hash, kind, client_id, family, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(token_hash)
    .bind(kind.as_str())
    .bind(client_id)
    .bind(family)
    .bind(expires_at)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// A live (unrevoked, unexpired) admin token of `kind`: its client and family.
pub async fn live_admin_token(
    db: &mut SqliteConnection,
    token_hash: &str,
    kind: AdminTokenKind,
    now: DateTime<Utc>,
) -> Result<Option<(String, String)>, EngineError> {
    Ok(sqlx::query_as(
        "SELECT client_id, family FROM admin_tokens
         WHERE token_hash = ? AND kind = ? AND revoked = 0 AND expires_at > ?",
    )
    .bind(token_hash)
    .bind(kind.as_str())
    .bind(now)
    .fetch_optional(db)
    .await?)
}

/// Revokes every token of a family: a refresh invalidates the old pair.
pub async fn revoke_family(db: &mut SqliteConnection, family: &str) -> Result<(), EngineError> {
    sqlx::query("UPDATE admin_tokens SET revoked = 1 WHERE family = ?")
        .bind(family)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn insert_connection_token(
    db: &mut SqliteConnection,
    token_hash: &str,
    connection_id: &str,
    now: DateTime<Utc>,
) -> Result<(), EngineError> {
    sqlx::query(
        "INSERT INTO connection_tokens (token_hash, connection_id, issued_at) VALUES (?, ?, ?)",
    )
    .bind(token_hash)
    .bind(connection_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Which of a connection's tokens a revocation reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The main token only (a reissue or a reauthorization): named tokens live on.
    Main,
    /// Every token, named ones too (a disconnect, or credentials of another account).
    All,
}

/// Kills a connection's tokens at once.
pub async fn revoke_connection_tokens(
    db: &mut SqliteConnection,
    connection_id: &str,
    reach: Reach,
    now: DateTime<Utc>,
) -> Result<(), EngineError> {
    sqlx::query(
        "UPDATE connection_tokens SET revoked_at = ?
         WHERE connection_id = ? AND revoked_at IS NULL AND (? OR name IS NULL)",
    )
    .bind(now)
    .bind(connection_id)
    .bind(reach == Reach::All)
    .execute(db)
    .await?;
    Ok(())
}

/// A token as the data routes see it: its connection, whether it was revoked, and its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOwner {
    pub connection_id: String,
    pub revoked: bool,
    pub scope: TokenScope,
    /// `None` for the connection's main token.
    pub name: Option<String>,
}

/// connection, revoked at, scope, name
type OwnerRow = (String, Option<DateTime<Utc>>, String, Option<String>);
/// name, scope, issued at, revoked at
type NamedRow = (String, String, DateTime<Utc>, Option<DateTime<Utc>>);

/// The connection a token belongs to, whether the token was revoked, and what it may do.
pub async fn connection_of_token(
    db: &mut SqliteConnection,
    token_hash: &str,
) -> Result<Option<TokenOwner>, EngineError> {
    let row: Option<OwnerRow> = sqlx::query_as(
        "SELECT connection_id, revoked_at, scope, name FROM connection_tokens WHERE token_hash = ?",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    Ok(
        row.map(|(connection_id, revoked_at, scope, name)| TokenOwner {
            connection_id,
            revoked: revoked_at.is_some(),
            // An unknown scope in the store reads as the narrowest.
            scope: TokenScope::parse(&scope).unwrap_or(TokenScope::Read),
            name,
        }),
    )
}

/// Adds a named token, revoking a live one of the same name first.
pub async fn insert_named_token(
    db: &mut SqliteConnection,
    token_hash: &str,
    connection_id: &str,
    name: &str,
    scope: TokenScope,
    now: DateTime<Utc>,
) -> Result<(), EngineError> {
    revoke_named_token(db, connection_id, name, now).await?;
    sqlx::query(
        "INSERT INTO connection_tokens (token_hash, connection_id, issued_at, name, scope)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(token_hash)
    .bind(connection_id)
    .bind(now)
    .bind(name)
    .bind(scope.as_str())
    .execute(db)
    .await?;
    Ok(())
}

/// Revokes the live token of that name; `false` when there was none.
pub async fn revoke_named_token(
    db: &mut SqliteConnection,
    connection_id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<bool, EngineError> {
    let done = sqlx::query(
        "UPDATE connection_tokens SET revoked_at = ?
         WHERE connection_id = ? AND name = ? AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(connection_id)
    .bind(name)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A connection's named tokens, live ones first, then the revoked ones, newest first.
pub async fn named_tokens(
    db: &mut SqliteConnection,
    connection_id: &str,
) -> Result<Vec<NamedToken>, EngineError> {
    let rows: Vec<NamedRow> = sqlx::query_as(
        "SELECT name, scope, issued_at, revoked_at FROM connection_tokens
         WHERE connection_id = ? AND name IS NOT NULL
         ORDER BY revoked_at IS NOT NULL, issued_at DESC, name",
    )
    .bind(connection_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, scope, issued_at, revoked_at)| NamedToken {
            name,
            scope: TokenScope::parse(&scope).unwrap_or(TokenScope::Read),
            issued_at,
            revoked_at,
        })
        .collect())
}
