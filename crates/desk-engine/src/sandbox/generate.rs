//! Deterministic, realistic unified records. Record `n` of an entity of a connection is always the
//! same (seeded by the connection's seed, the entity and `n`), and so is every change a sync finds.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

const CURRENCIES: [&str; 5] = ["USD", "EUR", "GBP", "SEK", "CAD"];
const PO_STATUSES: [&str; 5] = ["draft", "approved", "received", "closed", "cancelled"];
const WO_STATES: [&str; 5] = ["open", "in_progress", "on_hold", "completed", "closed"];
const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];
const TECHNICIANS: [&str; 8] = [
    "A. Lindqvist",
    "M. Okoye",
    "J. Park",
    "R. Haddad",
    "S. Novak",
    "L. Moreau",
    "T. Brennan",
    "K. Sato",
];
const VENDOR_NAMES: [&str; 12] = [
    "Atlas Bearings",
    "Nordic Hydraulics",
    "Granite Fasteners",
    "Helix Pumps",
    "Vector Electric",
    "Summit Lubricants",
    "Keystone Valves",
    "Orion Filtration",
    "Beacon Safety",
    "Delta Motors",
    "Pioneer Seals",
    "Crown Instruments",
];
const VENDOR_SUFFIXES: [&str; 4] = ["Ltd", "GmbH", "Inc.", "AB"];
const COUNTRIES: [&str; 6] = ["US", "DE", "GB", "SE", "CA", "NL"];
const PARTS: [(&str, &str); 12] = [
    ("Deep groove ball bearing 6205", "pcs"),
    ("Hydraulic hose 1/2in", "m"),
    ("V-belt SPA 1250", "pcs"),
    ("Mechanical seal 35mm", "pcs"),
    ("Gear oil ISO VG 220", "l"),
    ("Proximity sensor M18", "pcs"),
    ("Air filter element", "pcs"),
    ("Contactor 24V 40A", "pcs"),
    ("Hex bolt M12x60", "pcs"),
    ("Conveyor roller 50mm", "pcs"),
    ("Pressure gauge 0-16 bar", "pcs"),
    ("Grease cartridge EP2", "pcs"),
];
const ASSET_TYPES: [&str; 8] = [
    "Centrifugal pump",
    "Conveyor",
    "Air compressor",
    "CNC mill",
    "Boiler",
    "Packaging line",
    "Forklift",
    "Chiller",
];
const MANUFACTURERS: [&str; 6] = [
    "Siemens",
    "ABB",
    "Grundfos",
    "Atlas Copco",
    "Bosch Rexroth",
    "Schneider",
];
const WORK: [&str; 8] = [
    "Replace bearing",
    "Inspect belts",
    "Lubricate gearbox",
    "Calibrate sensor",
    "Fix hydraulic leak",
    "Quarterly PM",
    "Replace filter",
    "Investigate vibration",
];

/// The entities every simulated system can hold, with their id prefix.
pub fn id_prefix(entity: &str) -> &'static str {
    match entity {
        "purchase-orders" => "PO",
        "work-orders" => "WO",
        "inventory-items" => "ITM",
        "vendors" => "V",
        "assets" => "AST",
        _ => "REC",
    }
}

pub fn record_id(entity: &str, n: u64) -> String {
    format!("{}-{:06}", id_prefix(entity), n)
}

