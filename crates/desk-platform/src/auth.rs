//! OAuth 2.0 client-credentials and refresh-token grants of the admin API.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /oauth/token` body, as a form or JSON.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
pub enum TokenRequest {
    ClientCredentials {
        client_id: String,
        client_secret: String,
    },
    RefreshToken {
        refresh_token: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Makini's answers have carried none at times: a missing one means "log in again".
    #[serde(default)]
    pub refresh_token: String,
    /// Always `bearer`.
    #[serde(default = "bearer")]
    pub token_type: String,
    /// Seconds until the access token expires (OAuth 2.0 meaning; Makini answers a Unix
    /// timestamp here, and its OpenAPI file types it as a string: both are read).
    #[serde(deserialize_with = "number_or_numeric_text")]
    pub expires_in: i64,
}

fn bearer() -> String {
    "bearer".to_owned()
}

fn number_or_numeric_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Lenient {
        Int(i64),
        Float(f64),
        Text(String),
    }
    match Lenient::deserialize(d)? {
        Lenient::Int(n) => Ok(n),
        // Saturating float-to-int conversion is what is wanted for a malformed huge value.
        #[allow(clippy::cast_possible_truncation)]
        Lenient::Float(f) => Ok(f as i64),
        Lenient::Text(text) => text
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("expires_in {text:?} is not a number"))),
    }
}
