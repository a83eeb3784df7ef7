//! The signature explainer: the check the receiver made, redone step by step from what was
//! stored, so the inspector can show which scheme, which secret (by name), the signed content,
//! the expected and the received signatures, the timestamp's skew, and why it failed in words.

use crate::model::{SignatureCheck, Source, WebhookDetail};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use desk_platform::webhook_signature::{WebhookKey, TIMESTAMP_TOLERANCE_SECONDS};
use serde::{Deserialize, Serialize};

/// How much of the signed content is shown (the body can be 1 MiB).
const SHOWN_CONTENT: usize = 2048;

/// One step of the check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ExplainStep {
    pub title: String,
    pub detail: String,
    /// `None`: nothing to pass or fail (a fact shown).
    pub passed: Option<bool>,
}

/// The check, explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SignatureExplanation {
    /// `standard`, `body_hmac`, or `None` (no signature header, or fetched by catch-up).
    pub scheme: Option<String>,
    /// The scheme in words: "Standard Webhooks", "Makini's body HMAC".
    pub scheme_name: String,
    /// The secret's name (never its value), when one is known to this inbox.
    pub secret_name: Option<String>,
    /// What the HMAC covers, as text (cut at 2 KiB; `signed_content_size` is the whole).
    pub signed_content: Option<String>,
    pub signed_content_size: Option<i64>,
    pub expected: Option<String>,
    /// The signatures the request carried.
    pub received: Vec<String>,
    pub timestamp: Option<i64>,
    /// Seconds from the sender's timestamp to the receipt (positive: it arrived later).
    pub skew_seconds: Option<i64>,
    pub tolerance_seconds: i64,
    pub verdict: SignatureCheck,
    /// Why, in words.
    pub reason: String,
    pub steps: Vec<ExplainStep>,
}

/// The keys the check used, as the inbox was configured, and the name the secret goes by.
pub struct ExplainKeys<'a> {
    pub standard: Option<&'a WebhookKey>,
    pub standard_name: &'a str,
    pub body_hmac: Option<&'a WebhookKey>,
    pub body_hmac_name: &'a str,
    pub body_hmac_header: Option<&'a str>,
}

fn header<'a>(detail: &'a WebhookDetail, name: &str) -> Option<&'a str> {
    detail
        .headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

fn step(title: &str, detail: String, passed: Option<bool>) -> ExplainStep {
    ExplainStep {
        title: title.to_owned(),
        detail,
        passed,
    }
}

fn shown(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(SHOWN_CONTENT)]).into_owned()
}

/// Redoes the check of `detail` with `keys`.
pub fn explain(detail: &WebhookDetail, keys: &ExplainKeys<'_>) -> SignatureExplanation {
    let summary = &detail.summary;
    let body = BASE64.decode(&detail.body_base64).unwrap_or_default();
    let reason = detail
        .signature_reason
        .clone()
        .unwrap_or_else(|| "the signature matched".to_owned());
    let mut explanation = SignatureExplanation {
        scheme: detail.scheme.clone(),
        scheme_name: "none".to_owned(),
        secret_name: None,
        signed_content: None,
        signed_content_size: None,
        expected: None,
        received: Vec::new(),
        timestamp: None,
        skew_seconds: None,
        tolerance_seconds: TIMESTAMP_TOLERANCE_SECONDS,
        verdict: summary.signature,
        reason,
        steps: Vec::new(),
    };
    if summary.source == Source::Catchup {
        explanation.scheme_name = "platform event log".to_owned();
        explanation.steps.push(step(
            "Source",
            "Fetched from the platform's event log over its authenticated API: no signature to \
             check."
                .to_owned(),
            None,
        ));
        return explanation;
    }
    match detail.scheme.as_deref() {
        Some("standard") => explain_standard(detail, &body, keys, &mut explanation),
        Some("body_hmac") => explain_body_hmac(detail, &body, keys, &mut explanation),
        _ => {
            explanation.steps.push(step(
                "Scheme",
                "No webhook-signature header (Standard Webhooks) and no body HMAC header: the \
                 request was not signed."
                    .to_owned(),
                Some(false),
            ));
        }
    }
    if detail.body_truncated {
        explanation.steps.push(step(
            "Stored body",
            format!(
                "Only the first part of the {} byte body was kept, so the expected signature \
                 shown is over what was kept.",
                detail.body_size
            ),
            None,
        ));
    }
    explanation.steps.push(step(
        "Verdict",
        format!("{}: {}", summary.signature.as_str(), explanation.reason),
        Some(summary.signature == SignatureCheck::Valid),
    ));
    explanation
}

