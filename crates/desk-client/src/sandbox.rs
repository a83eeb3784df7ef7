//! Syncs of a connection, and the sandbox routes of the local engine.
//!
//! Sync answers are returned as JSON values: their types live in desk-engine for now, and the
//! client must not grow a second copy; switch to the desk-platform types once they move there.

use crate::admin::PlatformClient;
use crate::error::ClientError;
use crate::transport::Call;
use desk_platform::account::{Account, Plan};
use desk_platform::connection::Connection;
use desk_platform::ledger::LedgerEntry;
use desk_platform::sync::SyncStatus;
use reqwest::Method;
use serde::Serialize;

/// `POST /api/v1/connections/{id}/syncs`: a manual sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StartSync {
    /// Only these entities; `None` for all the connection syncs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<String>>,
    /// Ignore the cursors and pull everything again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full: Option<bool>,
}

/// How a sandbox system misbehaves on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    ExpireCredentials,
    GoOffline,
    ComeOnline,
    RateLimit,
    FailNextSync,
    SystemError,
}

/// `POST /api/v1/sandbox/connections/{id}/faults`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SandboxFault {
    pub kind: FaultKind,
    /// For `go_offline` and `rate_limit`: how long it lasts (the engine's default otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<i64>,
}

impl SandboxFault {
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            duration_seconds: None,
        }
    }
}

/// `PUT /api/v1/sandbox/connections/{id}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SandboxSettings {
    /// Records per entity an initial sync finds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records_per_entity: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_per_minute: Option<i64>,
}

#[derive(Serialize)]
struct Purchase {
    credits: i64,
}

#[derive(Serialize)]
struct SetPlan {
    plan: Plan,
}

impl PlatformClient {
    /// `GET /api/v1/connections/{id}/sync-status`: where the platform's own sync stands.
    pub async fn sync_status(&self, id: &str) -> Result<SyncStatus, ClientError> {
        self.send(Call::get(vec!["api", "v1", "connections", id, "sync-status"]).about(id))
            .await
    }

    /// `POST /api/v1/connections/{id}/syncs`: queues a manual sync; answers the sync status.
    pub async fn start_sync(
        &self,
        id: &str,
        request: &StartSync,
    ) -> Result<serde_json::Value, ClientError> {
        let call = Call::post(vec!["api", "v1", "connections", id, "syncs"]).about(id);
        self.send(call.with_json(request)?).await
    }

    /// Makes a sandbox system misbehave (local engine only); answers the connection after it.
    pub async fn sandbox_fault(
        &self,
        id: &str,
        fault: &SandboxFault,
    ) -> Result<Connection, ClientError> {
        let call = Call::post(vec!["api", "v1", "sandbox", "connections", id, "faults"]);
        self.send(call.about(id).with_json(fault)?).await
    }

    /// Sizes a sandbox system and its rate limit (local engine only).
    pub async fn sandbox_configure(
        &self,
        id: &str,
        settings: &SandboxSettings,
    ) -> Result<(), ClientError> {
        let call = Call::new(Method::PUT, vec!["api", "v1", "sandbox", "connections", id]);
        self.answer(call.about(id).with_json(settings)?)
            .await
            .map(drop)
    }

    /// Buys credits for the local account: one `purchase` ledger entry (local engine only).
    pub async fn sandbox_purchase_credits(&self, credits: i64) -> Result<LedgerEntry, ClientError> {
        let call = Call::post(vec!["api", "v1", "sandbox", "credits"]);
        self.send(call.with_json(&Purchase { credits })?).await
    }

    /// Switches the local account between trial and paid (local engine only).
    pub async fn sandbox_set_plan(&self, plan: Plan) -> Result<Account, ClientError> {
        let call = Call::new(Method::PUT, vec!["api", "v1", "sandbox", "plan"]);
        self.send(call.with_json(&SetPlan { plan })?).await
    }
}
