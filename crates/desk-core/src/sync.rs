//! `mdesk sync`: pulls a profile's account, customers, connections, ledger and records into the
//! local mirror.
//!
//! Records are pulled entity by entity, a page at a time. Each page is stored together with
//! where the walk stands (the platform's cursor and the `modified_after` the walk started
//! with), in one transaction: a sync killed at any point resumes exactly where it stopped, and
//! a page stored twice changes nothing. The next walk asks only for what changed since the
//! newest `updated_at` seen, but never since later than the platform's "synced until" time
//! when the previous walk began (a record may change behind a walk's cursor while it runs, or
//! while a killed walk waits), minus [`OVERLAP`].

use crate::desk::Desk;
use crate::events::DeskEvent;
use crate::platform::DataClient;
use crate::session::Session;
use crate::tokens;
use crate::walk_pages::{fetch_pages, PageForWriter};
use crate::CoreError;
use chrono::{DateTime, Duration as Age, Utc};
use desk_client::{
    ClientError, ConnectionFilter, LedgerFilter, ListOptions, RecordQuery, Secret, SystemFilter,
};
use desk_platform::connection::{Connection, ConnectionStatus};
use desk_platform::sync::SyncStatus;
use desk_platform::ErrorCode;
use desk_store::{PreparedPage, SyncRunState};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub use crate::tokens::set_connection_token;
pub(crate) use crate::tokens::token_name;

/// Records per page (the platform's maximum).
const PAGE_SIZE: u32 = 500;
/// Pages a walk fetches and prepares ahead of the mirror's writer (beside the one in hand): a
/// few MB at most, and enough that neither side waits on the other's slow page.
const PAGES_AHEAD: usize = 4;
/// Pages the writer stores in one transaction when they are waiting for it: a transaction's
/// fixed costs (the commit, the index's new segment and the merges it causes) are paid once
/// for all of them, so a writer that falls behind catches up instead of staying behind. The
/// cursor stored is the last page's, so a killed walk still resumes exactly.
const PAGES_PER_WRITE: u64 = 4;
/// An incremental pull asks for changes since the newest `updated_at` seen minus this: changes
/// that land while a walk runs, or that a platform commits in several transactions, may carry
/// an `updated_at` below that mark. Re-pulled records are matched by id and count as unchanged.
pub const OVERLAP: Age = Age::minutes(10);
/// Why a Makini connection's records are not pulled when the vault has no token for it.
const NO_TOKEN: &str = "no connection token in the vault: paste the one you have on the connection's page (or `mdesk connections token set ID`), or have Makini issue one there (or `mdesk sync --issue-tokens`), knowing its documented route may replace the token the integrator's own code uses";
/// How often the platform's sync status is read while waiting for it.
const PLATFORM_POLL: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
pub struct SyncRequest {
    pub profile: Option<String>,
    /// Only this connection (its records, and its row); everything else is left as it was.
    pub connection_id: Option<String>,
    /// Forget the cursors and walk every record again.
    pub full: bool,
    /// On a Makini profile, have Makini issue a connection token for connections whose token
    /// the vault lacks, although its documented route may replace the existing one. On our
    /// platform (local or self-hosted) the app always issues its own named read-only token,
    /// which leaves the connection's main token working, so this is not needed there.
    pub issue_tokens: bool,
    /// How long to wait for a platform still pulling from a system before reading what it has.
    pub platform_wait: Duration,
    /// Only the account, customers, connections and ledger: no records are pulled (what the
    /// overview shows, refreshed in seconds even for a very large account).
    pub directory_only: bool,
}

