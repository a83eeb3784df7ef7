//! What the core tells whoever watches it: the window, the browser mode's event stream, the
//! CLI's progress lines. Subscribers that fall behind lose old events, never block the work.

use desk_platform::connection::{Connection, ConnectionStatus};
use serde::Serialize;
use tokio::sync::broadcast;

/// How many events a slow subscriber may fall behind before it misses some.
const CAPACITY: usize = 1024;

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DeskEvent {
    /// A sync of a profile into the mirror began.
    SyncStarted { profile: String },
    /// The account, customers, connections and ledger are mirrored.
    SyncDirectoryDone {
        profile: String,
        customers: usize,
        connections: usize,
        ledger_entries_added: u64,
    },
    /// The platform is still pulling from a connection's system; the app waits for it.
    WaitingForPlatform {
        profile: String,
        connection_id: String,
    },
    /// An entity's pull began; `expected_records` is what the platform holds of it when the
    /// walk asks for everything (a first or full sync), for a progress bar.
    EntitySyncStarted {
        profile: String,
        connection_id: String,
        entity: String,
        expected_records: Option<u64>,
        incremental: bool,
    },
    /// One page of records stored; `records` counts this entity's records so far in this run.
    RecordsPulled {
        profile: String,
        connection_id: String,
        entity: String,
        records: u64,
        resumed: bool,
    },
    /// An entity's pull ended (`state`: completed or failed).
    EntitySynced {
        profile: String,
        connection_id: String,
        entity: String,
        records: u64,
        state: String,
        error: Option<String>,
    },
    /// A connection whose records were not pulled, and why.
    ConnectionSkipped {
        profile: String,
        connection_id: String,
        reason: String,
    },
    SyncFinished {
        profile: String,
        records: u64,
        failures: usize,
    },
    /// The status poll found a connection whose health differs from the mirror's.
    ConnectionHealthChanged {
        profile: String,
        change: StatusChange,
    },
    /// A lifecycle action changed a connection; the mirror holds the platform's answer already.
    ConnectionChanged {
        profile: String,
        change: ConnectionChange,
        connection: Connection,
    },
    /// The account's credit pool as the platform reported it after a change.
    CreditsChanged {
        profile: String,
        purchased: i64,
        in_use: i64,
        available: i64,
        overage_in_use: i64,
    },
    /// The inbox stored a webhook (answered already): the inspector shows it at once.
    WebhookStored { webhook: desk_inbox::WebhookSummary },
    /// Processing finished for a webhook (processed, skipped or failed).
    WebhookProcessed { webhook: desk_inbox::WebhookSummary },
    /// The stream fell behind the inbox and `missed` of its news: a list should reload.
    WebhooksMissed { missed: u64 },
    /// The active profile changed (`profiles switch`); everything shown belongs to another
    /// platform now.
    ProfileSwitched { profile: String },
    /// An alert opened or changed; `open_count` is the profile's unresolved, unsnoozed alerts
    /// after the change (the navigation's count). `notify`: a new alert outside snooze and
    /// maintenance, for a desktop notification.
    AlertChanged {
        profile: String,
        change: AlertChangeKind,
        alert: desk_alerts::Alert,
        open_count: u32,
        notify: bool,
    },
}

/// What happened to an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AlertChangeKind {
    Opened,
    /// Another source reported it.
    Reported,
    Acknowledged,
    Snoozed,
    CustomerNotified,
    Reauthorized,
    /// A live check or a reauthorization did not heal it.
    CheckFailed,
    Resolved,
}

/// What a lifecycle action did to a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionChange {
    Created,
    Reauthorized,
    Activated,
    Disconnected,
    DataDeleted,
    MagicLinkCreated,
}

/// What the poll compares: the fields alerts and the overview show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ConnectionHealth {
    pub status: ConnectionStatus,
    pub online: bool,
    pub reauthorization_required: bool,
}

impl From<&Connection> for ConnectionHealth {
    fn from(connection: &Connection) -> Self {
        Self {
            status: connection.status,
            online: connection.online,
            reauthorization_required: connection.reauthorization_required,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StatusChange {
    pub connection_id: String,
    pub customer_id: String,
    /// `None`: the mirror did not know the connection yet.
    pub before: Option<ConnectionHealth>,
    pub after: ConnectionHealth,
}

/// A broadcast of [`DeskEvent`]s. Cheap to clone; every clone sends to the same subscribers.
#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<DeskEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
        }
    }
}

impl EventBus {
    pub fn subscribe(&self) -> broadcast::Receiver<DeskEvent> {
        self.sender.subscribe()
    }

    pub(crate) fn emit(&self, event: DeskEvent) {
        tracing::debug!(?event, "desk event");
        // No subscriber is not an error: nobody is watching right now.
        if self.sender.send(event).is_err() {
            tracing::trace!("no subscriber for desk events");
        }
    }
}
