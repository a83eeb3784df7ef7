//! Customers and connections as last pulled from the platform.

use crate::error::{Result, StoreError};
use crate::mirror::{Mirror, Tx};
use crate::time;
use desk_platform::catalog::{Deployment, System};
use desk_platform::connection::{Connection, ConnectionStatus};
use desk_platform::customer::Customer;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;
use std::collections::HashMap;

/// A mirrored connection: the wire object plus where it came from and its system's tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Makes the profile's customers exactly `customers`, in one transaction. Rows are upserted,
    /// not deleted and re-inserted, so each keeps its `seq` (the full-text rowid); only
    /// customers that changed are re-indexed, and their name and account manager are copied
    /// onto their connections (see the overview migration) in the same transaction.
    pub async fn replace_customers(&self, profile: &str, customers: &[Customer]) -> Result<()> {
        let mut tx = self.begin().await?;
        let existing: Vec<(i64, String)> =
            sqlx::query_as("SELECT seq, id FROM customers WHERE profile = ?")
                .bind(profile)
                .fetch_all(&mut *tx)
                .await
                .map_err(|err| self.fail(err))?;
        let mut gone: HashMap<String, i64> = existing.into_iter().map(|(s, id)| (id, s)).collect();
        let mut touched: Vec<String> = Vec::new();
        for chunk in customers.chunks(CHUNK) {
            for customer in chunk {
                gone.remove(&customer.id);
            }
            let changed = self.upsert_customers(&mut tx, profile, chunk).await?;
            let seqs: Vec<i64> = changed.iter().map(|(seq, _)| *seq).collect();
            self.reindex(&mut tx, Indexed::Customers, &seqs).await?;
            touched.extend(changed.into_iter().map(|(_, id)| id));
        }
        let gone: Vec<(String, i64)> = gone.into_iter().collect();
        for chunk in gone.chunks(IN_CHUNK) {
            let seqs: Vec<i64> = chunk.iter().map(|(_, seq)| *seq).collect();
            self.delete_rows(&mut tx, Indexed::Customers, &seqs).await?;
        }
        touched.extend(gone.into_iter().map(|(id, _)| id));
        self.copy_customer_fields(&mut tx, profile, &touched)
            .await?;
        tx.commit().await.map_err(|err| self.fail(err))?;
        tracing::debug!(profile, customers = customers.len(), "customers replaced");
        Ok(())
    }

    /// Returns (seq, id) of every customer inserted or changed.
    async fn upsert_customers(
        &self,
        tx: &mut Tx,
        profile: &str,
        chunk: &[Customer],
    ) -> Result<Vec<(i64, String)>> {
        const COLUMNS: [&str; 5] = ["name", "email", "account_manager", "metadata", "created_at"];
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let n = 2 + 6 * i;
                format!(
                    "(?1, ?{}, ?{}, ?{}, ?{}, ?{}, ?{})",
                    n,
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO customers (profile, id, {columns}) VALUES {values}
             ON CONFLICT (profile, id) DO UPDATE SET {set} WHERE {changed}
             RETURNING seq, id",
            columns = COLUMNS.join(", "),
            values = values.join(", "),
            set = set_clause(&COLUMNS),
            changed = changed_clause("customers", &COLUMNS),
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql).bind(profile);
        for customer in chunk {
            query = query
                .bind(&customer.id)
                .bind(&customer.name)
                .bind(&customer.email)
                .bind(&customer.account_manager)
                .bind(serde_json::Value::Object(customer.metadata.clone()).to_string())
                .bind(time::format(customer.created_at));
        }
        query
            .fetch_all(&mut **tx)
            .await
            .map_err(|err| self.fail(err))
    }

    /// Copies the current name and account manager of `customer_ids` (NULL for one no longer
    /// mirrored) onto their connections, and re-indexes the connections that changed.
    async fn copy_customer_fields(
        &self,
        tx: &mut Tx,
        profile: &str,
        customer_ids: &[String],
    ) -> Result<()> {
        for chunk in customer_ids.chunks(IN_CHUNK) {
            let sql = format!(
                "UPDATE connections SET customer_name = n.name, account_manager = n.manager
                 FROM (SELECT c.seq AS target, cu.name AS name, cu.account_manager AS manager
                       FROM connections c
                       LEFT JOIN customers cu ON cu.profile = c.profile AND cu.id = c.customer_id
                       WHERE c.profile = ?1 AND c.customer_id IN ({})) AS n
                 WHERE connections.seq = n.target
                   AND (connections.customer_name IS NOT n.name
                        OR connections.account_manager IS NOT n.manager)
                 RETURNING seq",
                placeholders(2, chunk.len())
            );
            let mut query = sqlx::query_scalar::<_, i64>(&sql).bind(profile);
            for id in chunk {
                query = query.bind(id);
            }
            let seqs = query
                .fetch_all(&mut **tx)
                .await
                .map_err(|err| self.fail(err))?;
            self.reindex(tx, Indexed::Connections, &seqs).await?;
        }
        Ok(())
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
        rows.iter().map(customer_from_row).collect()
    }

    /// Makes the profile's connections exactly `connections`, in one transaction; the tier of
    /// each is resolved from `catalog` (see [`MirroredConnection::tier`]). Upserted like
    /// [`Mirror::replace_customers`], so unchanged rows keep their index entries.
    pub async fn replace_connections(
        &self,
        profile: &str,
        connections: &[Connection],
        catalog: &[System],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let existing: Vec<(i64, String)> =
            sqlx::query_as("SELECT seq, id FROM connections WHERE profile = ?")
                .bind(profile)
                .fetch_all(&mut *tx)
                .await
                .map_err(|err| self.fail(err))?;
        let mut gone: HashMap<String, i64> = existing.into_iter().map(|(s, id)| (id, s)).collect();
        for connection in connections {
            gone.remove(&connection.id);
        }
        let gone: Vec<i64> = gone.into_values().collect();
        for chunk in gone.chunks(IN_CHUNK) {
            self.delete_rows(&mut tx, Indexed::Connections, chunk)
                .await?;
        }
        self.put_connections(&mut tx, profile, connections, catalog)
            .await?;
        tx.commit().await.map_err(|err| self.fail(err))?;
        tracing::debug!(
            profile,
            connections = connections.len(),
            removed = gone.len(),
            "connections replaced"
        );
        Ok(())
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

    /// Upserts in chunks; the customer's name and account manager are copied from the mirrored
    /// customer, and a connection is re-indexed only when its searched text changed (a sync
    /// that only moves `last_sync_at` rewrites no index entry).
    async fn put_connections(
        &self,
        tx: &mut Tx,
        profile: &str,
        connections: &[Connection],
        catalog: &[System],
    ) -> Result<()> {
        for chunk in connections.chunks(CHUNK) {
            let ids: Vec<&str> = chunk.iter().map(|c| c.id.as_str()).collect();
            let before: HashMap<i64, String> = self
                .search_texts(tx, profile, Keys::Ids(&ids))
                .await?
                .into_iter()
                .collect();
            let changed = self
                .upsert_connection_chunk(tx, profile, chunk, catalog)
                .await?;
            if changed.is_empty() {
                continue;
            }
            let after = self.search_texts(tx, profile, Keys::Seqs(&changed)).await?;
            let stale: Vec<(i64, String)> = after
                .into_iter()
                .filter(|(seq, text)| before.get(seq) != Some(text))
                .collect();
            self.index_texts(tx, &stale).await?;
        }
        Ok(())
    }

    /// Returns the seq of every connection inserted or changed.
    async fn upsert_connection_chunk(
        &self,
        tx: &mut Tx,
        profile: &str,
        chunk: &[Connection],
        catalog: &[System],
    ) -> Result<Vec<i64>> {
        // Every column after the key (`profile`, `id`); the last two come from the mirrored
        // customer, the others are bound (`id` and these 17 per row).
        const COLUMNS: [&str; 19] = [
            "customer_id",
            "system_id",
            "tier",
            "deployment",
            "name",
            "email",
            "credits",
            "status",
            "online",
            "reauthorization_required",
            "connected_at",
            "authorized_by",
            "token_issued_at",
            "last_sync_at",
            "next_sync_at",
            "created_at",
            "user_metadata",
            "customer_name",
            "account_manager",
        ];
        const BOUND: usize = 18;
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let first = 2 + BOUND * i;
                let customer = first + 1;
                let bound: Vec<String> = (first..first + BOUND).map(|n| format!("?{n}")).collect();
                format!(
                    "(?1, {bound}, (SELECT name FROM customers WHERE profile = ?1 AND id = ?{customer}),
                      (SELECT account_manager FROM customers WHERE profile = ?1 AND id = ?{customer}))",
                    bound = bound.join(", ")
                )
            })
            .collect();
        let updated = &COLUMNS[..];
        let sql = format!(
            "INSERT INTO connections (profile, id, {columns}) VALUES {values}
             ON CONFLICT (profile, id) DO UPDATE SET {set} WHERE {changed}
             RETURNING seq",
            columns = updated.join(", "),
            values = values.join(", "),
            set = set_clause(updated),
            changed = changed_clause("connections", updated),
        );
        let mut query = sqlx::query_scalar::<_, i64>(&sql).bind(profile);
        for c in chunk {
            query = query
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
                .bind(serde_json::Value::Object(c.user_metadata.clone()).to_string());
        }
        query
            .fetch_all(&mut **tx)
            .await
            .map_err(|err| self.fail(err))
    }

    /// (seq, searched text) of the profile's connections with these ids or seqs.
    async fn search_texts(
        &self,
        tx: &mut Tx,
        profile: &str,
        keys: Keys<'_>,
    ) -> Result<Vec<(i64, String)>> {
        let (column, count) = match keys {
            Keys::Ids(ids) => ("id", ids.len()),
            Keys::Seqs(seqs) => ("seq", seqs.len()),
        };
        let sql = format!(
            "SELECT seq, text FROM connection_search_text WHERE profile = ?1 AND {column} IN ({})",
            placeholders(2, count)
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql).bind(profile);
        match keys {
            Keys::Ids(ids) => {
                for id in ids {
                    query = query.bind(*id);
                }
            }
            Keys::Seqs(seqs) => {
                for seq in seqs {
                    query = query.bind(*seq);
                }
            }
        }
        query
            .fetch_all(&mut **tx)
            .await
            .map_err(|err| self.fail(err))
    }

    async fn index_texts(&self, tx: &mut Tx, rows: &[(i64, String)]) -> Result<()> {
        for chunk in rows.chunks(IN_CHUNK) {
            let values = vec!["(?, ?)"; chunk.len()].join(", ");
            let sql =
                format!("INSERT OR REPLACE INTO connections_fts (rowid, text) VALUES {values}");
            let mut query = sqlx::query(&sql);
            for (seq, text) in chunk {
                query = query.bind(seq).bind(text);
            }
            query
                .execute(&mut **tx)
                .await
                .map_err(|err| self.fail(err))?;
        }
        Ok(())
    }

    /// Writes the full-text rows of `seqs` from their table's search-text view.
    async fn reindex(&self, tx: &mut Tx, table: Indexed, seqs: &[i64]) -> Result<()> {
        for chunk in seqs.chunks(IN_CHUNK) {
            let sql = format!(
                "INSERT OR REPLACE INTO {fts} (rowid, text)
                 SELECT seq, text FROM {view} WHERE seq IN ({})",
                placeholders(1, chunk.len()),
                fts = table.fts(),
                view = table.view(),
            );
            let mut query = sqlx::query(&sql);
            for seq in chunk {
                query = query.bind(seq);
            }
            query
                .execute(&mut **tx)
                .await
                .map_err(|err| self.fail(err))?;
        }
        Ok(())
    }

    /// Deletes rows and their full-text entries.
    async fn delete_rows(&self, tx: &mut Tx, table: Indexed, seqs: &[i64]) -> Result<()> {
        if seqs.is_empty() {
            return Ok(());
        }
        let list = placeholders(1, seqs.len());
        for sql in [
            format!("DELETE FROM {} WHERE seq IN ({list})", table.table()),
            format!("DELETE FROM {} WHERE rowid IN ({list})", table.fts()),
        ] {
            let mut query = sqlx::query(&sql);
            for seq in seqs {
                query = query.bind(seq);
            }
            query
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

/// Rows per multi-row upsert: a connection binds 18 values, so 100 rows stay far under
/// SQLite's 32,766 variables, and per-statement overhead stops mattering.
const CHUNK: usize = 100;

/// Values per `IN (...)` list.
const IN_CHUNK: usize = 500;

#[derive(Debug, Clone, Copy)]
enum Keys<'a> {
    Ids(&'a [&'a str]),
    Seqs(&'a [i64]),
}

/// A table with a full-text index kept by this module.
#[derive(Debug, Clone, Copy)]
enum Indexed {
    Customers,
    Connections,
}

impl Indexed {
    fn table(self) -> &'static str {
        match self {
            Self::Customers => "customers",
            Self::Connections => "connections",
        }
    }

    fn fts(self) -> &'static str {
        match self {
            Self::Customers => "customers_fts",
            Self::Connections => "connections_fts",
        }
    }

    fn view(self) -> &'static str {
        match self {
            Self::Customers => "customer_search_text",
            Self::Connections => "connection_search_text",
        }
    }
}

/// `?first, ?first+1, ...`: numbered, because sqlx counts anonymous `?` on its own, not as
/// SQLite does after a `?NNN`.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("?{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn set_clause(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// True when any column differs: an upsert of an unchanged row then writes nothing and
/// RETURNING leaves it out.
fn changed_clause(table: &str, columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("{table}.{c} IS NOT excluded.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

pub(crate) fn customer_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Customer> {
    let metadata: String = row.try_get("metadata")?;
    Ok(Customer {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        account_manager: row.try_get("account_manager")?,
        metadata: serde_json::from_str(&metadata).map_err(StoreError::bad_row)?,
        created_at: time::parse(&row.try_get::<String, _>("created_at")?)?,
    })
}

pub(crate) fn connection_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<MirroredConnection> {
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
