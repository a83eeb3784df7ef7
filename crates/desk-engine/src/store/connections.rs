use crate::error::EngineError;
use chrono::{DateTime, Utc};
use desk_platform::catalog::Deployment;
use desk_platform::connection::{Connection, ConnectionStatus, SyncSettings};
use sqlx::SqliteConnection;

/// A connection as stored, with the engine-private columns next to the wire type.
#[derive(Debug, Clone)]
pub struct StoredConnection {
    pub connection: Connection,
    /// Credits taken from the pool now.
    pub consumed: i64,
    /// Credits counted as overage now.
    pub overage: i64,
    pub identity_fingerprint: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_events: Vec<String>,
    pub webhook_secret: Option<String>,
    pub data_deleted_at: Option<DateTime<Utc>>,
    pub sync_settings: SyncSettings,
}

#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    id: String,
    customer_id: String,
    system_id: Option<String>,
    deployment: Option<String>,
    name: String,
    email: Option<String>,
    credits: i64,
    consumed: i64,
    overage: i64,
    status: String,
    online: bool,
    reauthorization_required: bool,
    connected_at: Option<DateTime<Utc>>,
    authorized_by: Option<String>,
    token_issued_at: Option<DateTime<Utc>>,
    last_sync_at: Option<DateTime<Utc>>,
    next_sync_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    user_metadata: String,
    identity_fingerprint: Option<String>,
    webhook_url: Option<String>,
    webhook_events: String,
    webhook_secret: Option<String>,
    data_deleted_at: Option<DateTime<Utc>>,
    sync_settings: String,
}

impl Row {
    fn into_stored(self) -> Result<(i64, StoredConnection), EngineError> {
        let status = ConnectionStatus::parse(&self.status)
            .ok_or_else(|| EngineError::Corrupt(format!("unknown status {}", self.status)))?;
        let deployment = match self.deployment.as_deref() {
            None => None,
            Some(text) => Some(
                Deployment::parse(text)
                    .ok_or_else(|| EngineError::Corrupt(format!("unknown deployment {text}")))?,
            ),
        };
        let connection = Connection {
            id: self.id,
            customer_id: self.customer_id,
            system_id: self.system_id,
            deployment,
            name: self.name,
            email: self.email,
            credits: self.credits,
            status,
            online: self.online,
            reauthorization_required: self.reauthorization_required,
            connected_at: self.connected_at,
            authorized_by: self.authorized_by,
            token_issued_at: self.token_issued_at,
            last_sync_at: self.last_sync_at,
            next_sync_at: self.next_sync_at,
            created_at: self.created_at,
            user_metadata: serde_json::from_str(&self.user_metadata)?,
        };
        Ok((
            self.seq,
            StoredConnection {
                connection,
                consumed: self.consumed,
                overage: self.overage,
                identity_fingerprint: self.identity_fingerprint,
                webhook_url: self.webhook_url,
                webhook_events: serde_json::from_str(&self.webhook_events)?,
                webhook_secret: self.webhook_secret,
                data_deleted_at: self.data_deleted_at,
                sync_settings: serde_json::from_str(&self.sync_settings)?,
            },
        ))
    }
}

pub async fn insert(
    db: &mut SqliteConnection,
    stored: &StoredConnection,
) -> Result<(), EngineError> {
    let c = &stored.connection;
    sqlx::query(
        "INSERT INTO connections (id, customer_id, system_id, deployment, name, email, credits,
            consumed, overage, status, online, reauthorization_required, connected_at,
            authorized_by, token_issued_at, last_sync_at, next_sync_at, created_at, user_metadata,
            identity_fingerprint, webhook_url, webhook_events, webhook_secret, sync_settings)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&c.id)
    .bind(&c.customer_id)
    .bind(&c.system_id)
    .bind(c.deployment.map(Deployment::as_str))
    .bind(&c.name)
    .bind(&c.email)
    .bind(c.credits)
    .bind(stored.consumed)
    .bind(stored.overage)
    .bind(c.status.as_str())
    .bind(c.online)
    .bind(c.reauthorization_required)
    .bind(c.connected_at)
    .bind(&c.authorized_by)
    .bind(c.token_issued_at)
    .bind(c.last_sync_at)
    .bind(c.next_sync_at)
    .bind(c.created_at)
    .bind(serde_json::Value::Object(c.user_metadata.clone()).to_string())
    .bind(&stored.identity_fingerprint)
    .bind(&stored.webhook_url)
    .bind(serde_json::to_string(&stored.webhook_events)?)
    .bind(&stored.webhook_secret)
    .bind(serde_json::to_string(&stored.sync_settings)?)
    .execute(db)
    .await?;
    Ok(())
}

