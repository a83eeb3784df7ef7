//! Customers and connections as last pulled from the platform.

use crate::error::{Result, StoreError};
use crate::mirror::{Mirror, Tx};
use crate::time;
use desk_platform::catalog::{Deployment, System};
use desk_platform::connection::{Connection, ConnectionStatus};
use desk_platform::customer::Customer;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A mirrored connection: the wire object plus where it came from and its system's tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct MirroredConnection {
    pub profile: String,
    /// 1..=3, from the catalog when mirrored (or inferred from the cost); `None` when unknown.
    pub tier: Option<u8>,
    #[serde(flatten)]
    pub connection: Connection,
}

/// A connection's name and its customer's, for a list that carries only the id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ConnectionName {
    pub id: String,
    pub name: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
}

/// What an event changes on a mirrored connection; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionPatch {
    pub status: Option<ConnectionStatus>,
    pub online: Option<bool>,
    pub reauthorization_required: Option<bool>,
    pub last_sync_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The platform's next scheduled sync, as an event of `as_of` told it: kept unless the
    /// mirror already holds a sync newer than that event (a listing may have brought a later
    /// schedule than an event caught up late).
    pub next_sync: Option<NextSync>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextSync {
    pub at: chrono::DateTime<chrono::Utc>,
    pub as_of: chrono::DateTime<chrono::Utc>,
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
        self.refresh_statistics().await;
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
        let row = format!("({})", placeholders(2 + COLUMNS.len()));
        let values = vec![row.as_str(); chunk.len()];
        let sql = format!(
            "INSERT INTO customers (profile, id, {columns}) VALUES {values}
             ON CONFLICT (profile, id) DO UPDATE SET {set} WHERE {changed}
             RETURNING seq, id",
            columns = COLUMNS.join(", "),
            values = values.join(", "),
            set = set_clause(&COLUMNS),
            changed = changed_clause("customers", &COLUMNS),
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
        for customer in chunk {
            query = query
                .bind(profile)
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
                       WHERE c.profile = ? AND c.customer_id IN ({})) AS n
                 WHERE connections.seq = n.target
                   AND (connections.customer_name IS NOT n.name
                        OR connections.account_manager IS NOT n.manager)
                 RETURNING seq",
                placeholders(chunk.len())
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

    /// Inserts or updates one customer (created from the app), keeping the others; indexed
    /// for search and copied onto its connections like a synced one.
    pub async fn upsert_customer(&self, profile: &str, customer: &Customer) -> Result<()> {
        let mut tx = self.begin().await?;
        let changed = self
            .upsert_customers(&mut tx, profile, std::slice::from_ref(customer))
            .await?;
        let seqs: Vec<i64> = changed.iter().map(|(seq, _)| *seq).collect();
        self.reindex(&mut tx, Indexed::Customers, &seqs).await?;
        self.copy_customer_fields(&mut tx, profile, std::slice::from_ref(&customer.id))
            .await?;
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
        // All of the profile's rows in one pass (a tenth of the time of chunked lookups).
        let mirrored = self.mirrored(&mut tx, profile, None).await?;
        let listed: HashSet<&str> = connections.iter().map(|c| c.id.as_str()).collect();
        let gone: Vec<i64> = mirrored
            .iter()
            .filter(|(id, _)| !listed.contains(id.as_str()))
            .map(|(_, (seq, _, _))| *seq)
            .collect();
        for chunk in gone.chunks(IN_CHUNK) {
            self.delete_rows(&mut tx, Indexed::Connections, chunk)
                .await?;
        }
        self.put_connections(&mut tx, profile, connections, catalog, Some(&mirrored))
            .await?;
        tx.commit().await.map_err(|err| self.fail(err))?;
        self.refresh_statistics().await;
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
        self.put_connections(&mut tx, profile, connections, catalog, None)
            .await?;
        tx.commit().await.map_err(|err| self.fail(err))
    }

    /// Writes connections in chunks of [`CHUNK`]. Each chunk's mirrored rows are read first
    /// and compared in their stored form, so that a routine re-sync, where only the state and
    /// sync times of most connections moved, updates just those columns and rewrites only the
    /// few indexes over them instead of all fifteen (measured: the full rewrite was most of a
    /// 50,000-connection re-sync). New connections and ones whose other columns changed are
    /// upserted whole, with the customer's name and account manager copied from the mirrored
    /// customer, and re-indexed for search when their searched text changed. When
    /// `connections` holds an id twice, the last copy is written.
    async fn put_connections(
        &self,
        tx: &mut Tx,
        profile: &str,
        connections: &[Connection],
        catalog: &[System],
        known: Option<&Mirrored>,
    ) -> Result<()> {
        let last: HashMap<&str, usize> = connections
            .iter()
            .enumerate()
            .map(|(at, c)| (c.id.as_str(), at))
            .collect();
        let unique: Vec<Columns> = connections
            .iter()
            .enumerate()
            .filter(|(at, c)| last.get(c.id.as_str()) == Some(at))
            .map(|(_, c)| Columns::of(c, catalog))
            .collect();
        for chunk in unique.chunks(CHUNK) {
            let looked_up;
            let mirrored = match known {
                Some(all) => all,
                None => {
                    looked_up = self.mirrored(tx, profile, Some(chunk)).await?;
                    &looked_up
                }
            };
            let mut whole = Vec::new();
            // By which DYNAMIC columns changed (a bit each): each group's UPDATE sets only
            // those, so only their indexes are rewritten.
            let mut moved: BTreeMap<u8, Vec<&Columns>> = BTreeMap::new();
            for new in chunk {
                match mirrored.get(new.id.as_str()) {
                    Some((_, old, _)) if *old == *new => {}
                    Some((_, old, _)) if old.same_but_dynamic(new) => {
                        moved.entry(old.dynamic_changes(new)).or_default().push(new);
                    }
                    _ => whole.push(new),
                }
            }
            for (changes, rows) in &moved {
                self.update_dynamic(tx, profile, *changes, rows).await?;
            }
            if whole.is_empty() {
                continue;
            }
            let written = self.upsert_whole(tx, profile, &whole).await?;
            // New rows are indexed straight from the view; changed ones only when their text
            // changed.
            let (mut new, mut changed) = (Vec::new(), Vec::new());
            for (seq, id) in written {
                if mirrored.contains_key(&id) {
                    changed.push(seq);
                } else {
                    new.push(seq);
                }
            }
            self.reindex(tx, Indexed::Connections, &new).await?;
            let before: HashMap<i64, &str> = whole
                .iter()
                .filter_map(|new| mirrored.get(new.id.as_str()))
                .map(|(seq, _, text)| (*seq, text.as_str()))
                .collect();
            let after = self.search_texts(tx, &changed).await?;
            let stale: Vec<(i64, String)> = after
                .into_iter()
                .filter(|(seq, text)| before.get(seq) != Some(&text.as_str()))
                .collect();
            self.index_texts(tx, &stale).await?;
        }
        Ok(())
    }

    /// Connections as mirrored, by id: those of `chunk`, or all of the profile's.
    async fn mirrored(
        &self,
        tx: &mut Tx,
        profile: &str,
        chunk: Option<&[Columns]>,
    ) -> Result<Mirrored> {
        let columns = std::iter::once("id")
            .chain(COLUMNS)
            .map(|column| format!("c.{column}"))
            .collect::<Vec<_>>()
            .join(", ");
        let ids = chunk.map_or(String::new(), |chunk| {
            format!(" AND c.id IN ({})", placeholders(chunk.len()))
        });
        let sql = format!(
            "SELECT c.seq, {columns}, v.text FROM connections c
             JOIN connection_search_text v ON v.seq = c.seq
             WHERE c.profile = ?{ids}"
        );
        let mut query = sqlx::query(&sql).bind(profile);
        for c in chunk.unwrap_or_default() {
            query = query.bind(&c.id);
        }
        let rows = query
            .fetch_all(&mut **tx)
            .await
            .map_err(|err| self.fail(err))?;
        rows.iter()
            .map(|row| {
                let columns = Columns::from_row(row)?;
                Ok((
                    columns.id.clone(),
                    (row.try_get("seq")?, columns, row.try_get("text")?),
                ))
            })
            .collect()
    }

    /// Sets the [`DYNAMIC`] columns in `changes` (a bit each) of mirrored connections.
    async fn update_dynamic(
        &self,
        tx: &mut Tx,
        profile: &str,
        changes: u8,
        rows: &[&Columns],
    ) -> Result<()> {
        let columns: Vec<(usize, &str)> = DYNAMIC
            .iter()
            .enumerate()
            .filter(|(bit, _)| changes & (1 << bit) != 0)
            .map(|(bit, column)| (bit, *column))
            .collect();
        let row = format!("({})", placeholders(1 + columns.len()));
        let aliases: Vec<String> = std::iter::once("id")
            .chain(columns.iter().map(|(_, column)| *column))
            .enumerate()
            .map(|(n, column)| format!("column{} AS {column}", n + 1))
            .collect();
        let sql = format!(
            "UPDATE connections SET {set}
             FROM (SELECT {aliases} FROM (VALUES {values})) AS v
             WHERE connections.profile = ? AND connections.id = v.id",
            set = columns
                .iter()
                .map(|(_, c)| format!("{c} = v.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
            aliases = aliases.join(", "),
            values = vec![row.as_str(); rows.len()].join(", "),
        );
        let mut query = sqlx::query(&sql);
        for c in rows {
            query = query.bind(&c.id);
            for (bit, _) in &columns {
                // In the order of DYNAMIC.
                query = match bit {
                    0 => query.bind(c.status),
                    1 => query.bind(c.online),
                    2 => query.bind(c.reauthorization_required),
                    3 => query.bind(&c.token_issued_at),
                    4 => query.bind(&c.last_sync_at),
                    _ => query.bind(&c.next_sync_at),
                };
            }
        }
        query
            .bind(profile)
            .execute(&mut **tx)
            .await
            .map_err(|err| self.fail(err))?;
        Ok(())
    }

    /// Inserts or replaces every column of these connections; returns (seq, id) of each row
    /// written.
    async fn upsert_whole(
        &self,
        tx: &mut Tx,
        profile: &str,
        rows: &[&Columns],
    ) -> Result<Vec<(i64, String)>> {
        // Anonymous placeholders only (the customer's id is bound again for each subquery):
        // sqlx looks every numbered one up by name, which costs SQLite a scan of all names, so
        // binding a statement of N numbered values takes N² steps.
        let row = format!(
            "(?, ?, {}, (SELECT name FROM customers WHERE profile = ? AND id = ?),
              (SELECT account_manager FROM customers WHERE profile = ? AND id = ?))",
            placeholders(COLUMNS.len())
        );
        let mut updated: Vec<&str> = COLUMNS.to_vec();
        updated.extend(["customer_name", "account_manager"]);
        let sql = format!(
            "INSERT INTO connections (profile, id, {columns}) VALUES {values}
             ON CONFLICT (profile, id) DO UPDATE SET {set} WHERE {changed}
             RETURNING seq, id",
            columns = updated.join(", "),
            values = vec![row.as_str(); rows.len()].join(", "),
            set = set_clause(&updated),
            changed = changed_clause("connections", &updated),
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
        for c in rows {
            // In the order of COLUMNS.
            query = query
                .bind(profile)
                .bind(&c.id)
                .bind(&c.customer_id)
                .bind(&c.system_id)
                .bind(c.tier)
                .bind(c.deployment)
                .bind(&c.name)
                .bind(&c.email)
                .bind(c.credits)
                .bind(c.status)
                .bind(c.online)
                .bind(c.reauthorization_required)
                .bind(&c.connected_at)
                .bind(&c.authorized_by)
                .bind(&c.token_issued_at)
                .bind(&c.last_sync_at)
                .bind(&c.next_sync_at)
                .bind(&c.created_at)
                .bind(&c.user_metadata)
                .bind(profile)
                .bind(&c.customer_id)
                .bind(profile)
                .bind(&c.customer_id);
        }
        query
            .fetch_all(&mut **tx)
            .await
            .map_err(|err| self.fail(err))
    }

    /// (seq, searched text) of these connections.
    async fn search_texts(&self, tx: &mut Tx, seqs: &[i64]) -> Result<Vec<(i64, String)>> {
        let sql = format!(
            "SELECT seq, text FROM connection_search_text WHERE seq IN ({})",
            placeholders(seqs.len())
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
        for seq in seqs {
            query = query.bind(*seq);
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
                placeholders(chunk.len()),
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
        let list = placeholders(seqs.len());
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
                                    THEN ?4 ELSE last_sync_at END,
                next_sync_at = CASE WHEN ?7 IS NOT NULL AND (last_sync_at IS NULL OR ?8 >= last_sync_at)
                                    THEN ?7 ELSE next_sync_at END
             WHERE profile = ?5 AND id = ?6",
        )
        .bind(patch.status.map(ConnectionStatus::as_str))
        .bind(patch.online)
        .bind(patch.reauthorization_required)
        .bind(time::format_opt(patch.last_sync_at))
        .bind(profile)
        .bind(id)
        .bind(time::format_opt(patch.next_sync.map(|next| next.at)))
        .bind(time::format_opt(patch.next_sync.map(|next| next.as_of)))
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

    /// The names of the connections among `ids` the mirror holds (with their customer's), for
    /// lists that carry only ids, like the webhook inspector's. `profile`'s copy first, as in
    /// [`Mirror::connection_preferring`]; ids the mirror does not hold are left out.
    pub async fn connection_names(
        &self,
        ids: &[String],
        profile: Option<&str>,
    ) -> Result<Vec<ConnectionName>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids =
            serde_json::to_string(ids).map_err(|err| StoreError::InvalidInput(err.to_string()))?;
        let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT id, name, customer_id, customer_name FROM (
               SELECT c.id, c.name, c.customer_id, c.customer_name, ROW_NUMBER() OVER (
                 PARTITION BY c.id ORDER BY CASE WHEN c.profile = ?2 THEN 0 ELSE 1 END, c.profile
               ) AS pick
               FROM connections c WHERE c.id IN (SELECT value FROM json_each(?1))
             ) WHERE pick = 1 ORDER BY id",
        )
        .bind(ids)
        .bind(profile)
        .fetch_all(self.reader())
        .await
        .map_err(|err| self.fail(err))?;
        Ok(rows
            .into_iter()
            .map(|(id, name, customer_id, customer_name)| ConnectionName {
                id,
                name,
                customer_id,
                customer_name,
            })
            .collect())
    }

    /// One connection by id. Ids are unique on a platform; if two profiles mirror the same
    /// platform, the profile first by name wins.
    pub async fn connection(&self, id: &str) -> Result<MirroredConnection> {
        self.connection_preferring(id, None).await
    }

    /// One connection by id, `profile`'s copy when it mirrors one (the profile a person is
    /// looking at: two profiles on the same platform hold copies of its connections, synced at
    /// different times), else the profile first by name.
    pub async fn connection_preferring(
        &self,
        id: &str,
        profile: Option<&str>,
    ) -> Result<MirroredConnection> {
        let row = sqlx::query(
            "SELECT * FROM connections WHERE id = ?
              ORDER BY CASE WHEN profile = ? THEN 0 ELSE 1 END, profile LIMIT 1",
        )
        .bind(id)
        .bind(profile)
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

/// The columns a routine sync or event changes on most connections (their state and sync
/// times); see [`Mirror::put_connections`]. None of them is searched.
const DYNAMIC: [&str; 6] = [
    "status",
    "online",
    "reauthorization_required",
    "token_issued_at",
    "last_sync_at",
    "next_sync_at",
];

/// A connection's columns as stored (times as fixed-width text, metadata as JSON text), the
/// key and the customer's copied fields left out; in the order of [`COLUMNS`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Columns {
    id: String,
    customer_id: String,
    system_id: Option<String>,
    tier: Option<i64>,
    deployment: Option<&'static str>,
    name: String,
    email: Option<String>,
    credits: i64,
    status: &'static str,
    online: bool,
    reauthorization_required: bool,
    connected_at: Option<String>,
    authorized_by: Option<String>,
    token_issued_at: Option<String>,
    last_sync_at: Option<String>,
    next_sync_at: Option<String>,
    created_at: String,
    user_metadata: String,
}

/// The stored columns after the key (`profile`, `id`), as in [`Columns`].
const COLUMNS: [&str; 17] = [
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
];

impl Columns {
    fn of(c: &Connection, catalog: &[System]) -> Self {
        Self {
            id: c.id.clone(),
            customer_id: c.customer_id.clone(),
            system_id: c.system_id.clone(),
            tier: tier_of(c, catalog).map(i64::from),
            deployment: c.deployment.map(Deployment::as_str),
            name: c.name.clone(),
            email: c.email.clone(),
            credits: c.credits,
            status: c.status.as_str(),
            online: c.online,
            reauthorization_required: c.reauthorization_required,
            connected_at: time::format_opt(c.connected_at),
            authorized_by: c.authorized_by.clone(),
            token_issued_at: time::format_opt(c.token_issued_at),
            last_sync_at: time::format_opt(c.last_sync_at),
            next_sync_at: time::format_opt(c.next_sync_at),
            created_at: time::format(c.created_at),
            user_metadata: serde_json::Value::Object(c.user_metadata.clone()).to_string(),
        }
    }

    fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Self> {
        let status: String = row.try_get("status")?;
        let deployment: Option<String> = row.try_get("deployment")?;
        Ok(Self {
            id: row.try_get("id")?,
            customer_id: row.try_get("customer_id")?,
            system_id: row.try_get("system_id")?,
            tier: row.try_get("tier")?,
            // A value this build does not know compares as changed, and is overwritten.
            deployment: deployment
                .and_then(|d| Deployment::parse(&d))
                .map(Deployment::as_str),
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            credits: row.try_get("credits")?,
            status: ConnectionStatus::parse(&status).map_or("", ConnectionStatus::as_str),
            online: row.try_get("online")?,
            reauthorization_required: row.try_get("reauthorization_required")?,
            connected_at: row.try_get("connected_at")?,
            authorized_by: row.try_get("authorized_by")?,
            token_issued_at: row.try_get("token_issued_at")?,
            last_sync_at: row.try_get("last_sync_at")?,
            next_sync_at: row.try_get("next_sync_at")?,
            created_at: row.try_get("created_at")?,
            user_metadata: row.try_get("user_metadata")?,
        })
    }

    /// Which [`DYNAMIC`] columns differ, a bit each in their order.
    fn dynamic_changes(&self, other: &Self) -> u8 {
        let differs = [
            self.status != other.status,
            self.online != other.online,
            self.reauthorization_required != other.reauthorization_required,
            self.token_issued_at != other.token_issued_at,
            self.last_sync_at != other.last_sync_at,
            self.next_sync_at != other.next_sync_at,
        ];
        differs
            .iter()
            .enumerate()
            .filter(|(_, differs)| **differs)
            .fold(0, |mask, (bit, _)| mask | (1 << bit))
    }

    /// Equal in every column but the [`DYNAMIC`] ones.
    fn same_but_dynamic(&self, other: &Self) -> bool {
        Self {
            status: other.status,
            online: other.online,
            reauthorization_required: other.reauthorization_required,
            token_issued_at: other.token_issued_at.clone(),
            last_sync_at: other.last_sync_at.clone(),
            next_sync_at: other.next_sync_at.clone(),
            ..self.clone()
        } == *other
    }
}

/// Mirrored connections by id: (seq, stored columns, searched text).
type Mirrored = HashMap<String, (i64, Columns, String)>;

/// Values per `IN (...)` list.
const IN_CHUNK: usize = 500;

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

/// `?, ?, ...`: anonymous, because sqlx binds each numbered `?NNN` by looking its name up,
/// which SQLite answers by scanning every name (quadratic in a long list of values).
pub(crate) fn placeholders(count: usize) -> String {
    vec!["?"; count].join(", ")
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
