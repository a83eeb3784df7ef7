//! [`ConnectionClient`]: the data routes, authorised by one connection's token. Every call goes
//! through that connection's circuit breaker.

use crate::base_url::parse_base_url;
use crate::config::ClientConfig;
use crate::error::ClientError;
use crate::secret::Secret;
use crate::streams::{walk, ListOptions};
use crate::transport::{Answer, Call, Transport};
use chrono::{DateTime, SecondsFormat, Utc};
use desk_platform::connection::Connection;
use desk_platform::Page;
use futures::Stream;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;

/// `GET /api/v1/{entity}` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecordQuery {
    /// Only records changed after this instant (incremental sync).
    pub modified_after: Option<DateTime<Utc>>,
    pub list: ListOptions,
}

#[derive(Debug, Clone)]
pub struct ConnectionClient {
    transport: Arc<Transport>,
    connection_id: Arc<str>,
    token: Secret,
}

impl ConnectionClient {
    /// A standalone data client (its own transport and breakers). Prefer
    /// [`crate::PlatformClient::connection_client`] when an admin client exists.
    pub fn new(
        base_url: &str,
        connection_id: impl Into<String>,
        token: Secret,
        config: ClientConfig,
    ) -> Result<Self, ClientError> {
        let base = parse_base_url(base_url)?;
        Ok(Self::with_transport(
            Arc::new(Transport::new(base, config)?),
            connection_id.into(),
            token,
        ))
    }

    pub(crate) fn with_transport(
        transport: Arc<Transport>,
        connection_id: String,
        token: Secret,
    ) -> Self {
        Self {
            transport,
            connection_id: connection_id.into(),
            token,
        }
    }

    pub fn connection_id(&self) -> &str {
        &self.connection_id
    }

    fn call<'a>(&'a self, method: Method, segments: Vec<&'a str>) -> Call<'a> {
        self.guarded(Call::new(method, segments))
    }

    /// `call` with this connection's token, behind its breaker.
    pub(crate) fn guarded<'a>(&'a self, call: Call<'a>) -> Call<'a> {
        let mut call = call.about(&self.connection_id);
        call.bearer = Some(self.token.clone());
        call.guarded = true;
        call
    }

    pub(crate) async fn execute(&self, call: &Call<'_>) -> Result<Answer, ClientError> {
        self.transport.execute(call).await
    }

    async fn send<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, ClientError> {
        self.execute(&call).await?.decode()
    }

    /// The connection this token belongs to.
    pub async fn connection(&self) -> Result<Connection, ClientError> {
        self.send(self.call(Method::GET, vec!["api", "v1", "connection"]))
            .await
    }

    /// Every record of `entity` (`work-orders`, `purchase-orders`, ...), page by page.
    pub fn records(
        &self,
        entity: &str,
        query: RecordQuery,
    ) -> impl Stream<Item = Result<Value, ClientError>> + Send + 'static {
        let client = self.clone();
        let entity: Arc<str> = entity.into();
        walk(format!("/api/v1/{entity}"), move |cursor| {
            let client = client.clone();
            let entity = Arc::clone(&entity);
            async move {
                client
                    .records_page(&entity, &query, cursor.as_deref())
                    .await
            }
        })
    }

    /// One page of `entity` starting at `cursor` (`None`: the first page). A caller that stores
    /// the page's `next_cursor` with what it kept can resume a walk exactly where it stopped,
    /// passing the same `query` again.
    pub async fn records_page(
        &self,
        entity: &str,
        query: &RecordQuery,
        cursor: Option<&str>,
    ) -> Result<Page<Value>, ClientError> {
        let mut params = query.list.query(cursor);
        if let Some(after) = query.modified_after {
            params.push((
                "modified_after",
                after.to_rfc3339_opts(SecondsFormat::Micros, true),
            ));
        }
        let call = self
            .call(Method::GET, vec!["api", "v1", entity])
            .with_query(params);
        self.send::<Page<Value>>(call).await
    }

    /// `GET /api/v1/{entity}/{id}`.
    pub async fn record(&self, entity: &str, id: &str) -> Result<Value, ClientError> {
        self.send(self.call(Method::GET, vec!["api", "v1", entity, id]))
            .await
    }

    /// `POST /api/v1/{entity}`. Not retried after it may have reached the server.
    pub async fn create_record(&self, entity: &str, record: &Value) -> Result<Value, ClientError> {
        let call = self.call(Method::POST, vec!["api", "v1", entity]);
        self.send(call.with_json(record)?).await
    }

    /// `PATCH /api/v1/{entity}/{id}` with the changed fields. A frozen field
    /// answers `FIELD_NOT_UPDATABLE`.
    pub async fn update_record(
        &self,
        entity: &str,
        id: &str,
        changes: &Value,
    ) -> Result<Value, ClientError> {
        let call = self.call(Method::PATCH, vec!["api", "v1", entity, id]);
        self.send(call.with_json(changes)?).await
    }

    /// `POST /api/v1/{entity}/batch` with `{"operations": [{"op": "create"|"update"|"delete",
    /// ...}]}` (up to 100): answers `{results: [{index, ok, id, error}], failed}`. One refused
    /// operation does not undo the others. Not retried once it may have reached the server.
    pub async fn batch_records(&self, entity: &str, batch: &Value) -> Result<Value, ClientError> {
        let call = self.call(Method::POST, vec!["api", "v1", entity, "batch"]);
        self.send(call.with_json(batch)?).await
    }

    /// `DELETE /api/v1/{entity}/{id}`: answers the record as deleted.
    pub async fn delete_record(&self, entity: &str, id: &str) -> Result<Value, ClientError> {
        self.send(self.call(Method::DELETE, vec!["api", "v1", entity, id]))
            .await
    }
}
