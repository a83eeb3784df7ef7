//! Webhook signatures: the Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1,<base64>`), and Makini's plain body HMAC (hex or base64, no timestamp).
//!
//! Comparisons run in constant time; every failure says exactly why, for the inspector.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// How far a `webhook-timestamp` may be from now before the request counts as a replay.
pub const TIMESTAMP_TOLERANCE_SECONDS: i64 = 5 * 60;

/// A webhook signing key, decoded from `whsec_<base64>`.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookKey(Vec<u8>);

impl std::fmt::Debug for WebhookKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookKey(..)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("webhook secret must start with whsec_ followed by base64")]
    Malformed,
    #[error("webhook secret is empty")]
    Empty,
    #[error(
        "a webhook secret is whsec_ followed by the base64 of its key, as the platform shows it"
    )]
    NoPrefix,
    #[error("the webhook secret's key is {bytes} bytes; at least {MIN_CONFIGURED_KEY_BYTES} are needed (the platform's are 32)")]
    TooShort { bytes: usize },
}

/// The shortest key a secret given by a person may hold (Svix issues 24 bytes, the platform 32).
pub const MIN_CONFIGURED_KEY_BYTES: usize = 24;

impl WebhookKey {
    /// Parses `whsec_<base64>`. A secret without the prefix is taken as raw bytes, as the
    /// Standard Webhooks libraries do not require the prefix either.
    pub fn from_secret(secret: &str) -> Result<Self, KeyError> {
        let bytes = match secret.strip_prefix("whsec_") {
            Some(encoded) => BASE64.decode(encoded).map_err(|_| KeyError::Malformed)?,
            None => secret.as_bytes().to_vec(),
        };
        if bytes.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(Self(bytes))
    }

    /// Parses a secret a person configured (a flag, a setting): `whsec_` and the base64 of a key
    /// of at least [`MIN_CONFIGURED_KEY_BYTES`] bytes, so a typo or a placeholder is refused at
    /// start instead of failing every signature later.
    pub fn from_configured_secret(secret: &str) -> Result<Self, KeyError> {
        let encoded = secret
            .trim()
            .strip_prefix("whsec_")
            .ok_or(KeyError::NoPrefix)?;
        let bytes = BASE64.decode(encoded).map_err(|_| KeyError::Malformed)?;
        if bytes.len() < MIN_CONFIGURED_KEY_BYTES {
            return Err(KeyError::TooShort { bytes: bytes.len() });
        }
        Ok(Self(bytes))
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, KeyError> {
        if bytes.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(Self(bytes))
    }

    /// The `whsec_...` spelling of this key.
    pub fn to_secret(&self) -> String {
        format!("whsec_{}", BASE64.encode(&self.0))
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length; new_from_slice only fails for fixed-size MACs.
        match HmacSha256::new_from_slice(&self.0) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC-SHA256 takes keys of any length"),
        }
    }

    /// `base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))`.
    pub fn standard_signature(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        BASE64.encode(mac.finalize().into_bytes())
    }

    /// The `webhook-signature` header value for a request.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", self.standard_signature(id, timestamp, body))
    }

    /// Raw HMAC-SHA256 of the body (Makini's own scheme).
    pub fn body_hmac(&self, body: &[u8]) -> [u8; 32] {
        let mut mac = self.mac();
        mac.update(body);
        mac.finalize().into_bytes().into()
    }
}

/// Why a signature was not accepted: shown as is in the inspector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    #[error("webhook-timestamp is not a Unix time in seconds: {0:?}")]
    BadTimestamp(String),
    #[error("timestamp is {skew_seconds} s away from now, more than the {tolerance} s allowed (replay protection)")]
    Stale { skew_seconds: i64, tolerance: i64 },
    #[error("webhook-signature has no v1 entry (found: {0})")]
    NoV1Signature(String),
    #[error("no v1 signature matches HMAC-SHA256 of \"{{id}}.{{timestamp}}.{{body}}\" with this secret ({count} tried); the secret differs or the body was changed in transit")]
    Mismatch { count: usize },
    #[error("signature header is neither hex nor base64 of an HMAC-SHA256")]
    BadEncoding,
    #[error("body HMAC-SHA256 does not match (hex and base64 both tried)")]
    BodyMismatch,
}

