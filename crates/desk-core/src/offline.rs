//! What the app answers from the local mirror alone, with no network: connections, credits,
//! records and exports. The offline data browser, the credit dashboard and the CLI read here.

use crate::actions::Health;
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

/// How many names an "unknown" error lists before it points at the list command instead.
const NAMES_SHOWN: usize = 8;

/// `a, b, c` or `a, b, c and 12 more`.
fn some_names(names: &[String]) -> String {
    let shown = names
        .iter()
        .take(NAMES_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().saturating_sub(NAMES_SHOWN) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// The id of a mirrored connection, or an error naming some that exist.
pub async fn known_connection(desk: &Desk, id: &str) -> Result<(), CoreError> {
    match desk.mirror().connection(id).await {
        Ok(_) => Ok(()),
        Err(desk_store::StoreError::NotFound { .. }) => {
            let ids: Vec<String> = desk
                .mirror()
                .connections(&ConnectionFilter::default())
                .await?
                .into_iter()
                .map(|c| c.connection.id)
                .collect();
            Err(CoreError::Unknown(if ids.is_empty() {
                format!("no connection {id:?} in the mirror, which holds none yet (`mdesk sync` fills it)")
            } else {
                format!(
                    "no connection {id:?} in the mirror; it holds {} ({}); `mdesk connections list` shows them",
                    ids.len(),
                    some_names(&ids)
                )
            }))
        }
        Err(err) => Err(err.into()),
    }
}

/// A customer named by its `cus_` id or by its name (case aside) among the customers mirrored
/// for `profile` (every profile when `None`): its id, or an error naming what exists (or, for
/// a name several customers share, the matches).
pub async fn resolve_customer(
    desk: &Desk,
    profile: Option<&str>,
    name_or_id: &str,
) -> Result<String, CoreError> {
    let profiles: Vec<String> = match profile {
        Some(profile) => vec![profile.to_owned()],
        None => desk
            .mirror()
            .profiles()
            .await?
            .into_iter()
            .map(|p| p.name)
            .collect(),
    };
    let mut customers: Vec<Customer> = Vec::new();
    for profile in &profiles {
        customers.extend(desk.mirror().customers(profile).await?);
    }
    if customers.iter().any(|c| c.id == name_or_id) {
        return Ok(name_or_id.to_owned());
    }
    let wanted = name_or_id.trim().to_lowercase();
    let mut matches: Vec<&Customer> = customers
        .iter()
        .filter(|c| c.name.trim().to_lowercase() == wanted)
        .collect();
    matches.dedup_by(|a, b| a.id == b.id);
    match matches.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => {
            let names: Vec<String> = customers
                .iter()
                .map(|c| format!("{} ({})", c.name, c.id))
                .collect();
            Err(CoreError::Unknown(if names.is_empty() {
                format!("no customer {name_or_id:?} in the mirror, which holds none yet (`mdesk sync` fills it)")
            } else {
                format!(
                    "no customer with the id or name {name_or_id:?}; the mirror holds {} ({}); `mdesk customers list` shows them",
                    names.len(),
                    some_names(&names)
                )
            }))
        }
        several => Err(CoreError::InvalidInput(format!(
            "{} customers are named {name_or_id:?}: {}; give the id instead",
            several.len(),
            several
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// An entity name as [`normalize_entity`] spells it, known to the platform or mirrored; any
/// other is an error naming the ones there are.
async fn known_entity(desk: &Desk, entity: &str) -> Result<String, CoreError> {
    let name = normalize_entity(entity)?;
    // A named entity needs no read of the mirror: every keystroke of a search checks its query.
    if KNOWN_ENTITIES.contains(&name.as_str()) {
        return Ok(name);
    }
    let mirrored = desk.mirror().entities().await?;
    if mirrored.contains(&name) {
        return Ok(name);
    }
    let mut known: Vec<String> = KNOWN_ENTITIES.iter().map(|e| (*e).to_owned()).collect();
    for entity in mirrored {
        if !known.contains(&entity) {
            known.push(entity);
        }
    }
    Err(CoreError::Unknown(format!(
        "no entity {entity:?}; the entities are: {}",
        known.join(", ")
    )))
}

/// Checks the names in a record query against the mirror, so a mistyped profile, connection
/// or entity is an error that names what exists, never an empty page or an empty file.
pub(crate) async fn check_record_query(
    desk: &Desk,
    query: &mut RecordQuery,
) -> Result<(), CoreError> {
    if let Some(profile) = query.profile.as_deref() {
        resolve_profile(desk, Some(profile)).await?;
    }
    if let Some(id) = query.connection_id.as_deref() {
        known_connection(desk, id).await?;
    }
    if let Some(entity) = query.entity.take() {
        query.entity = Some(known_entity(desk, &entity).await?);
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct ConnectionsQuery {
    pub profile: Option<String>,
    /// A customer's `cus_` id or its name.
    pub customer: Option<String>,
    pub status: Option<ConnectionStatus>,
    /// Only connections whose health is one of these (all when empty).
    pub health: Vec<Health>,
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
    if let Some(profile) = query.profile.as_deref() {
        resolve_profile(desk, Some(profile)).await?;
    }
    let customer_id = match query.customer.as_deref() {
        Some(customer) => Some(resolve_customer(desk, query.profile.as_deref(), customer).await?),
        None => None,
    };
    let mirror = desk.mirror();
    let mut connections = mirror
        .connections(&ConnectionFilter {
            profile: query.profile.clone(),
            customer_id,
            status: query.status,
        })
        .await?;
    if !query.health.is_empty() {
        connections.retain(|c| query.health.contains(&Health::of(&c.connection)));
    }
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
    let connection = desk.mirrored_connection(id).await?;
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
    check_record_query(desk, &mut query).await?;
    checked_records(desk, &query).await
}

/// [`records`] of a query [`check_record_query`] has already checked.
pub(crate) async fn checked_records(
    desk: &Desk,
    query: &RecordQuery,
) -> Result<RecordPage, CoreError> {
    if query.limit > desk_store::MAX_LIMIT {
        return Err(CoreError::InvalidInput(format!(
            "a page holds at most {} records, not {}; page on with the cursor",
            desk_store::MAX_LIMIT,
            query.limit
        )));
    }
    Ok(desk.mirror().records(query).await?)
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
    check_record_query(desk, &mut query).await?;
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

/// Writes every webhook matching `filter` (headers, bodies, checks, results) to `path` as
/// JSON, appearing only once complete. The format follows the file name: a `.json` file; any
/// other name is refused rather than written in a format it does not say.
pub async fn export_webhooks(
    inbox: &desk_inbox::Inbox,
    filter: &desk_inbox::ListFilter,
    path: &Path,
) -> Result<u64, CoreError> {
    match ExportFormat::from_path(path) {
        Ok(ExportFormat::Json) => {}
        Ok(ExportFormat::Csv) => {
            return Err(CoreError::InvalidInput(format!(
                "{}: webhooks are exported as JSON (headers and bodies do not fit CSV's columns); \
                 name the file .json",
                path.display()
            )))
        }
        Err(_) => {
            return Err(CoreError::InvalidInput(format!(
                "{}: webhooks are exported as JSON; name the file .json",
                path.display()
            )))
        }
    }
    let webhooks = inbox.export(filter).await?;
    let text = serde_json::to_vec_pretty(&webhooks)
        .map_err(|err| CoreError::Internal(format!("the webhooks as JSON: {err}")))?;
    write_whole(path, &text)?;
    Ok(webhooks.len() as u64)
}

/// Writes `bytes` to `path` through a `.partial` file renamed at the end: a failure leaves no
/// half-written file behind.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), CoreError> {
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| CoreError::InvalidInput(format!("{} is not a file path", path.display())))?;
    let partial = path.with_file_name(format!(".{file_name}.partial"));
    if let Err(err) = std::fs::write(&partial, bytes) {
        if let Err(cleanup) = std::fs::remove_file(&partial) {
            tracing::debug!(path = %partial.display(), error = %cleanup, "no partial file to remove");
        }
        return Err(CoreError::io(&partial, err));
    }
    std::fs::rename(&partial, path).map_err(|err| CoreError::io(path, err))
}
