//! The `scale` seed: an account the size of a large integrator's, 10,000 customers and 50,000
//! connections in every state, to try the screens and time the overview on. Deterministic (the
//! same ids and names on every machine) and written in one transaction straight into the
//! store: going through the lifecycle one connection at a time would take minutes.
//!
//! Every live connection has synced once (one entity, no records yet), so a desk's first sync
//! finds nothing to wait for; the engine's scheduler then syncs them spread over the hour.

use crate::engine::Engine;
use crate::error::EngineError;
use crate::lifecycle;
use crate::store::connections::{self as stored_connections, StoredConnection};
use crate::store::syncs::{self, Cursor, SyncRun};
use crate::store::{accounts, customers, ledger};
use chrono::{DateTime, Duration, Utc};
use desk_platform::account::Plan;
use desk_platform::catalog::{Deployment, System};
use desk_platform::connection::{Connection, ConnectionStatus, SyncSettings};
use desk_platform::customer::Customer;
use desk_platform::event::EventType;
use desk_platform::ids::prefix;
use desk_platform::ledger::{LedgerEntry, LedgerReason};

pub const CUSTOMERS: usize = 10_000;
/// The account was opened a day before its first customer.
pub const HISTORY_DAYS: i64 = 731;
pub const CONNECTIONS: usize = 50_000;

const PLACES: [&str; 20] = [
    "Tromsø",
    "Bergkamp",
    "Lakeshore",
    "Redwood",
    "Vasterby",
    "Oakridge",
    "Saltmarsh",
    "Kingsgate",
    "Ostrava",
    "Marlow",
    "Eastfield",
    "Ashdown",
    "Fjordvik",
    "Brightwater",
    "Kolding",
    "Westbrook",
    "Hollins",
    "Stonebridge",
    "Porto Novo",
    "Thornbury",
];
const TRADES: [&str; 16] = [
    "Offshore",
    "Forge",
    "Dairy",
    "Utilities",
    "Quarries",
    "Biotech",
    "Freight",
    "Pulp",
    "Avionics",
    "Power",
    "Aggregates",
    "Distillers",
    "Werkzeugbau",
    "Mills",
    "Polymers",
    "Transit",
];
const FORMS: [&str; 6] = ["ASA", "AG", "plc", "LLC", "S.A.", "Oy"];
const MANAGERS: [&str; 12] = [
    "Sofia Lindqvist",
    "Kwame Mensah",
    "Hannah Weber",
    "Luis Ortega",
    "Yuki Sato",
    "Anita Desai",
    "Jonas Berg",
    "Marta Kowalska",
    "Chidi Eze",
    "Claire Dubois",
    "Noah Fischer",
    "Layla Nasser",
];
const USES: [&str; 8] = [
    "Plant assets",
    "Fleet maintenance",
    "Finance",
    "Purchasing",
    "Warehouse",
    "Site 2",
    "Production ERP",
    "Field service",
];

/// splitmix64: the n-th value of a fixed sequence, so any row can be drawn on its own.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D1_049B_B133_111E);
    z ^ (z >> 31)
}

/// A draw below `n` from row `row`'s `salt`-th value.
fn pick(row: usize, salt: u64, n: usize) -> usize {
    (mix((row as u64) << 8 | salt) % n as u64) as usize
}

/// 24 hex digits, as the engine's random ids have.
fn id(prefix: &str, kind: u64, n: usize) -> String {
    let key = kind << 40 | n as u64;
    format!("{prefix}{:016x}{:08x}", mix(key), mix(!key) as u32)
}

pub fn customer_id(n: usize) -> String {
    id(prefix::CUSTOMER, 1, n)
}

pub fn connection_id(n: usize) -> String {
    id(prefix::CONNECTION, 2, n)
}

fn customer(n: usize, now: DateTime<Utc>) -> Customer {
    let name = format!(
        "{} {} {}",
        PLACES[pick(n, 1, PLACES.len())],
        TRADES[pick(n, 2, TRADES.len())],
        FORMS[pick(n, 3, FORMS.len())]
    );
    Customer {
        id: customer_id(n),
        name,
        email: Some(format!("it{n}@customer{}.example", n % 97)),
        account_manager: Some(MANAGERS[pick(n, 4, MANAGERS.len())].to_owned()),
        metadata: serde_json::Map::new(),
        created_at: customer_created_at(n, now),
    }
}

