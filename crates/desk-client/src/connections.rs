//! Admin routes on connections and magic links.

use crate::admin::PlatformClient;
use crate::error::ClientError;
use crate::streams::ListOptions;
use crate::transport::Call;
use desk_platform::connection::{
    Activate, Connection, ConnectionCreated, ConnectionStatus, ConnectionToken, CreateConnection,
    CreateMagicLink, IssueNamedToken, MagicLink, NamedToken, NamedTokenIssued, Reauthorize,
    TestConnection, TestCredentials, TestResult, WebhookSecret, WebhookSettings,
};
use futures::Stream;
use reqwest::Method;

/// `GET /api/v1/connections` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionFilter {
    pub customer_id: Option<String>,
    pub status: Option<ConnectionStatus>,
}

impl PlatformClient {
    pub fn connections(
        &self,
        filter: ConnectionFilter,
        options: ListOptions,
    ) -> impl Stream<Item = Result<Connection, ClientError>> + Send + 'static {
        let mut extra = Vec::new();
        if let Some(customer) = filter.customer_id {
            extra.push(("customer_id", customer));
        }
        if let Some(status) = filter.status {
            extra.push(("status", status.as_str().to_owned()));
        }
        self.list(&["api", "v1", "connections"], extra, options)
    }

    pub async fn connection(&self, id: &str) -> Result<Connection, ClientError> {
        self.send(Call::get(vec!["api", "v1", "connections", id]).about(id))
            .await
    }

    /// Creates a connection; the answer's token and webhook secret are shown this once.
    pub async fn create_connection(
        &self,
        request: &CreateConnection,
    ) -> Result<ConnectionCreated, ClientError> {
        self.send(Call::post(vec!["api", "v1", "connections"]).with_json(request)?)
            .await
    }

    /// Checks credentials (stored, or the candidate ones given) without changing anything.
    pub async fn test_connection(
        &self,
        id: &str,
        request: &TestConnection,
    ) -> Result<TestResult, ClientError> {
        let call = Call::post(vec!["api", "v1", "connections", id, "test"]).about(id);
        self.send(call.with_json(request)?).await
    }

    /// Checks candidate credentials against a system before any connection exists (the
    /// wizard's test step); creates nothing.
    pub async fn test_credentials(
        &self,
        system_id: &str,
        request: &TestCredentials,
    ) -> Result<TestResult, ClientError> {
        let call = Call::post(vec!["api", "v1", "systems", system_id, "test"]);
        self.send(call.with_json(request)?).await
    }

    /// New credentials, same id, a new token; the old token dies. Also forgets the
    /// connection's breaker failures, since what made its calls fail has just been fixed.
    pub async fn reauthorize(
        &self,
        id: &str,
        request: &Reauthorize,
    ) -> Result<ConnectionToken, ClientError> {
        let call = Call::post(vec!["api", "v1", "connections", id, "reauthorize"]).about(id);
        let token: ConnectionToken = self.send(call.with_json(request)?).await?;
        self.transport.reset_breaker(id);
        Ok(token)
    }

    /// Issues a new connection token (shown once); the previous one dies.
    pub async fn issue_connection_token(&self, id: &str) -> Result<ConnectionToken, ClientError> {
        self.send(Call::post(vec!["api", "v1", "connections", id, "token"]).about(id))
            .await
    }

    /// An additional token under a name, beside the main token, which keeps working; issuing
    /// a name again replaces only that name's token.
    pub async fn issue_named_token(
        &self,
        id: &str,
        request: &IssueNamedToken,
    ) -> Result<NamedTokenIssued, ClientError> {
        let call = Call::post(vec!["api", "v1", "connections", id, "tokens"]).about(id);
        self.send(call.with_json(request)?).await
    }

    /// The connection's named tokens, never their values.
    pub async fn named_tokens(&self, id: &str) -> Result<Vec<NamedToken>, ClientError> {
        #[derive(serde::Deserialize)]
        struct Listed {
            data: Vec<NamedToken>,
        }
        let call = Call::new(Method::GET, vec!["api", "v1", "connections", id, "tokens"]);
        let listed: Listed = self.send(call.about(id)).await?;
        Ok(listed.data)
    }

    pub async fn revoke_named_token(
        &self,
        id: &str,
        name: &str,
    ) -> Result<NamedToken, ClientError> {
        let call = Call::new(
            Method::DELETE,
            vec!["api", "v1", "connections", id, "tokens", name],
        );
        self.send(call.about(id)).await
    }

    /// An inactive connection takes its credits now, or goes into overage on a paid plan.
    pub async fn activate(&self, id: &str, request: &Activate) -> Result<Connection, ClientError> {
        let call = Call::post(vec!["api", "v1", "connections", id, "activate"]).about(id);
        self.send(call.with_json(request)?).await
    }

    /// Token invalid at once, schedules stopped, credits returned, data kept.
    pub async fn disconnect(&self, id: &str) -> Result<Connection, ClientError> {
        self.send(Call::post(vec!["api", "v1", "connections", id, "disconnect"]).about(id))
            .await
    }

    /// Deletes the synced data of a disconnected connection.
    pub async fn delete_connection_data(&self, id: &str) -> Result<Connection, ClientError> {
        let call = Call::new(Method::DELETE, vec!["api", "v1", "connections", id, "data"]);
        self.send(call.about(id)).await
    }

    /// Sets where the connection's webhooks go; answers the signing secret.
    pub async fn set_webhook(
        &self,
        id: &str,
        request: &WebhookSettings,
    ) -> Result<WebhookSecret, ClientError> {
        let call = Call::new(Method::PUT, vec!["api", "v1", "connections", id, "webhook"]);
        self.send(call.about(id).with_json(request)?).await
    }

    /// A pending connection and the link its customer's IT admin opens to finish it.
    pub async fn create_magic_link(
        &self,
        request: &CreateMagicLink,
    ) -> Result<MagicLink, ClientError> {
        self.send(Call::post(vec!["api", "v1", "magic-links"]).with_json(request)?)
            .await
    }
}
