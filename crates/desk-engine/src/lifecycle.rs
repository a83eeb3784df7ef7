//! The platform's account-level actions, each one write transaction: customers, the connection
//! lifecycle and the credit ledger. Events are appended in the same transaction as the change
//! they record, so the event log and webhooks can never disagree with the state.

mod connect;
mod health;
mod magic_link;
mod tokens;

pub use connect::*;
pub use health::*;
pub use magic_link::*;
pub use tokens::*;

use crate::engine::Engine;
use crate::error::EngineError;
use crate::store::{accounts, customers, events, ledger, Tx};
use crate::token;
use chrono::{DateTime, Utc};
use desk_platform::customer::{CreateCustomer, Customer};
use desk_platform::event::{Event, EventType};
use desk_platform::ids::prefix;
use desk_platform::ledger::{LedgerEntry, LedgerReason};
use desk_platform::ErrorCode;
use sqlx::SqliteConnection;

pub(crate) fn require_text(field: &str, value: &str, max: usize) -> Result<(), EngineError> {
    if value.trim().is_empty() {
        return Err(EngineError::invalid(format!("{field} must not be empty")));
    }
    if value.chars().count() > max {
        return Err(EngineError::invalid(format!(
            "{field} is longer than {max} characters"
        )));
    }
    Ok(())
}

pub(crate) fn check_email(field: &str, value: Option<&str>) -> Result<(), EngineError> {
    match value {
        Some(email)
            if !email.contains('@') || email.len() > 254 || email.contains(char::is_whitespace) =>
        {
            Err(EngineError::invalid(format!(
                "{field} {email:?} is not an email address"
            )))
        }
        _ => Ok(()),
    }
}

pub async fn create_customer(
    engine: &Engine,
    request: CreateCustomer,
) -> Result<Customer, EngineError> {
    require_text("name", &request.name, 200)?;
    check_email("email", request.email.as_deref())?;
    let customer = Customer {
        id: token::new_id(prefix::CUSTOMER),
        name: request.name.trim().to_owned(),
        email: request.email,
        account_manager: request.account_manager,
        metadata: request.metadata,
        created_at: engine.clock.now(),
    };
    let mut tx = engine.store.begin().await?;
    customers::insert(&mut tx, &customer).await?;
    tx.commit().await?;
    Ok(customer)
}

pub(crate) async fn require_customer(
    db: &mut SqliteConnection,
    id: &str,
) -> Result<Customer, EngineError> {
    customers::get(db, id)
        .await?
        .ok_or_else(|| EngineError::not_found("customer", id))
}

/// Appends one event in the caller's transaction.
pub(crate) async fn emit(
    tx: &mut Tx,
    at: DateTime<Utc>,
    event_type: EventType,
    connection_id: Option<&str>,
    customer_id: Option<&str>,
    data: serde_json::Value,
) -> Result<Event, EngineError> {
    let event = Event {
        id: token::new_id(prefix::EVENT),
        event_type,
        created_at: at,
        connection_id: connection_id.map(str::to_owned),
        customer_id: customer_id.map(str::to_owned),
        data,
    };
    events::append(tx, &event).await?;
    crate::webhooks::enqueue(tx, &event).await?;
    Ok(event)
}

/// Appends an event about `connection` (its id and customer filled in) in the caller's transaction.
pub(crate) async fn emit_for(
    tx: &mut Tx,
    at: DateTime<Utc>,
    event_type: EventType,
    connection: &desk_platform::connection::Connection,
    data: serde_json::Value,
) -> Result<Event, EngineError> {
    emit(
        tx,
        at,
        event_type,
        Some(&connection.id),
        Some(&connection.customer_id),
        data,
    )
    .await
}

/// One ledger entry for a change already written to the connections; its balance is read back
/// in the same transaction, so `balance_after` is exact.
pub(crate) async fn append_ledger(
    tx: &mut Tx,
    at: DateTime<Utc>,
    connection_id: Option<&str>,
    delta: i64,
    overage_delta: i64,
    reason: LedgerReason,
    low_threshold: i64,
) -> Result<LedgerEntry, EngineError> {
    let balance = accounts::balance(tx).await?;
    let entry = LedgerEntry {
        id: token::new_id(prefix::LEDGER_ENTRY),
        at,
        connection_id: connection_id.map(str::to_owned),
        delta,
        overage_delta,
        reason,
        balance_after: balance.available,
    };
    ledger::append(tx, &entry).await?;
    let before = balance.available - delta;
    if delta < 0 && before >= low_threshold && balance.available < low_threshold {
        let data = serde_json::json!({
            "available": balance.available,
            "purchased": balance.purchased,
            "in_use": balance.in_use,
            "threshold": low_threshold,
        });
        emit(tx, at, EventType::CreditsLow, None, None, data).await?;
    }
    Ok(entry)
}

/// Credits bought: the only entries that change `purchased`.
pub(crate) async fn append_purchase(
    tx: &mut Tx,
    credits: i64,
    at: DateTime<Utc>,
) -> Result<LedgerEntry, EngineError> {
    // `purchased` is the sum of purchase deltas, so the entry must exist before the balance is read.
    let before = accounts::balance(tx).await?;
    let entry = LedgerEntry {
        id: token::new_id(prefix::LEDGER_ENTRY),
        at,
        connection_id: None,
        delta: credits,
        overage_delta: 0,
        reason: LedgerReason::Purchase,
        balance_after: before.available + credits,
    };
    ledger::append(tx, &entry).await?;
    Ok(entry)
}

/// Sandbox: buy credits for the local account.
pub async fn purchase_credits(engine: &Engine, credits: i64) -> Result<LedgerEntry, EngineError> {
    if !(1..=100_000).contains(&credits) {
        return Err(EngineError::invalid("credits must be 1 to 100000"));
    }
    let mut tx = engine.store.begin().await?;
    let entry = append_purchase(&mut tx, credits, engine.clock.now()).await?;
    tx.commit().await?;
    Ok(entry)
}

/// Sandbox: switch the account between trial and paid.
pub async fn set_plan(
    engine: &Engine,
    plan: desk_platform::account::Plan,
) -> Result<(), EngineError> {
    let mut tx = engine.store.begin().await?;
    accounts::set_plan(&mut tx, plan).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) fn insufficient(needed: i64, available: i64) -> EngineError {
    EngineError::api(
        ErrorCode::InsufficientCredits,
        format!("this connection needs {needed} credits and the pool has {available} available"),
    )
}