impl Default for SyncRequest {
    fn default() -> Self {
        Self {
            profile: None,
            connection_id: None,
            full: false,
            issue_tokens: false,
            platform_wait: Duration::from_secs(120),
            directory_only: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SyncReport {
    pub profile: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub customers: usize,
    pub connections: usize,
    pub ledger_entries_added: u64,
    pub entities: Vec<EntityReport>,
    pub skipped: Vec<SkippedConnection>,
}

impl SyncReport {
    pub fn records(&self) -> u64 {
        self.entities.iter().map(|e| e.inserted + e.updated).sum()
    }

    pub fn failures(&self) -> usize {
        self.entities
            .iter()
            .filter(|e| e.state == SyncRunState::Failed)
            .count()
    }
}

/// One entity of one connection in this sync.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct EntityReport {
    pub connection_id: String,
    pub entity: String,
    pub state: SyncRunState,
    /// The walk continued one a killed sync left unfinished.
    pub resumed: bool,
    /// `None`: every record was asked for (first or `--full` walk).
    pub modified_after: Option<DateTime<Utc>>,
    pub pages: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub error_code: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SkippedConnection {
    pub connection_id: String,
    pub reason: String,
}

/// Where an unfinished walk stands, stored as the mirror's cursor of the entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
struct WalkPosition {
    modified_after: Option<DateTime<Utc>>,
    /// The platform's time when the walk began (see [`Walk::mark`]).
    mark: DateTime<Utc>,
    cursor: String,
}

/// What a walk asks for and when it began.
#[derive(Debug, Clone, Copy)]
struct Walk {
    modified_after: Option<DateTime<Utc>>,
    /// The platform's "synced until" time of the entity when the walk began. A record that
    /// changes while the walk runs (or while a killed walk waits to resume) carries a later
    /// `updated_at`, and may sit behind the cursor already: the next walk asks from here.
    mark: DateTime<Utc>,
}

/// Why a connection's records cannot be pulled now, known from its row alone: asking would
/// only collect errors (and, for an offline system, wait out retries).
fn not_pullable(connection: &Connection) -> Option<&'static str> {
    match connection.status {
        ConnectionStatus::Disconnected => {
            return Some("disconnected: its token no longer works; what was mirrored is kept")
        }
        ConnectionStatus::Pending => {
            return Some("pending: the customer has not finished the magic link")
        }
        ConnectionStatus::Inactive => {
            return Some("inactive: it takes no credits and the platform does not sync it")
        }
        _ => {}
    }
    if connection.reauthorization_required {
        return Some("needs reauthorization: the platform refuses its data until the customer reconnects; what was mirrored is kept");
    }
    if !connection.online {
        return Some("offline: its system is unreachable; what was mirrored is kept");
    }
    None
}

/// Runs one sync of a profile (the local engine's profile is created on first use).
pub async fn sync(desk: &Desk, request: SyncRequest) -> Result<SyncReport, CoreError> {
    // The listing counts from before the session opens: a first start's local engine seeds
    // for a while, and the screens should say "syncing" then too, not "no connections yet".
    // (A profile that does not exist yet is created by the session; `run` marks it then.)
    let opening = crate::profiles::resolve_profile(desk, request.profile.as_deref())
        .await
        .ok()
        .map(|profile| desk.directory_syncs().start(&profile.name));
    let session = desk.session(request.profile.as_deref()).await?;
    Sync {
        desk,
        session: &session,
        request: &request,
    }
    .run(opening)
    .await
}

struct Sync<'a> {
    desk: &'a Desk,
    session: &'a Session,
    request: &'a SyncRequest,
}

impl Sync<'_> {
    fn profile(&self) -> &str {
        &self.session.profile.name
    }

