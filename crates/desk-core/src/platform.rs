//! The seam between desk-core and the platform a profile talks to: our own API
//! ([`desk_client::PlatformClient`]) or Makini's documented one ([`desk_makini::MakiniClient`]).
//! Every action, job and screen calls [`Platform`], so each works on every kind of profile;
//! what Makini's API cannot do answers `OPERATION_NOT_SUPPORTED` with a reason.

use desk_client::{
    ClientError, ConnectionClient, ConnectionFilter, EventFilter, LedgerFilter, ListOptions,
    PlatformClient, RecordQuery, Secret, SystemFilter,
};
use desk_makini::{MakiniClient, MakiniData};
use desk_platform::account::Account;
use desk_platform::catalog::System;
use desk_platform::connection::{
    Activate, Connection, ConnectionCreated, ConnectionToken, CreateConnection, CreateMagicLink,
    IssueNamedToken, MagicLink, Reauthorize, TestConnection, TestResult, TokenScope,
};
use desk_platform::customer::{CreateCustomer, Customer};
use desk_platform::event::Event;
use desk_platform::ledger::LedgerEntry;
use desk_platform::sync::SyncStatus;
use desk_platform::Page;
use futures::stream::{self, BoxStream};
use futures::{StreamExt, TryStreamExt};
use serde_json::Value;
use std::future::Future;

/// A profile's platform. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Platform {
    /// Our platform API: the local engine or a self-hosted one.
    Desk(PlatformClient),
    /// Makini's cloud (or anything speaking its documented API).
    Makini(MakiniClient),
}

impl From<PlatformClient> for Platform {
    fn from(client: PlatformClient) -> Self {
        Self::Desk(client)
    }
}

impl From<MakiniClient> for Platform {
    fn from(client: MakiniClient) -> Self {
        Self::Makini(client)
    }
}

use desk_makini::not_supported as unsupported;

