//! Magic links: a pending connection the customer's IT admin finishes with their own credentials.

use super::connect::{require_connection, rotate_token, try_consume};
use super::{emit_for, require_customer, require_text};
use crate::credentials;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::store::connections::{self, StoredConnection};
use crate::token;
use chrono::{DateTime, Duration, Utc};
use desk_platform::connection::{
    CompleteMagicLink, Connection, ConnectionStatus, CreateMagicLink, MagicLink,
};
use desk_platform::event::EventType;
use desk_platform::ids::prefix;
use desk_platform::ledger::LedgerReason;
use desk_platform::ErrorCode;
use serde_json::json;

const DEFAULT_EXPIRY_SECONDS: i64 = 7 * 24 * 3600;
const MAX_EXPIRY_SECONDS: i64 = 30 * 24 * 3600;

/// `base_url` is where the engine is reached (from the request), so the link opens as is.
pub async fn create_magic_link(
    engine: &Engine,
    request: CreateMagicLink,
    base_url: &str,
) -> Result<MagicLink, EngineError> {
    require_text("name", &request.name, 200)?;
    let expires_in = request.expires_in.unwrap_or(DEFAULT_EXPIRY_SECONDS);
    if !(60..=MAX_EXPIRY_SECONDS).contains(&expires_in) {
        return Err(EngineError::invalid(format!(
            "expires_in must be 60 to {MAX_EXPIRY_SECONDS} seconds"
        )));
    }
    let system = match request.system_id.as_deref() {
        Some(id) => Some(engine.catalog.require(id)?),
        None => None,
    };
    let now = engine.clock.now();
    let expires_at = now + Duration::seconds(expires_in);
    let mut tx = engine.store.begin().await?;
    let customer = require_customer(&mut tx, &request.customer_id).await?;
    let stored = StoredConnection {
        connection: Connection {
            id: token::new_id(prefix::CONNECTION),
            customer_id: customer.id.clone(),
            system_id: system.map(|s| s.id.clone()),
            deployment: None,
            name: request.name.trim().to_owned(),
            email: None,
            credits: 0,
            status: ConnectionStatus::Pending,
            online: false,
            reauthorization_required: false,
            connected_at: None,
            authorized_by: None,
            token_issued_at: None,
            last_sync_at: None,
            next_sync_at: None,
            created_at: now,
            user_metadata: request.user_metadata,
        },
        consumed: 0,
        overage: 0,
        identity_fingerprint: None,
        webhook_url: None,
        webhook_events: Vec::new(),
        webhook_secret: None,
        data_deleted_at: None,
        sync_settings: desk_platform::connection::SyncSettings::default(),
    };
    connections::insert(&mut tx, &stored).await?;
    let id = token::new_id(prefix::MAGIC_LINK);
    let link_token = token::generate("mlt_");
    sqlx::query(
        "INSERT INTO magic_links (id, token_hash, connection_id, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(token::hash(&link_token))
    .bind(&stored.connection.id)
    .bind(expires_at)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let c = &stored.connection;
    let data = json!({ "status": c.status, "system_id": c.system_id, "magic_link_id": id });
    emit_for(&mut tx, now, EventType::ConnectionCreated, c, data).await?;
    tx.commit().await?;
    Ok(MagicLink {
        id,
        url: format!("{}/connect/{link_token}", base_url.trim_end_matches('/')),
        connection_id: stored.connection.id,
        expires_at,
    })
}

/// What the link's page shows before the customer fills it in.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MagicLinkView {
    pub connection_id: String,
    pub customer_name: String,
    pub name: String,
    pub system_id: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub completed: bool,
}

type LinkRow = (String, DateTime<Utc>, Option<DateTime<Utc>>);

async fn find_link(
    tx: &mut sqlx::SqliteConnection,
    link_token: &str,
) -> Result<LinkRow, EngineError> {
    let row: Option<LinkRow> = sqlx::query_as(
        "SELECT connection_id, expires_at, completed_at FROM magic_links WHERE token_hash = ?",
    )
    .bind(token::hash(link_token))
    .fetch_optional(tx)
    .await?;
    row.ok_or_else(|| EngineError::api(ErrorCode::NotFound, "this link does not exist"))
}

