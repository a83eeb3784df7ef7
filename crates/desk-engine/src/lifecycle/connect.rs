//! Connect, reauthorize, activate, disconnect: the connection lifecycle and its credits.

use super::{append_ledger, check_email, emit_for, insufficient, require_customer, require_text};
use crate::credentials;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::store::connections::{self, StoredConnection};
use crate::store::{accounts, tokens, Tx};
use crate::token;
use desk_platform::account::Plan;
use desk_platform::connection::{
    Activate, Connection, ConnectionCreated, ConnectionStatus, ConnectionToken, CreateConnection,
    Reauthorize, TestCheck, TestConnection, TestCredentials, TestResult, WebhookSettings,
};
use desk_platform::event::EventType;
use desk_platform::ids::prefix;
use desk_platform::ledger::LedgerReason;
use desk_platform::webhook_signature::WebhookKey;
use desk_platform::ErrorCode;
use rand::RngCore;
use serde_json::json;

pub(crate) async fn require_connection(
    tx: &mut Tx,
    id: &str,
) -> Result<StoredConnection, EngineError> {
    connections::get(tx, id)
        .await?
        .ok_or_else(|| EngineError::not_found("connection", id))
}

fn validate_webhook(webhook: &WebhookSettings) -> Result<(), EngineError> {
    let url = webhook.url.trim();
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2048 {
        return Err(EngineError::invalid(format!(
            "webhook url {url:?} must be an http(s) URL"
        )));
    }
    if let Some(unknown) = webhook
        .events
        .iter()
        .find(|e| EventType::parse(e).is_none())
    {
        return Err(EngineError::invalid(format!(
            "unknown webhook event type {unknown:?}"
        )));
    }
    Ok(())
}

pub(crate) fn new_webhook_secret() -> String {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    match WebhookKey::from_bytes(key.to_vec()) {
        Ok(key) => key.to_secret(),
        Err(_) => unreachable!("a 32-byte key is never empty"),
    }
}