/// Writes back every mutable column of a connection read with [`get`].
pub async fn update(
    db: &mut SqliteConnection,
    stored: &StoredConnection,
) -> Result<(), EngineError> {
    let c = &stored.connection;
    let result = sqlx::query(
        "UPDATE connections SET system_id = ?, deployment = ?, name = ?, email = ?, credits = ?,
            consumed = ?, overage = ?, status = ?, online = ?, reauthorization_required = ?,
            connected_at = ?, authorized_by = ?, token_issued_at = ?, last_sync_at = ?,
            next_sync_at = ?, user_metadata = ?, identity_fingerprint = ?, webhook_url = ?,
            webhook_events = ?, webhook_secret = ?, data_deleted_at = ?, sync_settings = ?
         WHERE id = ?",
    )
    .bind(&c.system_id)
    .bind(c.deployment.map(Deployment::as_str))
    .bind(&c.name)
    .bind(&c.email)
    .bind(c.credits)
    .bind(stored.consumed)
    .bind(stored.overage)
    .bind(c.status.as_str())
    .bind(c.online)
    .bind(c.reauthorization_required)
    .bind(c.connected_at)
    .bind(&c.authorized_by)
    .bind(c.token_issued_at)
    .bind(c.last_sync_at)
    .bind(c.next_sync_at)
    .bind(serde_json::Value::Object(c.user_metadata.clone()).to_string())
    .bind(&stored.identity_fingerprint)
    .bind(&stored.webhook_url)
    .bind(serde_json::to_string(&stored.webhook_events)?)
    .bind(&stored.webhook_secret)
    .bind(stored.data_deleted_at)
    .bind(serde_json::to_string(&stored.sync_settings)?)
    .bind(&c.id)
    .execute(db)
    .await?;
    if result.rows_affected() != 1 {
        return Err(EngineError::not_found("connection", &c.id));
    }
    Ok(())
}

pub async fn get(
    db: &mut SqliteConnection,
    id: &str,
) -> Result<Option<StoredConnection>, EngineError> {
    let row: Option<Row> = sqlx::query_as("SELECT seq, id, customer_id, system_id, deployment, name, email, credits, consumed, overage, status, online, reauthorization_required, connected_at, authorized_by, token_issued_at, last_sync_at, next_sync_at, created_at, user_metadata, identity_fingerprint, webhook_url, webhook_events, webhook_secret, data_deleted_at, sync_settings FROM connections WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(|row| row.into_stored().map(|(_, stored)| stored))
        .transpose()
}

pub async fn list(
    db: &mut SqliteConnection,
    after_seq: i64,
    limit: u32,
    customer_id: Option<&str>,
    status: Option<ConnectionStatus>,
) -> Result<Vec<(i64, StoredConnection)>, EngineError> {
    let status = status.map(ConnectionStatus::as_str);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT seq, id, customer_id, system_id, deployment, name, email, credits, consumed, overage, status, online, reauthorization_required, connected_at, authorized_by, token_issued_at, last_sync_at, next_sync_at, created_at, user_metadata, identity_fingerprint, webhook_url, webhook_events, webhook_secret, data_deleted_at, sync_settings FROM connections WHERE seq > ?
           AND (? IS NULL OR customer_id = ?) AND (? IS NULL OR status = ?)
         ORDER BY seq LIMIT ?",
    )
    .bind(after_seq)
    .bind(customer_id)
    .bind(customer_id)
    .bind(status)
    .bind(status)
    .bind(i64::from(limit) + 1)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(Row::into_stored).collect()
}

/// Page `offset..offset + limit` of every connection, oldest first, and how many there are:
/// Makini's page-based connection list.
pub async fn page(
    db: &mut SqliteConnection,
    offset: i64,
    limit: u32,
) -> Result<(Vec<StoredConnection>, i64), EngineError> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM connections")
        .fetch_one(&mut *db)
        .await?;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT seq, id, customer_id, system_id, deployment, name, email, credits, consumed, overage, status, online, reauthorization_required, connected_at, authorized_by, token_issued_at, last_sync_at, next_sync_at, created_at, user_metadata, identity_fingerprint, webhook_url, webhook_events, webhook_secret, data_deleted_at, sync_settings FROM connections
         ORDER BY seq LIMIT ? OFFSET ?",
    )
    .bind(i64::from(limit))
    .bind(offset)
    .fetch_all(db)
    .await?;
    let connections = rows
        .into_iter()
        .map(|row| row.into_stored().map(|(_, stored)| stored))
        .collect::<Result<_, _>>()?;
    Ok((connections, total))
}

/// How the connection's webhooks are written (a column of its own: only delivery reads it).
pub async fn set_webhook_format(
    db: &mut SqliteConnection,
    id: &str,
    format: desk_platform::connection::WebhookFormat,
) -> Result<(), EngineError> {
    sqlx::query("UPDATE connections SET webhook_format = ? WHERE id = ?")
        .bind(format.as_str())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}