fn explain_standard(
    detail: &WebhookDetail,
    body: &[u8],
    keys: &ExplainKeys<'_>,
    out: &mut SignatureExplanation,
) {
    out.scheme_name = "Standard Webhooks".to_owned();
    out.steps.push(step(
        "Scheme",
        "Standard Webhooks: HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{body}\", \
         base64, in webhook-signature as v1,<signature>."
            .to_owned(),
        None,
    ));
    let id = header(detail, "webhook-id");
    let timestamp_text = header(detail, "webhook-timestamp");
    let signatures = header(detail, "webhook-signature");
    for (name, value) in [
        ("webhook-id", id),
        ("webhook-timestamp", timestamp_text),
        ("webhook-signature", signatures),
    ] {
        if value.is_none() {
            out.steps.push(step(
                "Headers",
                format!("The {name} header is missing."),
                Some(false),
            ));
        }
    }
    out.received = signatures
        .map(|text| {
            text.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    out.timestamp = timestamp_text.and_then(|text| text.trim().parse().ok());
    if let Some(timestamp) = out.timestamp {
        let skew = detail.summary.received_at.timestamp() - timestamp;
        out.skew_seconds = Some(skew);
        out.steps.push(step(
            "Timestamp",
            format!(
                "Signed {} s {} it was received; at most {} s either way is accepted.",
                skew.abs(),
                if skew >= 0 { "before" } else { "after" },
                TIMESTAMP_TOLERANCE_SECONDS
            ),
            Some(skew.abs() <= TIMESTAMP_TOLERANCE_SECONDS),
        ));
    } else if let Some(text) = timestamp_text {
        out.steps.push(step(
            "Timestamp",
            format!("{text:?} is not a Unix time in seconds."),
            Some(false),
        ));
    }
    let Some(key) = keys.standard else {
        out.steps.push(step(
            "Secret",
            "No Standard Webhooks secret is configured for this inbox.".to_owned(),
            Some(false),
        ));
        return;
    };
    out.secret_name = Some(keys.standard_name.to_owned());
    out.steps.push(step(
        "Secret",
        format!("Checked with the secret named {:?}.", keys.standard_name),
        None,
    ));
    if let (Some(id), Some(timestamp)) = (id, out.timestamp) {
        let mut content = format!("{id}.{timestamp}.").into_bytes();
        content.extend_from_slice(body);
        out.signed_content = Some(shown(&content));
        out.signed_content_size = i64::try_from(content.len()).ok();
        let expected = format!("v1,{}", key.standard_signature(id, timestamp, body));
        let matched = out.received.contains(&expected);
        out.steps.push(step(
            "Signature",
            if matched {
                "One of the received signatures equals the expected one.".to_owned()
            } else if out.received.is_empty() {
                "No signature was received to compare.".to_owned()
            } else {
                "None of the received signatures equals the expected one: the body, the id or \
                 the timestamp changed after signing, or another secret signed it."
                    .to_owned()
            },
            Some(matched),
        ));
        out.expected = Some(expected);
    }
}

fn explain_body_hmac(
    detail: &WebhookDetail,
    body: &[u8],
    keys: &ExplainKeys<'_>,
    out: &mut SignatureExplanation,
) {
    out.scheme_name = "Makini's body HMAC".to_owned();
    let header_name = keys.body_hmac_header.unwrap_or("x-webhook-signature");
    out.steps.push(step(
        "Scheme",
        format!(
            "Makini's body HMAC: HMAC-SHA256 of the raw body, hex or base64, in {header_name}; \
             no timestamp, so replays cannot be told apart by the signature."
        ),
        None,
    ));
    out.received = header(detail, header_name)
        .map(|value| vec![value.to_owned()])
        .unwrap_or_default();
    let Some(key) = keys.body_hmac else {
        out.steps.push(step(
            "Secret",
            "No body HMAC secret is configured for this inbox.".to_owned(),
            Some(false),
        ));
        return;
    };
    out.secret_name = Some(keys.body_hmac_name.to_owned());
    out.signed_content = Some(shown(body));
    out.signed_content_size = i64::try_from(body.len()).ok();
    let mac = key.body_hmac(body);
    let expected_hex = hex::encode(mac);
    let matched = out.received.iter().any(|received| {
        let value = received.trim();
        let value = value.strip_prefix("sha256=").unwrap_or(value);
        value.eq_ignore_ascii_case(&expected_hex) || value == BASE64.encode(mac)
    });
    out.steps.push(step(
        "Signature",
        if matched {
            "The received HMAC equals the expected one.".to_owned()
        } else {
            "The received HMAC differs from the expected one: the body changed after signing, \
             or another secret signed it."
                .to_owned()
        },
        Some(matched),
    ));
    out.expected = Some(expected_hex);
}