/// Issues a fresh main connection token, killing the previous main one; named tokens live on
/// unless `reach` says all.
pub(crate) async fn rotate_token(
    tx: &mut Tx,
    stored: &mut StoredConnection,
    reach: tokens::Reach,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, EngineError> {
    tokens::revoke_connection_tokens(tx, &stored.connection.id, reach, now).await?;
    let token = token::generate(prefix::CONNECTION_TOKEN);
    tokens::insert_connection_token(tx, &token::hash(&token), &stored.connection.id, now).await?;
    stored.connection.token_issued_at = Some(now);
    Ok(token)
}

/// Takes the connection's credits from the pool when it has them; `false` leaves it inactive.
pub(crate) async fn try_consume(
    engine: &Engine,
    tx: &mut Tx,
    stored: &mut StoredConnection,
    reason: LedgerReason,
) -> Result<bool, EngineError> {
    let balance = accounts::balance(tx).await?;
    let cost = stored.connection.credits;
    if balance.available < cost {
        return Ok(false);
    }
    stored.consumed = cost;
    connections::update(tx, stored).await?;
    let now = engine.clock.now();
    append_ledger(
        tx,
        now,
        Some(&stored.connection.id),
        -cost,
        0,
        reason,
        engine.config.credits_low_threshold,
    )
    .await?;
    Ok(true)
}

/// A connection that starts consuming credits is synced from the next scheduler tick on.
pub(crate) fn start_initial_sync(
    stored: &mut StoredConnection,
    status: ConnectionStatus,
    now: chrono::DateTime<chrono::Utc>,
) {
    stored.connection.status = status;
    stored.connection.next_sync_at = Some(now);
}

pub async fn create_connection(
    engine: &Engine,
    request: CreateConnection,
    admin_client: &str,
) -> Result<ConnectionCreated, EngineError> {
    require_text("name", &request.name, 200)?;
    check_email("email", request.email.as_deref())?;
    let system = engine.catalog.require(&request.system_id)?;
    if !system.supports(request.deployment) {
        return Err(EngineError::invalid(format!(
            "{} is not offered {}",
            system.name,
            request.deployment.as_str().replace('_', "-")
        )));
    }
    credentials::validate_form(system, &request.credentials)?;
    let login = credentials::authenticate(system, &request.credentials);
    if !login.ok {
        return Err(EngineError::invalid(login.message));
    }
    if let Some(webhook) = &request.webhook {
        validate_webhook(webhook)?;
    }
    let sync = request.sync.clone().unwrap_or_default();
    if let Some(entity) = sync
        .entities
        .iter()
        .find(|e| !system.entities.contains_key(e.as_str()))
    {
        return Err(EngineError::invalid(format!(
            "{} has no entity {entity:?}",
            system.name
        )));
    }
    if !(5..=10_080).contains(&sync.interval_minutes) || !(1..=365).contains(&sync.history_days) {
        return Err(EngineError::invalid(
            "sync.interval_minutes must be 5 to 10080 and sync.history_days 1 to 365",
        ));
    }

    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let customer = require_customer(&mut tx, &request.customer_id).await?;
    let webhook_secret = request.webhook.as_ref().map(|_| new_webhook_secret());
    let mut stored = StoredConnection {
        connection: Connection {
            id: token::new_id(prefix::CONNECTION),
            customer_id: customer.id.clone(),
            system_id: Some(system.id.clone()),
            deployment: Some(request.deployment),
            name: request.name.trim().to_owned(),
            email: request.email.clone(),
            credits: system.credits_for(request.deployment),
            status: ConnectionStatus::Inactive,
            online: true,
            reauthorization_required: false,
            connected_at: Some(now),
            authorized_by: Some(
                request
                    .email
                    .clone()
                    .unwrap_or_else(|| admin_client.to_owned()),
            ),
            token_issued_at: None,
            last_sync_at: None,
            next_sync_at: None,
            created_at: now,
            user_metadata: request.user_metadata.clone(),
        },
        consumed: 0,
        overage: 0,
        identity_fingerprint: credentials::identity_fingerprint(system, &request.credentials),
        webhook_url: request.webhook.as_ref().map(|w| w.url.trim().to_owned()),
        webhook_events: request
            .webhook
            .as_ref()
            .map(|w| w.events.clone())
            .unwrap_or_default(),
        webhook_secret: webhook_secret.clone(),
        data_deleted_at: None,
        sync_settings: sync.clone(),
    };
    connections::insert(&mut tx, &stored).await?;
    if let Some(webhook) = &request.webhook {
        connections::set_webhook_format(&mut tx, &stored.connection.id, webhook.format()).await?;
    }
    let token = rotate_token(&mut tx, &mut stored, tokens::Reach::Main, now).await?;
    if try_consume(engine, &mut tx, &mut stored, LedgerReason::Connect).await? {
        start_initial_sync(&mut stored, ConnectionStatus::Synchronizing, now);
    }
    connections::update(&mut tx, &stored).await?;
    let c = &stored.connection;
    let data = json!({
        "status": c.status, "system_id": c.system_id, "deployment": c.deployment,
        "credits": c.credits, "authorized_by": c.authorized_by,
    });
    emit_for(&mut tx, now, EventType::ConnectionCreated, c, data).await?;
    tx.commit().await?;
    tracing::info!(connection = %stored.connection.id, status = ?stored.connection.status, "connection created");
    Ok(ConnectionCreated {
        connection: stored.connection,
        token,
        webhook_secret,
    })
}

pub async fn reauthorize(
    engine: &Engine,
    id: &str,
    request: Reauthorize,
    admin_client: &str,
) -> Result<ConnectionToken, EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let mut stored = require_connection(&mut tx, id).await?;
    match stored.connection.status {
        ConnectionStatus::Disconnected => {
            return Err(EngineError::api(
                ErrorCode::ConnectionDisconnected,
                "a disconnected connection cannot be reauthorized; create a new connection",
            ))
        }
        ConnectionStatus::Pending => {
            return Err(EngineError::conflict(
                "the magic link of this connection is not completed yet",
            ))
        }
        _ => {}
    }
    let system_id = stored.connection.system_id.clone().unwrap_or_default();
    let system = engine.catalog.require(&system_id)?;
    credentials::validate_form(system, &request.credentials)?;
    let login = credentials::authenticate(system, &request.credentials);
    if !login.ok {
        return Err(EngineError::invalid(login.message));
    }
    let fingerprint = credentials::identity_fingerprint(system, &request.credentials);
    let identity_changed =
        stored.identity_fingerprint.is_some() && fingerprint != stored.identity_fingerprint;
    // Named tokens were granted to read this account's data: credentials of another account
    // or instance end them too; a reauthorization of the same one keeps them.
    let reach = if identity_changed {
        tokens::Reach::All
    } else {
        tokens::Reach::Main
    };
    let token = rotate_token(&mut tx, &mut stored, reach, now).await?;
    let was_required = stored.connection.reauthorization_required;
    stored.identity_fingerprint = fingerprint;
    stored.connection.reauthorization_required = false;
    // The simulated system accepts the new credentials.
    let mut system = crate::store::sandbox::ensure(&mut tx, id).await?;
    system.credentials_valid = true;
    crate::store::sandbox::save(&mut tx, &system).await?;
    stored.connection.authorized_by = Some(
        request
            .authorized_by
            .unwrap_or_else(|| admin_client.to_owned()),
    );
    connections::update(&mut tx, &stored).await?;
    let c = &stored.connection;
    let data = json!({
        "authorized_by": c.authorized_by,
        "identity_changed": identity_changed,
        "was_reauthorization_required": was_required,
    });
    emit_for(&mut tx, now, EventType::ConnectionReauthorized, c, data).await?;
    tx.commit().await?;
    if identity_changed {
        tracing::warn!(connection = %id, "reauthorized with credentials for another account or instance");
    }
    Ok(ConnectionToken {
        connection: stored.connection,
        token,
        identity_changed,
    })
}