/// The state a connection is seeded in: most are live and healthy, every other state is there
/// in the proportions a large account sees.
fn status_of(n: usize) -> ConnectionStatus {
    match pick(n, 10, 100) {
        0..=81 => ConnectionStatus::Active,
        82..=86 => ConnectionStatus::Inactive,
        87..=88 => ConnectionStatus::Overage,
        89..=90 => ConnectionStatus::Pending,
        91..=95 => ConnectionStatus::Disconnected,
        96..=97 => ConnectionStatus::Synchronizing,
        _ => ConnectionStatus::InProgress,
    }
}

struct Seeded {
    stored: StoredConnection,
    /// The simulated system's credentials are revoked (a reauthorization is due).
    revoked: bool,
}

fn connection(n: usize, systems: &[System], now: DateTime<Utc>) -> Seeded {
    let system = &systems[pick(n, 11, systems.len())];
    let on_premises = system.supports(Deployment::OnPremises)
        && (!system.supports(Deployment::Cloud) || pick(n, 12, 5) == 0);
    let deployment = if on_premises {
        Deployment::OnPremises
    } else {
        Deployment::Cloud
    };
    let status = status_of(n);
    let customer = pick(n, 13, CUSTOMERS);
    // Created after its customer, within the last two years.
    let created_at =
        customer_created_at(customer, now) + Duration::minutes(pick(n, 14, 60 * 24 * 30) as i64);
    let created_at = created_at.min(now - Duration::hours(1));
    let live = status.is_live();
    let revoked = live && pick(n, 15, 100) < 3;
    let online = !(live && pick(n, 16, 100) < 2);
    let interval = SyncSettings::default().interval_minutes as i64;
    let last_sync_at =
        live.then(|| now - Duration::seconds(pick(n, 17, 60 * interval as usize) as i64));
    let credits = system.credits_for(deployment);
    let consumed = match status {
        ConnectionStatus::Active
        | ConnectionStatus::Synchronizing
        | ConnectionStatus::InProgress => credits,
        _ => 0,
    };
    let stored = StoredConnection {
        connection: Connection {
            id: connection_id(n),
            customer_id: customer_id(customer),
            system_id: Some(system.id.clone()),
            deployment: Some(deployment),
            name: format!("{} {}", system.name, USES[pick(n, 18, USES.len())]),
            email: Some(format!("it{customer}@customer{}.example", customer % 97)),
            credits,
            status,
            online,
            reauthorization_required: revoked,
            connected_at: (status != ConnectionStatus::Pending).then_some(created_at),
            authorized_by: (status != ConnectionStatus::Pending)
                .then(|| format!("admin{}@customer{}.example", n % 7, customer % 97)),
            token_issued_at: (status != ConnectionStatus::Pending).then_some(created_at),
            last_sync_at,
            next_sync_at: last_sync_at.map(|at| at + Duration::minutes(interval)),
            created_at,
            user_metadata: serde_json::Map::new(),
        },
        consumed,
        overage: if status == ConnectionStatus::Overage {
            credits
        } else {
            0
        },
        identity_fingerprint: None,
        webhook_url: None,
        webhook_events: Vec::new(),
        webhook_secret: None,
        data_deleted_at: None,
        sync_settings: SyncSettings {
            // One entity keeps the scheduler's and a desk's pulls small at this size.
            entities: system.entities.keys().take(1).cloned().collect(),
            ..SyncSettings::default()
        },
    };
    Seeded { stored, revoked }
}

/// Customers joined over the last two years, oldest first.
fn customer_created_at(n: usize, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(730) + Duration::minutes(n as i64 * 100)
}

