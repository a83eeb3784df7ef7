//! Judging one request: content type, signature, body shape. Pure, so the fuzz target and unit
//! tests reach every answer without a server.
//!
//! Order of checks: size (413, done while reading), content type (415), signature (401), body
//! shape (400). The signature comes before the body so an unauthenticated sender learns nothing
//! about what we would accept.

use crate::config::InboxConfig;
use crate::makini;
use crate::model::SignatureCheck;
use desk_platform::webhook_signature::{verify_body_hmac, verify_standard, StandardHeaders};
use desk_platform::ErrorCode;
use http::HeaderMap;
use sha2::{Digest, Sha256};

/// Which signature scheme a request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Standard,
    BodyHmac,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::BodyHmac => "body_hmac",
        }
    }
}

/// What the body says about itself, read best effort even from rejected requests so the
/// inspector can show them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventMeta {
    pub id: Option<String>,
    pub event_type: Option<String>,
    pub connection_id: Option<String>,
    pub customer_id: Option<String>,
    pub created_at: Option<String>,
    /// A Makini-format record change (`<entity>.<kind>` with a list of ids): every copy is
    /// processed, since its payload cannot tell a retry from a later change of the same records.
    pub record_change: bool,
}

/// The inbox's decision about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: u16,
    /// The error code of a non-200 answer.
    pub code: Option<ErrorCode>,
    pub answer_reason: String,
    pub scheme: Option<Scheme>,
    pub signature: SignatureCheck,
    pub signature_reason: Option<String>,
    pub meta: EventMeta,
    /// True when the request goes to processing (or is a duplicate of one that did).
    pub accepted: bool,
}

/// True for `application/json` and `application/*+json`, parameters allowed.
pub fn is_json_content_type(value: Option<&str>) -> bool {
    let Some(value) = value else { return false };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    // A header that is not visible ASCII cannot hold a valid signature; treating it as absent
    // would report "missing" for a request that did send one, so keep a marker instead.
    headers
        .get(name)
        .map(|value| value.to_str().unwrap_or("\u{fffd}"))
}

/// The id given to a legacy Makini payload, which carries none: retries resend the same body,
/// so the hash of the body deduplicates them.
pub fn legacy_event_id(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("legacy_{}", &hex::encode(digest)[..32])
}

/// Judges a request whose body was read completely (the caller answers 413 itself).
pub fn judge(
    config: &InboxConfig,
    profile: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
    now_unix: i64,
) -> Verdict {
    judge_request(config, profile, headers, None, body, now_unix)
}

/// [`judge`], with the request's query: a Makini-format payload's connection comes from the
/// configured header or the `connection` parameter (makini.rs).
pub fn judge_request(
    config: &InboxConfig,
    profile: Option<&str>,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
    now_unix: i64,
) -> Verdict {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let mut meta = read_meta(json.as_ref());
    if json.as_ref().is_some_and(makini::is_legacy) {
        meta.connection_id = makini::connection_of(config, headers, query);
    }
    let header_id = header(headers, "webhook-id").map(str::to_owned);
    if let Some(id) = &header_id {
        meta.id = Some(id.clone());
    }
    let reject = |status: u16, code: ErrorCode, reason: String, meta: EventMeta| Verdict {
        status,
        code: Some(code),
        answer_reason: reason,
        scheme: None,
        signature: SignatureCheck::Missing,
        signature_reason: None,
        meta,
        accepted: false,
    };

    let content_type = header(headers, "content-type");
    if !is_json_content_type(content_type) {
        let reason = match content_type {
            Some(value) => format!("content type {value:?} is not application/json"),
            None => "no content type; webhooks are sent as application/json".to_owned(),
        };
        return reject(415, ErrorCode::UnsupportedMediaType, reason, meta);
    }

    let (scheme, signature, signature_reason) =
        check_signature(config, profile, headers, body, now_unix);
    if signature != SignatureCheck::Valid {
        let reason = format!(
            "signature {}: {}",
            signature.as_str(),
            signature_reason.as_deref().unwrap_or("not checked")
        );
        let mut verdict = reject(401, ErrorCode::AuthenticationFailed, reason, meta);
        verdict.scheme = scheme;
        verdict.signature = signature;
        verdict.signature_reason = signature_reason;
        return verdict;
    }

    let mut verdict = Verdict {
        status: 200,
        code: None,
        answer_reason: "stored; signature valid".to_owned(),
        scheme,
        signature,
        signature_reason,
        meta,
        accepted: true,
    };
    if let Err(reason) = check_body(
        scheme,
        json.as_ref(),
        header_id.as_deref(),
        body,
        &mut verdict.meta,
    ) {
        verdict.status = 400;
        verdict.code = Some(ErrorCode::InvalidRequest);
        verdict.answer_reason = reason;
        verdict.accepted = false;
    }
    verdict
}

