//! The webhook inbox: verify, store first, answer fast, process once; the inspector's queries.
//!
//! ```text
//! POST /webhooks ─> receiver (verify.rs) ─> writer (group commit) ─> inbox.db ─> 200/4xx
//!                                                     │
//!                          processor (in arrival order, once) ─> connection_state + hooks
//!                          search indexer (in the background) ─> webhook_search (FTS5)
//! ```
//!
//! Start with [`Inbox::open`], serve [`Inbox::router`] (or [`Inbox::serve`]), and query with
//! [`Inbox::list`], [`Inbox::show`], [`Inbox::replay`], [`Inbox::forward`].

mod checkpoint;
mod config;
mod connection_state;
mod edits;
mod error;
mod explain;
mod forward;
mod inbox;
mod insert;
mod inspector;
mod intake_timing;
mod makini;
mod model;
mod pages;
mod processor;
mod receiver;
mod samples;
mod search_index;
mod store;
mod verify;
mod writer;

pub use config::{Durability, InboxConfig, MAX_BODY_BYTES};
pub use connection_state::{status_of as event_status, version as event_version};
pub use edits::{Edit, WebhookEdit, EDIT_OF_HEADER};
pub use error::{ApplyError, InboxError};
pub use explain::{explain, ExplainKeys, ExplainStep, SignatureExplanation};
pub use forward::{
    check_url, http_client, send_event, send_signed, send_test_event, ForwardResult, HeldBack,
    SendResult, WatchOutcome, WatchPass, Watched,
};
pub use inbox::Inbox;
pub use inspector::MAX_PAGE;
pub use intake_timing::IntakeTiming;
pub use makini::{ChangeKind, RecordChange};
pub use model::{
    CatchUpReport, ConnectionState, InboxEvent, InboxStats, InspectorPage, ListFilter,
    ListedWebhook, PageOrder, Processing, Sibling, SignatureCheck, Source, TestMark, WebhookDetail,
    WebhookPage, WebhookSummary, TEST_HEADER,
};
pub use pages::ReplayPreview;
pub use processor::EventApplier;
pub use samples::{test_event, test_events};
pub use store::DB_FILE;
pub use verify::{
    is_json_content_type, judge, judge_request, legacy_event_id, EventMeta, Scheme, Verdict,
};
