//! The app's HTTP client for the platform API (the local engine, or a self-hosted one).
//!
//! - [`PlatformClient`]: admin routes with the account's client credentials. It logs in with the
//!   client-credentials grant, refreshes before expiry (rotating the pair), logs in again when a
//!   refresh fails, and shares one in-flight login among concurrent callers.
//! - [`ConnectionClient`]: data routes with one connection's token, behind that connection's
//!   circuit breaker.
//! - Every request has connect and overall timeouts and a bounded retry loop: 429, 503 and
//!   failed connects are retried with full-jitter exponential backoff, or after exactly the
//!   server's `Retry-After`; a POST is never resent once it may have been processed.
//! - Errors are [`ClientError`]s with a stable [`ClientError::code`]; lists are streams.
//! - rustls with TLS 1.2 at least; plain http only to loopback hosts.

mod admin;
mod auth;
mod base_url;
mod breaker;
mod config;
mod connections;
mod data;
mod deliveries;
mod error;
mod raw;
mod retry;
mod sandbox;
mod secret;
mod streams;
mod transport;

pub use admin::{EventFilter, LedgerFilter, PlatformClient, SystemFilter};
pub use auth::AuthStats;
pub use base_url::parse_base_url;
pub use breaker::{BreakerPolicy, BreakerState};
pub use config::{ClientConfig, Expiry, TokenEndpoint};
pub use connections::ConnectionFilter;
pub use data::{ConnectionClient, RecordQuery};
pub use deliveries::{DeliveryFilter, DeliveryState};
pub use error::ClientError;
pub use raw::{RawAnswer, RawRequest};
pub use reqwest::{Method, Url};
pub use retry::{parse_retry_after, RetryPolicy, Sleeper, TokioSleeper};
pub use sandbox::{FaultKind, SandboxFault, SandboxSettings, StartSync};
pub use secret::Secret;
pub use streams::ListOptions;
