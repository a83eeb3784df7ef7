//! How a client behaves: timeouts, retries, the breaker, and the injected clock, sleeper and RNG
//! seed that let tests check exact schedules without waiting.

use crate::breaker::BreakerPolicy;
use crate::retry::{RetryPolicy, Sleeper, TokioSleeper};
use desk_platform::clock::{Clock, SystemClock};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Time to open the TCP connection and finish the TLS handshake.
    pub connect_timeout: Duration,
    /// Time for one whole attempt: connect, send, and read the full answer.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    pub breaker: BreakerPolicy,
    /// The admin token is refreshed this long before it expires (at most half its lifetime), so
    /// no call races the expiry.
    pub refresh_margin: Duration,
    pub clock: Arc<dyn Clock>,
    pub sleeper: Arc<dyn Sleeper>,
    /// Seed of the jitter RNG; `None` seeds from the OS.
    pub rng_seed: Option<u64>,
    /// Where and how the admin token is obtained: our platform's `/oauth/token`, or Makini's
    /// `/link/token`.
    pub token_endpoint: TokenEndpoint,
}

/// The admin token endpoint's dialect. Our platform follows OAuth 2.0 to the letter; Makini's
/// documented endpoint takes JSON and answers `expires_in` as a Unix timestamp of expiry
/// (makini-api.md), which read as seconds would mean a token valid for decades.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEndpoint {
    /// Path segments under the base URL.
    pub path: Vec<String>,
    /// The grant is sent as JSON instead of a form.
    pub json_body: bool,
    pub expiry: Expiry,
}

/// How the token answer's `expires_in` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Seconds from now (OAuth 2.0).
    Seconds,
    /// A Unix timestamp (Makini). A value that looks like a duration (smaller than a year of
    /// seconds) is read as one, so a platform that fixes its spelling keeps working.
    UnixTimestamp,
}

impl TokenEndpoint {
    /// `POST /oauth/token`, form-encoded, `expires_in` in seconds.
    pub fn platform() -> Self {
        Self {
            path: vec!["oauth".to_owned(), "token".to_owned()],
            json_body: false,
            expiry: Expiry::Seconds,
        }
    }

    /// Makini's `POST /link/token`, JSON, `expires_in` as an expiry timestamp.
    pub fn makini() -> Self {
        Self {
            path: vec!["link".to_owned(), "token".to_owned()],
            json_body: true,
            expiry: Expiry::UnixTimestamp,
        }
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            breaker: BreakerPolicy::default(),
            refresh_margin: Duration::from_secs(60),
            clock: Arc::new(SystemClock),
            sleeper: Arc::new(TokioSleeper),
            rng_seed: None,
            token_endpoint: TokenEndpoint::platform(),
        }
    }
}

impl ClientConfig {
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    pub fn with_rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = Some(seed);
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn with_breaker(mut self, breaker: BreakerPolicy) -> Self {
        self.breaker = breaker;
        self
    }

    pub fn with_token_endpoint(mut self, endpoint: TokenEndpoint) -> Self {
        self.token_endpoint = endpoint;
        self
    }

    pub fn with_timeouts(mut self, connect: Duration, request: Duration) -> Self {
        self.connect_timeout = connect;
        self.request_timeout = request;
        self
    }
}