    async fn run(
        &self,
        opening: Option<crate::directory_syncs::DirectorySyncGuard>,
    ) -> Result<SyncReport, CoreError> {
        let started_at = Utc::now();
        let profile = self.profile().to_owned();
        let listing = (self.desk.directory_syncs().start(&profile), opening);
        self.desk.events().emit(DeskEvent::SyncStarted {
            profile: profile.clone(),
        });
        let client = &self.session.client;
        let mirror = self.desk.mirror();

        let account = client.account().await?;
        mirror
            .apply_account_snapshot(&profile, &account, Utc::now())
            .await?;
        let catalog: Vec<_> = client
            .systems(SystemFilter::default(), ListOptions::page_size(PAGE_SIZE))
            .try_collect()
            .await?;
        let mut connections: Vec<Connection> = match &self.request.connection_id {
            Some(id) => vec![client.connection(id).await?],
            None => {
                client
                    .connections(
                        ConnectionFilter::default(),
                        ListOptions::page_size(PAGE_SIZE),
                    )
                    .try_collect()
                    .await?
            }
        };
        let customers = match &self.request.connection_id {
            Some(_) => {
                mirror
                    .upsert_connections(&profile, &connections, &catalog)
                    .await?;
                0
            }
            None => {
                let customers: Vec<_> = client
                    .customers(ListOptions::page_size(PAGE_SIZE))
                    .try_collect()
                    .await?;
                mirror.replace_customers(&profile, &customers).await?;
                mirror
                    .replace_connections(&profile, &connections, &catalog)
                    .await?;
                customers.len()
            }
        };
        let ledger: Vec<_> = client
            .ledger(LedgerFilter::default(), ListOptions::page_size(PAGE_SIZE))
            .try_collect()
            .await?;
        let ledger_entries_added = mirror.append_ledger(&profile, &ledger).await?;
        drop(listing);
        self.desk.events().emit(DeskEvent::SyncDirectoryDone {
            profile: profile.clone(),
            customers,
            connections: connections.len(),
            ledger_entries_added,
        });

        let mut report = SyncReport {
            profile: profile.clone(),
            started_at,
            finished_at: started_at,
            customers,
            connections: connections.len(),
            ledger_entries_added,
            entities: Vec::new(),
            skipped: Vec::new(),
        };
        connections.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        if self.request.directory_only {
            connections.clear();
        }
        for connection in &connections {
            self.pull_connection(connection, &mut report).await?;
        }
        report.finished_at = Utc::now();
        self.desk.events().emit(DeskEvent::SyncFinished {
            profile,
            records: report.records(),
            failures: report.failures(),
        });
        Ok(report)
    }

    fn skip(&self, report: &mut SyncReport, connection_id: &str, reason: String) {
        tracing::info!(connection_id, %reason, "records not pulled");
        self.desk.events().emit(DeskEvent::ConnectionSkipped {
            profile: self.profile().to_owned(),
            connection_id: connection_id.to_owned(),
            reason: reason.clone(),
        });
        report.skipped.push(SkippedConnection {
            connection_id: connection_id.to_owned(),
            reason,
        });
    }