impl SignatureError {
    /// Stale timestamps are reported apart from wrong signatures.
    pub fn is_stale(&self) -> bool {
        matches!(self, Self::Stale { .. })
    }

    pub fn is_missing(&self) -> bool {
        matches!(self, Self::MissingHeader(_))
    }
}

/// The three Standard Webhooks headers of one request, as received.
#[derive(Debug, Clone, Copy)]
pub struct StandardHeaders<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

/// Verifies a Standard Webhooks request against `key` at time `now` (Unix seconds).
pub fn verify_standard(
    key: &WebhookKey,
    headers: StandardHeaders<'_>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let id = headers
        .id
        .ok_or(SignatureError::MissingHeader("webhook-id"))?;
    let timestamp_text = headers
        .timestamp
        .ok_or(SignatureError::MissingHeader("webhook-timestamp"))?;
    let signatures = headers
        .signature
        .ok_or(SignatureError::MissingHeader("webhook-signature"))?;
    let timestamp: i64 = timestamp_text
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp(timestamp_text.to_owned()))?;
    let skew = now.saturating_sub(timestamp);
    if skew.abs() > TIMESTAMP_TOLERANCE_SECONDS {
        return Err(SignatureError::Stale {
            skew_seconds: skew,
            tolerance: TIMESTAMP_TOLERANCE_SECONDS,
        });
    }
    let expected = key.standard_signature(id, timestamp, body);
    let mut tried = 0;
    let mut matched = false;
    for entry in signatures.split(' ').filter(|entry| !entry.is_empty()) {
        let Some((version, value)) = entry.split_once(',') else {
            continue;
        };
        if version != "v1" {
            continue;
        }
        tried += 1;
        // Keep comparing after a match so the time taken does not reveal which entry matched.
        matched |= bool::from(value.as_bytes().ct_eq(expected.as_bytes()));
    }
    match (tried, matched) {
        (0, _) => Err(SignatureError::NoV1Signature(
            signatures.chars().take(64).collect(),
        )),
        (_, true) => Ok(()),
        (count, false) => Err(SignatureError::Mismatch { count }),
    }
}

