//! What the app answers from the local mirror alone, with no network: connections, credits,
//! records and exports. The offline data browser, the credit dashboard and the CLI read here.

use crate::desk::Desk;
use crate::profiles::resolve_profile;
use crate::CoreError;
use chrono::Utc;
use desk_platform::connection::ConnectionStatus;
use desk_platform::customer::Customer;
use desk_platform::event::Event;
use desk_store::{
    AccountSnapshot, ConnectionFilter, CreditForecast, Credits, MirroredConnection, RecordPage,
    RecordQuery, SyncCursor, SyncRun,
};
use serde::Serialize;
use std::collections::HashMap;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// The entities the platform's data API names (contract.md); more may follow, so other names
/// are accepted as they are.
pub const KNOWN_ENTITIES: [&str; 5] = [
    "purchase-orders",
    "work-orders",
    "inventory-items",
    "vendors",
    "assets",
];

/// `work_orders`, `Work-Orders` and `work-orders` all name the same entity.
pub fn normalize_entity(entity: &str) -> Result<String, CoreError> {
    let name = entity.trim().to_ascii_lowercase().replace('_', "-");
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(CoreError::InvalidInput(format!(
            "{entity:?} is not an entity name; known ones: {}",
            KNOWN_ENTITIES.join(", ")
        )));
    }
    Ok(name)
}

#[derive(Debug, Clone, Default)]
pub struct ConnectionsQuery {
    pub profile: Option<String>,
    pub customer_id: Option<String>,
    pub status: Option<ConnectionStatus>,
}

/// A row of the connections overview.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ConnectionRow {
    #[serde(flatten)]
    pub connection: MirroredConnection,
    pub customer_name: Option<String>,
}

pub async fn list_connections(
    desk: &Desk,
    query: &ConnectionsQuery,
) -> Result<Vec<ConnectionRow>, CoreError> {
    let mirror = desk.mirror();
    let connections = mirror
        .connections(&ConnectionFilter {
            profile: query.profile.clone(),
            customer_id: query.customer_id.clone(),
            status: query.status,
        })
        .await?;
    let mut names: HashMap<(String, String), String> = HashMap::new();
    let mut profiles: Vec<&str> = connections.iter().map(|c| c.profile.as_str()).collect();
    profiles.dedup();
    for profile in profiles {
        for customer in mirror.customers(profile).await? {
            names.insert((profile.to_owned(), customer.id), customer.name);
        }
    }
    Ok(connections
        .into_iter()
        .map(|connection| ConnectionRow {
            customer_name: names
                .get(&(
                    connection.profile.clone(),
                    connection.connection.customer_id.clone(),
                ))
                .cloned(),
            connection,
        })
        .collect())
}

/// A connection with its customer, what the mirror holds of it and its recent pulls.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ConnectionDetail {
    #[serde(flatten)]
    pub connection: MirroredConnection,
    pub customer: Option<Customer>,
    pub entities: Vec<EntityMirror>,
    pub sync_runs: Vec<SyncRun>,
    /// The connection's timeline: events the inbox processed (webhooks and catch-up), newest
    /// first.
    pub events: Vec<Event>,
}

/// One entity of a connection in the mirror.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct EntityMirror {
    pub entity: String,
    /// A walk was left unfinished; the next sync resumes it. (Its record count is the
    /// cursor's `records`.)
    pub unfinished: bool,
    #[serde(flatten)]
    pub cursor: SyncCursor,
}

/// Recent pulls and events shown with a connection.
const RECENT_RUNS: u32 = 20;
const RECENT_EVENTS: u32 = 50;

pub async fn show_connection(desk: &Desk, id: &str) -> Result<ConnectionDetail, CoreError> {
    let mirror = desk.mirror();
    let connection = mirror.connection(id).await?;
    let profile = connection.profile.clone();
    let customer = mirror
        .customers(&profile)
        .await?
        .into_iter()
        .find(|c| c.id == connection.connection.customer_id);
    let entities = mirror
        .cursors(&profile, id)
        .await?
        .into_iter()
        .map(|(entity, cursor)| EntityMirror {
            entity,
            unfinished: cursor.cursor.is_some(),
            cursor,
        })
        .collect();
    let sync_runs = mirror.sync_runs(&profile, Some(id), RECENT_RUNS).await?;
    let events = mirror.events(&profile, Some(id), RECENT_EVENTS).await?;
    Ok(ConnectionDetail {
        connection,
        customer,
        entities,
        sync_runs,
        events,
    })
}

/// The credit dashboard's numbers, with its history and forecast when asked for.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CreditsView {
    pub profile: String,
    #[serde(flatten)]
    pub credits: Credits,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<AccountSnapshot>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<CreditForecast>,
}

pub async fn credits(
    desk: &Desk,
    profile: Option<&str>,
    history: bool,
    forecast_window_days: Option<i64>,
) -> Result<CreditsView, CoreError> {
    let profile = resolve_profile(desk, profile).await?.name;
    let mirror = desk.mirror();
    Ok(CreditsView {
        credits: mirror.credits(&profile).await?,
        history: match history {
            true => Some(mirror.credit_history(&profile).await?),
            false => None,
        },
        forecast: match forecast_window_days {
            Some(days) => Some(mirror.credit_forecast(&profile, Utc::now(), days).await?),
            None => None,
        },
        profile,
    })
}

/// One page of records (a page of the offline data browser, or `mdesk records`).
pub async fn records(desk: &Desk, mut query: RecordQuery) -> Result<RecordPage, CoreError> {
    if let Some(entity) = query.entity.take() {
        query.entity = Some(normalize_entity(&entity)?);
    }
    Ok(desk.mirror().records(&query).await?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    /// From the file name: `.csv` or `.json`.
    pub fn from_path(path: &Path) -> Result<Self, CoreError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => Ok(Self::Csv),
            Some("json") => Ok(Self::Json),
            _ => Err(CoreError::InvalidInput(format!(
                "{}: the file name must end in .csv or .json",
                path.display()
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ExportReport {
    #[ts(type = "string")]
    pub path: PathBuf,
    pub format: ExportFormat,
    pub records: u64,
}

/// Writes every record matching `query` to `path`, in the format its extension names. The file
/// appears only once complete: a failed export leaves no half-written file behind.
pub async fn export(
    desk: &Desk,
    mut query: RecordQuery,
    path: &Path,
) -> Result<ExportReport, CoreError> {
    let format = ExportFormat::from_path(path)?;
    if let Some(entity) = query.entity.take() {
        query.entity = Some(normalize_entity(&entity)?);
    }
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| CoreError::InvalidInput(format!("{} is not a file path", path.display())))?;
    let partial = path.with_file_name(format!(".{file_name}.partial"));
    let file = std::fs::File::create(&partial).map_err(|err| CoreError::io(&partial, err))?;
    let writer = BufWriter::new(file);
    let written = match format {
        ExportFormat::Csv => desk.mirror().export_csv(writer, &query).await,
        ExportFormat::Json => desk.mirror().export_json(writer, &query).await,
    };
    let records = match written {
        Ok(records) => records,
        Err(err) => {
            if let Err(cleanup) = std::fs::remove_file(&partial) {
                tracing::warn!(path = %partial.display(), error = %cleanup, "cannot remove a failed export");
            }
            return Err(err.into());
        }
    };
    std::fs::rename(&partial, path).map_err(|err| CoreError::io(path, err))?;
    Ok(ExportReport {
        path: path.to_path_buf(),
        format,
        records,
    })
}
