//! Makini's published OpenAPI files (legacy API: the admin "system" file and the EAM, ERP and WMS
//! data files, eqcentric/api-docs db53511) as tables: every component schema with its fields,
//! every path with its methods and what each answers, and the list page's `meta` and `links`.
//! The tables are `schema/generated.rs`, written by `scripts/gen-makini-schema.py` (the build
//! never reads the OpenAPI files; `--check` says whether the committed tables are current).
//!
//! The tables hold what the files say, oddities included: some fields are typed `object` where
//! Makini's own examples hold strings (timestamps, quantities, money), `unitCost` is an
//! `integer`, and `[]` stands for a schema without documented fields. [`validate`] checks a record
//! against the documented types as written, so it says where a body departs from the files.

mod generated;

/// Fields every data record may carry (see [`validate`]).
const UNIVERSAL_FIELDS: [&str; 4] = ["key", "createdAt", "updatedAt", "deletedAt"];

use serde_json::{Map, Value};

/// A JSON type as the files name it (`type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
}

impl JsonType {
    /// The name the OpenAPI files use.
    pub fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
        }
    }

    /// Whether `value` is of this type: an `integer` takes only JSON integers (`1.5` and `1.0`
    /// are not), a `number` any JSON number. `null` is no type's: callers decide about it.
    pub fn admits(self, value: &Value) -> bool {
        match self {
            JsonType::String => value.is_string(),
            JsonType::Integer => value.is_i64() || value.is_u64(),
            JsonType::Number => value.is_number(),
            JsonType::Boolean => value.is_boolean(),
            JsonType::Object => value.is_object(),
            JsonType::Array => value.is_array(),
        }
    }
}

/// What a component schema is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// An object with documented `properties` (the fields).
    Object,
    /// `{"type": "array", "items": {"$ref": ..}}` (the files' `...Collection` schemas): an
    /// array of the named schema.
    ArrayOf(&'static str),
    /// No fields documented: written `[]` (e.g. `Dimension`, `Passthrough`) or `{"type":
    /// "object"}` alone (`Platform`). Any object passes.
    Open,
}

/// One component schema of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The file: "system", "eam", "erp" or "wms".
    pub namespace: &'static str,
    pub name: &'static str,
    pub kind: SchemaKind,
    /// In document order; empty unless `kind` is [`SchemaKind::Object`].
    pub fields: &'static [Field],
}

impl Schema {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// One documented property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    /// `type`; a property that is a `$ref` is an `object`.
    pub json_type: JsonType,
    /// `format` as written (the files repeat the type there: `"string"`, `"integer"`, ...).
    pub format: Option<&'static str>,
    /// `nullable` as written (`false` on every field of every file).
    pub nullable: bool,
    /// The component schema (same file) that a `$ref` names: an object field's own, an array
    /// field's items' (`items.$ref`).
    pub schema: Option<&'static str>,
}

/// One path of one file (`/api/eam/work-orders/{key}`, `/api/system/connections`,
/// `/api/integrations/current`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The file it is documented in: "system", "eam", "erp" or "wms".
    pub namespace: &'static str,
    /// The whole path as documented, with its `{key}`-style parameters.
    pub path: &'static str,
    /// Sorted by method.
    pub operations: &'static [Operation],
}

impl Route {
    /// The path below `/api/<namespace>/` (`work-orders/{key}`), or `None` for the system
    /// file's paths outside `/api/system/` (`/api/integrations/current`, `/api/raw/...`,
    /// `/api/passthrough`).
    pub fn entity_path(&self) -> Option<&'static str> {
        self.path
            .strip_prefix("/api/")?
            .strip_prefix(self.namespace)?
            .strip_prefix('/')
    }

    /// The HTTP methods, upper case, sorted.
    pub fn methods(&self) -> impl Iterator<Item = &'static str> {
        self.operations.iter().map(|o| o.method)
    }

    /// What `method` (upper case) answers, when the path documents it.
    pub fn response(&self, method: &str) -> Option<Response> {
        self.operations
            .iter()
            .find(|o| o.method == method)
            .map(|o| o.response)
    }

    /// The schema of the items a `GET` lists, when it answers a page.
    pub fn list_item(&self) -> Option<&'static str> {
        match self.response("GET")? {
            Response::Page(item) => Some(item),
            Response::One(_) | Response::Untyped => None,
        }
    }
}

