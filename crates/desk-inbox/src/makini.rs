//! Makini-format webhooks (makini-api.md, Webhooks): `{"event": "assets.updated", "body": ["<id>",
//! ...]}`, signed over the raw body (verify.rs). Their payload names no connection: it comes from
//! a header ([`InboxConfig::makini_connection_header`], `x-makini-connection` by default: what
//! the local engine sends), else the request's `connection` query parameter (a receiver URL
//! registered per connection, `/webhooks?connection=...`).
//!
//! A record-change event (`<entity>.<inserted|updated|deleted>` with a list of ids) reaches the
//! appliers as a [`RecordChange`], its entity in our names (Makini's `inventories` are our
//! `inventory-items`).

use crate::config::InboxConfig;
use http::HeaderMap;
use serde_json::Value;

/// What happened to the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    Inserted,
    Updated,
    Deleted,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inserted => "inserted",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "inserted" => Some(Self::Inserted),
            "updated" => Some(Self::Updated),
            "deleted" => Some(Self::Deleted),
            _ => None,
        }
    }
}

/// Records of one entity of one connection that changed, as a Makini-format webhook said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordChange {
    pub connection_id: String,
    /// Our entity name (`inventory-items`).
    pub entity: String,
    pub change: ChangeKind,
    pub ids: Vec<String>,
    /// The event as it came (`inventories.updated`).
    pub event: String,
}

/// A Makini payload's parts, before its connection is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChangePayload {
    pub event: String,
    pub entity: String,
    pub change: ChangeKind,
    pub ids: Vec<String>,
}

impl ChangePayload {
    pub fn with_connection(self, connection_id: String) -> RecordChange {
        RecordChange {
            connection_id,
            entity: self.entity,
            change: self.change,
            ids: self.ids,
            event: self.event,
        }
    }
}

/// Whether a JSON body is Makini's legacy shape: `event` without our `id`/`type`.
pub(crate) fn is_legacy(json: &Value) -> bool {
    json.get("event").is_some_and(Value::is_string)
        && json.get("id").is_none()
        && json.get("type").is_none()
}

/// The record change a legacy payload announces: `<path>.<kind>` with a list of ids (strings,
/// or numbers written as text). `None` for anything else.
pub(crate) fn record_change(json: &Value) -> Option<ChangePayload> {
    if !is_legacy(json) {
        return None;
    }
    let event = json.get("event")?.as_str()?;
    let (path, kind) = event.rsplit_once('.')?;
    let change = ChangeKind::parse(kind)?;
    if path.is_empty() {
        return None;
    }
    let ids = json
        .get("body")?
        .as_array()?
        .iter()
        .map(|id| match id {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(ChangePayload {
        event: event.to_owned(),
        entity: desk_makini::entity_for_path(path),
        change,
        ids,
    })
}

/// The connection a Makini-format request is about: the configured header, else the
/// `connection` query parameter.
pub(crate) fn connection_of(
    config: &InboxConfig,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Option<String> {
    let from_header = config
        .makini_connection_header
        .as_deref()
        .and_then(|name| headers.get(name))
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty());
    if let Some(id) = from_header {
        return Some(id.to_owned());
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query?).ok()?;
    pairs
        .into_iter()
        .find(|(name, _)| name == "connection")
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_record_change_is_an_entity_path_a_kind_and_a_list_of_ids() {
        let change = record_change(&json!({"event": "inventories.updated", "body": ["a", 7]}));
        assert_eq!(
            change,
            Some(ChangePayload {
                event: "inventories.updated".to_owned(),
                entity: "inventory-items".to_owned(),
                change: ChangeKind::Updated,
                ids: vec!["a".to_owned(), "7".to_owned()],
            })
        );
        for other in [
            json!({"event": "connection.status_changed", "body": ["conn_1"]}),
            json!({"event": "assets.updated", "body": {"id": "a"}}),
            json!({"event": "assets.updated", "body": [{"id": "a"}]}),
            json!({"event": ".deleted", "body": []}),
            json!({"id": "evt_1", "type": "x", "event": "assets.updated", "body": ["a"]}),
        ] {
            assert_eq!(record_change(&other), None, "{other}");
        }
    }

    #[test]
    fn the_connection_comes_from_the_header_then_the_query() {
        let config = InboxConfig::default();
        let mut headers = HeaderMap::new();
        let query = Some("x=1&connection=conn%5F2");
        assert_eq!(
            connection_of(&config, &headers, query).as_deref(),
            Some("conn_2")
        );
        headers.insert("x-makini-connection", "conn_1".parse().unwrap());
        assert_eq!(
            connection_of(&config, &headers, query).as_deref(),
            Some("conn_1")
        );
        let other = InboxConfig {
            makini_connection_header: Some("x-tenant".to_owned()),
            ..InboxConfig::default()
        };
        assert_eq!(
            connection_of(&other, &headers, None),
            None,
            "only the configured header counts"
        );
        assert_eq!(connection_of(&config, &HeaderMap::new(), Some("%zz")), None);
    }
}
