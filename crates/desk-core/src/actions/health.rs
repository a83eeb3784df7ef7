//! Health at a glance: one word per connection, derived in one place from what the platform
//! reports (status, online, reauthorization), so the overview, the filters and the counts agree.

use desk_platform::connection::{Connection, ConnectionStatus};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Live, online, authorized.
    Healthy,
    /// The customer must reconnect it; its data calls fail until then.
    NeedsReauthorization,
    /// Its system does not answer the platform.
    Offline,
    /// Created without credits; not synced until activated.
    Inactive,
    /// A magic link waits for the customer's IT admin.
    Pending,
    /// Token invalid, syncs stopped; its data is kept.
    Disconnected,
}

impl Health {
    pub const ALL: [Self; 6] = [
        Self::Healthy,
        Self::NeedsReauthorization,
        Self::Offline,
        Self::Inactive,
        Self::Pending,
        Self::Disconnected,
    ];

    pub fn of(connection: &Connection) -> Self {
        match connection.status {
            ConnectionStatus::Disconnected => Self::Disconnected,
            ConnectionStatus::Pending => Self::Pending,
            ConnectionStatus::Inactive => Self::Inactive,
            _ if connection.reauthorization_required => Self::NeedsReauthorization,
            _ if !connection.online => Self::Offline,
            _ => Self::Healthy,
        }
    }

    /// Someone should act: reauthorize, or find out why the system is offline.
    pub fn needs_attention(self) -> bool {
        matches!(self, Self::NeedsReauthorization | Self::Offline)
    }

    /// The mirror's name for it (the mirror computes health in SQL, by the same rule).
    pub(crate) fn to_store(self) -> desk_store::Health {
        match self {
            Self::Healthy => desk_store::Health::Healthy,
            Self::NeedsReauthorization => desk_store::Health::NeedsReauthorization,
            Self::Offline => desk_store::Health::Offline,
            Self::Inactive => desk_store::Health::Inactive,
            Self::Pending => desk_store::Health::Pending,
            Self::Disconnected => desk_store::Health::Disconnected,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::NeedsReauthorization => "needs_reauthorization",
            Self::Offline => "offline",
            Self::Inactive => "inactive",
            Self::Pending => "pending",
            Self::Disconnected => "disconnected",
        }
    }
}