/// One method of one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// Upper case: "GET", "POST", "PUT", "DELETE".
    pub method: &'static str,
    pub response: Response,
}

/// What a 200 response's body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// A list page, `{"data": [..], "meta": {..}, "links": {..}}`, of the named schema
    /// (`data.items.$ref`).
    Page(&'static str),
    /// `{"data": {..}}` of the named schema (`data.$ref`).
    One(&'static str),
    /// Documented only as `{"type": "object"}`.
    Untyped,
}

impl Response {
    /// The schema of the item(s) it carries.
    pub fn schema(self) -> Option<&'static str> {
        match self {
            Response::Page(name) | Response::One(name) => Some(name),
            Response::Untyped => None,
        }
    }
}

/// Every schema of every file, sorted by (namespace, name).
pub fn schemas() -> &'static [Schema] {
    generated::SCHEMAS
}

/// The schema `name` of the file `namespace` ("system", "eam", "erp", "wms").
pub fn schema(namespace: &str, name: &str) -> Option<&'static Schema> {
    let schemas = generated::SCHEMAS;
    schemas
        .binary_search_by(|s| (s.namespace, s.name).cmp(&(namespace, name)))
        .ok()
        .and_then(|i| schemas.get(i))
}

/// Every path of every file, sorted by (namespace, path).
pub fn routes() -> &'static [Route] {
    generated::ROUTES
}

/// The route of `GET /api/<namespace>/<entity_path>` when that answers a list page
/// (`list_route("eam", "work-orders")`; `"work-orders/{key}"` answers one item, so `None`).
pub fn list_route(namespace: &str, entity_path: &str) -> Option<&'static Route> {
    routes().iter().find(|r| {
        r.namespace == namespace && r.entity_path() == Some(entity_path) && r.list_item().is_some()
    })
}

/// The documented `meta` fields of a list page (`current_page`, `from`, ..., `total`).
pub fn page_meta_fields() -> &'static [Field] {
    generated::PAGE_META
}

/// The documented `links` fields of a list page (`first`, `last`, `prev`, `next`).
pub fn page_links_fields() -> &'static [Field] {
    generated::PAGE_LINKS
}

