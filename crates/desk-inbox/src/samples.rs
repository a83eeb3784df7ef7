//! Test events of every type, with the data fields contract.md lists, for "send test event".

use chrono::{DateTime, Utc};
use desk_platform::event::{Event, EventType};
use serde_json::json;

/// A plausible event of `kind` for `connection_id`/`customer_id` at `at`, with a fresh
/// `evt_test_...` id.
pub fn test_event(
    kind: EventType,
    connection_id: &str,
    customer_id: &str,
    at: DateTime<Utc>,
) -> Event {
    let data = match kind {
        EventType::ConnectionCreated => json!({"status": "active", "online": true}),
        EventType::ConnectionStatusChanged => {
            json!({"previous": "active", "current": "inactive", "online": false})
        }
        EventType::ConnectionReauthorizationRequired => {
            json!({"reason": "the system rejected the stored credentials"})
        }
        EventType::ConnectionReauthorized => json!({}),
        EventType::ConnectionDisconnected => json!({"credits_returned": 2}),
        EventType::SyncCompleted => json!({
            "sync_id": format!("sync_test_{:08x}", rand::random::<u32>()),
            "kind": "incremental",
            "entities": ["work-orders", "assets"],
            "records": 42
        }),
        EventType::SyncFailed => json!({
            "sync_id": format!("sync_test_{:08x}", rand::random::<u32>()),
            "error": "the system answered 503 Service Unavailable"
        }),
        EventType::SystemError => json!({"error": "connection to the on-premises agent was lost"}),
        EventType::CreditsLow => json!({"available": 2, "purchased": 50}),
    };
    let account_wide = kind == EventType::CreditsLow;
    Event {
        id: format!("evt_test_{:016x}", rand::random::<u64>()),
        event_type: kind,
        created_at: at,
        connection_id: (!account_wide).then(|| connection_id.to_owned()),
        customer_id: (!account_wide).then(|| customer_id.to_owned()),
        data,
    }
}

/// One test event of every type, a second apart, in the order they would happen.
pub fn test_events(connection_id: &str, customer_id: &str, start: DateTime<Utc>) -> Vec<Event> {
    EventType::ALL
        .into_iter()
        .zip(0..)
        .map(|(kind, offset)| {
            test_event(
                kind,
                connection_id,
                customer_id,
                start + chrono::Duration::seconds(offset),
            )
        })
        .collect()
}
