//! [`MakiniClient`]: Makini's admin ("system") routes with the client-credentials token, and
//! what desk-core asks of any platform, answered from them.

use crate::data::MakiniData;
use crate::map;
use crate::pages;
use crate::records::{Namespace, Route};
use crate::status::squash;
use crate::wire;
use desk_client::Url;
use desk_client::{
    BreakerState, ClientConfig, ClientError, Method, PlatformClient, RawAnswer, RawRequest, Secret,
    TokenEndpoint,
};
use desk_platform::account::Account;
use desk_platform::catalog::System;
use desk_platform::connection::{
    Connection, ConnectionCreated, ConnectionStatus, ConnectionToken, CreateConnection,
};
use desk_platform::customer::Customer;
use desk_platform::ErrorCode;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a Makini profile may set: what the documented API leaves open.
#[derive(Debug, Clone)]
pub struct MakiniSettings {
    /// Catalog tiers by squashed platform id or name (our catalog's), for the derived credits.
    pub tiers: HashMap<String, u8>,
    /// Records per data page (`per_page`).
    pub per_page: u32,
    /// The field incremental pulls filter on (`filter[<field>:gt]`).
    pub updated_field: String,
    /// The field walks sort on, ascending: a stable one, so records changing during a walk do
    /// not move between pages (soft deletes keep rows in place).
    pub sort_field: String,
    /// What to mirror per namespace; the defaults are our unified entities.
    pub routes: HashMap<Namespace, Vec<Route>>,
    /// Pages of one walk asked at once. Numbered pages do not wait for each other the way
    /// cursors do, so a walk asks the next ones while the mirror writes the current one; each
    /// request is still retried on its own (429 with `Retry-After`, 5xx), and a rate-limited
    /// connection spends its budget no faster than its pages arrive.
    pub pages_in_flight: usize,
}

impl Default for MakiniSettings {
    fn default() -> Self {
        Self {
            tiers: HashMap::new(),
            per_page: 100,
            updated_field: "updatedAt".to_owned(),
            sort_field: "key".to_owned(),
            pages_in_flight: 3,
            routes: [Namespace::Eam, Namespace::Erp, Namespace::Wms]
                .into_iter()
                .map(|ns| (ns, ns.default_routes()))
                .collect(),
        }
    }
}

impl MakiniSettings {
    /// The defaults, with tiers taken from a catalog of ours (by id and by name).
    pub fn with_catalog_tiers(systems: &[System]) -> Self {
        let tiers = systems
            .iter()
            .flat_map(|s| [(squash(&s.id), s.tier), (squash(&s.name), s.tier)])
            .collect();
        Self {
            tiers,
            ..Self::default()
        }
    }
}

/// Makini's admin API. Cheap to clone; clones share the token, transport and what was learnt
/// of the catalog.
#[derive(Debug, Clone)]
pub struct MakiniClient {
    http: PlatformClient,
    settings: Arc<MakiniSettings>,
    /// The catalog last read, for credits and namespaces of connections.
    catalog: Arc<Mutex<Vec<System>>>,
    /// Each connection's namespace, learnt when connections are listed.
    namespaces: Arc<Mutex<HashMap<String, Namespace>>>,
}

/// `OPERATION_NOT_SUPPORTED`: what Makini's documented API has no route for.
pub fn not_supported(what: &str) -> ClientError {
    ClientError::Api {
        status: 405,
        code: ErrorCode::OperationNotSupported,
        error_type: ErrorCode::OperationNotSupported.error_type().to_owned(),
        message: format!("Makini's documented API has no way to {what}"),
        request_id: None,
        retry_after: None,
    }
}

fn not_found(id: &str) -> ClientError {
    ClientError::Api {
        status: 404,
        code: ErrorCode::NotFound,
        error_type: ErrorCode::NotFound.error_type().to_owned(),
        message: format!("Makini lists no connection {id:?}"),
        request_id: None,
        retry_after: None,
    }
}

/// `{"data": T}` or a bare `T`: the OpenAPI files wrap objects, not every answer does.
pub(crate) fn unwrap_data<T: serde::de::DeserializeOwned>(
    answer: &RawAnswer,
) -> Result<T, ClientError> {
    let value: Value = answer.decode()?;
    let inner = match value {
        Value::Object(mut map) if map.contains_key("data") => {
            map.remove("data").unwrap_or(Value::Null)
        }
        other => other,
    };
    serde_json::from_value(inner).map_err(|err| answer.decode_error(err.to_string()))
}

