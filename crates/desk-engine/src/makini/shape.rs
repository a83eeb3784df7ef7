//! Our records in Makini's shape: for each of our entities, the Makini list it is served as and
//! which of our fields fills each documented field, typed as Makini's files type it. The same
//! table gives the SQL each field is filtered and sorted by, so a `filter[...]` on a Makini
//! name means exactly what the served field shows.
//!
//! Only documented fields are written: a field of ours that Makini's schema has no place for
//! (a vendor's payment terms, a work order's technician) is left out, and a documented field
//! we have nothing for is absent rather than invented. Two conversions follow the files' types:
//! `Inventory.unitCost` is an `integer`, so it is written in minor units (cents: 12.34 becomes
//! 1234, nothing lost); money typed as text (`totalNetValue`, `price`) is the decimal as text.

use crate::store::records::StoredRecord;
use chrono::SecondsFormat;
use serde_json::{json, Map, Value};

/// Where a Makini field's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Id,
    Created,
    Updated,
    Deleted,
    /// Our field as it is.
    Field(&'static str),
    /// Our decimal field in minor units, as an integer.
    Cents(&'static str),
    /// Our field written as text (a number becomes its decimal).
    Text(&'static str),
    /// `true` unless our field says `down` (an asset's `isActive`).
    NotDown(&'static str),
    /// A purchase order's lines as `POLineItem`s.
    Lines,
}

impl Source {
    /// The SQL expression over a `records` row that this field filters and sorts by; `None`
    /// for a field that cannot be compared (a list).
    pub fn sql(self) -> Option<String> {
        Some(match self {
            Self::Id => "record_id".to_owned(),
            Self::Created => "created_at".to_owned(),
            Self::Updated => "updated_at".to_owned(),
            Self::Deleted => "deleted_at".to_owned(),
            Self::Field(path) => format!("json_extract(data, '$.{path}')"),
            Self::Cents(path) => {
                format!("CAST(round(json_extract(data, '$.{path}') * 100) AS INTEGER)")
            }
            Self::Text(path) => format!("CAST(json_extract(data, '$.{path}') AS TEXT)"),
            Self::NotDown(path) => format!("(json_extract(data, '$.{path}') IS NOT 'down')"),
            Self::Lines => return None,
        })
    }

    /// Whether values compare as times (bound as our stored time text).
    pub fn is_time(self) -> bool {
        matches!(self, Self::Created | Self::Updated | Self::Deleted)
    }
}

/// One of our entities as a Makini list.
#[derive(Debug)]
pub struct Shape {
    /// Ours: `inventory-items`.
    pub entity: &'static str,
    /// Makini's path segment: `inventories`.
    pub path: &'static str,
    /// The documented schema of its items.
    pub schema: &'static str,
    pub fields: &'static [(&'static str, Source)],
}

impl Shape {
    pub fn source(&self, makini_field: &str) -> Option<Source> {
        self.fields
            .iter()
            .find(|(name, _)| *name == makini_field)
            .map(|(_, source)| *source)
    }
}

use Source::{Cents, Created, Deleted, Field, Id, Lines, NotDown, Text, Updated};

const TIMES: [(&str, Source); 3] = [
    ("createdAt", Created),
    ("updatedAt", Updated),
    ("deletedAt", Deleted),
];

/// Every entity the engine serves on the Makini surface; a namespace serves those its files
/// document (ERP and WMS have no work orders or assets).
pub const SHAPES: &[Shape] = &[
    Shape {
        entity: "work-orders",
        path: "work-orders",
        schema: "WorkOrder",
        fields: &[
            ("key", Id),
            ("title", Field("title")),
            ("assetKey", Field("asset_id")),
            ("status", Field("state")),
            ("severity", Field("priority")),
            ("dueAt", Field("due_date")),
            ("estimatedTime", Text("estimated_hours")),
            TIMES[0],
            TIMES[1],
            TIMES[2],
        ],
    },
    Shape {
        entity: "assets",
        path: "assets",
        schema: "Asset",
        fields: &[
            ("key", Id),
            ("name", Field("name")),
            ("parentKey", Field("parent_id")),
            ("categoryName", Field("kind")),
            ("makeName", Field("manufacturer")),
            ("serialNumber", Field("serial_number")),
            ("isActive", NotDown("status")),
            ("activatedAt", Field("installed_on")),
            TIMES[0],
            TIMES[1],
            TIMES[2],
        ],
    },
    Shape {
        entity: "vendors",
        path: "vendors",
        schema: "Vendor",
        fields: &[
            ("key", Id),
            ("name", Field("name")),
            TIMES[0],
            TIMES[1],
            TIMES[2],
        ],
    },
    Shape {
        entity: "inventory-items",
        path: "inventories",
        schema: "Inventory",
        fields: &[
            ("key", Id),
            ("code", Field("sku")),
            ("name", Field("name")),
            ("quantity", Field("quantity_on_hand")),
            ("unitCost", Cents("unit_cost")),
            TIMES[0],
            TIMES[1],
            TIMES[2],
        ],
    },
    Shape {
        entity: "purchase-orders",
        path: "purchase-orders",
        schema: "PurchaseOrder",
        fields: &[
            ("key", Id),
            ("orderNo", Field("number")),
            ("vendorKey", Field("vendor_id")),
            ("statusKey", Field("status")),
            ("orderDate", Field("order_date")),
            ("dueAt", Field("expected_date")),
            ("currencyKey", Field("currency")),
            ("totalNetValue", Text("total")),
            ("lineItems", Lines),
            TIMES[0],
            TIMES[1],
            TIMES[2],
        ],
    },
];

/// The shape served at Makini's `path` (`inventories`).
pub fn by_path(path: &str) -> Option<&'static Shape> {
    SHAPES.iter().find(|s| s.path == path)
}

