//! The inbox's public data: what the inspector lists and shows, and what live tail broadcasts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The outcome of the signature check, as `mdesk webhooks list` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SignatureCheck {
    Valid,
    Invalid,
    Missing,
    Stale,
}

impl SignatureCheck {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Invalid => "invalid",
            Self::Missing => "missing",
            Self::Stale => "stale",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Valid, Self::Invalid, Self::Missing, Self::Stale]
            .into_iter()
            .find(|check| check.as_str() == s)
    }
}

/// Where a webhook is in processing. Rejected requests and duplicates are `Skipped` from the
/// start, with a note that says why: they are never processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Processing {
    Pending,
    Processed,
    Skipped,
    Failed,
}

impl Processing {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processed => "processed",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Processed, Self::Skipped, Self::Failed]
            .into_iter()
            .find(|state| state.as_str() == s)
    }
}

/// How a stored webhook reached the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A POST to the receiver.
    Webhook,
    /// Fetched from the platform's `GET /api/v1/events` by catch-up.
    Catchup,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Catchup => "catchup",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Webhook, Self::Catchup]
            .into_iter()
            .find(|source| source.as_str() == s)
    }
}

/// One row of `mdesk webhooks list --format json` (contract.md names the first nine fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct WebhookSummary {
    /// The event id (the `webhook-id` header); `None` when the request carried none.
    pub id: Option<String>,
    pub received_at: DateTime<Utc>,
    pub event_type: Option<String>,
    pub connection_id: Option<String>,
    pub signature: SignatureCheck,
    /// The id of the first copy when this request repeats an id already received.
    pub duplicate_of: Option<String>,
    pub out_of_order: bool,
    pub processing: Processing,
    pub error: Option<String>,
    /// Arrival number, unique per stored request (several requests share one `id`).
    pub seq: i64,
    /// The HTTP status answered; `None` for events fetched by catch-up.
    pub status: Option<u16>,
    pub customer_id: Option<String>,
    pub source: Source,
    pub profile: Option<String>,
    /// Why it was skipped, or what processing did, in words.
    pub note: Option<String>,
    /// Sent as a test (the app's `webhooks test`, header [`TEST_HEADER`]): shown, and applied
    /// to nothing unless it was sent to be applied.
    pub test: bool,
}

/// The header the app's own test sends carry: `show` (stored and shown, never applied to the
/// connection state, the mirror or alerts) or `apply` (applied, and marked as a test there).
pub const TEST_HEADER: &str = "x-mdesk-test";

/// How a request was marked as a test, from its stored headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestMark {
    Show,
    Apply,
}

impl TestMark {
    pub fn header_value(self) -> &'static str {
        match self {
            Self::Show => "show",
            Self::Apply => "apply",
        }
    }

    /// The mark in `headers` (names compared case aside); any value but `apply` means show.
    pub fn of(headers: &[(String, String)]) -> Option<Self> {
        headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(TEST_HEADER))
            .map(|(_, value)| match value.trim() {
                "apply" => Self::Apply,
                _ => Self::Show,
            })
    }

    /// The mark in headers stored as JSON (`[[name, value], ...]`).
    pub(crate) fn of_stored(headers: &str) -> Option<Self> {
        if !headers.contains(TEST_HEADER) {
            return None;
        }
        serde_json::from_str::<Vec<(String, String)>>(headers)
            .ok()
            .and_then(|headers| Self::of(&headers))
    }
}

/// One other request that carried the same event id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Sibling {
    pub seq: i64,
    pub received_at: DateTime<Utc>,
    pub signature: SignatureCheck,
    pub status: Option<u16>,
    pub duplicate_of: Option<String>,
}

