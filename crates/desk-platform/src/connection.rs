//! Connections: one customer's link to one of its systems, with its own token.

use crate::catalog::Deployment;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// A magic link was created; the customer has not finished the flow.
    Pending,
    /// The initial sync is running.
    Synchronizing,
    /// A later sync is running.
    InProgress,
    Active,
    /// Created without credits; consumes nothing until activated.
    Inactive,
    /// Activated on a paid plan beyond the pool.
    Overage,
    Disconnected,
}

impl ConnectionStatus {
    pub const ALL: [Self; 7] = [
        Self::Pending,
        Self::Synchronizing,
        Self::InProgress,
        Self::Active,
        Self::Inactive,
        Self::Overage,
        Self::Disconnected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Synchronizing => "synchronizing",
            Self::InProgress => "in_progress",
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Overage => "overage",
            Self::Disconnected => "disconnected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Whether the connection serves data and runs syncs in this status.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            Self::Synchronizing | Self::InProgress | Self::Active | Self::Overage
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct Connection {
    pub id: String,
    pub customer_id: String,
    /// `None` while a magic link leaves the choice of system to the customer.
    pub system_id: Option<String>,
    pub deployment: Option<Deployment>,
    pub name: String,
    pub email: Option<String>,
    /// What the connection costs (consumed or not, see `status`).
    pub credits: i64,
    pub status: ConnectionStatus,
    pub online: bool,
    pub reauthorization_required: bool,
    pub connected_at: Option<DateTime<Utc>>,
    pub authorized_by: Option<String>,
    pub token_issued_at: Option<DateTime<Utc>>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub next_sync_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub user_metadata: serde_json::Map<String, serde_json::Value>,
}

/// Sync settings chosen in the wizard.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct SyncSettings {
    #[serde(default)]
    pub entities: Vec<String>,
    #[serde(default = "default_interval_minutes")]
    pub interval_minutes: u32,
    #[serde(default = "default_history_days")]
    pub history_days: u32,
}

fn default_interval_minutes() -> u32 {
    60
}

fn default_history_days() -> u32 {
    30
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            entities: Vec::new(),
            interval_minutes: default_interval_minutes(),
            history_days: default_history_days(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    pub url: String,
    #[serde(default)]
    pub events: Vec<String>,
    /// How the webhooks are written and signed; absent: [`WebhookFormat::Standard`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub format: Option<WebhookFormat>,
}

impl WebhookSettings {
    pub fn format(&self) -> WebhookFormat {
        self.format.unwrap_or_default()
    }
}

/// How a connection's webhooks are written and signed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with our
    /// event JSON (contract.md).
    #[default]
    Standard,
    /// Makini's legacy payload `{"event", "body": [ids]}`, an HMAC-SHA256 of the body in hex in
    /// `X-Webhook-Signature` (makini-api.md), per record change kind after a sync run and per
    /// event about the connection.
    Makini,
}

impl WebhookFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Makini => "makini",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "standard" => Some(Self::Standard),
            "makini" => Some(Self::Makini),
            _ => None,
        }
    }
}

/// `POST /api/v1/connections`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct CreateConnection {
    pub customer_id: String,
    pub system_id: String,
    pub deployment: Deployment,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub user_metadata: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub sync: Option<SyncSettings>,
    #[serde(default)]
    pub webhook: Option<WebhookSettings>,
}

/// Answer to a create: the token and webhook secret are shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct ConnectionCreated {
    pub connection: Connection,
    pub token: String,
    pub webhook_secret: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Default, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Reauthorize {
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    /// Who authorized (an email or name); defaults to the admin client.
    #[serde(default)]
    pub authorized_by: Option<String>,
}

/// Answer to a reauthorization or a token reissue: the new token, shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct ConnectionToken {
    pub connection: Connection,
    pub token: String,
    /// Set when the credentials identify another account or instance than before.
    pub identity_changed: bool,
}

/// What a named connection token may do. `read` reaches the data routes' reads only.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema, Default, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    #[default]
    Read,
    Full,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Full => "full",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "read" => Some(Self::Read),
            "full" => Some(Self::Full),
            _ => None,
        }
    }
}

/// `POST /api/v1/connections/{id}/tokens`: an additional token under a name, beside the
/// connection's main token, which it never replaces. Issuing a name again replaces only the
/// token of that name.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct IssueNamedToken {
    /// 1-64 characters: letters, digits, `-`, `_`, `.`.
    pub name: String,
    #[serde(default)]
    pub scope: TokenScope,
}

/// A named token as listed: never its value.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema, ts_rs::TS)]
pub struct NamedToken {
    pub name: String,
    pub scope: TokenScope,
    pub issued_at: DateTime<Utc>,
    /// Set once revoked (by name, by a disconnect, or by a reauthorization into another
    /// account or instance).
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The answer to issuing a named token: its value, shown this once.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema, ts_rs::TS)]
pub struct NamedTokenIssued {
    #[serde(flatten)]
    pub named: NamedToken,
    pub token: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Default, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct TestConnection {
    /// Credentials to check instead of the stored ones (the wizard's "test" button).
    #[serde(default)]
    pub credentials: Option<BTreeMap<String, String>>,
}

/// `POST /api/v1/systems/{id}/test`: candidate credentials checked against a system before
/// any connection exists (the wizard's test step); nothing is created or changed.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct TestCredentials {
    pub deployment: Deployment,
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct TestCheck {
    pub name: String,
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct TestResult {
    pub ok: bool,
    pub checks: Vec<TestCheck>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Default, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Activate {
    #[serde(default)]
    pub overage: bool,
}

/// `POST /api/v1/magic-links`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct CreateMagicLink {
    pub customer_id: String,
    #[serde(default)]
    pub system_id: Option<String>,
    pub name: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub user_metadata: serde_json::Map<String, serde_json::Value>,
    /// Seconds the link stays usable (default 7 days).
    #[serde(default)]
    pub expires_in: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct MagicLink {
    pub id: String,
    pub url: String,
    pub connection_id: String,
    pub expires_at: DateTime<Utc>,
}

/// What the customer's IT admin submits to finish a magic link.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct CompleteMagicLink {
    #[serde(default)]
    pub system_id: Option<String>,
    pub deployment: Deployment,
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    /// The person completing the flow.
    pub authorized_by: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema, ts_rs::TS)]
pub struct WebhookSecret {
    pub secret: String,
}
