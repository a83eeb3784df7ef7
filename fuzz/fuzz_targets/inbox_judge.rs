//! The inbox's verdict on arbitrary requests: headers and body from the fuzzer's bytes. It must
//! never panic, and must never accept a request without a valid signature.
#![no_main]

use desk_inbox::{judge, InboxConfig};
use desk_platform::webhook_signature::WebhookKey;
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(key) = WebhookKey::from_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") else { return };
    let config = InboxConfig::with_secret(key);
    // Layout: up to four header values separated by 0xff, then the body.
    let mut parts = data.splitn(5, |b| *b == 0xff);
    let mut headers = HeaderMap::new();
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature", "x-webhook-signature"] {
        if let Some(value) = parts.next().and_then(|v| HeaderValue::from_bytes(v).ok()) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let body = parts.next().unwrap_or_default();
    let verdict = judge(&config, None, &headers, body, 1_700_000_000);
    if verdict.status == 200 {
        assert_eq!(verdict.signature.as_str(), "valid", "accepted without a valid signature");
    }
    let _ = desk_platform::webhook_signature::verify_body_hmac(
        config.secret.as_ref().expect("secret set above"),
        std::str::from_utf8(data).ok(),
        body,
    );
});
