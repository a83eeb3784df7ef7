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
    pub refresh_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until the access token expires (OAuth 2.0 meaning).
    pub expires_in: i64,
}
