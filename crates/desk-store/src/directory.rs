//! Customers and connections as last pulled from the platform.

use crate::error::{Result, StoreError};
use crate::mirror::{Mirror, Tx};
use crate::time;
use desk_platform::catalog::{Deployment, System};
use desk_platform::connection::{Connection, ConnectionStatus};
use desk_platform::customer::Customer;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

/// A mirrored connection: the wire object plus where it came from and its system's tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct MirroredConnection {
    pub profile: String,
    /// 1..=3, from the catalog when mirrored (or inferred from the cost); `None` when unknown.
    pub tier: Option<u8>,
    #[serde(flatten)]
    pub connection: Connection,
}

/// What an event changes on a mirrored connection; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionPatch {
    pub status: Option<ConnectionStatus>,
    pub online: Option<bool>,
    pub reauthorization_required: Option<bool>,
    pub last_sync_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionFilter {
    pub profile: Option<String>,
    pub customer_id: Option<String>,
    pub status: Option<ConnectionStatus>,
}

/// The tier of a connection's system: the catalog's when it lists the system, else read back
/// from the cost (`[1, 2, 4][tier - 1]`, doubled on premises), which the platform always sends.
pub(crate) fn tier_of(connection: &Connection, catalog: &[System]) -> Option<u8> {
    let listed = connection
        .system_id
        .as_deref()
        .and_then(|id| catalog.iter().find(|system| system.id == id))
        .map(|system| system.tier);
    listed.or_else(|| {
        let base = match connection.deployment? {
            Deployment::Cloud => connection.credits,
            Deployment::OnPremises => connection.credits / 2,
        };
        match base {
            1 => Some(1),
            2 => Some(2),
            4 => Some(3),
            _ => None,
        }
    })
}

