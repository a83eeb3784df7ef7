//! Calls to routes this crate has no typed method for: another platform's API spoken through
//! the same transport (Makini's, in `desk-makini`), or support staff's raw calls. They get
//! everything a typed call gets: timeouts, retries with `Retry-After`, the breaker of a
//! connection's data calls, the admin token's refresh, and lenient error answers.

use crate::admin::PlatformClient;
use crate::data::ConnectionClient;
use crate::error::ClientError;
use crate::transport::{Answer, Call};
use bytes::Bytes;
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::borrow::Cow;

/// One request: path segments (each percent-encoded on its own), query pairs and a JSON body.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: Method,
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub json: Option<serde_json::Value>,
}

impl RawRequest {
    pub fn new(method: Method, segments: &[&str]) -> Self {
        Self {
            method,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            json: None,
        }
    }

    pub fn get(segments: &[&str]) -> Self {
        Self::new(Method::GET, segments)
    }

    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.json = Some(body);
        self
    }

    fn call(&self) -> Result<Call<'_>, ClientError> {
        let mut call = Call::new(
            self.method.clone(),
            self.segments.iter().map(String::as_str).collect(),
        );
        call.query = self
            .query
            .iter()
            .map(|(k, v)| (Cow::Owned(k.clone()), v.clone()))
            .collect();
        match &self.json {
            Some(body) => call.with_json(body),
            None => Ok(call),
        }
    }
}

/// A 2xx answer.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    pub path: String,
    pub request_id: Option<String>,
    pub body: Bytes,
}

impl RawAnswer {
    /// The body as `T`; an empty body reads as JSON `null` (a `DELETE` answering nothing).
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, ClientError> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|err| self.decode_error(err.to_string()))
    }

    /// An error about this answer's body, for a caller whose own checks failed.
    pub fn decode_error(&self, message: String) -> ClientError {
        ClientError::Decode {
            path: self.path.clone(),
            request_id: self.request_id.clone(),
            message,
        }
    }
}

impl From<Answer> for RawAnswer {
    fn from(answer: Answer) -> Self {
        Self {
            path: answer.path,
            request_id: answer.request_id,
            body: answer.body,
        }
    }
}

impl PlatformClient {
    /// Sends `request` with the admin access token.
    pub async fn raw(&self, request: &RawRequest) -> Result<RawAnswer, ClientError> {
        self.answer(request.call()?).await.map(RawAnswer::from)
    }
}

impl ConnectionClient {
    /// Sends `request` with this connection's token, behind its circuit breaker.
    pub async fn raw(&self, request: &RawRequest) -> Result<RawAnswer, ClientError> {
        let call = self.guarded(request.call()?);
        self.execute(&call).await.map(RawAnswer::from)
    }
}
