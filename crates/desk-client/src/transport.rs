//! One request to the platform, end to end: URL, timeouts, the retry loop, the breaker, and the
//! error answer turned into a [`ClientError`]. Admin and data clients share one transport.

use crate::breaker::{BreakerState, Breakers};
use crate::config::ClientConfig;
use crate::error::ClientError;
use crate::retry::{is_idempotent, parse_retry_after};
use crate::secret::Secret;
use bytes::Bytes;
use rand::rngs::StdRng;
use rand::SeedableRng;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const REQUEST_ID_HEADER: &str = "x-request-id";

/// A request body, kept as bytes so every attempt sends exactly the same thing.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    Json(Bytes),
    /// A form carrying credentials: held as a secret, never logged.
    Form(Secret),
    /// A JSON body carrying credentials (Makini's token endpoint), held like a form.
    SecretJson(Secret),
}

impl Body {
    pub(crate) fn json(value: &impl serde::Serialize) -> Result<Self, ClientError> {
        serde_json::to_vec(value)
            .map(|bytes| Self::Json(bytes.into()))
            .map_err(|err| ClientError::Decode {
                path: "(request body)".to_owned(),
                request_id: None,
                message: format!("the request body could not be encoded: {err}"),
            })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Call<'a> {
    pub method: Method,
    /// Path segments under the base URL, each percent-encoded on its own, so an id can never
    /// reach another route.
    pub segments: Vec<&'a str>,
    pub query: Vec<(Cow<'static, str>, String)>,
    pub body: Option<Body>,
    pub bearer: Option<Secret>,
    /// Names the connection in errors; with `guarded`, its circuit breaker is consulted.
    pub connection_id: Option<&'a str>,
    pub guarded: bool,
}

impl<'a> Call<'a> {
    pub(crate) fn new(method: Method, segments: Vec<&'a str>) -> Self {
        Self {
            method,
            segments,
            query: Vec::new(),
            body: None,
            bearer: None,
            connection_id: None,
            guarded: false,
        }
    }

    pub(crate) fn get(segments: Vec<&'a str>) -> Self {
        Self::new(Method::GET, segments)
    }

    pub(crate) fn post(segments: Vec<&'a str>) -> Self {
        Self::new(Method::POST, segments)
    }

    pub(crate) fn with_json(mut self, body: &impl serde::Serialize) -> Result<Self, ClientError> {
        self.body = Some(Body::json(body)?);
        Ok(self)
    }

    pub(crate) fn with_query(mut self, query: Vec<(&'static str, String)>) -> Self {
        self.query
            .extend(query.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)));
        self
    }

    /// Names the connection the call is about, so its errors say which one.
    pub(crate) fn about(mut self, connection_id: &'a str) -> Self {
        self.connection_id = Some(connection_id);
        self
    }
}

/// A 2xx answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub path: String,
    pub request_id: Option<String>,
    pub body: Bytes,
}

impl Answer {
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T, ClientError> {
        serde_json::from_slice(&self.body).map_err(|err| ClientError::Decode {
            path: self.path.clone(),
            request_id: self.request_id.clone(),
            message: err.to_string(),
        })
    }
}

#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    base: Url,
    config: ClientConfig,
    rng: Mutex<StdRng>,
    breakers: Arc<Breakers>,
}

/// What one attempt came to, before the retry loop decides.
struct Failure {
    error: ClientError,
    /// The server said it did not process the request (429, 503), or it never got it.
    unprocessed: bool,
    /// The request may or may not have been processed (a timeout or a reset after sending):
    /// only an idempotent method may be sent again.
    in_doubt: bool,
    retry_after: Option<Duration>,
}

