//! The HTTP face: `POST /webhooks` and `POST /webhooks/{profile}`.
//!
//! Every request that reaches the handler is stored (through the group-commit writer) before
//! it is answered, whatever the answer. The answer never depends on processing.

use crate::inbox::Inbox;
use crate::model::{SignatureCheck, Source, TEST_HEADER};
use crate::verify::{self, Verdict};
use crate::writer::{NewWebhook, Stored, StoredHeaders};
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use desk_platform::ErrorCode;
use desk_platform::ErrorEnvelope;
use futures::StreamExt as _;
use http::{HeaderMap, HeaderValue, StatusCode};
use std::borrow::Cow;
use std::net::SocketAddr;
use std::time::Duration;

/// A sender that trickles its body slower than this is cut off (slowloris).
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Headers whose values are credentials: stored as `[redacted]`, never in plain text.
const REDACTED_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
];

pub fn router(inbox: Inbox) -> Router {
    Router::new()
        .route("/webhooks", post(receive_default))
        .route("/webhooks/{profile}", post(receive_for_profile))
        // The handler reads and limits the body itself, so it can store and answer 413.
        .layer(DefaultBodyLimit::disable())
        .with_state(inbox)
}

async fn receive_default(State(inbox): State<Inbox>, request: Request) -> Response {
    receive(inbox, None, request).await
}

async fn receive_for_profile(
    State(inbox): State<Inbox>,
    Path(profile): Path<String>,
    request: Request,
) -> Response {
    receive(inbox, Some(profile), request).await
}

enum ReadBody {
    Complete(Vec<u8>),
    /// Above the limit: the kept beginning and how many bytes were seen (or declared).
    TooLarge(Vec<u8>, u64),
    Failed(String),
}

async fn read_body(body: Body, headers: &HeaderMap, max: usize, keep: usize) -> ReadBody {
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if let Some(declared) = declared.filter(|declared| *declared > max as u64) {
        // Do not read a body we will refuse anyway.
        return ReadBody::TooLarge(Vec::new(), declared);
    }
    let mut stream = body.into_data_stream();
    let mut buffer = Vec::new();
    loop {
        let chunk = match tokio::time::timeout(BODY_READ_TIMEOUT, stream.next()).await {
            Err(_) => return ReadBody::Failed("timed out reading the body".to_owned()),
            Ok(None) => return ReadBody::Complete(buffer),
            Ok(Some(Err(err))) => return ReadBody::Failed(format!("reading the body: {err}")),
            Ok(Some(Ok(chunk))) => chunk,
        };
        if buffer.len() + chunk.len() > max {
            let seen = (buffer.len() + chunk.len()) as u64;
            buffer.extend_from_slice(&chunk);
            buffer.truncate(keep);
            return ReadBody::TooLarge(buffer, seen);
        }
        buffer.extend_from_slice(&chunk);
    }
}

/// The headers as stored, credentials redacted; encoded here rather than in the writer (see
/// [`StoredHeaders`]), straight from the header map without a copy of each name and value.
fn stored_headers(headers: &HeaderMap) -> Result<StoredHeaders, serde_json::Error> {
    struct Pairs<'a>(&'a HeaderMap);
    impl serde::Serialize for Pairs<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.0.iter().map(|(name, value)| {
                let value = if REDACTED_HEADERS.contains(&name.as_str()) {
                    Cow::Borrowed("[redacted]")
                } else {
                    String::from_utf8_lossy(value.as_bytes())
                };
                (name.as_str(), value)
            }))
        }
    }
    Ok(StoredHeaders {
        json: serde_json::to_string(&Pairs(headers))?,
        test: headers.contains_key(TEST_HEADER),
    })
}

fn request_id() -> String {
    format!("req_{:016x}", rand::random::<u64>())
}