impl Mirror {
    /// Makes the profile's customers exactly `customers`, in one transaction.
    pub async fn replace_customers(&self, profile: &str, customers: &[Customer]) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM customers WHERE profile = ?")
            .bind(profile)
            .execute(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?;
        for customer in customers {
            sqlx::query(
                "INSERT INTO customers (profile, id, name, email, account_manager, metadata, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(profile)
            .bind(&customer.id)
            .bind(&customer.name)
            .bind(&customer.email)
            .bind(&customer.account_manager)
            .bind(serde_json::Value::Object(customer.metadata.clone()).to_string())
            .bind(time::format(customer.created_at))
            .execute(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?;
        }
        tx.commit().await.map_err(|err| self.fail(err))
    }

    /// Inserts or updates one customer (created from the app), keeping the others.
    pub async fn upsert_customer(&self, profile: &str, customer: &Customer) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT OR REPLACE INTO customers (profile, id, name, email, account_manager, metadata, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(profile)
        .bind(&customer.id)
        .bind(&customer.name)
        .bind(&customer.email)
        .bind(&customer.account_manager)
        .bind(serde_json::Value::Object(customer.metadata.clone()).to_string())
        .bind(time::format(customer.created_at))
        .execute(&mut *tx)
        .await
        .map_err(|err| self.fail(err))?;
        tx.commit().await.map_err(|err| self.fail(err))
    }

    pub async fn customers(&self, profile: &str) -> Result<Vec<Customer>> {
        let rows = sqlx::query(
            "SELECT id, name, email, account_manager, metadata, created_at FROM customers
             WHERE profile = ? ORDER BY name, id",
        )
        .bind(profile)
        .fetch_all(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        rows.iter()
            .map(|row| {
                let metadata: String = row.try_get("metadata")?;
                Ok(Customer {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    email: row.try_get("email")?,
                    account_manager: row.try_get("account_manager")?,
                    metadata: serde_json::from_str(&metadata).map_err(StoreError::bad_row)?,
                    created_at: time::parse(&row.try_get::<String, _>("created_at")?)?,
                })
            })
            .collect()
    }

    /// Makes the profile's connections exactly `connections`, in one transaction; the tier of
    /// each is resolved from `catalog` (see [`MirroredConnection::tier`]).
    pub async fn replace_connections(
        &self,
        profile: &str,
        connections: &[Connection],
        catalog: &[System],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM connections WHERE profile = ?")
            .bind(profile)
            .execute(&mut *tx)
            .await
            .map_err(|err| self.fail(err))?;
        self.put_connections(&mut tx, profile, connections, catalog)
            .await?;
        tx.commit().await.map_err(|err| self.fail(err))
    }

    /// Inserts or updates some connections (one changed by a webhook), keeping the others.
    pub async fn upsert_connections(
        &self,
        profile: &str,
        connections: &[Connection],
        catalog: &[System],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        self.put_connections(&mut tx, profile, connections, catalog)
            .await?;
        tx.commit().await.map_err(|err| self.fail(err))
    }

    async fn put_connections(
        &self,
        tx: &mut Tx,
        profile: &str,
        connections: &[Connection],
        catalog: &[System],
    ) -> Result<()> {
        for c in connections {
            sqlx::query(
                "INSERT OR REPLACE INTO connections (profile, id, customer_id, system_id, tier,
                    deployment, name, email, credits, status, online, reauthorization_required,
                    connected_at, authorized_by, token_issued_at, last_sync_at, next_sync_at,
                    created_at, user_metadata)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(profile)
            .bind(&c.id)
            .bind(&c.customer_id)
            .bind(&c.system_id)
            .bind(tier_of(c, catalog).map(i64::from))
            .bind(c.deployment.map(Deployment::as_str))
            .bind(&c.name)
            .bind(&c.email)
            .bind(c.credits)
            .bind(c.status.as_str())
            .bind(c.online)
            .bind(c.reauthorization_required)
            .bind(time::format_opt(c.connected_at))
            .bind(&c.authorized_by)
            .bind(time::format_opt(c.token_issued_at))
            .bind(time::format_opt(c.last_sync_at))
            .bind(time::format_opt(c.next_sync_at))
            .bind(time::format(c.created_at))
            .bind(serde_json::Value::Object(c.user_metadata.clone()).to_string())
            .execute(&mut **tx)
            .await
            .map_err(|err| self.fail(err))?;
        }
        Ok(())
    }

    /// Changes some fields of a mirrored connection (an event arrived); returns false when the
    /// mirror does not hold it yet (the next sync brings the whole row). A `last_sync_at` never
    /// moves back.
    pub async fn patch_connection(
        &self,
        profile: &str,
        id: &str,
        patch: &ConnectionPatch,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE connections SET status = COALESCE(?1, status), online = COALESCE(?2, online),
                reauthorization_required = COALESCE(?3, reauthorization_required),
                last_sync_at = CASE WHEN ?4 IS NOT NULL AND (last_sync_at IS NULL OR ?4 > last_sync_at)
                                    THEN ?4 ELSE last_sync_at END
             WHERE profile = ?5 AND id = ?6",
        )
        .bind(patch.status.map(ConnectionStatus::as_str))
        .bind(patch.online)
        .bind(patch.reauthorization_required)
        .bind(time::format_opt(patch.last_sync_at))
        .bind(profile)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|err| self.fail(err))?
        .rows_affected();
        tx.commit().await.map_err(|err| self.fail(err))?;
        Ok(changed > 0)
    }

    pub async fn connections(&self, filter: &ConnectionFilter) -> Result<Vec<MirroredConnection>> {
        let rows = sqlx::query(
            "SELECT * FROM connections
             WHERE (?1 IS NULL OR profile = ?1) AND (?2 IS NULL OR customer_id = ?2)
               AND (?3 IS NULL OR status = ?3)
             ORDER BY profile, created_at, id",
        )
        .bind(&filter.profile)
        .bind(&filter.customer_id)
        .bind(filter.status.map(ConnectionStatus::as_str))
        .fetch_all(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        rows.iter().map(connection_from_row).collect()
    }

    /// One connection by id. Ids are unique on a platform; if two profiles mirror the same
    /// platform, the profile first by name wins.
    pub async fn connection(&self, id: &str) -> Result<MirroredConnection> {
        let row = sqlx::query("SELECT * FROM connections WHERE id = ? ORDER BY profile LIMIT 1")
            .bind(id)
            .fetch_optional(self.reader())
            .await
            .map_err(|err| self.fail(err))?;
        row.as_ref()
            .map(connection_from_row)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("connection", id))
    }
}

fn connection_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<MirroredConnection> {
    let status: String = row.try_get("status")?;
    let deployment: Option<String> = row.try_get("deployment")?;
    let user_metadata: String = row.try_get("user_metadata")?;
    let tier: Option<i64> = row.try_get("tier")?;
    Ok(MirroredConnection {
        profile: row.try_get("profile")?,
        tier: tier.and_then(|tier| u8::try_from(tier).ok()),
        connection: Connection {
            id: row.try_get("id")?,
            customer_id: row.try_get("customer_id")?,
            system_id: row.try_get("system_id")?,
            deployment: deployment
                .map(|d| {
                    Deployment::parse(&d)
                        .ok_or_else(|| StoreError::bad_row(format!("deployment {d:?}")))
                })
                .transpose()?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            credits: row.try_get("credits")?,
            status: ConnectionStatus::parse(&status)
                .ok_or_else(|| StoreError::bad_row(format!("connection status {status:?}")))?,
            online: row.try_get("online")?,
            reauthorization_required: row.try_get("reauthorization_required")?,
            connected_at: time::parse_opt(row.try_get("connected_at")?)?,
            authorized_by: row.try_get("authorized_by")?,
            token_issued_at: time::parse_opt(row.try_get("token_issued_at")?)?,
            last_sync_at: time::parse_opt(row.try_get("last_sync_at")?)?,
            next_sync_at: time::parse_opt(row.try_get("next_sync_at")?)?,
            created_at: time::parse(&row.try_get::<String, _>("created_at")?)?,
            user_metadata: serde_json::from_str(&user_metadata).map_err(StoreError::bad_row)?,
        },
    })
}
