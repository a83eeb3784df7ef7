//! `GET /api/v1/connections/{id}/sync-status`: where a connection's platform-side sync stands.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The platform's sync of one connection (not the app's pull into its mirror).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct SyncStatus {
    /// `idle`, `in_progress`, `completed` or `failed`; kept as text so a platform that adds a
    /// state is still readable.
    pub state: String,
    pub last_sync_id: Option<String>,
    pub last_successful_sync_at: Option<DateTime<Utc>>,
    pub next_sync_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// One line per entity the connection syncs, once it synced it at least once.
    #[serde(default)]
    pub entities: Vec<EntitySyncStatus>,
}

impl SyncStatus {
    /// The platform is pulling from the system right now.
    pub fn in_progress(&self) -> bool {
        self.state == "in_progress"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct EntitySyncStatus {
    pub entity: String,
    pub records: i64,
    /// The system time up to which changes were pulled (RFC 3339).
    pub cursor: DateTime<Utc>,
    pub last_sync_at: DateTime<Utc>,
}
