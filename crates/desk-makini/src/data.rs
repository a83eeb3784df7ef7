//! [`MakiniData`]: one connection's data routes with its token: `integrations/current`, the
//! page-based record lists of its namespace, raw tables and passthrough.

use crate::admin::{unwrap_data, MakiniSettings};
use crate::filter::{Filter, FilterOp, Sort};
use crate::pages::next_page;
use crate::records::{parse_time, to_record, Route};
use crate::status::SyncState;
use crate::wire;
use chrono::{DateTime, SecondsFormat, Utc};
use desk_client::{ClientError, ConnectionClient, Method, RawAnswer, RawRequest};
use desk_platform::sync::{EntitySyncStatus, SyncStatus};
use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct MakiniData {
    http: ConnectionClient,
    routes: Vec<Route>,
    settings: Arc<MakiniSettings>,
}

/// One page of records, already ours (see [`to_record`]).
#[derive(Debug, Clone)]
pub struct RecordsPage {
    pub records: Vec<Value>,
    /// `None` on the last page.
    pub next_page: Option<u64>,
    pub last_page: Option<u64>,
    pub total: Option<u64>,
}

impl MakiniData {
    pub(crate) fn new(
        http: ConnectionClient,
        routes: Vec<Route>,
        settings: Arc<MakiniSettings>,
    ) -> Self {
        Self {
            http,
            routes,
            settings,
        }
    }

    pub fn connection_id(&self) -> &str {
        self.http.connection_id()
    }

    /// Pages of one walk to ask at once (at least one).
    pub fn pages_in_flight(&self) -> usize {
        self.settings.pages_in_flight.max(1)
    }

    /// What this connection mirrors.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// A call to any data route with this connection's token, for support staff.
    pub async fn raw(&self, request: &RawRequest) -> Result<RawAnswer, ClientError> {
        self.http.raw(request).await
    }

    /// `GET /api/integrations/current`.
    pub async fn integration(&self) -> Result<wire::Integration, ClientError> {
        let answer = self
            .http
            .raw(&RawRequest::get(&["api", "integrations", "current"]))
            .await?;
        unwrap_data(&answer)
    }

    /// The integration as our sync status, one line per mirrored entity. `fail` is the
    /// documented "invalid platform credentials": it answers `REAUTHORIZATION_REQUIRED`.
    pub async fn sync_status(&self) -> Result<SyncStatus, ClientError> {
        let integration = self.integration().await?;
        let raw = integration.sync_status.clone().unwrap_or_default();
        let state = SyncState::parse(&raw);
        if state.reauthorization_required() {
            return Err(ClientError::ReauthorizationRequired {
                connection_id: Some(self.connection_id().to_owned()),
                message: format!(
                    "Makini's sync_status is {raw:?}: the platform's credentials are invalid"
                ),
                request_id: None,
            });
        }
        let synced_at = integration
            .sync_updated_at
            .as_deref()
            .and_then(|t| parse_time(t.trim()));
        // The walk's mark: Makini documents no "synced until" per entity, so it is now.
        let now = Utc::now();
        let done = matches!(state, SyncState::Done | SyncState::FullDone);
        Ok(SyncStatus {
            state: state.as_state().to_owned(),
            last_sync_id: None,
            last_successful_sync_at: synced_at.filter(|_| done),
            next_sync_at: None,
            error: match state {
                SyncState::Error => Some(format!("Makini's sync_status is {raw:?}")),
                _ => None,
            },
            entities: self
                .routes
                .iter()
                .map(|route| EntitySyncStatus {
                    entity: route.entity.clone(),
                    // Unknown until walked (`meta.total`); negative reads as "not known".
                    records: -1,
                    cursor: now,
                    last_sync_at: synced_at.unwrap_or(now),
                })
                .collect(),
        })
    }

    fn route(&self, entity: &str) -> Result<&Route, ClientError> {
        self.routes
            .iter()
            .find(|r| r.entity == entity)
            .ok_or_else(|| {
                crate::admin::not_supported(&format!("list {entity:?} for this connection"))
            })
    }

    /// Page `page` (from 1) of `entity`, sorted on a stable field, only what changed after
    /// `updated_after` when given (`filter[updatedAt:gt]`).
    pub async fn records_page(
        &self,
        entity: &str,
        updated_after: Option<DateTime<Utc>>,
        page: u64,
    ) -> Result<RecordsPage, ClientError> {
        let route = self.route(entity)?;
        let mut request = RawRequest::get(&["api", route.namespace.as_str(), route.path.as_str()])
            .query("page", page.to_string())
            .query("per_page", self.settings.per_page.to_string());
        let (sort_key, sort_value) = Sort {
            field: self.settings.sort_field.clone(),
            descending: false,
        }
        .pair();
        request = request.query(sort_key, sort_value);
        if let Some(after) = updated_after {
            // Whole seconds, rounded down: a little more than asked for, never less.
            let (key, value) = Filter::new(
                &self.settings.updated_field,
                FilterOp::Gt,
                after.to_rfc3339_opts(SecondsFormat::Secs, true),
            )
            .pair();
            request = request.query(key, value);
        }
        let answer = self.http.raw(&request).await?;
        let parsed: wire::PageOf<Value> = answer.decode()?;
        let next = next_page(
            page,
            parsed.meta.as_ref(),
            parsed.links.as_ref(),
            parsed.data.len(),
            &answer.path,
        )?;
        let records = parsed
            .data
            .into_iter()
            .map(to_record)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| answer.decode_error(reason))?;
        Ok(RecordsPage {
            records,
            next_page: next,
            last_page: parsed.meta.as_ref().and_then(|m| m.last_page),
            total: parsed.meta.as_ref().and_then(|m| m.total),
        })
    }

    /// `GET /api/raw/tables`.
    pub async fn raw_tables(&self) -> Result<Value, ClientError> {
        self.http
            .raw(&RawRequest::get(&["api", "raw", "tables"]))
            .await?
            .decode()
    }

    /// `GET /api/raw/tables/{table}/data?page=`.
    pub async fn raw_table_data(&self, table: &str, page: u64) -> Result<Value, ClientError> {
        self.http
            .raw(
                &RawRequest::get(&["api", "raw", "tables", table, "data"])
                    .query("page", page.to_string()),
            )
            .await?
            .decode()
    }

    /// `POST /api/passthrough` with `{path, method, headers, query, body, ...}` as given.
    pub async fn passthrough(&self, body: Value) -> Result<Value, ClientError> {
        self.http
            .raw(&RawRequest::new(Method::POST, &["api", "passthrough"]).json(body))
            .await?
            .decode()
    }
}
