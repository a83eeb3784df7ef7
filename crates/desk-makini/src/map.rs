//! Makini's admin objects as our domain types. Makini documents no customers, credit pool,
//! tiers, deployments or online flag: those are derived here, and every connection, customer
//! and account says which of its fields were (`user_metadata._makini.derived`, `Account`'s
//! `derived`). Makini's own fields that our types have no place for (tags, scopes, the status
//! as it was spelled) are kept under `user_metadata._makini`, never dropped.

use crate::records::{parse_time, Namespace};
use crate::status::squash;
use crate::wire;
use chrono::{DateTime, Utc};
use desk_platform::account::{Account, CreditBalance, Plan};
use desk_platform::catalog::{
    AuthKind, AuthSpec, Category, Deployment, DeploymentCredits, EntityCapability, System,
};
use desk_platform::connection::{Connection, ConnectionStatus};
use desk_platform::credits::credit_cost;
use desk_platform::customer::Customer;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// Where Makini's own facts live in a connection's `user_metadata`.
pub const MAKINI_KEY: &str = "_makini";
/// The list, inside [`MAKINI_KEY`], of our fields the app derived rather than read.
pub const DERIVED_KEY: &str = "derived";

/// The tier a platform is billed at when our catalog does not know it.
const UNKNOWN_TIER: u8 = 1;

/// A Makini connection status as ours, and whether the spelling was known. No machine strings
/// are documented (the dashboard shows Pending, Synchronizing, In progress, Active, Inactive,
/// Overage), so this is lenient; an unknown spelling reads as active (the connection is listed
/// and may serve data) and is kept as it came in `_makini.status`.
pub fn connection_status(raw: Option<&str>) -> (ConnectionStatus, bool) {
    let Some(raw) = raw else {
        return (ConnectionStatus::Active, false);
    };
    let status = match squash(raw).as_str() {
        "pending" | "new" | "created" | "awaitingauthorization" => ConnectionStatus::Pending,
        "synchronizing" | "syncing" | "initialsync" => ConnectionStatus::Synchronizing,
        "inprogress" => ConnectionStatus::InProgress,
        "active" | "connected" | "enabled" | "ok" | "done" | "fulldone" | "fail" | "failed"
        | "error" => ConnectionStatus::Active,
        "inactive" | "paused" | "disabled" => ConnectionStatus::Inactive,
        "overage" => ConnectionStatus::Overage,
        "disconnected" | "deleted" | "revoked" | "removed" => ConnectionStatus::Disconnected,
        _ => return (ConnectionStatus::Active, false),
    };
    (status, true)
}

/// `fail` (and its spellings) is Makini's documented "invalid platform credentials".
fn needs_reauthorization(raw: Option<&str>) -> bool {
    raw.is_some_and(|raw| {
        matches!(
            squash(raw).as_str(),
            "fail" | "failed" | "invalidcredentials" | "reauthorizationrequired"
        )
    })
}

/// `user_metadata` as an object: it is typed as a string (JSON text) in the OpenAPI file and
/// sent as an object in practice; anything else is kept under `value`.
fn metadata_object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        Value::String(text) if text.trim().is_empty() => Map::new(),
        Value::String(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => map,
            _ => Map::from_iter([("value".to_owned(), Value::String(text))]),
        },
        other => Map::from_iter([("value".to_owned(), other)]),
    }
}

/// The customer a connection belongs to. Makini has no customers: the integrator's own
/// `user_metadata.customer_id` when it set one, else one customer per email address, else
/// one per connection.
pub fn derived_customer_id(
    email: Option<&str>,
    metadata: &Map<String, Value>,
    key: &str,
) -> String {
    if let Some(Value::String(id)) = metadata.get("customer_id") {
        if !id.trim().is_empty() {
            return id.clone();
        }
    }
    match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(email) => format!("cus_mk_{}", email.to_ascii_lowercase()),
        None => format!("cus_mk_conn_{key}"),
    }
}

fn time(text: Option<&str>) -> Option<DateTime<Utc>> {
    text.and_then(|t| parse_time(t.trim()))
}

/// A platform of the catalog matching a connection's `integration_name`.
pub(crate) fn find_system<'a>(catalog: &'a [System], name: Option<&str>) -> Option<&'a System> {
    let name = squash(name?);
    catalog
        .iter()
        .find(|s| squash(&s.id) == name || squash(&s.name) == name)
}

