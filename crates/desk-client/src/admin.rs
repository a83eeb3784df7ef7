//! [`PlatformClient`]: the admin API with the account's client credentials. This file holds the
//! client itself and the account-level routes; connections and sandbox routes live next door.

use crate::auth::{AdminAuth, AuthStats};
use crate::base_url::parse_base_url;
use crate::breaker::BreakerState;
use crate::config::ClientConfig;
use crate::data::ConnectionClient;
use crate::error::ClientError;
use crate::secret::Secret;
use crate::streams::{walk, ListOptions};
use crate::transport::{Answer, Call, Transport};
use desk_platform::account::Account;
use desk_platform::catalog::{Category, System};
use desk_platform::customer::{CreateCustomer, Customer};
use desk_platform::event::Event;
use desk_platform::ledger::LedgerEntry;
use desk_platform::Page;
use futures::Stream;
use reqwest::Url;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The platform's admin API. Cheap to clone; clones share the token, the connection pool and
/// the circuit breakers.
#[derive(Debug, Clone)]
pub struct PlatformClient {
    pub(crate) transport: Arc<Transport>,
    auth: Arc<AdminAuth>,
}

/// `GET /api/v1/systems` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemFilter {
    pub category: Option<Category>,
    pub tier: Option<u8>,
    /// Text in the name, vendor or id.
    pub search: Option<String>,
}

/// `GET /api/v1/credits/ledger` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerFilter {
    pub connection_id: Option<String>,
}

/// `GET /api/v1/events` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only events after this event id (exclusive): catch-up after the last one seen.
    pub after: Option<String>,
    pub connection_id: Option<String>,
}

impl PlatformClient {
    /// A client for the platform at `base_url` (https, or http on a loopback host). Nothing is
    /// sent until the first call; [`Self::login`] checks the credentials at once.
    pub fn new(
        base_url: &str,
        client_id: impl Into<String>,
        client_secret: Secret,
        config: ClientConfig,
    ) -> Result<Self, ClientError> {
        let base = parse_base_url(base_url)?;
        Ok(Self {
            transport: Arc::new(Transport::new(base, config)?),
            auth: Arc::new(AdminAuth::new(client_id.into(), client_secret)),
        })
    }

    pub fn base_url(&self) -> &Url {
        self.transport.base()
    }

    /// Makes sure a valid access token is at hand, logging in when needed: a profile wizard's
    /// "check credentials" button.
    pub async fn login(&self) -> Result<(), ClientError> {
        self.access_token().await.map(drop)
    }

    /// The current access token (refreshed or obtained first when needed), for callers that
    /// must talk to the platform outside this client, such as an event stream.
    pub async fn access_token(&self) -> Result<Secret, ClientError> {
        self.auth.access_token(&self.transport).await
    }

    pub fn auth_stats(&self) -> AuthStats {
        self.auth.stats()
    }

    /// The circuit breaker of a connection's data calls, for the UI.
    pub fn breaker_state(&self, connection_id: &str) -> BreakerState {
        self.transport.breaker_state(connection_id)
    }

    /// A data client for one connection, sharing this client's transport and breakers.
    pub fn connection_client(
        &self,
        connection_id: impl Into<String>,
        token: Secret,
    ) -> ConnectionClient {
        ConnectionClient::with_transport(Arc::clone(&self.transport), connection_id.into(), token)
    }

    /// Sends an admin call with the access token. A 401 on a token that looked valid (revoked
    /// on the server, or the engine restarted on a fresh store) gets one fresh login and one
    /// more try; the server refused the first before doing anything, so even a POST is safe.
    pub(crate) async fn answer(&self, mut call: Call<'_>) -> Result<Answer, ClientError> {
        let token = self.access_token().await?;
        call.bearer = Some(token.clone());
        match self.transport.execute(&call).await {
            Err(ClientError::Unauthorized { request_id, .. }) => {
                tracing::info!(
                    request_id = request_id.as_deref(),
                    "the access token was refused; logging in again"
                );
                self.auth.forget(&token).await;
                call.bearer = Some(self.access_token().await?);
                self.transport.execute(&call).await
            }
            other => other,
        }
    }

    pub(crate) async fn send<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, ClientError> {
        self.answer(call).await?.decode()
    }

    /// A stream over an admin list route; `extra` adds the route's filters to every page.
    pub(crate) fn list<T>(
        &self,
        segments: &'static [&'static str],
        extra: Vec<(&'static str, String)>,
        options: ListOptions,
    ) -> impl Stream<Item = Result<T, ClientError>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
    {
        let client = self.clone();
        let path = format!("/{}", segments.join("/"));
        walk(path, move |cursor| {
            let client = client.clone();
            let mut query = extra.clone();
            query.extend(options.query(cursor.as_deref()));
            async move {
                let call = Call::get(segments.to_vec()).with_query(query);
                client.send::<Page<T>>(call).await
            }
        })
    }

    // --- account, catalog, customers, ledger, events ---------------------------------------

    pub async fn account(&self) -> Result<Account, ClientError> {
        self.send(Call::get(vec!["api", "v1", "account"])).await
    }

    pub fn systems(
        &self,
        filter: SystemFilter,
        options: ListOptions,
    ) -> impl Stream<Item = Result<System, ClientError>> + Send + 'static {
        let mut extra = Vec::new();
        if let Some(category) = filter.category {
            extra.push(("category", category_str(category).to_owned()));
        }
        if let Some(tier) = filter.tier {
            extra.push(("tier", tier.to_string()));
        }
        if let Some(search) = filter.search {
            extra.push(("search", search));
        }
        self.list(&["api", "v1", "systems"], extra, options)
    }

    pub fn customers(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<Customer, ClientError>> + Send + 'static {
        self.list(&["api", "v1", "customers"], Vec::new(), options)
    }

    pub async fn customer(&self, id: &str) -> Result<Customer, ClientError> {
        self.send(Call::get(vec!["api", "v1", "customers", id]))
            .await
    }

    pub async fn create_customer(&self, request: &CreateCustomer) -> Result<Customer, ClientError> {
        self.send(Call::post(vec!["api", "v1", "customers"]).with_json(request)?)
            .await
    }

    pub fn ledger(
        &self,
        filter: LedgerFilter,
        options: ListOptions,
    ) -> impl Stream<Item = Result<LedgerEntry, ClientError>> + Send + 'static {
        let extra = filter
            .connection_id
            .map(|id| vec![("connection_id", id)])
            .unwrap_or_default();
        self.list(&["api", "v1", "credits", "ledger"], extra, options)
    }

    /// The event log, oldest first; with `after`, only what came after that event.
    pub fn events(
        &self,
        filter: EventFilter,
        options: ListOptions,
    ) -> impl Stream<Item = Result<Event, ClientError>> + Send + 'static {
        let mut extra = Vec::new();
        if let Some(after) = filter.after {
            extra.push(("after", after));
        }
        if let Some(id) = filter.connection_id {
            extra.push(("connection_id", id));
        }
        self.list(&["api", "v1", "events"], extra, options)
    }
}

fn category_str(category: Category) -> &'static str {
    match category {
        Category::Erp => "erp",
        Category::Cmms => "cmms",
        Category::Eam => "eam",
        Category::Wms => "wms",
        Category::Other => "other",
    }
}
