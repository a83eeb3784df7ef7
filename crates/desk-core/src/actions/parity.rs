//! `parity_check`: the same read-only checks against two profiles (the engine's own API and its
//! Makini surface, or the engine against Makini's cloud), reporting every difference in shape
//! and behaviour. Nothing is written on either platform: connections, sync states and records
//! are read with the tokens the vault already holds.
//!
//! What the two APIs spell differently by design is not a difference: record fields are
//! compared by id and by their created, updated and deleted times (our names and Makini's
//! differ, see the engine's Makini shapes), a connection's fields that a profile derived
//! (`user_metadata._makini.derived`) are not compared, and soft-deleted records, which Makini's
//! lists show and our full walks leave out, are compared only where both list them.

use crate::desk::Desk;
use crate::platform::{DataClient, Platform};
use crate::session::Session;
use crate::sync::token_name;
use crate::CoreError;
use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use desk_client::{ConnectionFilter, ListOptions, RecordQuery, Secret};
use desk_platform::connection::Connection;
use desk_platform::sync::SyncStatus;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use ts_rs::TS;

/// How many ids a difference names before it only counts the rest.
const NAMED: usize = 5;
/// A connection id no platform issues: both must answer it the same way.
const MISSING_CONNECTION: &str = "con_parity_does_not_exist";

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct ParityRequest {
    /// The two profiles compared (A then B).
    pub profiles: Vec<String>,
    /// Only this connection (default: every connection both list).
    pub connection_id: Option<String>,
    /// Records read per entity and profile at most (default 10,000).
    pub max_records: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ParityOutcome {
    Same,
    Different,
    /// Not compared, and why (no token in the vault, a field one side derived).
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ParityCheck {
    /// What was compared: `connections`, `connection <id> status`, `records <id> work-orders`.
    pub check: String,
    pub outcome: ParityOutcome,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ParityReport {
    pub profiles: Vec<String>,
    pub checks: Vec<ParityCheck>,
    pub differences: u32,
}

struct Checks(Vec<ParityCheck>);

impl Checks {
    fn push(&mut self, check: String, outcome: ParityOutcome, detail: String) {
        self.0.push(ParityCheck {
            check,
            outcome,
            detail,
        });
    }

    fn compare<T: PartialEq + std::fmt::Debug>(&mut self, check: String, a: T, b: T) {
        if a == b {
            self.push(check, ParityOutcome::Same, format!("{a:?}"));
        } else {
            self.push(check, ParityOutcome::Different, format!("A {a:?}, B {b:?}"));
        }
    }
}

fn code_of(err: desk_client::ClientError) -> String {
    CoreError::from(err).code().as_str().to_owned()
}

fn named(ids: &BTreeSet<String>) -> String {
    let shown: Vec<&str> = ids.iter().take(NAMED).map(String::as_str).collect();
    match ids.len().saturating_sub(NAMED) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

fn set_difference(check: String, a: &BTreeSet<String>, b: &BTreeSet<String>, checks: &mut Checks) {
    let only_a: BTreeSet<String> = a.difference(b).cloned().collect();
    let only_b: BTreeSet<String> = b.difference(a).cloned().collect();
    if only_a.is_empty() && only_b.is_empty() {
        checks.push(check, ParityOutcome::Same, format!("{} on both", a.len()));
        return;
    }
    let mut parts = Vec::new();
    if !only_a.is_empty() {
        parts.push(format!("only in A: {}", named(&only_a)));
    }
    if !only_b.is_empty() {
        parts.push(format!("only in B: {}", named(&only_b)));
    }
    checks.push(check, ParityOutcome::Different, parts.join("; "));
}

/// The fields of ours a profile derived rather than read (Makini's `_makini.derived`).
fn derived(connection: &Connection) -> BTreeSet<String> {
    connection
        .user_metadata
        .get(desk_makini::MAKINI_KEY)
        .and_then(|m| m.get(desk_makini::DERIVED_KEY))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn compare_connection(id: &str, a: &Connection, b: &Connection, checks: &mut Checks) {
    let skipped: BTreeSet<String> = derived(a).union(&derived(b)).cloned().collect();
    let fields: [(&str, Value, Value); 6] = [
        ("name", a.name.clone().into(), b.name.clone().into()),
        ("email", a.email.clone().into(), b.email.clone().into()),
        ("status", a.status.as_str().into(), b.status.as_str().into()),
        (
            "system_id",
            a.system_id.clone().into(),
            b.system_id.clone().into(),
        ),
        (
            "reauthorization_required",
            a.reauthorization_required.into(),
            b.reauthorization_required.into(),
        ),
        (
            "customer_id",
            a.customer_id.clone().into(),
            b.customer_id.clone().into(),
        ),
    ];
    for (field, left, right) in fields {
        let check = format!("connection {id} {field}");
        if skipped.contains(field) {
            checks.push(
                check,
                ParityOutcome::Skipped,
                "derived, not read".to_owned(),
            );
        } else {
            checks.compare(check, left, right);
        }
    }
}

/// A record's times to the microsecond (the finest both APIs keep), keyed by id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Times {
    created: Option<String>,
    updated: Option<String>,
    deleted: Option<String>,
}

fn micros(value: Option<&Value>) -> Option<String> {
    let at: DateTime<Utc> = value?.as_str()?.parse().ok()?;
    Some(at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

async fn walk(
    data: &DataClient,
    entity: &str,
    modified_after: Option<DateTime<Utc>>,
    max: usize,
) -> Result<BTreeMap<String, Times>, desk_client::ClientError> {
    let mut records = BTreeMap::new();
    let query = RecordQuery {
        modified_after,
        list: ListOptions::page_size(500),
    };
    let mut cursor: Option<String> = None;
    while records.len() < max {
        let page = data.records_page(entity, &query, cursor.as_deref()).await?;
        for record in page.data {
            let Some(id) = record.get("id").and_then(Value::as_str) else {
                continue;
            };
            records.insert(
                id.to_owned(),
                Times {
                    created: micros(record.get("created_at")),
                    updated: micros(record.get("updated_at")),
                    deleted: micros(record.get("deleted_at")),
                },
            );
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(records)
}

struct Side {
    session: Arc<Session>,
    connections: BTreeMap<String, Connection>,
}

impl Side {
    fn platform(&self) -> &Platform {
        &self.session.client
    }

    async fn data(
        &self,
        desk: &Desk,
        connection: &Connection,
    ) -> Result<Option<DataClient>, CoreError> {
        let vault = desk.vault().await?;
        let name = token_name(&self.session.profile.name, &connection.id);
        Ok(vault
            .get(&connection.customer_id, &name)
            .await?
            .map(|token| {
                self.platform()
                    .connection_client(&connection.id, Secret::new(token.expose()))
            }))
    }
}

impl Side {
    /// The sync status, or the error code it answered; `None` when it cannot be read here
    /// (Makini's needs the connection's token).
    async fn sync_status(
        &self,
        connection: &Connection,
        data: Option<&DataClient>,
    ) -> Option<Result<SyncStatus, String>> {
        if self.platform().sync_status_needs_token() && data.is_none() {
            return None;
        }
        Some(
            self.platform()
                .sync_status(&connection.id, data)
                .await
                .map_err(code_of),
        )
    }
}

async fn open(desk: &Desk, profile: &str) -> Result<Side, CoreError> {
    let session = desk.session(Some(profile)).await?;
    let connections: Vec<Connection> = session
        .client
        .connections(ConnectionFilter::default(), ListOptions::page_size(500))
        .try_collect()
        .await?;
    Ok(Side {
        session,
        connections: connections.into_iter().map(|c| (c.id.clone(), c)).collect(),
    })
}

async fn compare_records(
    desk: &Desk,
    id: &str,
    sides: (&Side, &Side),
    max: usize,
    checks: &mut Checks,
) -> Result<(), CoreError> {
    let (a, b) = sides;
    let (Some(ca), Some(cb)) = (a.connections.get(id), b.connections.get(id)) else {
        return Ok(());
    };
    let (da, db) = (a.data(desk, ca).await?, b.data(desk, cb).await?);
    // Where the connection's sync stands, and whether it needs reauthorization: our API says
    // so on the connection, Makini's in `integrations/current` (`fail`), read with a token.
    let status_a = a.sync_status(ca, da.as_ref()).await;
    let status_b = b.sync_status(cb, db.as_ref()).await;
    match (&status_a, &status_b) {
        (Some(sa), Some(sb)) => {
            let reauth = |side: &Side, c: &Connection, s: &Result<SyncStatus, String>| {
                if side.platform().is_makini() {
                    matches!(s, Err(code) if code == "REAUTHORIZATION_REQUIRED")
                } else {
                    c.reauthorization_required
                }
            };
            checks.compare(
                format!("connection {id} needs reauthorization"),
                reauth(a, ca, sa),
                reauth(b, cb, sb),
            );
            if let (Ok(sa), Ok(sb)) = (sa, sb) {
                checks.compare(
                    format!("connection {id} sync status"),
                    sa.state.clone(),
                    sb.state.clone(),
                );
            }
        }
        _ => checks.push(
            format!("connection {id} sync status"),
            ParityOutcome::Skipped,
            "Makini's sync status is read with the connection's token, which the vault lacks"
                .to_owned(),
        ),
    }
    let (Some(da), Some(db)) = (da.clone(), db.clone()) else {
        let lacking: Vec<&str> = [(&da, a), (&db, b)]
            .iter()
            .filter(|(data, _)| data.is_none())
            .map(|(_, side)| side.session.profile.name.as_str())
            .collect();
        checks.push(
            format!("records {id}"),
            ParityOutcome::Skipped,
            format!(
                "no connection token in the vault for profile {}: a sync keeps one (`mdesk connections token set` for Makini)",
                lacking.join(" and ")
            ),
        );
        return Ok(());
    };
    let (Some(Ok(status_a)), Some(Ok(status_b))) = (status_a, status_b) else {
        return Ok(());
    };
    let entities_a: BTreeSet<String> = status_a.entities.iter().map(|e| e.entity.clone()).collect();
    let entities_b: BTreeSet<String> = status_b.entities.iter().map(|e| e.entity.clone()).collect();
    for entity in entities_a.intersection(&entities_b) {
        let label = format!("records {id} {entity}");
        let (ra, rb) = match (
            walk(&da, entity, None, max).await,
            walk(&db, entity, None, max).await,
        ) {
            (Ok(ra), Ok(rb)) => (ra, rb),
            (ra, rb) => {
                let a = ra
                    .map(|r| format!("{} records", r.len()))
                    .unwrap_or_else(code_of);
                let b = rb
                    .map(|r| format!("{} records", r.len()))
                    .unwrap_or_else(code_of);
                checks.compare(label, a, b);
                continue;
            }
        };
        let live = |records: &BTreeMap<String, Times>| -> BTreeSet<String> {
            records
                .iter()
                .filter(|(_, t)| t.deleted.is_none())
                .map(|(k, _)| k.clone())
                .collect()
        };
        set_difference(format!("{label} ids"), &live(&ra), &live(&rb), checks);
        let changed: BTreeSet<String> = ra
            .iter()
            .filter_map(|(key, ta)| {
                let tb = rb.get(key)?;
                let both_listed_deleted = ta.deleted.is_some() && tb.deleted.is_some();
                let same = ta.created == tb.created
                    && ta.updated == tb.updated
                    && (ta.deleted == tb.deleted || !both_listed_deleted);
                (!same).then(|| key.clone())
            })
            .collect();
        if changed.is_empty() {
            checks.push(
                format!("{label} times"),
                ParityOutcome::Same,
                "created, updated and deleted times agree".to_owned(),
            );
        } else {
            checks.push(
                format!("{label} times"),
                ParityOutcome::Different,
                format!("times differ for {}", named(&changed)),
            );
        }
        // Incremental pulls: what changed after the middle of A's update times, in whole
        // seconds (Makini's filter is sent in seconds).
        let mut updates: Vec<&String> = ra.values().filter_map(|t| t.updated.as_ref()).collect();
        updates.sort();
        if let Some(middle) = updates.get(updates.len() / 2) {
            if let Ok(after) = middle.parse::<DateTime<Utc>>() {
                let after = after.with_nanosecond(0).unwrap_or(after);
                let label = format!(
                    "{label} changed after {}",
                    after.to_rfc3339_opts(SecondsFormat::Secs, true)
                );
                match (
                    walk(&da, entity, Some(after), max).await,
                    walk(&db, entity, Some(after), max).await,
                ) {
                    (Ok(ia), Ok(ib)) => {
                        let keys = |r: &BTreeMap<String, Times>| {
                            r.keys().cloned().collect::<BTreeSet<_>>()
                        };
                        set_difference(label, &keys(&ia), &keys(&ib), checks);
                    }
                    (ia, ib) => {
                        let a = ia.map(|r| r.len().to_string()).unwrap_or_else(code_of);
                        let b = ib.map(|r| r.len().to_string()).unwrap_or_else(code_of);
                        checks.compare(label, a, b);
                    }
                }
            }
        }
    }
    Ok(())
}

pub async fn parity_check(desk: &Desk, request: ParityRequest) -> Result<ParityReport, CoreError> {
    let [first, second] = request.profiles.as_slice() else {
        return Err(CoreError::InvalidInput(
            "parity compares exactly two profiles (--profile A --profile B)".to_owned(),
        ));
    };
    let max = request.max_records.unwrap_or(10_000).max(1) as usize;
    let a = open(desk, first).await?;
    let b = open(desk, second).await?;
    let mut checks = Checks(Vec::new());

    let ids = |side: &Side| -> BTreeSet<String> {
        side.connections
            .keys()
            .filter(|id| {
                request
                    .connection_id
                    .as_ref()
                    .is_none_or(|only| only == *id)
            })
            .cloned()
            .collect()
    };
    let (ids_a, ids_b) = (ids(&a), ids(&b));
    set_difference("connections".to_owned(), &ids_a, &ids_b, &mut checks);
    let missing_a = a
        .platform()
        .connection(MISSING_CONNECTION)
        .await
        .err()
        .map(code_of);
    let missing_b = b
        .platform()
        .connection(MISSING_CONNECTION)
        .await
        .err()
        .map(code_of);
    checks.compare("an unknown connection".to_owned(), missing_a, missing_b);
    for id in ids_a.intersection(&ids_b) {
        if let (Some(ca), Some(cb)) = (a.connections.get(id), b.connections.get(id)) {
            compare_connection(id, ca, cb, &mut checks);
        }
        compare_records(desk, id, (&a, &b), max, &mut checks).await?;
    }
    let differences = checks
        .0
        .iter()
        .filter(|c| c.outcome == ParityOutcome::Different)
        .count();
    Ok(ParityReport {
        profiles: vec![first.clone(), second.clone()],
        checks: checks.0,
        differences: u32::try_from(differences).unwrap_or(u32::MAX),
    })
}
