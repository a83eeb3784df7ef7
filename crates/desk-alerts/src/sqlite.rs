//! [`AlertStore`] over the app's own SQLite file, `alerts.db` in the data folder: WAL, forward
//! only migrations, one writer connection whose transactions take the lock at their first
//! statement (the CLI and `mdesk serve` write the same file), a small read pool.

mod rows;

use crate::model::*;
use crate::{AlertStore, AlertsError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rows::{alert_from_row, at, ts, ALERT_COLUMNS};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file name inside a data folder.
pub const DB_FILE: &str = "alerts.db";

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A writer that finds the lock taken waits this long (another process writing).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The subject of an account-wide alert.
const ACCOUNT: &str = "account";

type Tx = Transaction<'static, Sqlite>;

#[derive(Debug, Clone)]
pub struct SqliteAlerts {
    write: SqlitePool,
    read: SqlitePool,
    path: PathBuf,
}

impl SqliteAlerts {
    /// Opens (or creates) `dir/alerts.db` and brings its schema up to date.
    pub async fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| AlertsError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let write = SqlitePoolOptions::new()
            // No idle reaping or lifetime: a local file gains nothing from them, and sqlx 0.8's
            // maintenance task can spin at 100% CPU and hang the exit (sqlx#3645).
            .idle_timeout(None)
            .max_lifetime(None)
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.clone())
            .await?;
        match MIGRATOR.run(&write).await {
            Ok(()) => {}
            Err(MigrateError::VersionMissing(_)) => {
                write.close().await;
                return Err(AlertsError::NewerVersion(path));
            }
            Err(source) => {
                write.close().await;
                return Err(AlertsError::Migration { path, source });
            }
        }
        let read = SqlitePoolOptions::new()
            // No idle reaping or lifetime: a local file gains nothing from them, and sqlx 0.8's
            // maintenance task can spin at 100% CPU and hang the exit (sqlx#3645).
            .idle_timeout(None)
            .max_lifetime(None)
            .max_connections(2)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self { write, read, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn begin(&self) -> Result<Tx> {
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Loads an alert inside a write transaction (fresh data, the lock held).
    async fn load(tx: &mut Tx, id: &str) -> Result<Alert> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts a WHERE a.id = ?");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| AlertsError::NotFound(id.to_owned()))?;
        alert_from_row(&row)
    }

    async fn change(
        tx: &mut Tx,
        id: &str,
        at: DateTime<Utc>,
        change: &str,
        by: Option<&str>,
        note: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO alert_history (alert_id, at, change, by_whom, note) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(ts(at))
        .bind(change)
        .bind(by)
        .bind(note)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Loads an unresolved alert for a change, refusing resolved ones.
    async fn load_unresolved(tx: &mut Tx, id: &str, doing: &str) -> Result<Alert> {
        let alert = Self::load(tx, id).await?;
        if alert.state == AlertState::Resolved {
            return Err(AlertsError::InvalidTransition(format!(
                "alert {id} is resolved; it cannot be {doing}"
            )));
        }
        Ok(alert)
    }
}

fn new_id() -> String {
    format!("alrt_{:016x}", rand::random::<u64>())
}

fn subject(connection_id: Option<&str>) -> &str {
    connection_id.unwrap_or(ACCOUNT)
}

#[async_trait]
impl AlertStore for SqliteAlerts {
    async fn report(&self, report: Report) -> Result<Reported> {
        let mut tx = self.begin().await?;
        let subject = subject(report.connection_id.as_deref());
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT id FROM alerts WHERE profile = ? AND kind = ? AND subject = ? AND state != 'resolved'",
        )
        .bind(&report.profile)
        .bind(report.kind.as_str())
        .bind(subject)
        .fetch_optional(&mut *tx)
        .await?;
        let opened = existing.is_none();
        let id = match existing {
            Some(id) => {
                sqlx::query(
                    // The poll knows least (a flag): its words never replace a webhook's reason
                    // or a failed call's error.
                    "UPDATE alerts SET updated_at = ?,
                        detail = CASE WHEN ? THEN coalesce(detail, ?) ELSE coalesce(?, detail) END,
                        customer_id = coalesce(customer_id, ?), system_id = coalesce(system_id, ?)
                     WHERE id = ?",
                )
                .bind(ts(report.at))
                .bind(report.source == Source::Poll)
                .bind(&report.detail)
                .bind(&report.detail)
                .bind(&report.customer_id)
                .bind(&report.system_id)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO alerts (id, profile, kind, subject, connection_id, customer_id,
                        system_id, state, opened_at, updated_at, detail, in_maintenance)
                     VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)",
                )
                .bind(&id)
                .bind(&report.profile)
                .bind(report.kind.as_str())
                .bind(subject)
                .bind(&report.connection_id)
                .bind(&report.customer_id)
                .bind(&report.system_id)
                .bind(ts(report.at))
                .bind(ts(report.at))
                .bind(&report.detail)
                .bind(report.in_maintenance)
                .execute(&mut *tx)
                .await?;
                let note = format!("reported by {}", report.source.as_str());
                Self::change(&mut tx, &id, report.at, "opened", None, Some(&note)).await?;
                id
            }
        };
        let known: Option<i64> =
            sqlx::query_scalar("SELECT count FROM alert_sources WHERE alert_id = ? AND source = ?")
                .bind(&id)
                .bind(report.source.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO alert_sources (alert_id, source, first_at, last_at, count, detail)
             VALUES (?, ?, ?, ?, 1, ?)
             ON CONFLICT (alert_id, source) DO UPDATE SET last_at = excluded.last_at,
                count = count + 1, detail = coalesce(excluded.detail, detail)",
        )
        .bind(&id)
        .bind(report.source.as_str())
        .bind(ts(report.at))
        .bind(ts(report.at))
        .bind(&report.detail)
        .execute(&mut *tx)
        .await?;
        let new_source = known.is_none();
        if new_source && !opened {
            let note = format!("also reported by {}", report.source.as_str());
            Self::change(&mut tx, &id, report.at, "reported", None, Some(&note)).await?;
        }
        let alert = Self::load(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(Reported {
            alert,
            opened,
            new_source,
        })
    }

    async fn list(&self, filter: &AlertFilter) -> Result<Vec<Alert>> {
        let mut query: QueryBuilder<'_, Sqlite> =
            QueryBuilder::new(format!("SELECT {ALERT_COLUMNS} FROM alerts a WHERE 1 = 1"));
        if let Some(profile) = &filter.profile {
            query.push(" AND a.profile = ").push_bind(profile.clone());
        }
        if !filter.states.is_empty() {
            query.push(" AND a.state IN (");
            let mut list = query.separated(", ");
            for state in &filter.states {
                list.push_bind(state.as_str());
            }
            query.push(")");
        }
        if !filter.kinds.is_empty() {
            query.push(" AND a.kind IN (");
            let mut list = query.separated(", ");
            for kind in &filter.kinds {
                list.push_bind(kind.as_str());
            }
            query.push(")");
        }
        if let Some(customer) = &filter.customer_id {
            query
                .push(" AND a.customer_id = ")
                .push_bind(customer.clone());
        }
        if let Some(connection) = &filter.connection_id {
            query
                .push(" AND a.connection_id = ")
                .push_bind(connection.clone());
        }
        if let Some(before) = filter.opened_before {
            query.push(" AND a.opened_at <= ").push_bind(ts(before));
        }
        query.push(if filter.newest_first {
            " ORDER BY a.opened_at DESC, a.id DESC"
        } else {
            " ORDER BY a.opened_at, a.id"
        });
        if let Some(limit) = filter.limit {
            query.push(" LIMIT ").push_bind(i64::from(limit));
        }
        let rows = query.build().fetch_all(&self.read).await?;
        rows.iter().map(alert_from_row).collect()
    }

    async fn get(&self, id: &str) -> Result<AlertDetail> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts a WHERE a.id = ?");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or_else(|| AlertsError::NotFound(id.to_owned()))?;
        let alert = alert_from_row(&row)?;
        let reports = sqlx::query(
            "SELECT source, first_at, last_at, count, detail FROM alert_sources
             WHERE alert_id = ? ORDER BY first_at, source",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| {
            let source: String = row.try_get("source")?;
            Ok(SourceReport {
                source: Source::parse(&source)
                    .ok_or_else(|| AlertsError::Unreadable(format!("source {source:?}")))?,
                first_at: at(row, "first_at")?,
                last_at: at(row, "last_at")?,
                count: row.try_get("count")?,
                detail: row.try_get("detail")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let history = sqlx::query(
            "SELECT at, change, by_whom, note FROM alert_history WHERE alert_id = ? ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| {
            Ok(AlertChange {
                at: at(row, "at")?,
                change: row.try_get("change")?,
                by: row.try_get("by_whom")?,
                note: row.try_get("note")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(AlertDetail {
            alert,
            reports,
            history,
        })
    }

    async fn unresolved(
        &self,
        profile: &str,
        kind: AlertKind,
        connection_id: Option<&str>,
    ) -> Result<Option<Alert>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a
             WHERE a.profile = ? AND a.kind = ? AND a.subject = ? AND a.state != 'resolved'"
        );
        let row = sqlx::query(&sql)
            .bind(profile)
            .bind(kind.as_str())
            .bind(subject(connection_id))
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(alert_from_row).transpose()
    }

    async fn acknowledge(&self, id: &str, by: &str, at: DateTime<Utc>) -> Result<Alert> {
        let mut tx = self.begin().await?;
        let alert = Self::load_unresolved(&mut tx, id, "acknowledged").await?;
        if alert.acknowledged_at.is_some() {
            return Ok(alert);
        }
        let state = alert.state.max(AlertState::Acknowledged);
        sqlx::query(
            "UPDATE alerts SET state = ?, acknowledged_by = ?, acknowledged_at = ?, updated_at = ?
             WHERE id = ?",
        )
        .bind(state.as_str())
        .bind(by)
        .bind(ts(at))
        .bind(ts(at))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        Self::change(&mut tx, id, at, "acknowledged", Some(by), None).await?;
        let alert = Self::load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(alert)
    }

    async fn snooze(
        &self,
        id: &str,
        until: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<Alert> {
        let mut tx = self.begin().await?;
        Self::load_unresolved(&mut tx, id, "snoozed").await?;
        sqlx::query("UPDATE alerts SET snoozed_until = ?, updated_at = ? WHERE id = ?")
            .bind(until.map(ts))
            .bind(ts(at))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let note = match until {
            Some(until) => format!("until {}", ts(until)),
            None => "woken".to_owned(),
        };
        Self::change(&mut tx, id, at, "snoozed", None, Some(&note)).await?;
        let alert = Self::load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(alert)
    }

    async fn mark_notified(
        &self,
        id: &str,
        via: &str,
        link: Option<(&str, DateTime<Utc>)>,
        at: DateTime<Utc>,
    ) -> Result<Alert> {
        let mut tx = self.begin().await?;
        let alert = Self::load_unresolved(&mut tx, id, "notified").await?;
        let state = alert.state.max(AlertState::CustomerNotified);
        sqlx::query(
            "UPDATE alerts SET state = ?, notified_at = ?, notified_via = ?, updated_at = ?,
                notice_link = coalesce(?, notice_link),
                notice_link_expires_at = coalesce(?, notice_link_expires_at)
             WHERE id = ?",
        )
        .bind(state.as_str())
        .bind(ts(at))
        .bind(via)
        .bind(ts(at))
        .bind(link.map(|(url, _)| url))
        .bind(link.map(|(_, expires)| ts(expires)))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        Self::change(&mut tx, id, at, "notified", None, Some(via)).await?;
        let alert = Self::load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(alert)
    }

    async fn keep_notice_link(
        &self,
        id: &str,
        url: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<Alert> {
        let mut tx = self.begin().await?;
        Self::load(&mut tx, id).await?;
        sqlx::query("UPDATE alerts SET notice_link = ?, notice_link_expires_at = ? WHERE id = ?")
            .bind(url)
            .bind(ts(expires_at))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let alert = Self::load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(alert)
    }

    async fn note_reauthorization(
        &self,
        profile: &str,
        connection_id: &str,
        ok: bool,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Alert>> {
        let mut tx = self.begin().await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM alerts WHERE profile = ? AND connection_id = ? AND state != 'resolved'",
        )
        .bind(profile)
        .bind(connection_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut alerts = Vec::new();
        for id in ids {
            if ok {
                sqlx::query("UPDATE alerts SET reauthorized_at = ?, updated_at = ? WHERE id = ?")
                    .bind(ts(at))
                    .bind(ts(at))
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                Self::change(&mut tx, &id, at, "reauthorized", None, Some(message)).await?;
            } else {
                let said = format!("the reauthorization did not heal the connection: {message}");
                sqlx::query(
                    "UPDATE alerts SET last_check_at = ?, last_check_ok = 0, last_check_message = ?,
                        updated_at = ? WHERE id = ?",
                )
                .bind(ts(at))
                .bind(&said)
                .bind(ts(at))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                Self::change(
                    &mut tx,
                    &id,
                    at,
                    "reauthorization_failed",
                    None,
                    Some(message),
                )
                .await?;
            }
            alerts.push(Self::load(&mut tx, &id).await?);
        }
        tx.commit().await?;
        Ok(alerts)
    }

    async fn record_check(&self, id: &str, check: LiveCheck) -> Result<Alert> {
        let mut tx = self.begin().await?;
        let alert = Self::load(&mut tx, id).await?;
        if alert.state == AlertState::Resolved {
            return Ok(alert);
        }
        if check.ok {
            let resolution = if alert.reauthorized_at.is_some() {
                Resolution::Resolved
            } else {
                Resolution::Recovered
            };
            sqlx::query(
                "UPDATE alerts SET state = 'resolved', resolved_at = ?, resolution = ?,
                    last_check_at = ?, last_check_ok = 1, last_check_message = ?, updated_at = ?
                 WHERE id = ?",
            )
            .bind(ts(check.at))
            .bind(resolution.as_str())
            .bind(ts(check.at))
            .bind(&check.message)
            .bind(ts(check.at))
            .bind(id)
            .execute(&mut *tx)
            .await?;
            Self::change(
                &mut tx,
                id,
                check.at,
                resolution.as_str(),
                None,
                Some(&check.message),
            )
            .await?;
        } else {
            sqlx::query(
                "UPDATE alerts SET last_check_at = ?, last_check_ok = 0, last_check_message = ?,
                    updated_at = ? WHERE id = ?",
            )
            .bind(ts(check.at))
            .bind(&check.message)
            .bind(ts(check.at))
            .bind(id)
            .execute(&mut *tx)
            .await?;
            Self::change(
                &mut tx,
                id,
                check.at,
                "check_failed",
                None,
                Some(&check.message),
            )
            .await?;
        }
        let alert = Self::load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(alert)
    }

    async fn observe(
        &self,
        profile: &str,
        kind: AlertKind,
        subject: &str,
        detail: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Observation> {
        let row = sqlx::query(
            "INSERT INTO alert_observations (profile, kind, subject, first_at, last_at, count, detail)
             VALUES (?, ?, ?, ?, ?, 1, ?)
             ON CONFLICT (profile, kind, subject) DO UPDATE SET last_at = excluded.last_at,
                count = count + 1, detail = coalesce(excluded.detail, detail)
             RETURNING first_at, last_at, count, detail",
        )
        .bind(profile)
        .bind(kind.as_str())
        .bind(subject)
        .bind(ts(at))
        .bind(ts(at))
        .bind(detail)
        .fetch_one(&self.write)
        .await?;
        Ok(Observation {
            first_at: rows::at(&row, "first_at")?,
            last_at: rows::at(&row, "last_at")?,
            count: row.try_get("count")?,
            detail: row.try_get("detail")?,
        })
    }

    async fn forget(&self, profile: &str, kind: AlertKind, subject: &str) -> Result<()> {
        sqlx::query(
            "DELETE FROM alert_observations WHERE profile = ? AND kind = ? AND subject = ?",
        )
        .bind(profile)
        .bind(kind.as_str())
        .bind(subject)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
