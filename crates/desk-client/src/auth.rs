//! The admin access token: client-credentials login, refresh before expiry (the refresh grant
//! rotates the pair), and a fresh login when a refresh fails. One lock around the token makes
//! concurrent callers share a single in-flight login or refresh instead of racing to rotate it.

use crate::config::Expiry;
use crate::error::ClientError;
use crate::secret::Secret;
use crate::transport::{Answer, Body, Call, Transport};
use chrono::{DateTime, Utc};
use desk_platform::auth::TokenResponse;
use reqwest::Method;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;
use zeroize::Zeroize;

/// Counters of token traffic, for diagnostics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuthStats {
    pub logins: u64,
    pub refreshes: u64,
    pub failed_refreshes: u64,
}

#[derive(Debug)]
struct Tokens {
    access: Secret,
    refresh: Secret,
    /// When a call should no longer use `access` but refresh first.
    refresh_at: DateTime<Utc>,
}

#[derive(Debug)]
pub(crate) struct AdminAuth {
    client_id: String,
    client_secret: Secret,
    tokens: Mutex<Option<Tokens>>,
    logins: AtomicU64,
    refreshes: AtomicU64,
    failed_refreshes: AtomicU64,
}

impl AdminAuth {
    pub(crate) fn new(client_id: String, client_secret: Secret) -> Self {
        Self {
            client_id,
            client_secret,
            tokens: Mutex::new(None),
            logins: AtomicU64::new(0),
            refreshes: AtomicU64::new(0),
            failed_refreshes: AtomicU64::new(0),
        }
    }

    pub(crate) fn stats(&self) -> AuthStats {
        AuthStats {
            logins: self.logins.load(Ordering::Relaxed),
            refreshes: self.refreshes.load(Ordering::Relaxed),
            failed_refreshes: self.failed_refreshes.load(Ordering::Relaxed),
        }
    }

    /// A usable access token: the cached one, or one from a refresh or login done now.
    pub(crate) async fn access_token(&self, transport: &Transport) -> Result<Secret, ClientError> {
        // Held across the token call on purpose: whoever comes second waits and then finds the
        // fresh token, instead of spending (and so invalidating) the refresh token again.
        let mut tokens = self.tokens.lock().await;
        let now = transport.config().clock.now();
        if let Some(current) = tokens.as_ref().filter(|t| now < t.refresh_at) {
            return Ok(current.access.clone());
        }
        let fresh = match tokens.take() {
            Some(stale) => match self.refresh(transport, &stale.refresh).await {
                Ok(fresh) => fresh,
                Err(err) => {
                    self.failed_refreshes.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(
                        code = err.code(),
                        request_id = err.request_id(),
                        "refreshing the admin token failed; logging in again"
                    );
                    self.login(transport).await?
                }
            },
            None => self.login(transport).await?,
        };
        let access = fresh.access.clone();
        *tokens = Some(fresh);
        Ok(access)
    }

    /// Drops the cached token if it is still `rejected`, so the next call logs in afresh.
    pub(crate) async fn forget(&self, rejected: &Secret) {
        let mut tokens = self.tokens.lock().await;
        if tokens.as_ref().is_some_and(|t| &t.access == rejected) {
            *tokens = None;
        }
    }

    async fn login(&self, transport: &Transport) -> Result<Tokens, ClientError> {
        let form = grant_body(
            transport,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.expose()),
            ],
        )?;
        let tokens = self.grant(transport, form).await?;
        self.logins.fetch_add(1, Ordering::Relaxed);
        tracing::info!(client_id = %self.client_id, "logged in to the platform");
        Ok(tokens)
    }

    async fn refresh(
        &self,
        transport: &Transport,
        refresh: &Secret,
    ) -> Result<Tokens, ClientError> {
        let form = grant_body(
            transport,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.expose()),
            ],
        )?;
        let tokens = self.grant(transport, form).await?;
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        tracing::debug!("admin token refreshed");
        Ok(tokens)
    }

    async fn grant(&self, transport: &Transport, body: Body) -> Result<Tokens, ClientError> {
        let endpoint = &transport.config().token_endpoint;
        let mut call = Call::new(
            Method::POST,
            endpoint.path.iter().map(String::as_str).collect(),
        );
        call.body = Some(body);
        let Answer {
            path,
            request_id,
            body,
        } = transport.execute(&call).await?;
        let issued = transport.config().clock.now();
        // The answer holds both tokens in clear: wipe the buffer once they are parsed (the
        // conversion takes the buffer over without a copy when nothing else shares it).
        let mut raw = Vec::<u8>::from(body);
        let parsed = serde_json::from_slice::<TokenResponse>(&raw);
        raw.zeroize();
        let response = parsed.map_err(|err| ClientError::Decode {
            path,
            request_id,
            // serde's message names the missing field, never the values.
            message: format!("not a token answer: {err}"),
        })?;
        let lifetime = lifetime(endpoint.expiry, response.expires_in, issued);
        let margin = transport.config().refresh_margin.min(lifetime / 2);
        let refresh_at = issued
            + chrono::Duration::from_std(lifetime.saturating_sub(margin))
                .unwrap_or(chrono::Duration::zero());
        Ok(Tokens {
            access: Secret::new(response.access_token),
            refresh: Secret::new(response.refresh_token),
            refresh_at,
        })
    }
}

/// A year of seconds: an `expires_in` below this cannot be a Unix timestamp of any date this
/// code will meet, so it is a duration whatever the dialect says.
const TIMESTAMP_FLOOR: i64 = 365 * 24 * 3600;

/// How long a token answered at `issued` lives.
fn lifetime(expiry: Expiry, expires_in: i64, issued: DateTime<Utc>) -> Duration {
    let seconds = match expiry {
        Expiry::UnixTimestamp if expires_in >= TIMESTAMP_FLOOR => expires_in - issued.timestamp(),
        _ => expires_in,
    };
    Duration::from_secs(u64::try_from(seconds.max(1)).unwrap_or(1))
}

/// The grant's fields as the endpoint wants them: a form, or a JSON object. Held as a secret
/// either way: it carries the client secret or the refresh token.
fn grant_body(transport: &Transport, fields: &[(&str, &str)]) -> Result<Body, ClientError> {
    if transport.config().token_endpoint.json_body {
        let object: serde_json::Map<String, serde_json::Value> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).to_owned())))
            .collect();
        let text = serde_json::Value::Object(object).to_string();
        return Ok(Body::SecretJson(Secret::new(text)));
    }
    serde_urlencoded::to_string(fields)
        .map(|form| Body::Form(Secret::new(form)))
        .map_err(|err| ClientError::Decode {
            path: "(token request)".to_owned(),
            request_id: None,
            message: format!("the token request could not be encoded: {err}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_makini_expiry_timestamp_is_read_as_the_time_left() {
        let issued = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single();
        let issued = issued.unwrap_or_default();
        let thirty_days = issued.timestamp() + 30 * 86_400;
        assert_eq!(
            lifetime(Expiry::UnixTimestamp, thirty_days, issued),
            Duration::from_secs(30 * 86_400)
        );
        // A duration spelled where a timestamp is documented is still a duration.
        assert_eq!(
            lifetime(Expiry::UnixTimestamp, 3600, issued),
            Duration::from_secs(3600)
        );
        assert_eq!(
            lifetime(Expiry::Seconds, 3600, issued),
            Duration::from_secs(3600)
        );
        // Already expired: the shortest lifetime, so the next call refreshes.
        assert_eq!(
            lifetime(Expiry::UnixTimestamp, issued.timestamp() - 10, issued),
            Duration::from_secs(1)
        );
    }
}
