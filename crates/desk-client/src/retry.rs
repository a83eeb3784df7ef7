//! When to try a request again and how long to wait first: exponential backoff with full jitter,
//! or exactly what the server's `Retry-After` says.

use chrono::{DateTime, NaiveDateTime, Utc};
use futures::future::BoxFuture;
use rand::Rng;
use std::time::Duration;

/// Bounds of the retry loop around every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included; 1 turns retries off.
    pub max_attempts: u32,
    /// Ceiling of the first backoff; each later one doubles it, up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// No retry starts later than this after the first attempt (the wait before it counted); a
    /// `Retry-After` longer than what is left ends the loop at once with the server's answer,
    /// whose `retry_after` tells the caller when to come back.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_total: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The most the wait before retry number `retry` (1 for the first retry) may be:
    /// `min(max_delay, base_delay * 2^(retry - 1))`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// Full jitter (uniform between zero and the ceiling, in whole milliseconds), so many clients
    /// that failed together do not come back together.
    pub fn jittered_delay(&self, retry: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = u64::try_from(self.ceiling(retry).as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rng.gen_range(0..=ceiling))
    }
}

/// How the client waits between attempts; tests inject one that records and returns at once.
pub trait Sleeper: Send + Sync + std::fmt::Debug {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The real timer.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// `Retry-After` as delay-seconds or an HTTP date (IMF-fixdate, and the two obsolete forms HTTP
/// still requires recipients to accept). A date in the past means "now".
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(value, "%A, %d-%b-%y %H:%M:%S GMT").map(|d| d.and_utc())
        })
        .or_else(|_| {
            NaiveDateTime::parse_from_str(value, "%a %b %e %H:%M:%S %Y").map(|d| d.and_utc())
        })
        .ok()?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// GET, PUT, DELETE (and HEAD, OPTIONS) may be repeated without changing the outcome.
pub(crate) fn is_idempotent(method: &reqwest::Method) -> bool {
    matches!(
        *method,
        reqwest::Method::GET
            | reqwest::Method::PUT
            | reqwest::Method::DELETE
            | reqwest::Method::HEAD
            | reqwest::Method::OPTIONS
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rand::SeedableRng;

    #[test]
    fn ceilings_double_from_the_base_and_stop_at_the_cap() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            ..RetryPolicy::default()
        };
        let ceilings: Vec<u128> = (1..=6).map(|r| policy.ceiling(r).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(policy.ceiling(500), Duration::from_millis(1000));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 28, 0).unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wednesday, 21-Oct-15 07:28:10 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Wed Oct 21 07:28:05 2015", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    proptest::proptest! {
        #[test]
        fn jittered_delays_never_exceed_their_ceiling(seed: u64, retry in 1u32..40) {
            let policy = RetryPolicy::default();
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let delay = policy.jittered_delay(retry, &mut rng);
            proptest::prop_assert!(delay <= policy.ceiling(retry));
        }
    }
}