/// A whole list fetched at once, as a stream like our platform's lists.
fn listed<T, F>(list: F) -> BoxStream<'static, Result<T, ClientError>>
where
    T: Send + 'static,
    F: Future<Output = Result<Vec<T>, ClientError>> + Send + 'static,
{
    stream::once(list)
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

impl Platform {
    pub fn base_url(&self) -> String {
        match self {
            Self::Desk(c) => c.base_url().to_string(),
            Self::Makini(c) => c.base_url().to_string(),
        }
    }

    pub fn is_makini(&self) -> bool {
        matches!(self, Self::Makini(_))
    }

    pub async fn login(&self) -> Result<(), ClientError> {
        match self {
            Self::Desk(c) => c.login().await,
            Self::Makini(c) => c.login().await,
        }
    }

    /// The account; for Makini, its client with a derived pool (`Account::derived`).
    pub async fn account(&self) -> Result<Account, ClientError> {
        match self {
            Self::Desk(c) => c.account().await,
            Self::Makini(c) => c.account().await,
        }
    }

    pub fn systems(
        &self,
        filter: SystemFilter,
        options: ListOptions,
    ) -> BoxStream<'static, Result<System, ClientError>> {
        match self {
            Self::Desk(c) => c.systems(filter, options).boxed(),
            Self::Makini(c) => {
                let c = c.clone();
                listed(async move {
                    let mut systems = c.systems().await?;
                    systems.retain(|s| {
                        filter.category.is_none_or(|cat| s.category == cat)
                            && filter.tier.is_none_or(|tier| s.tier == tier)
                            && filter.search.as_deref().is_none_or(|q| {
                                contains(&s.name, q) || contains(&s.vendor, q) || contains(&s.id, q)
                            })
                    });
                    Ok(systems)
                })
            }
        }
    }

    /// The customers; for Makini, derived from its connections.
    pub fn customers(
        &self,
        options: ListOptions,
    ) -> BoxStream<'static, Result<Customer, ClientError>> {
        match self {
            Self::Desk(c) => c.customers(options).boxed(),
            Self::Makini(c) => {
                let c = c.clone();
                listed(async move { c.customers().await })
            }
        }
    }

    pub async fn create_customer(&self, request: &CreateCustomer) -> Result<Customer, ClientError> {
        match self {
            Self::Desk(c) => c.create_customer(request).await,
            Self::Makini(_) => Err(unsupported(
                "create customers (a connection's customer is its user_metadata.customer_id or email)",
            )),
        }
    }

    pub fn connections(
        &self,
        filter: ConnectionFilter,
        options: ListOptions,
    ) -> BoxStream<'static, Result<Connection, ClientError>> {
        match self {
            Self::Desk(c) => c.connections(filter, options).boxed(),
            Self::Makini(c) => {
                let c = c.clone();
                listed(async move {
                    let mut connections = c.connections().await?;
                    connections.retain(|conn| {
                        filter
                            .customer_id
                            .as_deref()
                            .is_none_or(|id| conn.customer_id == id)
                            && filter.status.is_none_or(|s| conn.status == s)
                    });
                    Ok(connections)
                })
            }
        }
    }

    pub async fn connection(&self, id: &str) -> Result<Connection, ClientError> {
        match self {
            Self::Desk(c) => c.connection(id).await,
            Self::Makini(c) => c.connection(id).await,
        }
    }

    pub async fn create_connection(
        &self,
        request: &CreateConnection,
    ) -> Result<ConnectionCreated, ClientError> {
        match self {
            Self::Desk(c) => c.create_connection(request).await,
            Self::Makini(c) => c.create_connection(request).await,
        }
    }

    pub async fn test_connection(
        &self,
        id: &str,
        request: &TestConnection,
    ) -> Result<TestResult, ClientError> {
        match self {
            Self::Desk(c) => c.test_connection(id, request).await,
            Self::Makini(_) => Err(unsupported("test a connection's credentials")),
        }
    }

    /// Credentials checked against a system before any connection exists (the wizard's test).
    pub async fn test_credentials(
        &self,
        system_id: &str,
        request: &desk_platform::connection::TestCredentials,
    ) -> Result<TestResult, ClientError> {
        match self {
            Self::Desk(c) => c.test_credentials(system_id, request).await,
            Self::Makini(_) => Err(unsupported("test credentials before connecting")),
        }
    }

    pub async fn reauthorize(
        &self,
        id: &str,
        request: &Reauthorize,
    ) -> Result<ConnectionToken, ClientError> {
        match self {
            Self::Desk(c) => c.reauthorize(id, request).await,
            Self::Makini(_) => Err(unsupported(
                "reauthorize a connection (the customer reconnects through Makini Link)",
            )),
        }
    }

    /// A new connection token. On Makini it may replace the existing one: callers ask first.
    pub async fn issue_connection_token(&self, id: &str) -> Result<ConnectionToken, ClientError> {
        match self {
            Self::Desk(c) => c.issue_connection_token(id).await,
            Self::Makini(c) => c.issue_connection_token(id).await,
        }
    }

    /// A read-only token of the app's own under `name`, beside the connection's main token,
    /// which keeps working. Makini documents no such token.
    pub async fn issue_read_token(&self, id: &str, name: &str) -> Result<String, ClientError> {
        match self {
            Self::Desk(c) => {
                let request = IssueNamedToken {
                    name: name.to_owned(),
                    scope: TokenScope::Read,
                };
                Ok(c.issue_named_token(id, &request).await?.token)
            }
            Self::Makini(_) => Err(unsupported(
                "issue a read-only token beside the connection's own (Makini documents none)",
            )),
        }
    }

    pub async fn activate(&self, id: &str, request: &Activate) -> Result<Connection, ClientError> {
        match self {
            Self::Desk(c) => c.activate(id, request).await,
            Self::Makini(_) => Err(unsupported(
                "activate a connection (no credit pool is documented)",
            )),
        }
    }

    pub async fn disconnect(&self, id: &str) -> Result<Connection, ClientError> {
        match self {
            Self::Desk(c) => c.disconnect(id).await,
            Self::Makini(c) => c.disconnect(id).await,
        }
    }

    pub async fn delete_connection_data(&self, id: &str) -> Result<Connection, ClientError> {
        match self {
            Self::Desk(c) => c.delete_connection_data(id).await,
            Self::Makini(_) => Err(unsupported("delete a connection's synced data")),
        }
    }

    pub async fn create_magic_link(
        &self,
        request: &CreateMagicLink,
    ) -> Result<MagicLink, ClientError> {
        match self {
            Self::Desk(c) => c.create_magic_link(request).await,
            Self::Makini(_) => Err(unsupported(
                "create magic links (Makini Link's consent flow runs in the browser)",
            )),
        }
    }

    /// The ledger; Makini documents none, so it is empty there.
    pub fn ledger(
        &self,
        filter: LedgerFilter,
        options: ListOptions,
    ) -> BoxStream<'static, Result<LedgerEntry, ClientError>> {
        match self {
            Self::Desk(c) => c.ledger(filter, options).boxed(),
            Self::Makini(_) => stream::empty().boxed(),
        }
    }

    /// Makes a local engine's simulated system misbehave (the sandbox; no other platform has it).
    pub async fn sandbox_fault(
        &self,
        id: &str,
        fault: &desk_client::SandboxFault,
    ) -> Result<Connection, ClientError> {
        match self {
            Self::Desk(c) => c.sandbox_fault(id, fault).await,
            Self::Makini(_) => Err(unsupported("inject sandbox faults")),
        }
    }

    /// Buys credits for a local engine's account (the sandbox: a real platform sells them).
    pub async fn sandbox_purchase_credits(&self, credits: i64) -> Result<LedgerEntry, ClientError> {
        match self {
            Self::Desk(c) => c.sandbox_purchase_credits(credits).await,
            Self::Makini(_) => Err(unsupported("buy credits from the app")),
        }
    }

    /// Switches a local engine's account between trial and paid (the sandbox).
    pub async fn sandbox_set_plan(
        &self,
        plan: desk_platform::account::Plan,
    ) -> Result<Account, ClientError> {
        match self {
            Self::Desk(c) => c.sandbox_set_plan(plan).await,
            Self::Makini(_) => Err(unsupported("change the plan from the app")),
        }
    }

    /// The event log; Makini documents none (its status changes are seen by polling instead).
    pub fn events(
        &self,
        filter: EventFilter,
        options: ListOptions,
    ) -> BoxStream<'static, Result<Event, ClientError>> {
        match self {
            Self::Desk(c) => c.events(filter, options).boxed(),
            Self::Makini(_) => stream::empty().boxed(),
        }
    }

    /// A data client for one connection, sharing this platform's transport.
    pub fn connection_client(&self, id: &str, token: Secret) -> DataClient {
        match self {
            Self::Desk(c) => DataClient::Desk(c.connection_client(id, token)),
            Self::Makini(c) => DataClient::Makini(c.connection_client(id, token)),
        }
    }

    /// Makini's sync status is read with the connection's token, ours with the admin token.
    pub fn sync_status_needs_token(&self) -> bool {
        self.is_makini()
    }

    /// Where the platform's own sync of a connection stands.
    pub async fn sync_status(
        &self,
        id: &str,
        data: Option<&DataClient>,
    ) -> Result<SyncStatus, ClientError> {
        match (self, data) {
            (Self::Desk(c), _) => c.sync_status(id).await,
            (Self::Makini(_), Some(DataClient::Makini(data))) => data.sync_status().await,
            (Self::Makini(_), _) => {
                Err(unsupported("read a sync status without a connection token"))
            }
        }
    }
}