/// One Makini connection as ours; `None` without a key (nothing could address it).
pub(crate) fn connection(raw: wire::Connection, catalog: &[System]) -> Option<Connection> {
    let key = raw.key.clone().filter(|k| !k.is_empty())?;
    let mut metadata = metadata_object(raw.user_metadata.clone());
    // The customer is read when the integrator put it in user_metadata; otherwise it is
    // made up from the email or the connection.
    let has_customer =
        matches!(metadata.get("customer_id"), Some(Value::String(id)) if !id.trim().is_empty());
    let mut derived = vec!["deployment", "credits", "online"];
    if !has_customer {
        derived.push("customer_id");
    }
    let (status, known) = connection_status(raw.status.as_deref());
    if !known {
        derived.push("status");
    }
    // The list says a connection needs reauthorization only where its status is spelled
    // `fail`; otherwise that is learnt from `integrations/current` at the next sync.
    let reauthorization_required = needs_reauthorization(raw.status.as_deref());
    if !reauthorization_required {
        derived.push("reauthorization_required");
    }
    let system = find_system(catalog, raw.integration_name.as_deref());
    let credits = system
        .map(|s| s.credits_for(Deployment::Cloud))
        .or_else(|| credit_cost(UNKNOWN_TIER, Deployment::Cloud))
        .unwrap_or(1);
    let created_at = time(raw.created_at.as_deref())
        .or_else(|| time(raw.connected_at.as_deref()))
        .or_else(|| time(raw.updated_at.as_deref()));
    if created_at.is_none() {
        derived.push("created_at");
    }
    let customer_id = derived_customer_id(raw.email.as_deref(), &metadata, &key);
    let mut makini = raw.rest.clone();
    for (field, value) in [
        ("status", json!(raw.status)),
        ("integration_name", json!(raw.integration_name)),
        ("tags", raw.tags.clone()),
        ("scopes", raw.scopes.clone()),
        ("client_id", json!(raw.client_id)),
        ("redirect", json!(raw.redirect)),
        ("updated_at", json!(raw.updated_at)),
        (DERIVED_KEY, json!(derived)),
    ] {
        makini.insert(field.to_owned(), value);
    }
    metadata.insert(MAKINI_KEY.to_owned(), Value::Object(makini));
    Some(Connection {
        id: key,
        customer_id,
        system_id: system
            .map(|s| s.id.clone())
            .or_else(|| raw.integration_name.clone()),
        deployment: Some(Deployment::Cloud),
        name: raw
            .name
            .clone()
            .or_else(|| raw.email.clone())
            .unwrap_or_default(),
        email: raw.email.clone(),
        credits,
        status,
        online: true,
        reauthorization_required,
        connected_at: time(raw.connected_at.as_deref()),
        authorized_by: None,
        token_issued_at: None,
        last_sync_at: None,
        next_sync_at: None,
        created_at: created_at.unwrap_or(DateTime::UNIX_EPOCH),
        user_metadata: metadata,
    })
}