/// A new token for a live connection (the dashboard's "generate token"); the old one dies.
pub async fn issue_token(engine: &Engine, id: &str) -> Result<ConnectionToken, EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let mut stored = require_connection(&mut tx, id).await?;
    if matches!(
        stored.connection.status,
        ConnectionStatus::Disconnected | ConnectionStatus::Pending
    ) {
        return Err(EngineError::conflict(format!(
            "a {} connection has no token",
            stored.connection.status.as_str()
        )));
    }
    let token = rotate_token(&mut tx, &mut stored, tokens::Reach::Main, now).await?;
    connections::update(&mut tx, &stored).await?;
    tx.commit().await?;
    Ok(ConnectionToken {
        connection: stored.connection,
        token,
        identity_changed: false,
    })
}

async fn emit_status_change(
    tx: &mut Tx,
    stored: &StoredConnection,
    previous: ConnectionStatus,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), EngineError> {
    let c = &stored.connection;
    let data = json!({ "previous": previous, "current": c.status, "online": c.online });
    emit_for(tx, now, EventType::ConnectionStatusChanged, c, data).await?;
    Ok(())
}

pub async fn activate(
    engine: &Engine,
    id: &str,
    request: Activate,
) -> Result<Connection, EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let mut stored = require_connection(&mut tx, id).await?;
    let previous = stored.connection.status;
    let cost = stored.connection.credits;
    let balance = accounts::balance(&mut tx).await?;
    match previous {
        ConnectionStatus::Inactive if balance.available >= cost => {
            start_initial_sync(&mut stored, ConnectionStatus::Synchronizing, now);
            try_consume(engine, &mut tx, &mut stored, LedgerReason::Activate).await?;
        }
        ConnectionStatus::Inactive if request.overage => {
            let account = accounts::get(&mut tx).await?;
            if account.plan != Plan::Paid {
                return Err(EngineError::api(
                    ErrorCode::PermissionDenied,
                    "overage needs a paid plan; buy credits or upgrade the account",
                ));
            }
            start_initial_sync(&mut stored, ConnectionStatus::Overage, now);
            stored.overage = cost;
            connections::update(&mut tx, &stored).await?;
            let threshold = engine.config.credits_low_threshold;
            append_ledger(
                &mut tx,
                now,
                Some(id),
                0,
                cost,
                LedgerReason::Overage,
                threshold,
            )
            .await?;
        }
        ConnectionStatus::Inactive => return Err(insufficient(cost, balance.available)),
        // An overage connection moves into the pool once the pool can hold it.
        ConnectionStatus::Overage if !request.overage && balance.available >= cost => {
            stored.connection.status = ConnectionStatus::Active;
            stored.overage = 0;
            stored.consumed = cost;
            connections::update(&mut tx, &stored).await?;
            let threshold = engine.config.credits_low_threshold;
            append_ledger(
                &mut tx,
                now,
                Some(id),
                -cost,
                -cost,
                LedgerReason::Activate,
                threshold,
            )
            .await?;
        }
        ConnectionStatus::Overage if !request.overage => {
            return Err(insufficient(cost, balance.available))
        }
        other => {
            return Err(EngineError::conflict(format!(
                "only an inactive connection can be activated (this one is {})",
                other.as_str()
            )))
        }
    }
    connections::update(&mut tx, &stored).await?;
    emit_status_change(&mut tx, &stored, previous, now).await?;
    tx.commit().await?;
    Ok(stored.connection)
}