/// One connection's data routes.
#[derive(Debug, Clone)]
pub enum DataClient {
    Desk(ConnectionClient),
    Makini(MakiniData),
}

impl DataClient {
    pub fn connection_id(&self) -> &str {
        match self {
            Self::Desk(c) => c.connection_id(),
            Self::Makini(c) => c.connection_id(),
        }
    }

    /// The path a walk of `entity` reads, for messages.
    pub fn path_of(&self, entity: &str) -> String {
        match self {
            Self::Desk(_) => format!("/api/v1/{entity}"),
            Self::Makini(c) => c.routes().iter().find(|r| r.entity == entity).map_or_else(
                || format!("/api/?/{entity}"),
                |r| format!("/api/{}/{}", r.namespace.as_str(), r.path),
            ),
        }
    }

    /// Makini's data client when this walk's pages are numbered (they can be asked several
    /// at once); `None` for our API's cursor pages, where each page names the next.
    pub(crate) fn numbered(&self) -> Option<&desk_makini::MakiniData> {
        match self {
            Self::Desk(_) => None,
            Self::Makini(c) => Some(c),
        }
    }

    /// The page a stored cursor of a numbered list names (`None`: the first).
    pub(crate) fn page_number(
        &self,
        entity: &str,
        cursor: Option<&str>,
    ) -> Result<u64, ClientError> {
        match cursor {
            None => Ok(1),
            Some(text) => text.parse::<u64>().map_err(|_| ClientError::Decode {
                path: self.path_of(entity),
                request_id: None,
                message: format!("{text:?} is not a Makini page number"),
            }),
        }
    }

    /// One page of `entity` from `cursor` (`None`: the first). Makini's pages are numbered:
    /// the cursor is the next page's number, so a stored walk resumes there.
    pub async fn records_page(
        &self,
        entity: &str,
        query: &RecordQuery,
        cursor: Option<&str>,
    ) -> Result<Page<Value>, ClientError> {
        match self {
            Self::Desk(c) => c.records_page(entity, query, cursor).await,
            Self::Makini(c) => {
                let page = self.page_number(entity, cursor)?;
                let answer = c.records_page(entity, query.modified_after, page).await?;
                Ok(Page {
                    data: answer.records,
                    next_cursor: answer.next_page.map(|n| n.to_string()),
                })
            }
        }
    }
}
