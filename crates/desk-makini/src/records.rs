//! Makini's records into ours: `id`, `created_at`, `updated_at` and `deleted_at` are added from
//! the legacy names (`key`, `createdAt`, `updatedAt`, `deletedAt`) or v4's `_`-fields (`id`,
//! `_idValue`, `_createdAt`, `_updatedAt`, `_deletedAt`). Every field Makini sent stays as it
//! came; a field of ours that the record already had with another value is kept under
//! `_makini_<field>`. References (`<entity>Key`) are left alone: they are Makini's ids too.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use desk_platform::catalog::Category;
use serde_json::{Map, Value};

/// A data namespace: the system category's path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Namespace {
    Eam,
    Erp,
    Wms,
}

impl Namespace {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eam => "eam",
            Self::Erp => "erp",
            Self::Wms => "wms",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "eam" => Some(Self::Eam),
            "erp" => Some(Self::Erp),
            "wms" => Some(Self::Wms),
            _ => None,
        }
    }

    /// CMMS systems live under `/api/eam` (makini-api.md: "EAM/CMMS").
    pub fn of(category: Category) -> Self {
        match category {
            Category::Erp => Self::Erp,
            Category::Wms => Self::Wms,
            Category::Cmms | Category::Eam | Category::Other => Self::Eam,
        }
    }

    /// What is mirrored by default: our unified entities, where the namespace has them.
    pub fn default_routes(self) -> Vec<Route> {
        let pairs: &[(&str, &str)] = match self {
            Self::Eam => &[
                ("purchase-orders", "purchase-orders"),
                ("work-orders", "work-orders"),
                ("inventory-items", "inventories"),
                ("vendors", "vendors"),
                ("assets", "assets"),
            ],
            Self::Erp | Self::Wms => &[
                ("purchase-orders", "purchase-orders"),
                ("inventory-items", "inventories"),
                ("vendors", "vendors"),
            ],
        };
        pairs
            .iter()
            .map(|(entity, path)| Route {
                entity: (*entity).to_owned(),
                namespace: self,
                path: (*path).to_owned(),
            })
            .collect()
    }
}

/// Our entity of a Makini list path, in any namespace (`inventories` is our `inventory-items`);
/// a path we do not map keeps its name. Webhooks name a record change by the path alone.
pub fn entity_for_path(path: &str) -> String {
    [Namespace::Eam, Namespace::Erp, Namespace::Wms]
        .into_iter()
        .flat_map(Namespace::default_routes)
        .find(|route| route.path == path)
        .map_or_else(|| path.to_owned(), |route| route.entity)
}

/// One mirrored entity and the Makini list it is read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    /// The mirror's entity name (ours: `inventory-items`).
    pub entity: String,
    pub namespace: Namespace,
    /// Makini's path segment under the namespace (`inventories`).
    pub path: String,
}

/// Our field, then Makini's names for it, legacy first.
const TIME_FIELDS: [(&str, [&str; 2]); 3] = [
    ("created_at", ["createdAt", "_createdAt"]),
    ("updated_at", ["updatedAt", "_updatedAt"]),
    ("deleted_at", ["deletedAt", "_deletedAt"]),
];

/// One Makini record as ours. Refused (with the reason) only when it is not an object or has
/// no id under any documented name: the mirror could not key it.
pub fn to_record(raw: Value) -> Result<Value, String> {
    let Value::Object(mut map) = raw else {
        return Err(format!("a record must be a JSON object, not {raw}"));
    };
    let id = ["id", "key", "_idValue"]
        .iter()
        .find_map(|name| id_text(map.get(*name)))
        .ok_or_else(|| "a record has no id (none of id, key, _idValue)".to_owned())?;
    set_ours(&mut map, "id", Value::String(id));
    for (ours, theirs) in TIME_FIELDS {
        let found = theirs
            .iter()
            .chain(std::iter::once(&ours))
            .find_map(|name| map.get(*name).filter(|v| !v.is_null()).cloned());
        match found.as_ref().map(normalise_time) {
            Some(Some(at)) => set_ours(&mut map, ours, Value::String(at)),
            // An unreadable time stays where Makini put it; ours is left out rather than
            // refusing the page (the mirror would sort a foreign format wrongly).
            Some(None) => {
                if let Some(kept) = map.remove(ours) {
                    map.insert(format!("_makini_{ours}"), kept);
                }
            }
            None => {}
        }
    }
    Ok(Value::Object(map))
}

fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Writes our field, keeping a different value the record already had under that name.
fn set_ours(map: &mut Map<String, Value>, field: &str, value: Value) {
    if let Some(previous) = map.insert(field.to_owned(), value.clone()) {
        if previous != value {
            map.insert(format!("_makini_{field}"), previous);
        }
    }
}

/// RFC 3339 UTC with microseconds, from RFC 3339, `YYYY-MM-DD HH:MM:SS[.f]` (UTC, as Laravel
/// writes it), a bare date, or Unix seconds.
pub(crate) fn normalise_time(value: &Value) -> Option<String> {
    let at: DateTime<Utc> = match value {
        Value::String(text) => parse_time(text.trim())?,
        Value::Number(n) => Utc.timestamp_opt(n.as_i64()?, 0).single()?,
        _ => return None,
    };
    Some(at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_list_path_names_our_entity_and_an_unknown_one_keeps_its_name() {
        assert_eq!(entity_for_path("inventories"), "inventory-items");
        assert_eq!(entity_for_path("work-orders"), "work-orders");
        assert_eq!(entity_for_path("meters"), "meters");
    }

    #[test]
    fn a_legacy_record_gets_our_fields_and_loses_none_of_its_own() {
        let raw = json!({"key": "WO-1", "assetKey": "A-9", "title": "Pump",
            "createdAt": "2026-01-02 03:04:05", "updatedAt": "2026-01-03T00:00:00+01:00",
            "deletedAt": null, "extra": {"nested": [1, 2]}});
        let record = to_record(raw.clone()).unwrap_or_default();
        assert_eq!(record["id"], "WO-1");
        assert_eq!(record["created_at"], "2026-01-02T03:04:05.000000Z");
        assert_eq!(record["updated_at"], "2026-01-02T23:00:00.000000Z");
        assert!(record.get("deleted_at").is_none());
        for (field, value) in raw.as_object().into_iter().flatten() {
            assert_eq!(&record[field], value, "{field} kept");
        }
    }

    #[test]
    fn a_v4_record_maps_its_underscore_fields() {
        let raw = json!({"id": "rec_1", "_idValue": "1001", "_displayValue": "Pump",
            "_createdAt": "2026-01-01T00:00:00Z", "_updatedAt": 1767225600,
            "_deletedAt": "2026-02-01T00:00:00Z", "_implements": ["Asset"]});
        let record = to_record(raw).unwrap_or_default();
        assert_eq!(record["id"], "rec_1");
        assert_eq!(record["_idValue"], "1001");
        assert_eq!(record["updated_at"], "2026-01-01T00:00:00.000000Z");
        assert_eq!(record["deleted_at"], "2026-02-01T00:00:00.000000Z");
        assert_eq!(record["_implements"], json!(["Asset"]));
    }

    #[test]
    fn a_clashing_or_unreadable_field_is_kept_beside_ours() {
        let record =
            to_record(json!({"key": 7, "id": 3, "updatedAt": "last tuesday"})).unwrap_or_default();
        assert_eq!(record["id"], "3");
        assert_eq!(record["_makini_id"], 3);
        assert!(record.get("updated_at").is_none());
        assert_eq!(record["updatedAt"], "last tuesday");
        let record = to_record(json!({"key": "k", "updated_at": "garbage"})).unwrap_or_default();
        assert_eq!(record["id"], "k");
        assert_eq!(record["_makini_updated_at"], "garbage");
        assert!(record.get("updated_at").is_none());
    }

    #[test]
    fn a_record_without_an_id_is_refused_with_a_reason() {
        assert!(to_record(json!({"title": "x"})).is_err());
        assert!(to_record(json!([1])).is_err());
        assert!(to_record(json!({"key": ""})).is_err());
    }
}