fn text_of(object: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| match object.get(*key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn category_of(text: Option<String>) -> Category {
    match text.as_deref().map(squash).as_deref() {
        Some("erp") => Category::Erp,
        Some("wms") => Category::Wms,
        Some("cmms") => Category::Cmms,
        Some("eam") => Category::Eam,
        _ => Category::Other,
    }
}

/// A platform of `GET /api/system/platforms` (an untyped object in the OpenAPI file) as a
/// catalog entry. Its tier comes from our catalog (`tiers`, by lowercased id or name), else
/// [`UNKNOWN_TIER`]; `None` for an entry with neither id nor name.
pub(crate) fn system(raw: &Value, tiers: &HashMap<String, u8>) -> Option<System> {
    let object = raw.as_object()?;
    let id = text_of(object, &["slug", "key", "provider", "id", "name"])?;
    let name = text_of(object, &["name", "title"]).unwrap_or_else(|| id.clone());
    let tier = [&id, &name]
        .iter()
        .find_map(|k| tiers.get(&squash(k)))
        .copied()
        .unwrap_or(UNKNOWN_TIER);
    let category = category_of(text_of(object, &["category", "type", "system_type"]));
    let on_premises = ["on_premises", "onPremises", "on_premise"]
        .iter()
        .any(|k| object.get(*k).and_then(Value::as_bool) == Some(true));
    let mut deployments = vec![Deployment::Cloud];
    if on_premises {
        deployments.push(Deployment::OnPremises);
    }
    let entities: BTreeMap<String, EntityCapability> = Namespace::of(category)
        .default_routes()
        .into_iter()
        .map(|route| {
            let capability = EntityCapability {
                create: false,
                read: true,
                update: false,
                delete: false,
                frozen_when: Vec::new(),
            };
            (route.entity, capability)
        })
        .collect();
    let rate = object
        .get("rate_limit_per_minute")
        .or_else(|| object.get("rate_limit"))
        .and_then(Value::as_u64)
        .and_then(|r| u32::try_from(r).ok())
        .unwrap_or(0);
    Some(System {
        vendor: text_of(object, &["vendor", "company"]).unwrap_or_else(|| name.clone()),
        id,
        name,
        category,
        tier,
        deployments,
        credits: DeploymentCredits {
            cloud: credit_cost(tier, Deployment::Cloud).unwrap_or(1),
            on_premises: credit_cost(tier, Deployment::OnPremises).unwrap_or(2),
        },
        auth: AuthSpec {
            kind: AuthKind::ApiKey,
            fields: Vec::new(),
        },
        entities,
        rate_limit_per_minute: rate,
    })
}

/// The account: Makini's client, with a pool derived from what its connections cost. No pool
/// is documented, so what is purchased is taken to be what is in use.
pub(crate) fn account(client: &wire::ClientInfo, connections: &[Connection]) -> Account {
    let sum = |pred: fn(ConnectionStatus) -> bool| -> i64 {
        connections
            .iter()
            .filter(|c| pred(c.status))
            .map(|c| c.credits)
            .sum()
    };
    let in_use = sum(|s| {
        matches!(
            s,
            ConnectionStatus::Active
                | ConnectionStatus::Synchronizing
                | ConnectionStatus::InProgress
        )
    });
    let overage = sum(|s| s == ConnectionStatus::Overage);
    Account {
        id: client.id.clone().unwrap_or_else(|| "makini".to_owned()),
        name: client
            .name
            .clone()
            .or_else(|| client.email.clone())
            .unwrap_or_else(|| "Makini".to_owned()),
        plan: Plan::Paid,
        region: "makini".to_owned(),
        credits: CreditBalance {
            purchased: in_use,
            in_use,
            available: 0,
            overage_in_use: overage,
        },
        derived: ["plan", "region", "credits"].map(str::to_owned).to_vec(),
    }
}

/// Customers derived from the connections (see [`derived_customer_id`]), oldest first.
pub(crate) fn customers(connections: &[Connection]) -> Vec<Customer> {
    let mut seen: BTreeMap<String, Customer> = BTreeMap::new();
    for connection in connections {
        let name = connection
            .user_metadata
            .get("customer_name")
            .or_else(|| connection.user_metadata.get("company"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| connection.email.clone())
            .unwrap_or_else(|| connection.name.clone());
        let entry = seen
            .entry(connection.customer_id.clone())
            .or_insert_with(|| Customer {
                id: connection.customer_id.clone(),
                name,
                email: connection.email.clone(),
                account_manager: None,
                metadata: Map::from_iter([(
                    MAKINI_KEY.to_owned(),
                    json!({ DERIVED_KEY: ["id", "name", "email"] }),
                )]),
                created_at: connection.created_at,
            });
        entry.created_at = entry.created_at.min(connection.created_at);
    }
    let mut customers: Vec<_> = seen.into_values().collect();
    customers.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    customers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_leniently_and_an_unknown_one_is_kept() {
        for (raw, status) in [
            ("Pending", ConnectionStatus::Pending),
            ("synchronizing", ConnectionStatus::Synchronizing),
            ("In progress", ConnectionStatus::InProgress),
            ("in_progress", ConnectionStatus::InProgress),
            ("ACTIVE", ConnectionStatus::Active),
            ("Inactive", ConnectionStatus::Inactive),
            ("overage", ConnectionStatus::Overage),
            ("disconnected", ConnectionStatus::Disconnected),
        ] {
            assert_eq!(connection_status(Some(raw)), (status, true), "{raw}");
        }
        assert_eq!(
            connection_status(Some("sleeping")),
            (ConnectionStatus::Active, false)
        );
        let raw = wire::Connection {
            key: Some("09000207611898".into()),
            status: Some("sleeping".into()),
            email: Some("IT@Acme.example".into()),
            tags: json!(["a"]),
            scopes: json!("read write"),
            user_metadata: json!("{\"plant\": \"north\"}"),
            ..wire::Connection::default()
        };
        let connection = connection(raw, &[]).unwrap_or_else(|| panic!("mapped"));
        let makini = &connection.user_metadata[MAKINI_KEY];
        assert_eq!(makini["status"], "sleeping");
        assert_eq!(makini["tags"], json!(["a"]));
        assert_eq!(makini["scopes"], "read write");
        assert!(makini[DERIVED_KEY]
            .as_array()
            .is_some_and(|d| d.contains(&json!("status"))));
        assert_eq!(connection.user_metadata["plant"], "north");
        assert_eq!(connection.customer_id, "cus_mk_it@acme.example");
    }

    #[test]
    fn fail_means_reauthorization_required() {
        let raw = wire::Connection {
            key: Some("1".into()),
            status: Some("fail".into()),
            ..wire::Connection::default()
        };
        let connection = connection(raw, &[]).unwrap_or_else(|| panic!("mapped"));
        assert!(connection.reauthorization_required);
    }
}
