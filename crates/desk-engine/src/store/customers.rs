use crate::error::EngineError;
use chrono::{DateTime, Utc};
use desk_platform::customer::Customer;
use sqlx::SqliteConnection;

type CustomerRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    DateTime<Utc>,
);

fn from_row(row: CustomerRow) -> Result<(i64, Customer), EngineError> {
    let (seq, id, name, email, account_manager, metadata, created_at) = row;
    let metadata = serde_json::from_str(&metadata)?;
    Ok((
        seq,
        Customer {
            id,
            name,
            email,
            account_manager,
            metadata,
            created_at,
        },
    ))
}

const COLUMNS: &str = "seq, id, name, email, account_manager, metadata, created_at";

pub async fn insert(db: &mut SqliteConnection, customer: &Customer) -> Result<(), EngineError> {
    sqlx::query(
        "INSERT INTO customers (id, name, email, account_manager, metadata, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&customer.id)
    .bind(&customer.name)
    .bind(&customer.email)
    .bind(&customer.account_manager)
    .bind(serde_json::Value::Object(customer.metadata.clone()).to_string())
    .bind(customer.created_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get(db: &mut SqliteConnection, id: &str) -> Result<Option<Customer>, EngineError> {
    let row: Option<CustomerRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM customers WHERE id = ?"))
            .bind(id)
            .fetch_optional(db)
            .await?;
    row.map(|row| from_row(row).map(|(_, customer)| customer))
        .transpose()
}

/// Up to `limit + 1` customers after `after_seq`, for [`crate::cursor::page`].
pub async fn list(
    db: &mut SqliteConnection,
    after_seq: i64,
    limit: u32,
) -> Result<Vec<(i64, Customer)>, EngineError> {
    let rows: Vec<CustomerRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM customers WHERE seq > ? ORDER BY seq LIMIT ?"
    ))
    .bind(after_seq)
    .bind(i64::from(limit) + 1)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// The oldest customer with this email (case-insensitive): Makini's surface, which has no
/// customers, files a connection under the customer its email names.
pub async fn find_by_email(
    db: &mut SqliteConnection,
    email: &str,
) -> Result<Option<Customer>, EngineError> {
    let row: Option<CustomerRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM customers WHERE lower(email) = lower(?) ORDER BY seq LIMIT 1"
    ))
    .bind(email.trim())
    .fetch_optional(db)
    .await?;
    row.map(|row| from_row(row).map(|(_, customer)| customer))
        .transpose()
}