fn check_signature(
    config: &InboxConfig,
    profile: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
    now_unix: i64,
) -> (Option<Scheme>, SignatureCheck, Option<String>) {
    let standard = StandardHeaders {
        id: header(headers, "webhook-id"),
        timestamp: header(headers, "webhook-timestamp"),
        signature: header(headers, "webhook-signature"),
    };
    let uses_standard =
        standard.id.is_some() || standard.timestamp.is_some() || standard.signature.is_some();
    let body_header = config
        .body_hmac_header
        .as_deref()
        .and_then(|name| header(headers, name));
    if uses_standard {
        let Some(key) = config.standard_key(profile) else {
            return no_secret(Scheme::Standard);
        };
        return match verify_standard(key, standard, body, now_unix) {
            Ok(()) => (Some(Scheme::Standard), SignatureCheck::Valid, None),
            Err(err) => {
                let check = if err.is_missing() {
                    SignatureCheck::Missing
                } else if err.is_stale() {
                    SignatureCheck::Stale
                } else {
                    SignatureCheck::Invalid
                };
                (Some(Scheme::Standard), check, Some(err.to_string()))
            }
        };
    }
    if let Some(value) = body_header {
        let Some(key) = config.body_key(profile) else {
            return no_secret(Scheme::BodyHmac);
        };
        return match verify_body_hmac(key, Some(value), body) {
            Ok(()) => (Some(Scheme::BodyHmac), SignatureCheck::Valid, None),
            Err(err) => (
                Some(Scheme::BodyHmac),
                SignatureCheck::Invalid,
                Some(err.to_string()),
            ),
        };
    }
    let reason = match &config.body_hmac_header {
        Some(name) => format!("no webhook-signature (Standard Webhooks) nor {name} header"),
        None => "no webhook-signature header (Standard Webhooks)".to_owned(),
    };
    (None, SignatureCheck::Missing, Some(reason))
}

fn no_secret(scheme: Scheme) -> (Option<Scheme>, SignatureCheck, Option<String>) {
    let reason = "no webhook secret is configured for this receiver".to_owned();
    (Some(scheme), SignatureCheck::Invalid, Some(reason))
}

fn read_meta(json: Option<&serde_json::Value>) -> EventMeta {
    let text = |name: &str| {
        json.and_then(|value| value.get(name))
            .and_then(|value| value.as_str())
            .map(str::to_owned)
    };
    EventMeta {
        id: text("id"),
        event_type: text("type").or_else(|| text("event")),
        connection_id: text("connection_id"),
        customer_id: text("customer_id"),
        created_at: text("created_at"),
        record_change: false,
    }
}