    /// Pulls every entity the platform syncs for `connection`. What fails for one entity is
    /// recorded on its run and in the report; the sync goes on with the others.
    async fn pull_connection(
        &self,
        connection: &Connection,
        report: &mut SyncReport,
    ) -> Result<(), CoreError> {
        let id = connection.id.as_str();
        if let Some(reason) = not_pullable(connection) {
            self.skip(report, id, reason.to_owned());
            return Ok(());
        }
        let platform = &self.session.client;
        // Makini's sync status is read with the connection's token; ours without one, so a
        // connection with nothing synced yet is reported as such before any token is asked for.
        let mut data = match platform.sync_status_needs_token() {
            true => match self.token(connection).await? {
                Some(token) => Some(platform.connection_client(id, token)),
                None => {
                    self.skip(report, id, NO_TOKEN.into());
                    return Ok(());
                }
            },
            false => None,
        };
        let status = match self.wait_for_platform(connection, data.as_ref()).await {
            Ok(status) => status,
            Err(CoreError::Client(ClientError::ReauthorizationRequired { message, .. })) => {
                self.flag_reauthorization(connection).await?;
                self.skip(
                    report,
                    id,
                    format!("needs reauthorization: {message}; what was mirrored is kept"),
                );
                return Ok(());
            }
            Err(other) => return Err(other),
        };
        if status.entities.is_empty() {
            self.skip(
                report,
                id,
                format!(
                    "the platform has no synced data for it yet (its sync is {})",
                    status.state
                ),
            );
            return Ok(());
        }
        let mut data = match data.take() {
            Some(data) => data,
            None => match self.token(connection).await? {
                Some(token) => platform.connection_client(id, token),
                None => {
                    self.skip(report, id, NO_TOKEN.into());
                    return Ok(());
                }
            },
        };
        for entity in &status.entities {
            let mut entity_report = self.pull_entity(&data, entity).await?;
            // The app's token revoked elsewhere: where the app may issue its own without
            // breaking anyone's, it issues a fresh one and tries once more.
            if entity_report.error_code.as_deref() == Some(ErrorCode::AuthenticationFailed.as_str())
                && self.may_issue_tokens()
            {
                tracing::info!(connection_id = %id, "the kept token was refused; issuing the app's own again");
                data = platform.connection_client(id, self.issue_token(connection).await?);
                entity_report = self.pull_entity(&data, entity).await?;
            }
            let connection_level = [
                ErrorCode::ReauthorizationRequired,
                ErrorCode::ConnectionDisconnected,
                ErrorCode::AuthenticationFailed,
            ]
            .iter()
            .any(|code| entity_report.error_code.as_deref() == Some(code.as_str()));
            report.entities.push(entity_report);
            if connection_level {
                // Every other entity would fail the same way.
                break;
            }
        }
        // Listed while the platform was syncing it: the mirror shows it as the platform has
        // it after that sync, not "in progress" until the next mirror sync.
        if matches!(
            connection.status,
            ConnectionStatus::Synchronizing | ConnectionStatus::InProgress
        ) {
            // The records are in; a failed read leaves the listed state for the next sync.
            match platform.connection(id).await {
                Ok(settled) => {
                    self.desk
                        .mirror()
                        .upsert_connections(self.profile(), &[settled], &[])
                        .await?
                }
                Err(err) => {
                    tracing::warn!(connection_id = %id, error = %err, "the connection was not read again after its pull")
                }
            }
        }
        Ok(())
    }

    /// Makini answers the reauthorization signal in its sync status, not on the connection:
    /// the mirrored connection is flagged, as a webhook would have.
    async fn flag_reauthorization(&self, connection: &Connection) -> Result<(), CoreError> {
        let mut flagged = connection.clone();
        flagged.reauthorization_required = true;
        self.desk
            .mirror()
            .upsert_connections(self.profile(), &[flagged], &[])
            .await?;
        Ok(())
    }

    /// The platform's sync status, once it is no longer pulling from the system (or the wait
    /// ran out: then what it has is read, and the next sync gets the rest). A connection that
    /// takes credits and never synced yet is about to: that is waited for too.
    async fn wait_for_platform(
        &self,
        connection: &Connection,
        data: Option<&DataClient>,
    ) -> Result<SyncStatus, CoreError> {
        let deadline = tokio::time::Instant::now() + self.request.platform_wait;
        let mut announced = false;
        loop {
            let status = self
                .session
                .client
                .sync_status(&connection.id, data)
                .await?;
            let first_sync_due = status.entities.is_empty()
                && status.last_successful_sync_at.is_none()
                && status.state != "failed";
            let waiting = status.in_progress() || first_sync_due;
            if !waiting || tokio::time::Instant::now() >= deadline {
                return Ok(status);
            }
            if !announced {
                announced = true;
                self.desk.events().emit(DeskEvent::WaitingForPlatform {
                    profile: self.profile().to_owned(),
                    connection_id: connection.id.clone(),
                });
            }
            tokio::time::sleep(PLATFORM_POLL).await;
        }
    }

    /// On our platform the app's own token is a named read-only one that breaks nobody's;
    /// on Makini only when the user asked, knowing the consequence.
    fn may_issue_tokens(&self) -> bool {
        self.request.issue_tokens || !self.session.client.is_makini()
    }