impl MakiniClient {
    /// A client for Makini at `base_url`; nothing is sent before the first call.
    pub fn new(
        base_url: &str,
        client_id: impl Into<String>,
        client_secret: Secret,
        config: ClientConfig,
        settings: MakiniSettings,
    ) -> Result<Self, ClientError> {
        let config = config.with_token_endpoint(TokenEndpoint::makini());
        Ok(Self {
            http: PlatformClient::new(base_url, client_id, client_secret, config)?,
            settings: Arc::new(settings),
            catalog: Arc::new(Mutex::new(Vec::new())),
            namespaces: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    pub fn base_url(&self) -> &Url {
        self.http.base_url()
    }

    /// Logs in at `/link/token` unless a valid token is at hand.
    pub async fn login(&self) -> Result<(), ClientError> {
        self.http.login().await
    }

    pub fn breaker_state(&self, connection_id: &str) -> BreakerState {
        self.http.breaker_state(connection_id)
    }

    /// A call to any admin route, for support staff (`mdesk raw`).
    pub async fn raw(&self, request: &RawRequest) -> Result<RawAnswer, ClientError> {
        self.http.raw(request).await
    }

    /// `GET /api/system/client`.
    pub async fn client_info(&self) -> Result<wire::ClientInfo, ClientError> {
        let answer = self
            .http
            .raw(&RawRequest::get(&["api", "system", "client"]))
            .await?;
        unwrap_data(&answer)
    }

    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        segments: &[&str],
    ) -> Result<Vec<T>, ClientError> {
        pages::collect(|page| {
            let request = RawRequest::get(segments).query("page", page.to_string());
            async move { self.http.raw(&request).await }
        })
        .await
    }

    /// `GET /api/system/platforms`, as Makini sends them.
    pub async fn platforms(&self) -> Result<Vec<Value>, ClientError> {
        self.list(&["api", "system", "platforms"]).await
    }

    /// The platforms as our catalog (tiers from [`MakiniSettings::tiers`]); remembered for the
    /// connections' credits.
    pub async fn systems(&self) -> Result<Vec<System>, ClientError> {
        let systems: Vec<System> = self
            .platforms()
            .await?
            .iter()
            .filter_map(|p| map::system(p, &self.settings.tiers))
            .collect();
        *self.catalog.lock().unwrap_or_else(|p| p.into_inner()) = systems.clone();
        Ok(systems)
    }

    fn known_catalog(&self) -> Vec<System> {
        self.catalog
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// `GET /api/system/connections`, as Makini sends them.
    pub async fn connections_raw(&self) -> Result<Vec<wire::Connection>, ClientError> {
        self.list(&["api", "system", "connections"]).await
    }

    /// Every connection as ours. The catalog is read first when none was yet.
    pub async fn connections(&self) -> Result<Vec<Connection>, ClientError> {
        let mut catalog = self.known_catalog();
        if catalog.is_empty() {
            catalog = self.systems().await?;
        }
        let raw = self.connections_raw().await?;
        let mut connections = Vec::with_capacity(raw.len());
        let mut namespaces = HashMap::new();
        for item in raw {
            let integration = item.integration_name.clone();
            match map::connection(item, &catalog) {
                Some(connection) => {
                    let namespace = map::find_system(&catalog, integration.as_deref())
                        .map_or(Namespace::Eam, |s| Namespace::of(s.category));
                    namespaces.insert(connection.id.clone(), namespace);
                    connections.push(connection);
                }
                None => tracing::warn!("Makini listed a connection without a key; skipped"),
            }
        }
        self.namespaces
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(namespaces);
        Ok(connections)
    }

    /// One connection: Makini documents no single-connection read, so the list is searched.
    pub async fn connection(&self, id: &str) -> Result<Connection, ClientError> {
        self.connections()
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| not_found(id))
    }

    /// The customers, derived from the connections (Makini has none of its own).
    pub async fn customers(&self) -> Result<Vec<Customer>, ClientError> {
        Ok(map::customers(&self.connections().await?))
    }

    /// The account with its derived pool.
    pub async fn account(&self) -> Result<Account, ClientError> {
        let client = self.client_info().await?;
        Ok(map::account(&client, &self.connections().await?))
    }

    /// `POST /api/system/connections`: answers the connection's token pair; the connection is
    /// then found in the list (the newest with that name and email).
    pub async fn create_connection(
        &self,
        request: &CreateConnection,
    ) -> Result<ConnectionCreated, ClientError> {
        let email = request
            .email
            .clone()
            .filter(|e| !e.trim().is_empty())
            .ok_or_else(|| ClientError::Api {
                status: 400,
                code: ErrorCode::InvalidRequest,
                error_type: ErrorCode::InvalidRequest.error_type().to_owned(),
                message: "Makini requires an email to create a connection".to_owned(),
                request_id: None,
                retry_after: None,
            })?;
        let body = wire::CreateConnection {
            name: request.name.clone(),
            email: email.clone(),
            provider: request.system_id.clone(),
            credentials: request
                .credentials
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect::<Map<_, _>>(),
        };
        let json = serde_json::to_value(&body).map_err(|err| ClientError::Decode {
            path: "(request body)".to_owned(),
            request_id: None,
            message: err.to_string(),
        })?;
        let answer = self
            .http
            .raw(&RawRequest::new(Method::POST, &["api", "system", "connections"]).json(json))
            .await?;
        let pair: wire::TokenPair = unwrap_data(&answer)?;
        let token = pair
            .access_token
            .ok_or_else(|| answer.decode_error("the answer carries no access_token".into()))?;
        let connection = self
            .connections()
            .await?
            .into_iter()
            .filter(|c| c.name == request.name && c.email.as_deref() == Some(email.as_str()))
            .max_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)))
            .ok_or_else(|| {
                answer.decode_error("the created connection is not in Makini's list".into())
            })?;
        Ok(ConnectionCreated {
            connection,
            token,
            webhook_secret: None,
        })
    }

    /// `DELETE /api/system/connections/{id}`: answers the connection as it was, disconnected.
    pub async fn disconnect(&self, id: &str) -> Result<Connection, ClientError> {
        let mut connection = self.connection(id).await?;
        self.http
            .raw(&RawRequest::new(
                Method::DELETE,
                &["api", "system", "connections", id],
            ))
            .await?;
        connection.status = ConnectionStatus::Disconnected;
        Ok(connection)
    }

    /// `POST /api/system/connections/{id}/token`. Makini may replace the connection's existing
    /// token with it: callers ask the user first (issue 13).
    pub async fn issue_connection_token(&self, id: &str) -> Result<ConnectionToken, ClientError> {
        let connection = self.connection(id).await?;
        let answer = self
            .http
            .raw(
                &RawRequest::new(Method::POST, &["api", "system", "connections", id, "token"])
                    .json(Value::Object(Map::new())),
            )
            .await?;
        let pair: wire::TokenPair = unwrap_data(&answer)?;
        let token = pair
            .access_token
            .ok_or_else(|| answer.decode_error("the answer carries no token".into()))?;
        Ok(ConnectionToken {
            connection,
            token,
            identity_changed: false,
        })
    }

    /// `GET /api/system/connections/{id}/metadata`.
    pub async fn metadata(&self, id: &str) -> Result<Vec<wire::MetadataEntry>, ClientError> {
        self.list(&["api", "system", "connections", id, "metadata"])
            .await
    }

    /// `POST /api/system/connections/{id}/metadata`.
    pub async fn set_metadata(
        &self,
        id: &str,
        entries: &[wire::MetadataEntry],
    ) -> Result<(), ClientError> {
        let json = serde_json::to_value(entries).map_err(|err| ClientError::Decode {
            path: "(request body)".to_owned(),
            request_id: None,
            message: err.to_string(),
        })?;
        self.http
            .raw(
                &RawRequest::new(
                    Method::POST,
                    &["api", "system", "connections", id, "metadata"],
                )
                .json(json),
            )
            .await
            .map(drop)
    }

    /// A data client for one connection, reading the routes of its namespace (EAM when the
    /// connection's platform is not known).
    pub fn connection_client(&self, connection_id: impl Into<String>, token: Secret) -> MakiniData {
        let connection_id = connection_id.into();
        let namespace = self
            .namespaces
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&connection_id)
            .copied()
            .unwrap_or(Namespace::Eam);
        let routes = self
            .settings
            .routes
            .get(&namespace)
            .cloned()
            .unwrap_or_else(|| namespace.default_routes());
        MakiniData::new(
            self.http.connection_client(connection_id, token),
            routes,
            Arc::clone(&self.settings),
        )
    }
}