fn rng_for(seed: u64, entity: &str, n: u64, salt: u64) -> StdRng {
    let mut hash = seed ^ 0x9e37_79b9_7f4a_7c15;
    for byte in entity.bytes() {
        hash = hash.rotate_left(5) ^ u64::from(byte);
        hash = hash.wrapping_mul(0x100_0000_01b3);
    }
    StdRng::seed_from_u64(
        hash ^ n.wrapping_mul(0xff51_afd7_ed55_8ccd) ^ salt.wrapping_mul(0xc4ce_b9fe_1a85_ec53),
    )
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

fn money(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// How many records of an entity exist in a system `history_days` old.
pub fn initial_count(entity: &str, history_days: u32) -> u64 {
    let days = u64::from(history_days.max(1));
    match entity {
        "vendors" => 40,
        "assets" => 120,
        "inventory-items" => 200,
        "purchase-orders" => 3 * days,
        "work-orders" => 5 * days,
        _ => 50,
    }
}

/// New records per day once the system runs (transactions only; master data grows slowly).
pub fn daily_new(entity: &str) -> f64 {
    match entity {
        "purchase-orders" => 3.0,
        "work-orders" => 5.0,
        "inventory-items" => 0.3,
        "vendors" => 0.1,
        "assets" => 0.1,
        _ => 0.0,
    }
}

/// Record `n` of `entity`, created at `created_at`; `counts` sizes references to other entities.
pub fn record(
    seed: u64,
    entity: &str,
    n: u64,
    created_at: DateTime<Utc>,
    vendors: u64,
    assets: u64,
) -> Value {
    let mut rng = rng_for(seed, entity, n, 0);
    let vendor_ref = record_id("vendors", 1 + n % vendors.max(1));
    match entity {
        "purchase-orders" => {
            let currency = pick(&mut rng, &CURRENCIES);
            let lines: Vec<Value> = (1..=rng.gen_range(1..=4))
                .map(|line| {
                    let (description, unit) = PARTS[rng.gen_range(0..PARTS.len())];
                    let quantity = rng.gen_range(1..=50);
                    let unit_price = money(rng.gen_range(2.0..400.0));
                    json!({"line": line, "item_id": record_id("inventory-items", rng.gen_range(1..=200)),
                           "description": description, "unit": unit, "quantity": quantity,
                           "unit_price": unit_price, "amount": money(unit_price * f64::from(quantity))})
                })
                .collect();
            let total = money(lines.iter().filter_map(|l| l["amount"].as_f64()).sum());
            let status = pick(&mut rng, &PO_STATUSES[..3]);
            json!({"number": format!("4500{:06}", n), "vendor_id": vendor_ref, "currency": currency,
                   "status": status, "order_date": created_at.date_naive(),
                   "expected_date": (created_at + Duration::days(rng.gen_range(3..45))).date_naive(),
                   "total": total, "line_items": lines})
        }
        "work-orders" => json!({
            "title": format!("{} - {}", pick(&mut rng, &WORK), pick(&mut rng, &ASSET_TYPES)),
            "asset_id": record_id("assets", 1 + n % assets.max(1)),
            "priority": pick(&mut rng, &PRIORITIES),
            "state": pick(&mut rng, &WO_STATES[..3]),
            "technician": pick(&mut rng, &TECHNICIANS),
            "due_date": (created_at + Duration::days(rng.gen_range(1..21))).date_naive(),
            "estimated_hours": rng.gen_range(1..=16),
        }),
        "inventory-items" => {
            let (name, unit) = PARTS[rng.gen_range(0..PARTS.len())];
            json!({"sku": format!("SKU-{:05}", 10_000 + n), "name": name, "unit": unit,
                   "location": format!("Warehouse {} / Bin {}-{:02}", pick(&mut rng, &["A", "B", "C"]),
                                       rng.gen_range(1..20), rng.gen_range(1..60)),
                   "quantity_on_hand": rng.gen_range(0..500), "reorder_point": rng.gen_range(5..60),
                   "unit_cost": money(rng.gen_range(1.0..300.0)), "vendor_id": vendor_ref})
        }
        "vendors" => {
            let name = format!(
                "{} {}",
                VENDOR_NAMES[(n as usize) % VENDOR_NAMES.len()],
                pick(&mut rng, &VENDOR_SUFFIXES)
            );
            let slug: String = name
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase();
            json!({"name": name, "country": pick(&mut rng, &COUNTRIES), "currency": pick(&mut rng, &CURRENCIES),
                   "email": format!("orders@{slug}.example"), "payment_terms": pick(&mut rng, &["NET30", "NET45", "NET60"])})
        }
        "assets" => {
            // Sites are 1..=3, lines 4..=15 under a site, machines under a line.
            let (kind, parent) = match n {
                1..=3 => ("site", None),
                4..=15 => ("line", Some(record_id("assets", 1 + (n - 4) % 3))),
                _ => ("machine", Some(record_id("assets", 4 + (n - 16) % 12))),
            };
            let name = match kind {
                "site" => format!("Site {}", ["North", "South", "East"][(n - 1) as usize % 3]),
                "line" => format!("Line {}", n - 3),
                _ => format!("{} {}", pick(&mut rng, &ASSET_TYPES), n),
            };
            json!({"name": name, "kind": kind, "parent_id": parent,
                   "manufacturer": pick(&mut rng, &MANUFACTURERS),
                   "serial_number": format!("SN{:08}", rng.gen_range(10_000_000u64..99_999_999)),
                   "status": pick(&mut rng, &["operating", "operating", "operating", "standby", "down"]),
                   "installed_on": (created_at - Duration::days(rng.gen_range(100..4000))).date_naive()})
        }
        _ => json!({}),
    }
}

/// The change the system makes to an existing record at its `change`-th update, or `None` when
/// the record is in a final state.
pub fn change(seed: u64, entity: &str, n: u64, change: u64, current: &Value) -> Option<Value> {
    let mut rng = rng_for(seed, entity, n, change + 1);
    let mut next = current.clone();
    match entity {
        "purchase-orders" => {
            let status = current["status"].as_str()?;
            let advanced = match status {
                "draft" => "approved",
                "approved" => "received",
                "received" => "closed",
                _ => return None,
            };
            next["status"] = json!(advanced);
        }
        "work-orders" => {
            let state = current["state"].as_str()?;
            let advanced = match state {
                "open" => "in_progress",
                "on_hold" => "in_progress",
                "in_progress" if rng.gen_bool(0.2) => "on_hold",
                "in_progress" => "completed",
                "completed" => "closed",
                _ => return None,
            };
            next["state"] = json!(advanced);
        }
        "inventory-items" => {
            let quantity = current["quantity_on_hand"].as_i64().unwrap_or(0);
            next["quantity_on_hand"] = json!((quantity + rng.gen_range(-20..40)).max(0));
        }
        "assets" => {
            next["status"] = json!(pick(
                &mut rng,
                &["operating", "operating", "standby", "down"]
            ))
        }
        "vendors" => next["payment_terms"] = json!(pick(&mut rng, &["NET30", "NET45", "NET60"])),
        _ => return None,
    }
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_record_and_another_seed_another() {
        let at = Utc::now();
        let a = record(7, "purchase-orders", 3, at, 40, 120);
        assert_eq!(a, record(7, "purchase-orders", 3, at, 40, 120));
        assert_ne!(a, record(8, "purchase-orders", 3, at, 40, 120));
        assert!(a["line_items"].as_array().is_some_and(|l| !l.is_empty()));
    }

    #[test]
    fn purchase_orders_advance_to_a_final_state_and_stop() {
        let mut po = json!({"status": "draft"});
        for i in 0..3 {
            po = change(1, "purchase-orders", 1, i, &po).unwrap();
        }
        assert_eq!(po["status"], "closed");
        assert!(change(1, "purchase-orders", 1, 3, &po).is_none());
    }

    #[test]
    fn assets_form_a_site_line_machine_hierarchy() {
        let at = Utc::now();
        assert!(record(1, "assets", 2, at, 40, 120)["parent_id"].is_null());
        assert_eq!(
            record(1, "assets", 5, at, 40, 120)["parent_id"],
            "AST-000002"
        );
        assert_eq!(record(1, "assets", 16, at, 40, 120)["kind"], "machine");
    }
}