/// Checks `record` against `schema`: it must be an object (an array of them for a
/// [`SchemaKind::ArrayOf`] schema) whose every key is a documented field with a value of the
/// documented type; an object field naming a schema (`$ref`) and the objects in an array field
/// naming one (`items.$ref`) are checked against that schema of the same file, recursively.
/// Documented fields the record lacks are fine: the files list nothing as `required`.
///
/// `null` passes for every field, although the files write `nullable: false` on every one:
/// that cannot be meant literally. It is on `deletedAt` too, which makini-api.md reads as the
/// soft-delete time (visible, so null until the record is deleted), and the same files' request
/// bodies carry Laravel rules such as `nullable`, `nullable|numeric` and `nullable|date` for
/// fields like `orderDate` and `totalNetValue`, so null values go in and come back out. The
/// flag is generated boilerplate, not a statement about the data.
///
/// Two readings go past the letter of the files, each because makini-api.md or Makini's own
/// examples say so: a field typed `object` that names no schema takes text (the examples hold
/// timestamps, quantities and money there as strings), and every data record may carry
/// `key`, `createdAt`, `updatedAt` and `deletedAt` as text (makini-api.md: "Ids are `key`
/// strings, ... times `createdAt`, `updatedAt`, `deletedAt` (soft delete visible)") although
/// some schemas (`PurchaseOrder`, `Inventory`) leave some of them out.
///
/// Every problem is returned, each naming the field's path (`lineItems[2].price`).
pub fn validate(schema: &Schema, record: &Value) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    check_schema(schema, record, "", &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Checks a list page, `{"data": [..], "meta": {..}, "links": {..}}`: each of `data`'s items
/// against `schema` as [`validate`] does; `meta` and `links` must hold exactly the documented
/// keys, `meta`'s of their documented types (its numbers JSON numbers; on an empty page they
/// may be null, as Laravel's paginator and the fake Makini write `from` and `to` there) and
/// `links`' strings or null.
pub fn validate_page(schema: &Schema, body: &Value) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let Some(body) = body.as_object() else {
        problems.push(format!("page: expected an object, got {}", type_of(body)));
        return Err(problems);
    };
    for key in body.keys() {
        if !matches!(key.as_str(), "data" | "meta" | "links") {
            problems.push(format!(
                "{key}: not part of a list page (data, meta, links)"
            ));
        }
    }
    let mut empty = false;
    match body.get("data") {
        None => problems.push("data: missing".to_owned()),
        Some(Value::Array(items)) => {
            empty = items.is_empty();
            for (i, item) in items.iter().enumerate() {
                check_schema(schema, item, &format!("data[{i}]"), &mut problems);
            }
        }
        Some(other) => problems.push(format!("data: expected array, got {}", type_of(other))),
    }
    check_envelope(
        "meta",
        page_meta_fields(),
        body.get("meta"),
        &mut problems,
        |field, v| {
            field.json_type.admits(v)
                || (v.is_null() && empty && field.json_type == JsonType::Number)
        },
    );
    check_envelope(
        "links",
        page_links_fields(),
        body.get("links"),
        &mut problems,
        |_, v| v.is_string() || v.is_null(),
    );
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// `meta` or `links`: an object with exactly `fields`' keys, each value passing `admits`.
fn check_envelope(
    part: &str,
    fields: &[Field],
    value: Option<&Value>,
    problems: &mut Vec<String>,
    admits: impl Fn(&Field, &Value) -> bool,
) {
    let object = match value {
        None => return problems.push(format!("{part}: missing")),
        Some(Value::Object(object)) => object,
        Some(other) => {
            return problems.push(format!("{part}: expected object, got {}", type_of(other)))
        }
    };
    for field in fields {
        match object.get(field.name) {
            None => problems.push(format!("{part}.{}: missing", field.name)),
            Some(v) if !admits(field, v) => problems.push(format!(
                "{part}.{}: expected {}, got {}",
                field.name,
                field.json_type.name(),
                type_of(v)
            )),
            Some(_) => {}
        }
    }
    for key in object.keys() {
        if !fields.iter().any(|f| f.name == key) {
            problems.push(format!("{part}.{key}: not a documented {part} field"));
        }
    }
}

/// `value` against a whole schema, at `path` ("" for the record itself).
fn check_schema(schema: &Schema, value: &Value, path: &str, problems: &mut Vec<String>) {
    let at = if path.is_empty() { "record" } else { path };
    match schema.kind {
        SchemaKind::ArrayOf(item) => {
            let Value::Array(items) = value else {
                return problems.push(format!(
                    "{at}: expected an array of {} {item}, got {}",
                    schema.namespace,
                    type_of(value)
                ));
            };
            match self::schema(schema.namespace, item) {
                Some(item) => check_items(item, items, path, problems),
                None => problems.push(format!(
                    "{at}: {} {item} is not in the tables",
                    schema.namespace
                )),
            }
        }
        SchemaKind::Object | SchemaKind::Open => {
            let Value::Object(object) = value else {
                return problems.push(format!(
                    "{at}: expected an object ({} {}), got {}",
                    schema.namespace,
                    schema.name,
                    type_of(value)
                ));
            };
            if schema.kind == SchemaKind::Object {
                check_fields(schema, object, path, problems);
            }
        }
    }
}

fn check_fields(
    schema: &Schema,
    object: &Map<String, Value>,
    path: &str,
    problems: &mut Vec<String>,
) {
    for (key, value) in object {
        let at = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        let Some(field) = schema.field(key) else {
            let universal =
                schema.namespace != "system" && UNIVERSAL_FIELDS.contains(&key.as_str());
            if universal && (value.is_string() || value.is_null()) {
                continue;
            }
            problems.push(format!(
                "{at}: not a field of {} {}",
                schema.namespace, schema.name
            ));
            continue;
        };
        if value.is_null() {
            continue; // see `validate` on null
        }
        // An `object` naming no schema is what the files write where Makini's own examples
        // hold text (timestamps, quantities, money): text passes there.
        let loose_object = field.json_type == JsonType::Object && field.schema.is_none();
        if loose_object && value.is_string() {
            continue;
        }
        if !field.json_type.admits(value) {
            problems.push(format!(
                "{at}: expected {}, got {}",
                field.json_type.name(),
                type_of(value)
            ));
            continue;
        }
        let Some(name) = field.schema else {
            continue;
        };
        let Some(nested) = self::schema(schema.namespace, name) else {
            problems.push(format!(
                "{at}: {} {name} is not in the tables",
                schema.namespace
            ));
            continue;
        };
        match value {
            Value::Array(items) => check_items(nested, items, &at, problems),
            _ => check_schema(nested, value, &at, problems),
        }
    }
}

/// The items of an array whose items are `schema`'s.
fn check_items(schema: &Schema, items: &[Value], path: &str, problems: &mut Vec<String>) {
    for (i, item) in items.iter().enumerate() {
        check_schema(schema, item, &format!("{path}[{i}]"), problems);
    }
}

/// The JSON type of a value, as the files name types (`null` for null; `number` for a number
/// that is not an integer).
fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eam(name: &str) -> &'static Schema {
        schema("eam", name).unwrap_or_else(|| panic!("eam {name} is in the tables"))
    }

    fn problems(result: Result<(), Vec<String>>) -> Vec<String> {
        result.expect_err("the value is refused")
    }

    fn page(data: Value, meta: Value) -> Value {
        json!({
            "data": data,
            "meta": meta,
            "links": {"first": "/api/eam/inventories?page=1", "last": "/api/eam/inventories?page=1",
                "prev": null, "next": null},
        })
    }

    fn meta() -> Value {
        json!({"current_page": 1, "from": 1, "last_page": 1, "path": "/api/eam/inventories",
            "per_page": 100, "to": 1, "total": 1})
    }

    #[test]
    fn the_tables_hold_eams_work_order() {
        let work_order = eam("WorkOrder");
        assert_eq!(work_order.kind, SchemaKind::Object);
        for name in ["key", "assetKey", "title", "createdAt"] {
            let field = work_order.field(name).expect("documented");
            assert_eq!(field.json_type, JsonType::String, "{name}");
            assert_eq!(field.format, Some("string"), "{name}");
            assert!(!field.nullable, "{name}");
        }
        let tasks = work_order.field("tasks").expect("documented");
        assert_eq!(
            (tasks.json_type, tasks.schema),
            (JsonType::Array, Some("Task"))
        );
        assert_eq!(work_order.fields.first().map(|f| f.name), Some("key"));
        assert_eq!(
            eam("WorkOrderCollection").kind,
            SchemaKind::ArrayOf("WorkOrder")
        );
        assert_eq!(eam("Dimension").kind, SchemaKind::Open);
        assert!(schema("erp", "WorkOrder").is_none());
        assert!(schema("eam", "workorder").is_none());
    }

    #[test]
    fn the_tables_are_sorted_and_every_name_they_use_resolves() {
        let keys: Vec<_> = schemas().iter().map(|s| (s.namespace, s.name)).collect();
        assert!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "schemas sorted, once each"
        );
        let paths: Vec<_> = routes().iter().map(|r| (r.namespace, r.path)).collect();
        assert!(
            paths.windows(2).all(|w| w[0] < w[1]),
            "routes sorted, once each"
        );
        for s in schemas() {
            assert_eq!(schema(s.namespace, s.name), Some(s));
            let named = s.fields.iter().filter_map(|f| f.schema);
            let item = match s.kind {
                SchemaKind::ArrayOf(item) => Some(item),
                SchemaKind::Object | SchemaKind::Open => None,
            };
            for name in named.chain(item) {
                assert!(schema(s.namespace, name).is_some(), "{} {name}", s.name);
            }
        }
        for r in routes() {
            assert!(r.path.starts_with("/api/"), "{}", r.path);
            assert!(!r.operations.is_empty(), "{}", r.path);
            for o in r.operations {
                if let Some(name) = o.response.schema() {
                    assert!(schema(r.namespace, name).is_some(), "{} {name}", r.path);
                }
            }
        }
        for ns in ["system", "eam", "erp", "wms"] {
            assert!(schemas().iter().any(|s| s.namespace == ns), "{ns}");
            assert!(routes().iter().any(|r| r.namespace == ns), "{ns}");
        }
    }

    #[test]
    fn routes_name_what_they_answer() {
        let list = list_route("eam", "work-orders").expect("GET /api/eam/work-orders");
        assert_eq!(list.path, "/api/eam/work-orders");
        assert_eq!(list.list_item(), Some("WorkOrder"));
        assert_eq!(list.methods().collect::<Vec<_>>(), ["GET", "POST"]);
        assert_eq!(list.response("POST"), Some(Response::One("WorkOrder")));
        assert!(
            list_route("eam", "work-orders/{key}").is_none(),
            "one item, not a page"
        );
        assert!(list_route("erp", "work-orders").is_none());

        let status = routes()
            .iter()
            .find(|r| r.path == "/api/eam/work-orders/{key}/status")
            .expect("documented");
        assert_eq!(status.entity_path(), Some("work-orders/{key}/status"));
        assert_eq!(status.response("PUT"), Some(Response::One("WorkOrder")));

        let connections = list_route("system", "connections").expect("documented");
        assert_eq!(connections.list_item(), Some("Connection"));
        assert_eq!(
            connections.response("POST"),
            Some(Response::One("ConnectionStore"))
        );
        let current = routes()
            .iter()
            .find(|r| r.path == "/api/integrations/current")
            .expect("documented");
        assert_eq!((current.namespace, current.entity_path()), ("system", None));
        assert_eq!(current.response("GET"), Some(Response::One("Integration")));
        assert_eq!(current.response("DELETE"), Some(Response::Untyped));
    }

    #[test]
    fn validate_accepts_a_well_typed_record_with_nulls_and_nested_items() {
        let record = json!({
            "key": "wo-1", "assetKey": "a-1", "title": "Replace the belt",
            "createdAt": "2025-01-02T03:04:05Z", "deletedAt": null, "completedAt": null,
            "tasks": [{"key": "t-1", "title": "Stop the line", "checkList": []}],
            "documents": [],
        });
        assert_eq!(validate(eam("WorkOrder"), &record), Ok(()));
        let inventory = json!({"key": "i-1", "quantity": 10, "unitCost": 10, "locationKey": "l"});
        assert_eq!(validate(eam("Inventory"), &inventory), Ok(()));
        // `Dimension` documents no fields, so whatever object a material's dimensions are passes.
        let material = json!({"key": "m-1", "dimensions": {"height": 2}, "isActive": true});
        assert_eq!(validate(eam("Material"), &material), Ok(()));
    }

    #[test]
    fn validate_names_every_unknown_field_and_wrong_type() {
        // Inventory's quantity and unitCost are documented `integer` (unitCost holds money).
        let inventory = eam("Inventory");
        assert_eq!(
            inventory.field("unitCost").map(|f| f.json_type),
            Some(JsonType::Integer)
        );
        let record = json!({"key": "i-1", "quantity": "10", "unitCost": 1.5, "colour": "red"});
        let mut found = problems(validate(inventory, &record));
        found.sort();
        assert_eq!(
            found,
            [
                "colour: not a field of eam Inventory",
                "quantity: expected integer, got string",
                "unitCost: expected integer, got number",
            ]
        );
        let found = problems(validate(inventory, &json!({"quantity": 1.0})));
        assert_eq!(found, ["quantity: expected integer, got number"]);
    }

    #[test]
    fn validate_checks_nested_schemas_and_the_record_itself() {
        let record = json!({
            "tasks": [{"key": "t-1"}, {"key": 7, "shape": "round"}, "t-3"],
            "documents": {"key": "d-1"},
        });
        let mut found = problems(validate(eam("WorkOrder"), &record));
        found.sort();
        assert_eq!(
            found,
            [
                "documents: expected array, got object",
                "tasks[1].key: expected string, got integer",
                "tasks[1].shape: not a field of eam Task",
                "tasks[2]: expected an object (eam Task), got string",
            ]
        );
        let found = problems(validate(eam("Site"), &json!({"address": {"city": 5}})));
        assert_eq!(found, ["address.city: expected string, got integer"]);
        let found = problems(validate(eam("Inventory"), &json!(["i-1"])));
        assert_eq!(
            found,
            ["record: expected an object (eam Inventory), got array"]
        );
        let collection = eam("WorkOrderCollection");
        let found = problems(validate(collection, &json!([{"title": 1}])));
        assert_eq!(found, ["[0].title: expected string, got integer"]);
        let found = problems(validate(collection, &json!({})));
        assert_eq!(
            found,
            ["record: expected an array of eam WorkOrder, got object"]
        );
    }

    #[test]
    fn validate_page_checks_items_meta_and_links() {
        let inventory = eam("Inventory");
        let item = json!({"key": "i-1", "quantity": 3});
        assert_eq!(
            validate_page(inventory, &page(json!([item]), meta())),
            Ok(())
        );

        let mut missing = meta();
        if let Some(m) = missing.as_object_mut() {
            m.remove("total");
        }
        let found = problems(validate_page(inventory, &page(json!([item]), missing)));
        assert_eq!(found, ["meta.total: missing"]);

        let mut extra = meta();
        extra["next_cursor"] = json!("abc");
        let found = problems(validate_page(inventory, &page(json!([item]), extra)));
        assert_eq!(found, ["meta.next_cursor: not a documented meta field"]);

        let mut body = page(json!([{"quantity": "3"}]), meta());
        body["meta"]["total"] = json!("1");
        body["links"]["next"] = json!(2);
        body["links"]["self"] = json!("/api/eam/inventories");
        let mut found = problems(validate_page(inventory, &body));
        found.sort();
        assert_eq!(
            found,
            [
                "data[0].quantity: expected integer, got string",
                "links.next: expected string, got integer",
                "links.self: not a documented links field",
                "meta.total: expected number, got string",
            ]
        );
    }

    #[test]
    fn validate_page_takes_null_from_and_to_only_on_an_empty_page() {
        let inventory = eam("Inventory");
        let mut empty = meta();
        empty["from"] = Value::Null;
        empty["to"] = Value::Null;
        empty["total"] = json!(0);
        assert_eq!(
            validate_page(inventory, &page(json!([]), empty.clone())),
            Ok(())
        );
        let found = problems(validate_page(
            inventory,
            &page(json!([{"key": "i"}]), empty),
        ));
        assert_eq!(
            found,
            [
                "meta.from: expected number, got null",
                "meta.to: expected number, got null"
            ]
        );
        let found = problems(validate_page(inventory, &json!({"data": [], "cursor": 1})));
        assert_eq!(
            found,
            [
                "cursor: not part of a list page (data, meta, links)",
                "meta: missing",
                "links: missing"
            ]
        );
    }

    #[test]
    fn the_page_envelope_is_the_documented_one() {
        let names = |fields: &[Field]| fields.iter().map(|f| f.name).collect::<Vec<_>>();
        assert_eq!(
            names(page_meta_fields()),
            [
                "current_page",
                "from",
                "last_page",
                "path",
                "per_page",
                "to",
                "total"
            ]
        );
        assert_eq!(
            names(page_links_fields()),
            ["first", "last", "prev", "next"]
        );
    }
}
