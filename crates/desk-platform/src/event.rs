//! Lifecycle events: the same objects are sent as webhooks and listed by `GET /api/v1/events`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub enum EventType {
    #[serde(rename = "connection.created")]
    ConnectionCreated,
    #[serde(rename = "connection.status_changed")]
    ConnectionStatusChanged,
    #[serde(rename = "connection.reauthorization_required")]
    ConnectionReauthorizationRequired,
    #[serde(rename = "connection.reauthorized")]
    ConnectionReauthorized,
    #[serde(rename = "connection.disconnected")]
    ConnectionDisconnected,
    #[serde(rename = "sync.completed")]
    SyncCompleted,
    #[serde(rename = "sync.failed")]
    SyncFailed,
    #[serde(rename = "system.error")]
    SystemError,
    #[serde(rename = "credits.low")]
    CreditsLow,
}

impl EventType {
    pub const ALL: [Self; 9] = [
        Self::ConnectionCreated,
        Self::ConnectionStatusChanged,
        Self::ConnectionReauthorizationRequired,
        Self::ConnectionReauthorized,
        Self::ConnectionDisconnected,
        Self::SyncCompleted,
        Self::SyncFailed,
        Self::SystemError,
        Self::CreditsLow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConnectionCreated => "connection.created",
            Self::ConnectionStatusChanged => "connection.status_changed",
            Self::ConnectionReauthorizationRequired => "connection.reauthorization_required",
            Self::ConnectionReauthorized => "connection.reauthorized",
            Self::ConnectionDisconnected => "connection.disconnected",
            Self::SyncCompleted => "sync.completed",
            Self::SyncFailed => "sync.failed",
            Self::SystemError => "system.error",
            Self::CreditsLow => "credits.low",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == s)
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event, exactly the webhook body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub created_at: DateTime<Utc>,
    pub connection_id: Option<String>,
    pub customer_id: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_round_trips_through_its_wire_name() {
        for kind in EventType::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json.trim_matches('"'), kind.as_str());
            assert_eq!(EventType::parse(kind.as_str()), Some(kind));
        }
    }
}