pub async fn view_magic_link(
    engine: &Engine,
    link_token: &str,
) -> Result<MagicLinkView, EngineError> {
    let mut db = engine.store.reader().acquire().await?;
    let (connection_id, expires_at, completed_at) = find_link(&mut db, link_token).await?;
    let stored = connections::get(&mut db, &connection_id)
        .await?
        .ok_or_else(|| EngineError::Corrupt(format!("link without connection {connection_id}")))?;
    let customer = require_customer(&mut db, &stored.connection.customer_id).await?;
    Ok(MagicLinkView {
        connection_id,
        customer_name: customer.name,
        name: stored.connection.name,
        system_id: stored.connection.system_id,
        expires_at,
        completed: completed_at.is_some(),
    })
}

/// Finishes the flow: the connection takes its system, credits (or stays inactive) and a token.
/// The token is not shown to the customer: the admin issues one with `POST .../token`.
pub async fn complete_magic_link(
    engine: &Engine,
    link_token: &str,
    request: CompleteMagicLink,
) -> Result<Connection, EngineError> {
    require_text("authorized_by", &request.authorized_by, 200)?;
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let (connection_id, expires_at, completed_at) = find_link(&mut tx, link_token).await?;
    if completed_at.is_some() {
        return Err(EngineError::conflict("this link was already used"));
    }
    if expires_at <= now {
        return Err(EngineError::api(
            ErrorCode::PermissionDenied,
            "this link has expired",
        ));
    }
    let mut stored = require_connection(&mut tx, &connection_id).await?;
    if stored.connection.status != ConnectionStatus::Pending {
        return Err(EngineError::conflict(
            "the connection of this link is no longer pending",
        ));
    }
    let system_id = match (&stored.connection.system_id, &request.system_id) {
        (Some(fixed), Some(asked)) if fixed != asked => {
            return Err(EngineError::invalid(format!(
                "this link is for system {fixed}"
            )))
        }
        (Some(fixed), _) => fixed.clone(),
        (None, Some(asked)) => asked.clone(),
        (None, None) => return Err(EngineError::invalid("system_id is required")),
    };
    let system = engine.catalog.require(&system_id)?;
    if !system.supports(request.deployment) {
        return Err(EngineError::invalid(format!(
            "{} is not offered that way",
            system.name
        )));
    }
    credentials::validate_form(system, &request.credentials)?;
    let login = credentials::authenticate(system, &request.credentials);
    if !login.ok {
        return Err(EngineError::invalid(login.message));
    }
    let c = &mut stored.connection;
    c.system_id = Some(system.id.clone());
    c.deployment = Some(request.deployment);
    c.credits = system.credits_for(request.deployment);
    c.status = ConnectionStatus::Inactive;
    c.online = true;
    c.connected_at = Some(now);
    c.authorized_by = Some(request.authorized_by.trim().to_owned());
    stored.identity_fingerprint = credentials::identity_fingerprint(system, &request.credentials);
    rotate_token(&mut tx, &mut stored, crate::store::tokens::Reach::Main, now).await?;
    connections::update(&mut tx, &stored).await?;
    if try_consume(engine, &mut tx, &mut stored, LedgerReason::Connect).await? {
        super::connect::start_initial_sync(&mut stored, ConnectionStatus::Synchronizing, now);
        connections::update(&mut tx, &stored).await?;
    }
    sqlx::query("UPDATE magic_links SET completed_at = ? WHERE token_hash = ?")
        .bind(now)
        .bind(token::hash(link_token))
        .execute(&mut *tx)
        .await?;
    let c = &stored.connection;
    let data =
        json!({ "previous": ConnectionStatus::Pending, "current": c.status, "online": c.online });
    emit_for(&mut tx, now, EventType::ConnectionStatusChanged, c, data).await?;
    tx.commit().await?;
    Ok(stored.connection)
}
