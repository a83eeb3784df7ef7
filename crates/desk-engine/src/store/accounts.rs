use crate::error::EngineError;
use chrono::{DateTime, Utc};
use desk_platform::account::{Account, CreditBalance, Plan};
use sqlx::SqliteConnection;

pub async fn exists(db: &mut SqliteConnection) -> Result<bool, EngineError> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account")
        .fetch_one(db)
        .await?;
    Ok(count > 0)
}

pub async fn insert(
    db: &mut SqliteConnection,
    id: &str,
    name: &str,
    plan: Plan,
    region: &str,
    now: DateTime<Utc>,
) -> Result<(), EngineError> {
    sqlx::query("INSERT INTO account (id, name, plan, region, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(id)
        .bind(name)
        .bind(plan.as_str())
        .bind(region)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_plan(db: &mut SqliteConnection, plan: Plan) -> Result<(), EngineError> {
    sqlx::query("UPDATE account SET plan = ?")
        .bind(plan.as_str())
        .execute(db)
        .await?;
    Ok(())
}

/// The pool, derived from the ledger and the connections in one read, never stored apart.
pub async fn balance(db: &mut SqliteConnection) -> Result<CreditBalance, EngineError> {
    let (purchased, in_use, overage_in_use): (i64, i64, i64) = sqlx::query_as(
        "SELECT
            (SELECT COALESCE(SUM(delta), 0) FROM ledger WHERE reason = 'purchase'),
            (SELECT COALESCE(SUM(consumed), 0) FROM connections),
            (SELECT COALESCE(SUM(overage), 0) FROM connections)",
    )
    .fetch_one(db)
    .await?;
    Ok(CreditBalance {
        purchased,
        in_use,
        available: purchased - in_use,
        overage_in_use,
    })
}

pub async fn get(db: &mut SqliteConnection) -> Result<Account, EngineError> {
    let row: Option<(String, String, String, String)> =
        sqlx::query_as("SELECT id, name, plan, region FROM account LIMIT 1")
            .fetch_optional(&mut *db)
            .await?;
    let (id, name, plan, region) =
        row.ok_or_else(|| EngineError::Corrupt("the store has no account".to_owned()))?;
    let plan = match plan.as_str() {
        "trial" => Plan::Trial,
        "paid" => Plan::Paid,
        other => return Err(EngineError::Corrupt(format!("unknown plan {other}"))),
    };
    Ok(Account {
        id,
        name,
        plan,
        region,
        credits: balance(db).await?,
        derived: Vec::new(),
    })
}
