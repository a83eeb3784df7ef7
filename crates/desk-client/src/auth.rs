//! The admin access token: client-credentials login, refresh before expiry (the refresh grant
//! rotates the pair), and a fresh login when a refresh fails. One lock around the token makes
//! concurrent callers share a single in-flight login or refresh instead of racing to rotate it.

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
        let form = Secret::new(
            serde_urlencoded::to_string([
                ("grant_type", "client_credentials"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.expose()),
            ])
            .map_err(|err| encode_error(&err))?,
        );
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
        let form = Secret::new(
            serde_urlencoded::to_string([
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.expose()),
            ])
            .map_err(|err| encode_error(&err))?,
        );
        let tokens = self.grant(transport, form).await?;
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        tracing::debug!("admin token refreshed");
        Ok(tokens)
    }

    async fn grant(&self, transport: &Transport, form: Secret) -> Result<Tokens, ClientError> {
        let mut call = Call::new(Method::POST, vec!["oauth", "token"]);
        call.body = Some(Body::Form(form));
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
        let lifetime = Duration::from_secs(u64::try_from(response.expires_in.max(1)).unwrap_or(1));
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

fn encode_error(err: &serde_urlencoded::ser::Error) -> ClientError {
    ClientError::Decode {
        path: "/oauth/token".to_owned(),
        request_id: None,
        message: format!("the token request could not be encoded: {err}"),
    }
}