pub async fn disconnect(engine: &Engine, id: &str) -> Result<Connection, EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let mut stored = require_connection(&mut tx, id).await?;
    let previous = stored.connection.status;
    if previous == ConnectionStatus::Disconnected {
        return Err(EngineError::conflict(
            "the connection is already disconnected",
        ));
    }
    tokens::revoke_connection_tokens(&mut tx, id, tokens::Reach::All, now).await?;
    let (returned, overage_returned) = (stored.consumed, stored.overage);
    stored.consumed = 0;
    stored.overage = 0;
    stored.connection.status = ConnectionStatus::Disconnected;
    stored.connection.next_sync_at = None;
    connections::update(&mut tx, &stored).await?;
    if returned > 0 || overage_returned > 0 {
        let threshold = engine.config.credits_low_threshold;
        append_ledger(
            &mut tx,
            now,
            Some(id),
            returned,
            -overage_returned,
            LedgerReason::Disconnect,
            threshold,
        )
        .await?;
    }
    let c = &stored.connection;
    let data = json!({ "previous": previous, "credits_returned": returned, "data_kept": true });
    emit_for(&mut tx, now, EventType::ConnectionDisconnected, c, data).await?;
    tx.commit().await?;
    tracing::info!(connection = %id, credits_returned = returned, "connection disconnected");
    Ok(stored.connection)
}

pub async fn delete_data(engine: &Engine, id: &str) -> Result<Connection, EngineError> {
    let now = engine.clock.now();
    let mut tx = engine.store.begin().await?;
    let mut stored = require_connection(&mut tx, id).await?;
    if stored.connection.status != ConnectionStatus::Disconnected {
        return Err(EngineError::conflict(
            "disconnect the connection before deleting its data",
        ));
    }
    stored.data_deleted_at = Some(now);
    connections::update(&mut tx, &stored).await?;
    let deleted = crate::store::records::delete_all(&mut tx, id).await?;
    tracing::info!(connection = %id, deleted, "synced data deleted");
    tx.commit().await?;
    Ok(stored.connection)
}

