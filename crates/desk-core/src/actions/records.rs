//! Synced records, read from the mirror with no network: a page, a file, and what the data
//! browser needs around them (the entities and their fields, sync history, whether the
//! platform answers right now).

use crate::desk::Desk;
use crate::offline::{self, ExportReport};
use crate::profiles::resolve_or_create_profile;
use crate::CoreError;
use chrono::{DateTime, Utc};
use desk_store::{EntityRecords, RecordPage, RecordQuery, SyncRun, SyncRunState};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;
use ts_rs::TS;

/// How long the browser waits to learn whether the platform answers.
const REACH_TIMEOUT: Duration = Duration::from_secs(3);
/// Sync runs shown per entity.
const RUNS_SHOWN: usize = 20;
/// Matches of a search counted at most: a common prefix typed into a million records matches
/// a good part of them, and counting them all costs several times the page (seconds at 1M);
/// the table shows "10,000+" and its first 10,000 rows.
pub const SEARCH_COUNT_CAP: u32 = 10_000;

pub async fn records_list(desk: &Desk, query: RecordQuery) -> Result<RecordPage, CoreError> {
    offline::records(desk, query).await
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RecordsView {
    pub records: Vec<serde_json::Value>,
    /// How many records match (all pages): the virtual table's height. For a search, at most
    /// [`SEARCH_COUNT_CAP`].
    pub total: i64,
    /// More records than `total` match (a search's count stopped at the cap).
    pub total_capped: bool,
    pub offset: u32,
}

/// One page at an offset with the total that matches: the data browser's virtual table.
pub async fn records_browse(desk: &Desk, mut query: RecordQuery) -> Result<RecordsView, CoreError> {
    offline::check_record_query(desk, &mut query).await?;
    query.after = None;
    let offset = query.offset;
    let page = offline::checked_records(desk, &query).await?;
    let searching = query
        .search
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty());
    let (total, total_capped) = if searching {
        desk.mirror()
            .count_records_capped(&query, SEARCH_COUNT_CAP)
            .await?
    } else {
        (desk.mirror().count_records(&query).await?, false)
    };
    Ok(RecordsView {
        records: page.records,
        total,
        total_capped,
        offset,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct RecordSourcesRequest {
    pub profile: Option<String>,
    /// The connections browsed (one, or a customer's); empty: all.
    pub connection_ids: Vec<String>,
    /// Ask the platform whether it answers (a short timeout), for the offline banner.
    pub check_platform: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EntitySource {
    #[serde(flatten)]
    pub records: EntityRecords,
    /// When a pull of this entity last completed.
    pub refreshed_at: Option<DateTime<Utc>>,
    /// Its pulls, newest first.
    pub runs: Vec<SyncRun>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RecordSources {
    pub profile: String,
    pub entities: Vec<EntitySource>,
    /// When the mirror last completed a pull of any of these connections.
    pub synced_at: Option<DateTime<Utc>>,
    /// `None` when not checked.
    pub platform_reachable: Option<bool>,
    /// Why the platform did not answer.
    pub platform_error: Option<String>,
}

/// The entities of the chosen connections, with fields, counts and sync history; offline.
pub async fn records_sources(
    desk: &Desk,
    request: RecordSourcesRequest,
) -> Result<RecordSources, CoreError> {
    let profile = resolve_or_create_profile(desk, request.profile.as_deref()).await?;
    let mirror = desk.mirror();
    let records = mirror
        .entity_records(&profile.name, &request.connection_ids)
        .await?;
    let mut runs: Vec<SyncRun> = Vec::new();
    if request.connection_ids.is_empty() {
        runs = mirror.sync_runs(&profile.name, None, 500).await?;
    } else {
        for id in &request.connection_ids {
            runs.extend(mirror.sync_runs(&profile.name, Some(id), 100).await?);
        }
        runs.sort_by_key(|run| std::cmp::Reverse(run.started_at));
    }
    let completed = |run: &&SyncRun| run.state == SyncRunState::Completed;
    let synced_at = runs
        .iter()
        .filter(completed)
        .filter_map(|r| r.finished_at)
        .max();
    let entities = records
        .into_iter()
        .map(|records| {
            let of_entity: Vec<SyncRun> = runs
                .iter()
                .filter(|run| run.entity == records.entity)
                .take(RUNS_SHOWN)
                .cloned()
                .collect();
            EntitySource {
                refreshed_at: of_entity
                    .iter()
                    .filter(completed)
                    .filter_map(|r| r.finished_at)
                    .max(),
                runs: of_entity,
                records,
            }
        })
        .collect();
    let (platform_reachable, platform_error) = if request.check_platform {
        match reach(desk, &profile.name).await {
            Ok(()) => (Some(true), None),
            Err(why) => (Some(false), Some(why)),
        }
    } else {
        (None, None)
    };
    Ok(RecordSources {
        profile: profile.name,
        entities,
        synced_at,
        platform_reachable,
        platform_error,
    })
}

/// Whether the profile's platform answers within [`REACH_TIMEOUT`].
async fn reach(desk: &Desk, profile: &str) -> Result<(), String> {
    let check = async {
        let session = desk
            .session(Some(profile))
            .await
            .map_err(|e| e.to_string())?;
        session.client.account().await.map_err(|e| e.to_string())?;
        Ok::<(), String>(())
    };
    match tokio::time::timeout(REACH_TIMEOUT, check).await {
        Ok(result) => result,
        Err(_) => Err(format!("no answer within {} s", REACH_TIMEOUT.as_secs())),
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct RecordsExportRequest {
    pub query: RecordQuery,
    /// A `.csv` or `.json` file; it appears only once complete. By default a new file in the
    /// data folder's `exports/`, as CSV unless `json`.
    #[ts(type = "string | null")]
    #[serde(default)]
    pub path: Option<PathBuf>,
    #[serde(default)]
    pub json: bool,
}

pub async fn records_export(
    desk: &Desk,
    request: RecordsExportRequest,
) -> Result<ExportReport, CoreError> {
    let path = match request.path {
        Some(path) => path,
        None => {
            let stem = request.query.entity.as_deref().unwrap_or("records");
            desk.export_path(stem, if request.json { "json" } else { "csv" })?
        }
    };
    offline::export(desk, request.query, &path).await
}