/// Verifies Makini's body HMAC: `header` is the hex or base64 HMAC-SHA256 of the raw body.
pub fn verify_body_hmac(
    key: &WebhookKey,
    header: Option<&str>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let value = header
        .ok_or(SignatureError::MissingHeader("x-webhook-signature"))?
        .trim();
    // Some senders prefix the algorithm, as GitHub does.
    let value = value.strip_prefix("sha256=").unwrap_or(value);
    let expected = key.body_hmac(body);
    let candidates: Vec<Vec<u8>> = [hex::decode(value).ok(), BASE64.decode(value).ok()]
        .into_iter()
        .flatten()
        .filter(|candidate| candidate.len() == expected.len())
        .collect();
    if candidates.is_empty() {
        return Err(SignatureError::BadEncoding);
    }
    let mut matched = false;
    for candidate in &candidates {
        matched |= bool::from(candidate.as_slice().ct_eq(&expected));
    }
    if matched {
        Ok(())
    } else {
        Err(SignatureError::BodyMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key() -> WebhookKey {
        WebhookKey::from_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap()
    }

    fn headers<'a>(id: &'a str, ts: &'a str, sig: &'a str) -> StandardHeaders<'a> {
        StandardHeaders {
            id: Some(id),
            timestamp: Some(ts),
            signature: Some(sig),
        }
    }

    #[test]
    fn a_configured_secret_must_be_whsec_and_base64_of_24_bytes_or_more() {
        assert!(
            WebhookKey::from_configured_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_ok()
        );
        assert_eq!(
            WebhookKey::from_configured_secret("notwhsec").err(),
            Some(KeyError::NoPrefix)
        );
        assert_eq!(
            WebhookKey::from_configured_secret("whsec_c2hvcnQ=").err(),
            Some(KeyError::TooShort { bytes: 5 })
        );
        assert_eq!(
            WebhookKey::from_configured_secret("whsec_!!!").err(),
            Some(KeyError::Malformed)
        );
    }

    #[test]
    fn the_standard_webhooks_reference_vector_verifies() {
        // The example of the Standard Webhooks specification.
        let body = br#"{"test": 2432232314}"#;
        let sig = key().sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let header = headers("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", &sig);
        assert_eq!(verify_standard(&key(), header, body, 1614265330), Ok(()));
    }

    #[test]
    fn a_changed_body_or_wrong_secret_is_a_mismatch() {
        let sig = key().sign("evt_1", 1000, b"{}");
        let err = verify_standard(&key(), headers("evt_1", "1000", &sig), b"{ }", 1000);
        assert_eq!(err, Err(SignatureError::Mismatch { count: 1 }));
        let other = WebhookKey::from_bytes(b"other".to_vec()).unwrap();
        assert!(verify_standard(&other, headers("evt_1", "1000", &sig), b"{}", 1000).is_err());
    }

    #[test]
    fn any_of_several_signatures_may_match() {
        let good = key().sign("evt_1", 1000, b"{}");
        let both = format!("v1,AAAA {good} v2,xyz");
        assert_eq!(
            verify_standard(&key(), headers("evt_1", "1000", &both), b"{}", 1000),
            Ok(())
        );
    }

    #[test]
    fn stale_and_future_timestamps_are_refused_as_replays() {
        let sig = key().sign("evt_1", 1000, b"{}");
        let late = verify_standard(&key(), headers("evt_1", "1000", &sig), b"{}", 1000 + 301);
        assert!(late.unwrap_err().is_stale());
        let early = verify_standard(&key(), headers("evt_1", "1000", &sig), b"{}", 1000 - 301);
        assert!(early.unwrap_err().is_stale());
        assert!(verify_standard(&key(), headers("evt_1", "1000", &sig), b"{}", 1300).is_ok());
    }

    #[test]
    fn missing_headers_are_named() {
        let none = StandardHeaders {
            id: None,
            timestamp: None,
            signature: None,
        };
        assert_eq!(
            verify_standard(&key(), none, b"{}", 0),
            Err(SignatureError::MissingHeader("webhook-id"))
        );
    }

    #[test]
    fn body_hmac_accepts_hex_and_base64_and_refuses_others() {
        let mac = key().body_hmac(b"{\"event\":\"assets.updated\"}");
        let body = b"{\"event\":\"assets.updated\"}";
        assert_eq!(
            verify_body_hmac(&key(), Some(&hex::encode(mac)), body),
            Ok(())
        );
        assert_eq!(
            verify_body_hmac(&key(), Some(&BASE64.encode(mac)), body),
            Ok(())
        );
        let prefixed = format!("sha256={}", hex::encode(mac));
        assert_eq!(verify_body_hmac(&key(), Some(&prefixed), body), Ok(()));
        assert_eq!(
            verify_body_hmac(&key(), Some(&hex::encode(mac)), b"{}"),
            Err(SignatureError::BodyMismatch)
        );
        assert_eq!(
            verify_body_hmac(&key(), Some("zz"), body),
            Err(SignatureError::BadEncoding)
        );
    }

    #[test]
    fn secrets_round_trip_through_whsec() {
        let k = key();
        assert_eq!(WebhookKey::from_secret(&k.to_secret()).unwrap(), k);
        assert_eq!(WebhookKey::from_secret("whsec_"), Err(KeyError::Empty));
        assert_eq!(
            WebhookKey::from_secret("whsec_!!"),
            Err(KeyError::Malformed)
        );
    }

    proptest! {
        #[test]
        fn verification_never_panics_on_arbitrary_headers(
            id in ".{0,40}", ts in ".{0,20}", sig in ".{0,200}", body in proptest::collection::vec(any::<u8>(), 0..256)
        ) {
            let _ = verify_standard(&key(), headers(&id, &ts, &sig), &body, 1000);
            let _ = verify_body_hmac(&key(), Some(&sig), &body);
        }

        #[test]
        fn what_we_sign_we_verify(id in "[a-z_0-9]{1,30}", ts in 0i64..4_000_000_000, body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let sig = key().sign(&id, ts, &body);
            let ts_text = ts.to_string();
            prop_assert_eq!(verify_standard(&key(), headers(&id, &ts_text, &sig), &body, ts), Ok(()));
        }
    }
}