/// Checks credentials and reachability; changes nothing.
pub async fn test_connection(
    engine: &Engine,
    id: &str,
    request: TestConnection,
) -> Result<TestResult, EngineError> {
    let mut db = engine.store.reader().acquire().await?;
    let stored = connections::get(&mut db, id)
        .await?
        .ok_or_else(|| EngineError::not_found("connection", id))?;
    let c = &stored.connection;
    let mut checks = Vec::new();
    let system = match c.system_id.as_deref() {
        Some(system_id) => engine.catalog.require(system_id)?,
        None => {
            return Err(EngineError::conflict(
                "the connection has no system yet (magic link pending)",
            ))
        }
    };
    checks.push(TestCheck {
        name: "connection".to_owned(),
        ok: c.status != ConnectionStatus::Disconnected,
        message: format!("status {}", c.status.as_str()),
    });
    checks.push(TestCheck {
        name: "reachability".to_owned(),
        ok: c.online,
        message: if c.online {
            format!("{} answers", system.name)
        } else {
            format!("{} does not answer", system.name)
        },
    });
    match request.credentials {
        Some(candidate) => {
            credentials::validate_form(system, &candidate)?;
            checks.push(credentials::authenticate(system, &candidate));
            let fingerprint = credentials::identity_fingerprint(system, &candidate);
            if stored.identity_fingerprint.is_some() && fingerprint != stored.identity_fingerprint {
                checks.push(TestCheck {
                    name: "same_account".to_owned(),
                    ok: false,
                    message: "these credentials identify another account or instance than the connection's".to_owned(),
                });
            }
        }
        None => checks.push(TestCheck {
            name: "authentication".to_owned(),
            ok: !c.reauthorization_required,
            message: if c.reauthorization_required {
                "the stored credentials were refused: reauthorization required".to_owned()
            } else {
                "the stored credentials are accepted".to_owned()
            },
        }),
    }
    Ok(TestResult {
        ok: checks.iter().all(|check| check.ok),
        checks,
    })
}

/// Checks candidate credentials against a system before any connection exists (the wizard's
/// test step): the deployment is offered, the form is complete, the system answers and accepts
/// the login. Changes nothing.
pub fn test_credentials(
    engine: &Engine,
    system_id: &str,
    request: &TestCredentials,
) -> Result<TestResult, EngineError> {
    let system = engine.catalog.require(system_id)?;
    credentials::validate_form(system, &request.credentials)?;
    let offered = system.supports(request.deployment);
    let deployment = request.deployment.as_str().replace('_', "-");
    let mut checks = vec![TestCheck {
        name: "deployment".to_owned(),
        ok: offered,
        message: if offered {
            format!("{} is offered {deployment}", system.name)
        } else {
            format!("{} is not offered {deployment}", system.name)
        },
    }];
    // A new sandbox system answers; faults exist only for connections.
    checks.push(TestCheck {
        name: "reachability".to_owned(),
        ok: true,
        message: format!("{} answers", system.name),
    });
    checks.push(credentials::authenticate(system, &request.credentials));
    Ok(TestResult {
        ok: checks.iter().all(|check| check.ok),
        checks,
    })
}

pub async fn set_webhook(
    engine: &Engine,
    id: &str,
    webhook: WebhookSettings,
) -> Result<String, EngineError> {
    validate_webhook(&webhook)?;
    let mut tx = engine.store.begin().await?;
    let mut stored = require_connection(&mut tx, id).await?;
    let secret = stored
        .webhook_secret
        .clone()
        .unwrap_or_else(new_webhook_secret);
    stored.webhook_url = Some(webhook.url.trim().to_owned());
    stored.webhook_secret = Some(secret.clone());
    let format = webhook.format();
    stored.webhook_events = webhook.events;
    connections::update(&mut tx, &stored).await?;
    connections::set_webhook_format(&mut tx, id, format).await?;
    tx.commit().await?;
    Ok(secret)
}