fn time(at: chrono::DateTime<chrono::Utc>) -> Value {
    Value::String(at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn text(value: &Value) -> Value {
    match value {
        Value::Null => Value::Null,
        Value::String(s) => Value::String(s.clone()),
        other => Value::String(other.to_string()),
    }
}

fn cents(value: &Value) -> Value {
    value
        .as_f64()
        .map_or(Value::Null, |v| json!((v * 100.0).round() as i64))
}

/// A purchase order line as `POLineItem`.
fn line(order_id: &str, line: &Value) -> Value {
    let number = line.get("line").map(text).unwrap_or(Value::Null);
    let key = match &number {
        Value::String(n) => Value::String(format!("{order_id}-{n}")),
        _ => Value::Null,
    };
    json!({
        "key": key,
        "lineNo": number,
        "materialKey": line.get("item_id").cloned().unwrap_or(Value::Null),
        "description": line.get("description").cloned().unwrap_or(Value::Null),
        "uomKey": line.get("unit").cloned().unwrap_or(Value::Null),
        "quantity": line.get("quantity").map(text).unwrap_or(Value::Null),
        "price": line.get("unit_price").map(text).unwrap_or(Value::Null),
        "lineTotalValue": line.get("amount").map(text).unwrap_or(Value::Null),
    })
}

/// One stored record in Makini's shape.
pub fn to_makini(shape: &Shape, record: &StoredRecord) -> Value {
    let mut out = Map::new();
    let empty = Map::new();
    let data = record.data.as_object().unwrap_or(&empty);
    let ours = |path: &str| data.get(path).cloned().unwrap_or(Value::Null);
    for (name, source) in shape.fields {
        let value = match *source {
            Id => Value::String(record.id.clone()),
            Created => time(record.created_at),
            Updated => time(record.updated_at),
            Deleted => record.deleted_at.map_or(Value::Null, time),
            Field(path) => ours(path),
            Cents(path) => cents(&ours(path)),
            Text(path) => text(&ours(path)),
            NotDown(path) => Value::Bool(ours(path).as_str() != Some("down")),
            Lines => Value::Array(
                data.get("line_items")
                    .and_then(Value::as_array)
                    .map(|lines| lines.iter().map(|l| line(&record.id, l)).collect())
                    .unwrap_or_default(),
            ),
        };
        out.insert((*name).to_owned(), value);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::makini::schema;

    #[test]
    fn every_shape_names_documented_fields_of_a_documented_list() {
        for namespace in ["eam", "erp", "wms"] {
            for shape in SHAPES {
                let Some(route) = schema::list_route(namespace, shape.path) else {
                    assert!(
                        namespace != "eam",
                        "eam documents every entity we serve, not {}",
                        shape.path
                    );
                    continue;
                };
                assert_eq!(
                    route.list_item(),
                    Some(shape.schema),
                    "{namespace} {}",
                    shape.path
                );
                let documented = schema::schema(namespace, shape.schema).expect("schema");
                for (name, _) in shape.fields {
                    let universal = ["key", "createdAt", "updatedAt", "deletedAt"].contains(name);
                    assert!(
                        universal || documented.field(name).is_some(),
                        "{namespace} {} has no field {name}",
                        shape.schema
                    );
                }
            }
        }
    }

    #[test]
    fn a_record_becomes_a_valid_makini_record_without_losing_money() {
        let at = chrono::Utc::now();
        let record = StoredRecord {
            id: "PO-000001".to_owned(),
            data: json!({"number": "4500000001", "vendor_id": "V-000001", "currency": "EUR",
                "status": "approved", "order_date": "2026-11-02", "expected_date": "2026-11-20",
                "total": 1234.5, "line_items": [{"line": 1, "item_id": "ITM-000004",
                "description": "V-belt", "unit": "pcs", "quantity": 3, "unit_price": 411.5,
                "amount": 1234.5}]}),
            created_at: at,
            updated_at: at,
            deleted_at: None,
        };
        let shape = by_path("purchase-orders").expect("shape");
        let served = to_makini(shape, &record);
        assert_eq!(served["key"], "PO-000001");
        assert_eq!(served["totalNetValue"], "1234.5");
        assert_eq!(served["lineItems"][0]["key"], "PO-000001-1");
        assert_eq!(served["lineItems"][0]["price"], "411.5");
        let documented = schema::schema("eam", "PurchaseOrder").expect("schema");
        assert_eq!(schema::validate(documented, &served), Ok(()));

        let item = StoredRecord {
            id: "ITM-000001".to_owned(),
            data: json!({"sku": "SKU-10001", "name": "Bearing", "quantity_on_hand": 7, "unit_cost": 12.34}),
            ..record
        };
        let served = to_makini(by_path("inventories").expect("shape"), &item);
        assert_eq!(served["unitCost"], 1234);
        let documented = schema::schema("wms", "Inventory").expect("schema");
        assert_eq!(schema::validate(documented, &served), Ok(()));
    }
}
