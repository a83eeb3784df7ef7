//! How an inbox is set up: secrets, limits, durability, clock and extra appliers.

use crate::processor::EventApplier;
use desk_platform::clock::{Clock, SystemClock};
use desk_platform::webhook_signature::WebhookKey;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Bodies above this are answered 413 (contract.md).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// When an answered webhook is safe.
///
/// `Full` (the default) fsyncs the WAL on every group commit: an answered webhook survives a
/// power cut. `Normal` skips that fsync: an answered webhook still survives SIGKILL of the
/// process (the WAL is in the OS page cache, which outlives the process), but not a power cut
/// or kernel crash. Group commit makes the `Full` fsync cost one per batch, not one per webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    #[default]
    Full,
    Normal,
}

#[derive(Clone)]
pub struct InboxConfig {
    /// The Standard Webhooks secret (`whsec_...`); also the body-HMAC key unless
    /// `body_hmac_key` is set. `None` answers every request 401 (nothing can be verified).
    pub secret: Option<WebhookKey>,
    /// Per-profile secrets for `POST /webhooks/{profile}`; other profiles use `secret`.
    pub profile_secrets: HashMap<String, WebhookKey>,
    /// Header of Makini's plain body-HMAC scheme; `None` turns that scheme off.
    pub body_hmac_header: Option<String>,
    pub body_hmac_key: Option<WebhookKey>,
    /// Header naming the connection of a Makini-format webhook (whose payload names none); the
    /// request's `connection` query parameter is the fallback. `None`: the query only.
    pub makini_connection_header: Option<String>,
    pub max_body_bytes: usize,
    /// How much of a too-large body is kept for inspection.
    pub keep_of_too_large: usize,
    pub durability: Durability,
    /// Most requests committed in one transaction.
    pub max_batch: usize,
    pub clock: Arc<dyn Clock>,
    /// Hooks run after the built-in connection-state applier (see [`EventApplier`]).
    pub appliers: Vec<Arc<dyn EventApplier>>,
    /// Run the processor in this process. Read-only tools (`mdesk webhooks list`) turn it off.
    pub background_processing: bool,
    /// How often the processor looks for work queued by other processes (replays).
    pub poll_interval: Duration,
    /// Capacity of the live-tail channel; slow subscribers miss events beyond it.
    pub tail_capacity: usize,
}

impl std::fmt::Debug for InboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxConfig")
            .field("secret", &self.secret.as_ref().map(|_| "whsec_.."))
            .field("profiles", &self.profile_secrets.keys().collect::<Vec<_>>())
            .field("body_hmac_header", &self.body_hmac_header)
            .field("makini_connection_header", &self.makini_connection_header)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("durability", &self.durability)
            .field("max_batch", &self.max_batch)
            .field("appliers", &self.appliers.len())
            .field("background_processing", &self.background_processing)
            .finish_non_exhaustive()
    }
}

impl Default for InboxConfig {
    fn default() -> Self {
        Self {
            secret: None,
            profile_secrets: HashMap::new(),
            body_hmac_header: Some("x-webhook-signature".to_owned()),
            body_hmac_key: None,
            makini_connection_header: Some("x-makini-connection".to_owned()),
            max_body_bytes: MAX_BODY_BYTES,
            keep_of_too_large: 64 * 1024,
            durability: Durability::Full,
            max_batch: 256,
            clock: Arc::new(SystemClock),
            appliers: Vec::new(),
            background_processing: true,
            poll_interval: Duration::from_secs(1),
            tail_capacity: 1024,
        }
    }
}

impl InboxConfig {
    /// The usual setup: one secret for both schemes, everything else default.
    pub fn with_secret(secret: WebhookKey) -> Self {
        Self {
            secret: Some(secret),
            ..Self::default()
        }
    }

    pub fn standard_key(&self, profile: Option<&str>) -> Option<&WebhookKey> {
        profile
            .and_then(|name| self.profile_secrets.get(name))
            .or(self.secret.as_ref())
    }

    pub fn body_key(&self, profile: Option<&str>) -> Option<&WebhookKey> {
        profile
            .and_then(|name| self.profile_secrets.get(name))
            .or(self.body_hmac_key.as_ref())
            .or(self.secret.as_ref())
    }
}