    /// The connection's token from the vault, or a new one where the app may issue it.
    async fn token(&self, connection: &Connection) -> Result<Option<Secret>, CoreError> {
        if let Some(token) = tokens::kept_token(self.desk, self.session, connection).await? {
            return Ok(Some(token));
        }
        if !self.may_issue_tokens() {
            return Ok(None);
        }
        self.issue_token(connection).await.map(Some)
    }

    async fn issue_token(&self, connection: &Connection) -> Result<Secret, CoreError> {
        tokens::issue_token(self.desk, self.session, connection).await
    }

    /// Walks one entity into the mirror, resuming an unfinished walk.
    async fn pull_entity(
        &self,
        data: &DataClient,
        platform: &desk_platform::sync::EntitySyncStatus,
    ) -> Result<EntityReport, CoreError> {
        let entity = platform.entity.as_str();
        let platform_mark = platform.cursor;
        let mirror = self.desk.mirror();
        let profile = self.profile();
        let connection_id = data.connection_id();
        if self.request.full {
            mirror.reset_cursor(profile, connection_id, entity).await?;
        }
        let stored = mirror.cursor(profile, connection_id, entity).await?;
        let position = match stored.as_ref().and_then(|c| c.cursor.as_deref()) {
            Some(text) => Some(serde_json::from_str::<WalkPosition>(text).map_err(|err| {
                CoreError::InvalidInput(format!(
                    "the mirror's cursor of {connection_id}/{entity} is unreadable ({err}); run with --full"
                ))
            })?),
            None => None,
        };
        let resumed = position.is_some();
        let walk = match &position {
            Some(position) => Walk {
                modified_after: position.modified_after,
                mark: position.mark,
            },
            None => Walk {
                modified_after: stored
                    .as_ref()
                    .and_then(|c| c.high_water)
                    .map(|mark| mark - OVERLAP),
                mark: platform_mark,
            },
        };
        let modified_after = walk.modified_after;
        self.desk.events().emit(DeskEvent::EntitySyncStarted {
            profile: profile.to_owned(),
            connection_id: connection_id.to_owned(),
            entity: entity.to_owned(),
            expected_records: match modified_after {
                None => u64::try_from(platform.records).ok(),
                Some(_) => None,
            },
            incremental: modified_after.is_some(),
        });
        let cursor = position.map(|p| p.cursor);
        let run = mirror
            .start_sync_run(profile, connection_id, entity, Utc::now())
            .await?;
        let mut report = EntityReport {
            connection_id: connection_id.to_owned(),
            entity: entity.to_owned(),
            state: SyncRunState::Running,
            resumed,
            modified_after,
            pages: 0,
            inserted: 0,
            updated: 0,
            unchanged: 0,
            error_code: None,
            error: None,
        };
        let mut walked = self.walk(data, entity, walk, cursor, &mut report).await;
        // A resumed walk began before this sync, and the platform moved on while it waited:
        // records it had passed already may have changed, after its mark. They are asked for
        // now, so a sync that completes leaves the mirror as the platform was when it began.
        if walked.is_ok() && resumed && walk.mark < platform_mark {
            let since_the_walk_began = Walk {
                modified_after: Some(walk.mark - OVERLAP),
                mark: platform_mark,
            };
            walked = self
                .walk(data, entity, since_the_walk_began, None, &mut report)
                .await;
        }
        let pulled = i64::try_from(report.inserted + report.updated).unwrap_or(i64::MAX);
        match walked {
            Ok(()) => {
                report.state = SyncRunState::Completed;
                mirror
                    .finish_sync_run(run, SyncRunState::Completed, pulled, None, Utc::now())
                    .await?;
            }
            Err(CoreError::Client(err)) => {
                tracing::warn!(connection_id, entity, code = err.code(), error = %err, "pull failed");
                report.state = SyncRunState::Failed;
                report.error_code = Some(err.code().to_owned());
                report.error = Some(err.to_string());
                mirror
                    .finish_sync_run(
                        run,
                        SyncRunState::Failed,
                        pulled,
                        report.error.as_deref(),
                        Utc::now(),
                    )
                    .await?;
            }
            Err(other) => {
                mirror
                    .finish_sync_run(
                        run,
                        SyncRunState::Failed,
                        pulled,
                        Some(&other.to_string()),
                        Utc::now(),
                    )
                    .await?;
                return Err(other);
            }
        }
        self.desk.events().emit(DeskEvent::EntitySynced {
            profile: profile.to_owned(),
            connection_id: connection_id.to_owned(),
            entity: entity.to_owned(),
            records: report.inserted + report.updated,
            state: report.state.as_str().to_owned(),
            error: report.error.clone(),
        });
        Ok(report)
    }