impl Transport {
    pub(crate) fn new(base: Url, config: ClientConfig) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .min_tls_version(reqwest::tls::Version::TLS_1_2)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // The API never redirects; following one could carry the bearer token elsewhere or
            // downgrade to plain http.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("makini-desk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| ClientError::Setup { source })?;
        let rng = match config.rng_seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_entropy(),
        };
        let breakers = Arc::new(Breakers::new(config.breaker.clone(), config.clock.clone()));
        Ok(Self {
            http,
            base,
            config,
            rng: Mutex::new(rng),
            breakers,
        })
    }

    pub(crate) fn base(&self) -> &Url {
        &self.base
    }

    pub(crate) fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub(crate) fn breaker_state(&self, connection_id: &str) -> BreakerState {
        self.breakers.state(connection_id)
    }

    pub(crate) fn reset_breaker(&self, connection_id: &str) {
        self.breakers.reset(connection_id);
    }

    fn url(&self, call: &Call<'_>) -> Result<Url, ClientError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| ClientError::InvalidUrl {
                url: self.base.to_string(),
                reason: "the base URL cannot take a path".to_owned(),
            })?
            .pop_if_empty()
            .extend(call.segments.iter());
        if !call.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(call.query.iter().map(|(k, v)| (k.as_ref(), v.as_str())));
        }
        Ok(url)
    }

    /// Sends `call`, retrying what may be retried, and returns a 2xx answer or the error.
    pub(crate) async fn execute(&self, call: &Call<'_>) -> Result<Answer, ClientError> {
        let permit = match (call.guarded, call.connection_id) {
            (true, Some(id)) => Some(self.breakers.admit(id)?),
            _ => None,
        };
        let result = self.with_retries(call).await;
        if let Some(permit) = permit {
            permit.settle(result.as_ref().err().is_some_and(ClientError::is_transient));
        }
        result
    }

    async fn with_retries(&self, call: &Call<'_>) -> Result<Answer, ClientError> {
        let url = self.url(call)?;
        let policy = &self.config.retry;
        let started = self.config.clock.now();
        let mut attempt: u32 = 1;
        loop {
            let failure = match self.attempt(call, &url).await {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            let retryable =
                failure.unprocessed || (failure.in_doubt && is_idempotent(&call.method));
            if !retryable || attempt >= policy.max_attempts.max(1) {
                return Err(failure.error);
            }
            let wait = match failure.retry_after {
                Some(wait) => wait,
                None => {
                    let mut rng = self
                        .rng
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                    policy.jittered_delay(attempt, &mut *rng)
                }
            };
            let elapsed = (self.config.clock.now() - started)
                .to_std()
                .unwrap_or(Duration::ZERO);
            if elapsed.saturating_add(wait) > policy.max_total {
                tracing::info!(method = %call.method, path = url.path(), attempt, wait_ms = wait.as_millis() as u64,
                    code = failure.error.code(), "giving up: the next retry would pass the time budget");
                return Err(failure.error);
            }
            tracing::info!(method = %call.method, path = url.path(), attempt, wait_ms = wait.as_millis() as u64,
                code = failure.error.code(), request_id = failure.error.request_id(), "retrying");
            self.config.sleeper.sleep(wait).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, call: &Call<'_>, url: &Url) -> Result<Answer, Failure> {
        let path = url.path().to_owned();
        let mut request = self.http.request(call.method.clone(), url.clone());
        if let Some(token) = &call.bearer {
            // reqwest marks this header sensitive, so it is left out of its own debug output.
            request = request.bearer_auth(token.expose());
        }
        request = match &call.body {
            Some(Body::Json(bytes)) => request
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Some(Body::Form(form)) => request
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form.expose().to_owned()),
            Some(Body::SecretJson(json)) => request
                .header(CONTENT_TYPE, "application/json")
                .body(json.expose().to_owned()),
            None => request,
        };
        let response = request
            .send()
            .await
            .map_err(|err| self.transport_failure(call, &path, err))?;
        let status = response.status().as_u16();
        let request_id = response
            .headers()
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, self.config.clock.now()));
        let body = response
            .bytes()
            .await
            .map_err(|err| self.transport_failure(call, &path, err))?;
        tracing::debug!(method = %call.method, path = %path, status, request_id = request_id.as_deref(), "answer");
        if (200..300).contains(&status) {
            return Ok(Answer {
                path,
                request_id,
                body,
            });
        }
        let unprocessed = status == 429 || status == 503;
        Err(Failure {
            error: ClientError::from_answer(
                status,
                request_id,
                retry_after,
                &body,
                call.connection_id,
            ),
            unprocessed,
            in_doubt: false,
            retry_after: retry_after.filter(|_| unprocessed),
        })
    }

    fn transport_failure(&self, call: &Call<'_>, path: &str, err: reqwest::Error) -> Failure {
        let method = call.method.to_string();
        // A failed connect means the server never saw the request: safe to send again, even a
        // POST. A timeout or a reset after sending may have been processed: only idempotent
        // methods are retried (decided by the caller).
        let unprocessed = err.is_connect();
        let url = self.base.as_str().trim_end_matches('/').to_owned();
        let error = if err.is_timeout() {
            ClientError::Timeout {
                method,
                path: path.to_owned(),
                url,
            }
        } else {
            ClientError::Transport {
                method,
                path: path.to_owned(),
                url,
                reason: crate::error::transport_reason(&err),
            }
        };
        Failure {
            error,
            unprocessed,
            in_doubt: !unprocessed,
            retry_after: None,
        }
    }
}