async fn receive(inbox: Inbox, profile: Option<String>, request: Request) -> Response {
    let request_id = request_id();
    let config = inbox.config();
    let (parts, body) = request.into_parts();
    let received_at = config.clock.now();
    let remote_addr = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.to_string());
    let read = read_body(
        body,
        &parts.headers,
        config.max_body_bytes,
        config.keep_of_too_large,
    )
    .await;
    let (body, body_size, truncated, verdict) = match read {
        ReadBody::Complete(body) => {
            let verdict = verify::judge_request(
                config,
                profile.as_deref(),
                &parts.headers,
                parts.uri.query(),
                &body,
                received_at.timestamp(),
            );
            let size = body.len() as u64;
            (body, size, false, verdict)
        }
        ReadBody::TooLarge(kept, seen) => {
            let verdict = too_large(&parts.headers, config.max_body_bytes, seen);
            (kept, seen, true, verdict)
        }
        ReadBody::Failed(reason) => {
            // The sender is gone or stalled; nothing complete to store, and it will retry.
            tracing::info!(%reason, "webhook request abandoned");
            return error_answer(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidRequest,
                reason,
                &request_id,
            );
        }
    };
    let headers = match stored_headers(&parts.headers) {
        Ok(headers) => headers,
        Err(err) => {
            tracing::error!(error = %err, "request headers not encoded; answering 500");
            return error_answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalError,
                format!("not stored, retry later: {err}"),
                &request_id,
            );
        }
    };
    let webhook = NewWebhook {
        event_id: verdict.meta.id.clone(),
        source: Source::Webhook,
        profile,
        received_at,
        remote_addr,
        method: Some(parts.method.to_string()),
        path: Some(parts.uri.path().to_owned()),
        headers,
        body,
        body_size: i64::try_from(body_size).unwrap_or(i64::MAX),
        body_truncated: truncated,
        scheme: verdict.scheme.map(verify::Scheme::as_str),
        signature: verdict.signature,
        signature_reason: verdict.signature_reason.clone(),
        status: Some(verdict.status),
        answer_reason: Some(verdict.answer_reason.clone()),
        accepted: verdict.accepted,
        event_type: verdict.meta.event_type.clone(),
        connection_id: verdict.meta.connection_id.clone(),
        customer_id: verdict.meta.customer_id.clone(),
        event_created_at: verdict.meta.created_at.clone(),
        process_copies: verdict.meta.record_change,
    };
    match inbox.store(webhook).await {
        Ok(stored) => {
            // Debug, not info: the row itself is the record of the request, and the app's log
            // file takes info. A line per webhook cost a burst 7-30% of its rate in the bench
            // (with the app's file logging set up) and ~130 bytes of log per webhook.
            tracing::debug!(
                seq = stored.seq,
                id = ?verdict.meta.id,
                status = verdict.status,
                duplicate = stored.duplicate_of.is_some(),
                "webhook stored"
            );
            answer(&verdict, &stored, &request_id)
        }
        Err(err) => {
            tracing::error!(error = %err, "webhook not stored; answering 500 so the sender retries");
            error_answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalError,
                format!("not stored, retry later: {err}"),
                &request_id,
            )
        }
    }
}

fn too_large(headers: &HeaderMap, max: usize, seen: u64) -> Verdict {
    let id = headers
        .get("webhook-id")
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    // The signature covers the whole body, which was not read: it cannot be checked.
    let signed = headers.contains_key("webhook-signature");
    Verdict {
        status: 413,
        code: Some(ErrorCode::PayloadTooLarge),
        answer_reason: format!("body of at least {seen} bytes is above the limit of {max} bytes"),
        scheme: None,
        signature: if signed {
            SignatureCheck::Invalid
        } else {
            SignatureCheck::Missing
        },
        signature_reason: Some("not checked: the body was too large to read".to_owned()),
        meta: verify::EventMeta {
            id,
            ..verify::EventMeta::default()
        },
        accepted: false,
    }
}

fn answer(verdict: &Verdict, stored: &Stored, request_id: &str) -> Response {
    let status = StatusCode::from_u16(verdict.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let Some(code) = verdict.code else {
        let body = serde_json::json!({
            "received": true,
            "id": verdict.meta.id,
            "seq": stored.seq,
            "duplicate": stored.duplicate_of.is_some(),
            "duplicate_of": stored.duplicate_of.as_ref().map(|(_, id)| id),
        });
        return with_request_id((status, Json(body)).into_response(), request_id);
    };
    error_answer(status, code, verdict.answer_reason.clone(), request_id)
}

fn error_answer(
    status: StatusCode,
    code: ErrorCode,
    message: String,
    request_id: &str,
) -> Response {
    let body = ErrorEnvelope::new(code, message, request_id);
    with_request_id((status, Json(body)).into_response(), request_id)
}

fn with_request_id(mut response: Response, request_id: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