/// Everything the inspector shows about one stored request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct WebhookDetail {
    #[serde(flatten)]
    pub summary: WebhookSummary,
    /// The event's own `created_at`, as sent.
    pub event_created_at: Option<String>,
    pub remote_addr: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    /// Headers in the order received; values are lossy UTF-8.
    pub headers: Vec<(String, String)>,
    /// The raw body as received, lossy UTF-8 (see `body_base64` for the exact bytes).
    pub body: String,
    pub body_base64: String,
    /// The body re-indented when it is JSON.
    pub body_pretty: Option<String>,
    pub body_size: i64,
    /// True when the body was above the limit and only its beginning was kept.
    pub body_truncated: bool,
    /// `standard` (Standard Webhooks) or `body_hmac` (Makini's plain body HMAC).
    pub scheme: Option<String>,
    /// The exact reason the signature check gave.
    pub signature_reason: Option<String>,
    /// Why the inbox answered what it answered.
    pub answer_reason: Option<String>,
    pub attempts: i64,
    pub processed_at: Option<DateTime<Utc>>,
    /// Every other stored request with the same event id.
    pub siblings: Vec<Sibling>,
}

/// Which order the inspector's pages come in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PageOrder {
    /// Arrival order (the inbox's own), newest first.
    #[default]
    ReceivedNewest,
    ReceivedOldest,
    /// The events' own `created_at`, newest first: shows what arrived out of order.
    CreatedNewest,
    CreatedOldest,
}

/// One row of an inspector page: the summary and the event's own creation time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ListedWebhook {
    #[serde(flatten)]
    pub summary: WebhookSummary,
    /// The event's `created_at` as sent.
    pub event_created_at: Option<String>,
}

/// A page at an offset, with how many match in all (for a virtual list's height).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct InspectorPage {
    pub rows: Vec<ListedWebhook>,
    pub total: i64,
    pub offset: i64,
}

/// Filters of the inspector's list; every field is optional and they combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListFilter {
    pub event_type: Option<String>,
    pub connection_id: Option<String>,
    pub customer_id: Option<String>,
    pub signature: Option<SignatureCheck>,
    pub processing: Option<Processing>,
    pub received_after: Option<DateTime<Utc>>,
    pub received_before: Option<DateTime<Utc>>,
    /// Plain text searched in the raw body (case-sensitive substring).
    pub text: Option<String>,
    /// The inspector's search box: a substring of the event id, type, connection id or body.
    #[serde(default)]
    pub search: Option<String>,
    pub id: Option<String>,
    /// Hide requests stored as duplicates.
    pub hide_duplicates: bool,
    /// Oldest first instead of newest first.
    pub oldest_first: bool,
    /// Page size: default 100, at most 1000.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One page of the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookPage {
    pub data: Vec<WebhookSummary>,
    pub next_cursor: Option<String>,
}

/// What live tail receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InboxEvent {
    /// A request was stored (and answered).
    Received { webhook: WebhookSummary },
    /// Processing finished for a webhook (processed, skipped or failed).
    Processed { webhook: WebhookSummary },
}

/// The connection state that the built-in applier keeps from events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionState {
    pub connection_id: String,
    pub customer_id: Option<String>,
    pub status: Option<String>,
    pub online: Option<bool>,
    pub reauthorization_required: bool,
    pub reauthorization_reason: Option<String>,
    pub disconnected: bool,
    pub last_sync_id: Option<String>,
    /// `completed` or `failed`.
    pub last_sync_result: Option<String>,
    pub last_sync_error: Option<String>,
    pub last_sync_records: Option<i64>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_system_error: Option<String>,
    pub last_system_error_at: Option<DateTime<Utc>>,
    /// The newest event applied to this connection.
    pub last_event_id: Option<String>,
    pub last_event_at: Option<DateTime<Utc>>,
}

/// Counts for badges and the inspector's header.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, ts_rs::TS,
)]
pub struct InboxStats {
    pub total: i64,
    pub pending: i64,
    pub processed: i64,
    pub skipped: i64,
    pub failed: i64,
    /// Answered with something other than 200.
    pub rejected: i64,
    pub duplicates: i64,
    pub out_of_order: i64,
}

/// What catch-up did with the events it was given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatchUpReport {
    /// Events stored now and queued for processing.
    pub stored: Vec<String>,
    /// Events already received (by webhook or an earlier catch-up): not stored again.
    pub already_received: Vec<String>,
    /// The last event id seen, to pass as `?after=` next time.
    pub last_event_id: Option<String>,
}
