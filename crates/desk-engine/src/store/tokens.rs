//! Admin clients, admin tokens and connection tokens, all by hash.

use crate::error::EngineError;
use chrono::{DateTime, Utc};
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

/// Kills every token of a connection at once (reauthorize, disconnect).
pub async fn revoke_connection_tokens(
    db: &mut SqliteConnection,
    connection_id: &str,
    now: DateTime<Utc>,
) -> Result<(), EngineError> {
    sqlx::query(
        "UPDATE connection_tokens SET revoked_at = ? WHERE connection_id = ? AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(connection_id)
    .execute(db)
    .await?;
    Ok(())
}

/// The connection a token belongs to, and whether the token was revoked.
pub async fn connection_of_token(
    db: &mut SqliteConnection,
    token_hash: &str,
) -> Result<Option<(String, bool)>, EngineError> {
    let row: Option<(String, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT connection_id, revoked_at FROM connection_tokens WHERE token_hash = ?",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id, revoked_at)| (id, revoked_at.is_some())))
}