pub async fn apply(engine: &Engine) -> Result<(), EngineError> {
    let now = engine.clock.now();
    let systems = engine.catalog.systems();
    if systems.is_empty() {
        return Err(EngineError::Corrupt("the catalog is empty".into()));
    }
    let mut tx = engine.store.begin().await?;
    accounts::set_plan(&mut tx, Plan::Paid).await?;
    for n in 0..CUSTOMERS {
        customers::insert(&mut tx, &customer(n, now)).await?;
    }
    let seeded: Vec<Seeded> = (0..CONNECTIONS)
        .map(|n| connection(n, systems, now))
        .collect();
    // The pool: what the live connections use, plus a little headroom.
    let in_use: i64 = seeded.iter().map(|s| s.stored.consumed).sum();
    let purchased = in_use + 40;
    let started = now - Duration::days(730);
    ledger::append(
        &mut tx,
        &entry(
            started,
            None,
            purchased,
            0,
            LedgerReason::Purchase,
            purchased,
        ),
    )
    .await?;
    let mut balance = purchased;
    let mut by_age: Vec<&Seeded> = seeded.iter().collect();
    by_age.sort_by_key(|s| s.stored.connection.created_at);
    for s in by_age {
        let c = &s.stored.connection;
        if s.stored.consumed > 0 {
            balance -= s.stored.consumed;
            let e = entry(
                c.created_at,
                Some(&c.id),
                -s.stored.consumed,
                0,
                LedgerReason::Connect,
                balance,
            );
            ledger::append(&mut tx, &e).await?;
        } else if s.stored.overage > 0 {
            let e = entry(
                c.created_at,
                Some(&c.id),
                0,
                s.stored.overage,
                LedgerReason::Overage,
                balance,
            );
            ledger::append(&mut tx, &e).await?;
        }
    }
    for (n, s) in seeded.iter().enumerate() {
        write_connection(&mut tx, n, s, now).await?;
    }
    tx.commit().await?;
    tracing::info!(
        customers = CUSTOMERS,
        connections = CONNECTIONS,
        "scale seed applied"
    );
    Ok(())
}

fn entry(
    at: DateTime<Utc>,
    connection_id: Option<&str>,
    delta: i64,
    overage_delta: i64,
    reason: LedgerReason,
    balance_after: i64,
) -> LedgerEntry {
    LedgerEntry {
        id: crate::token::new_id(prefix::LEDGER_ENTRY),
        at,
        connection_id: connection_id.map(str::to_owned),
        delta,
        overage_delta,
        reason,
        balance_after,
    }
}

/// The connection, its simulated system, and for a live one the sync it has done.
async fn write_connection(
    tx: &mut crate::store::Tx,
    n: usize,
    s: &Seeded,
    now: DateTime<Utc>,
) -> Result<(), EngineError> {
    let c = &s.stored.connection;
    stored_connections::insert(tx, &s.stored).await?;
    if matches!(
        c.status,
        ConnectionStatus::Pending | ConnectionStatus::Disconnected
    ) {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO sandbox_systems (connection_id, seed, online, credentials_valid, records_per_entity)
         VALUES (?, ?, ?, ?, 0)",
    )
    .bind(&c.id)
    .bind(i64::from_ne_bytes(mix(n as u64).to_ne_bytes()))
    .bind(c.online)
    .bind(!s.revoked)
    .execute(&mut **tx)
    .await?;
    if let (Some(last), Some(entity)) = (c.last_sync_at, s.stored.sync_settings.entities.first()) {
        let run = SyncRun {
            id: id(prefix::SYNC, 3, n),
            connection_id: c.id.clone(),
            kind: "initial".into(),
            state: "completed".into(),
            entities: serde_json::to_string(&[entity])?,
            started_at: last,
            finished_at: Some(last),
            records: 0,
            error: None,
        };
        syncs::insert_run(tx, &run).await?;
        let cursor = Cursor {
            entity: entity.clone(),
            synced_until: last,
            records: 0,
            last_sync_at: last,
        };
        syncs::set_cursor(tx, &c.id, &cursor).await?;
    }
    if s.revoked {
        let data = serde_json::json!({ "reason": "the system refused the stored credentials" });
        let at = now - Duration::minutes(pick(n, 19, 60 * 24 * 3) as i64);
        lifecycle::emit_for(
            tx,
            at,
            EventType::ConnectionReauthorizationRequired,
            c,
            data,
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_distinct_and_well_formed() {
        assert_eq!(customer_id(7), customer_id(7));
        assert_ne!(connection_id(1), connection_id(2));
        assert!(connection_id(49_999).starts_with("conn_"));
        assert_eq!(connection_id(3).len(), "conn_".len() + 24);
        let distinct: std::collections::HashSet<_> = (0..CONNECTIONS).map(connection_id).collect();
        assert_eq!(distinct.len(), CONNECTIONS);
    }

    #[test]
    fn every_state_is_seeded() {
        let statuses: std::collections::HashSet<_> =
            (0..2_000).map(|n| status_of(n).as_str()).collect();
        assert_eq!(statuses.len(), 7, "{statuses:?}");
    }
}