    async fn walk(
        &self,
        data: &DataClient,
        entity: &str,
        walk: Walk,
        cursor: Option<String>,
        report: &mut EntityReport,
    ) -> Result<(), CoreError> {
        let profile = self.profile();
        let connection_id = data.connection_id();
        let query = RecordQuery {
            modified_after: walk.modified_after,
            list: ListOptions::page_size(PAGE_SIZE),
        };
        // Pages are fetched and prepared for the mirror ahead of the mirror's page writer,
        // which stores them in order on its own thread: the platform, this task and the writer
        // work at the same time, and a slow page on one side is absorbed by the queue instead
        // of holding up the other.
        let (ahead, mut fetched) = tokio::sync::mpsc::channel::<PageForWriter>(PAGES_AHEAD);
        let fetcher = fetch_pages(data, entity, &query, cursor, ahead);
        // Every page fetched is written, also when fetching a later one failed: the walk then
        // ends on that error with everything before it stored, as a sequential walk would. The
        // writer owns the queue's end: stopping on an error drops it, which stops the fetcher.
        let writer = async move {
            while let Some((mut next, mut page)) = fetched.recv().await {
                let mut pages: u64 = 1;
                while pages < PAGES_PER_WRITE && next.is_some() {
                    let Ok((later, more)) = fetched.try_recv() else {
                        break;
                    };
                    page.append(more);
                    next = later;
                    pages += 1;
                }
                let outcome = self
                    .write_page(profile, connection_id, entity, walk, next, page)
                    .await?;
                report.pages += pages;
                report.inserted += outcome.inserted;
                report.updated += outcome.updated;
                report.unchanged += outcome.unchanged;
                self.desk.events().emit(DeskEvent::RecordsPulled {
                    profile: profile.to_owned(),
                    connection_id: connection_id.to_owned(),
                    entity: entity.to_owned(),
                    records: report.inserted + report.updated + report.unchanged,
                    resumed: report.resumed,
                });
            }
            Ok::<_, CoreError>(())
        };
        let (fetched, written) = tokio::join!(fetcher, writer);
        written.and(fetched)
    }

    /// Stores one page with the walk's position after it; the last page also moves the
    /// high-water mark back to the walk's start, in the same transaction (see `Walk::mark`).
    async fn write_page(
        &self,
        profile: &str,
        connection_id: &str,
        entity: &str,
        walk: Walk,
        next: Option<String>,
        page: PreparedPage,
    ) -> Result<desk_store::UpsertOutcome, CoreError> {
        let mirror = self.desk.mirror();
        let outcome = match next {
            Some(cursor) => {
                let position = serde_json::to_string(&WalkPosition {
                    modified_after: walk.modified_after,
                    mark: walk.mark,
                    cursor,
                })
                .map_err(|err| CoreError::Internal(err.to_string()))?;
                mirror
                    .upsert_prepared(profile, connection_id, entity, page, Some(&position))
                    .await?
            }
            None => {
                mirror
                    .upsert_prepared_last_page(profile, connection_id, entity, page, walk.mark)
                    .await?
            }
        };
        Ok(outcome)
    }
}
