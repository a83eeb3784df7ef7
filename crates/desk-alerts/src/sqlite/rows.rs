//! Reading alert rows back, and the one text format times are stored in (fixed width, so
//! text order is time order).

use crate::model::*;
use crate::{AlertsError, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

/// Every column of an alert, and its sources in the order they first reported.
pub(super) const ALERT_COLUMNS: &str = "a.id, a.profile, a.kind, a.connection_id, a.customer_id,
    a.system_id, a.state, a.opened_at, a.updated_at, a.resolved_at, a.resolution, a.detail,
    a.acknowledged_by, a.acknowledged_at, a.notified_at, a.notified_via, a.snoozed_until,
    a.in_maintenance, a.reauthorized_at, a.last_check_at, a.last_check_ok, a.last_check_message,
    a.notice_link, a.notice_link_expires_at,
    (SELECT group_concat(source, ',') FROM (SELECT source FROM alert_sources s
        WHERE s.alert_id = a.id ORDER BY s.first_at, s.source)) AS sources";

pub(super) fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|err| AlertsError::Unreadable(format!("time {text:?} ({err})")))
}

pub(super) fn at(row: &SqliteRow, column: &str) -> Result<DateTime<Utc>> {
    parse(&row.try_get::<String, _>(column)?)
}

fn at_opt(row: &SqliteRow, column: &str) -> Result<Option<DateTime<Utc>>> {
    row.try_get::<Option<String>, _>(column)?
        .as_deref()
        .map(parse)
        .transpose()
}

pub(super) fn alert_from_row(row: &SqliteRow) -> Result<Alert> {
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    let resolution: Option<String> = row.try_get("resolution")?;
    let sources: Option<String> = row.try_get("sources")?;
    let sources = sources
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| Source::parse(s).ok_or_else(|| AlertsError::Unreadable(format!("source {s:?}"))))
        .collect::<Result<Vec<_>>>()?;
    Ok(Alert {
        id: row.try_get("id")?,
        profile: row.try_get("profile")?,
        kind: AlertKind::parse(&kind)
            .ok_or_else(|| AlertsError::Unreadable(format!("kind {kind:?}")))?,
        connection_id: row.try_get("connection_id")?,
        customer_id: row.try_get("customer_id")?,
        system_id: row.try_get("system_id")?,
        state: AlertState::parse(&state)
            .ok_or_else(|| AlertsError::Unreadable(format!("state {state:?}")))?,
        opened_at: at(row, "opened_at")?,
        updated_at: at(row, "updated_at")?,
        resolved_at: at_opt(row, "resolved_at")?,
        resolution: match resolution.as_deref() {
            None => None,
            Some("resolved") => Some(Resolution::Resolved),
            Some("recovered") => Some(Resolution::Recovered),
            Some(other) => return Err(AlertsError::Unreadable(format!("resolution {other:?}"))),
        },
        sources,
        detail: row.try_get("detail")?,
        acknowledged_by: row.try_get("acknowledged_by")?,
        acknowledged_at: at_opt(row, "acknowledged_at")?,
        notified_at: at_opt(row, "notified_at")?,
        notified_via: row.try_get("notified_via")?,
        snoozed_until: at_opt(row, "snoozed_until")?,
        in_maintenance: row.try_get("in_maintenance")?,
        reauthorized_at: at_opt(row, "reauthorized_at")?,
        last_check_at: at_opt(row, "last_check_at")?,
        last_check_ok: row.try_get("last_check_ok")?,
        last_check_message: row.try_get("last_check_message")?,
        notice_link: row.try_get("notice_link")?,
        notice_link_expires_at: at_opt(row, "notice_link_expires_at")?,
    })
}
