//! Makini's JSON as its OpenAPI files describe it. Every field is optional or defaulted and
//! unknown fields are kept: the files type most fields as strings that real answers send as
//! numbers, arrays or objects, and the spellings have changed over time.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `{"data": ...}`: how Makini wraps single objects.
#[derive(Debug, Clone, Deserialize)]
pub struct Wrapped<T> {
    pub data: T,
}

/// A page: `{"data": [...], "meta": {...}, "links": {...}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct PageOf<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    #[serde(default)]
    pub meta: Option<Meta>,
    #[serde(default)]
    pub links: Option<Links>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Meta {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub current_page: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub last_page: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub per_page: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub from: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub to: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Links {
    #[serde(default)]
    pub next: Option<String>,
}

/// `GET /api/system/client`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ClientInfo {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `GET /api/system/connections` items.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Connection {
    #[serde(default, deserialize_with = "lenient_text")]
    pub key: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub status: Option<String>,
    #[serde(default)]
    pub integration_name: Option<String>,
    #[serde(default)]
    pub redirect: Option<String>,
    /// A string in the OpenAPI file; a list in practice. Kept as it came.
    #[serde(default)]
    pub scopes: Value,
    #[serde(default)]
    pub tags: Value,
    /// A string in the OpenAPI file (JSON text), an object in practice.
    #[serde(default)]
    pub user_metadata: Value,
    #[serde(default, deserialize_with = "lenient_text")]
    pub client_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub connected_at: Option<String>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `POST /api/system/connections`.
#[derive(Debug, Clone, Serialize)]
pub struct CreateConnection {
    pub name: String,
    pub email: String,
    pub provider: String,
    pub credentials: Map<String, Value>,
}

/// A token pair: the answer to a create, a token request or a login.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TokenPair {
    #[serde(default, alias = "token")]
    pub access_token: Option<String>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Value,
}

/// `GET /api/integrations/current`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Integration {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: Option<String>,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub sync_status: Option<String>,
    #[serde(default)]
    pub sync_updated_at: Option<String>,
}

/// `GET/POST /api/system/connections/{id}/metadata` entries.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct MetadataEntry {
    #[serde(deserialize_with = "required_text")]
    pub key: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub value: Option<String>,
}

/// Text, or a number or bool spelled as text (`"key": 123`); anything else reads as absent.
fn lenient_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

fn required_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    lenient_text(d)?.ok_or_else(|| serde::de::Error::custom("expected text"))
}

/// A count as a number or as numeric text; anything else reads as absent.
fn lenient_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f.round() as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}