/// A verified body must be a JSON object with `id` and `type`. A legacy Makini payload
/// (`{"event", "body"}`, body-HMAC scheme only) gets an id derived from its bytes.
fn check_body(
    scheme: Option<Scheme>,
    json: Option<&serde_json::Value>,
    header_id: Option<&str>,
    body: &[u8],
    meta: &mut EventMeta,
) -> Result<(), String> {
    let Some(json) = json else {
        return Err(match serde_json::from_slice::<serde_json::Value>(body) {
            Err(err) => format!("body is not JSON: {err}"),
            Ok(_) => "body is not JSON".to_owned(),
        });
    };
    let Some(object) = json.as_object() else {
        return Err("body is JSON but not an object".to_owned());
    };
    let body_id = object.get("id").and_then(|value| value.as_str());
    let body_type = object.get("type").and_then(|value| value.as_str());
    let legacy_event = object.get("event").and_then(|value| value.as_str());
    match (body_id, body_type) {
        (Some(id), Some(_)) => {
            if let Some(header_id) = header_id {
                if header_id != id {
                    return Err(format!(
                        "webhook-id header {header_id:?} differs from the body's id {id:?}"
                    ));
                }
            }
            Ok(())
        }
        _ if scheme == Some(Scheme::BodyHmac) && body_id.is_none() && legacy_event.is_some() => {
            meta.id = Some(legacy_event_id(body));
            meta.record_change = makini::record_change(json).is_some();
            Ok(())
        }
        (None, _) => Err("body lacks a string \"id\"".to_owned()),
        (Some(_), None) => Err("body lacks a string \"type\"".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use desk_platform::webhook_signature::WebhookKey;

    fn config() -> InboxConfig {
        InboxConfig::with_secret(WebhookKey::from_bytes(b"secret".to_vec()).unwrap())
    }

    fn signed(id: &str, ts: i64, body: &[u8]) -> HeaderMap {
        let key = WebhookKey::from_bytes(b"secret".to_vec()).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("webhook-id", id.parse().unwrap());
        headers.insert("webhook-timestamp", ts.to_string().parse().unwrap());
        headers.insert("webhook-signature", key.sign(id, ts, body).parse().unwrap());
        headers
    }

    #[test]
    fn json_content_types_with_parameters_and_suffixes_are_accepted() {
        assert!(is_json_content_type(Some(
            "application/json; charset=utf-8"
        )));
        assert!(is_json_content_type(Some("Application/JSON")));
        assert!(is_json_content_type(Some("application/cloudevents+json")));
        assert!(!is_json_content_type(Some("text/plain")));
        assert!(!is_json_content_type(None));
    }

    #[test]
    fn a_header_id_that_differs_from_the_body_id_is_a_bad_request() {
        let body = br#"{"id":"evt_2","type":"sync.completed"}"#;
        let verdict = judge(&config(), None, &signed("evt_1", 100, body), body, 100);
        assert_eq!(verdict.status, 400);
        assert!(verdict.answer_reason.contains("differs"));
    }

    #[test]
    fn a_legacy_payload_signed_with_the_body_hmac_gets_an_id_from_its_hash() {
        let body = br#"{"event":"assets.updated","body":["a1"]}"#;
        let key = WebhookKey::from_bytes(b"secret".to_vec()).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert(
            "x-webhook-signature",
            hex::encode(key.body_hmac(body)).parse().unwrap(),
        );
        let verdict = judge(&config(), None, &headers, body, 100);
        assert_eq!(verdict.status, 200, "{verdict:?}");
        assert_eq!(verdict.meta.id, Some(legacy_event_id(body)));
        assert_eq!(verdict.meta.event_type.as_deref(), Some("assets.updated"));
    }

    proptest::proptest! {
        // The bounded stand-in for a fuzz run: no header or body makes the judge panic, and
        // only verified, well-formed requests are ever accepted.
        #[test]
        fn no_request_crashes_the_judge_or_gets_accepted_unsigned(
            id in proptest::option::of("[ -~]{0,40}"),
            timestamp in proptest::option::of("[ -~]{0,20}"),
            signature in proptest::option::of("[ -~]{0,120}"),
            body_hmac in proptest::option::of("[ -~]{0,80}"),
            content_type in proptest::option::of("[ -~]{0,40}"),
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        ) {
            let mut headers = HeaderMap::new();
            let pairs = [
                ("webhook-id", id),
                ("webhook-timestamp", timestamp),
                ("webhook-signature", signature),
                ("x-webhook-signature", body_hmac),
                ("content-type", content_type),
            ];
            for (name, value) in pairs {
                if let Some(value) = value.and_then(|value| http::HeaderValue::from_str(&value).ok()) {
                    headers.insert(name, value);
                }
            }
            let verdict = judge(&config(), None, &headers, &body, 100);
            proptest::prop_assert!(!verdict.accepted || verdict.signature == SignatureCheck::Valid);
            proptest::prop_assert_eq!(verdict.accepted, verdict.status == 200);
        }
    }

    #[test]
    fn a_non_ascii_signature_header_is_invalid_not_missing() {
        let body = br#"{"id":"evt_1","type":"sync.completed"}"#;
        let mut headers = signed("evt_1", 100, body);
        headers.insert(
            "webhook-signature",
            http::HeaderValue::from_bytes(b"v1,\xff").unwrap(),
        );
        let verdict = judge(&config(), None, &headers, body, 100);
        assert_eq!(verdict.signature, SignatureCheck::Invalid);
    }
}
