//! The demo account a first start can be filled with: a paid plan with a pool of 64 credits, a
//! dozen industrial customers, connections across tiers and deployments, some inactive, one in
//! overage, a few waiting for reauthorization, one offline, one pending magic link, and four
//! months of ledger history.

use crate::engine::Engine;
use crate::error::EngineError;
use crate::lifecycle;
use desk_platform::account::Plan;
use desk_platform::catalog::{Deployment, System};
use desk_platform::clock::ManualClock;
use desk_platform::connection::{Activate, CreateConnection, CreateMagicLink, SyncSettings};
use desk_platform::customer::CreateCustomer;
use std::collections::BTreeMap;
use std::sync::Arc;

pub mod scale;

/// Which seed to apply to an empty store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    Demo,
    /// 10,000 customers and 50,000 connections (seed/scale.rs).
    Scale,
}

impl Seed {
    /// When the seeded account's history begins: the account is opened then, so its ledger
    /// runs forward in time from its first entry (a statement per month adds up).
    pub fn history_starts(
        self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> chrono::DateTime<chrono::Utc> {
        match self {
            Self::Demo => now - chrono::Duration::days(DEMO_HISTORY_DAYS),
            Self::Scale => now - chrono::Duration::days(scale::HISTORY_DAYS),
        }
    }
}

/// The demo's four months of history.
const DEMO_HISTORY_DAYS: i64 = 120;

impl std::str::FromStr for Seed {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "demo" => Ok(Self::Demo),
            "scale" => Ok(Self::Scale),
            other => Err(format!("unknown seed {other:?} (known: demo, scale)")),
        }
    }
}

const CUSTOMERS: [(&str, &str, &str); 12] = [
    (
        "Nordhavn Marine Services",
        "ops@nordhavn-marine.example",
        "Priya Raman",
    ),
    ("Calder Steelworks", "it@caldersteel.example", "Tom Becker"),
    (
        "Aurora Foods Processing",
        "systems@aurorafoods.example",
        "Priya Raman",
    ),
    (
        "Meridian Water Utility",
        "scada-it@meridianwater.example",
        "Lena Okafor",
    ),
    (
        "Ironbridge Mining Co.",
        "erp-team@ironbridge.example",
        "Tom Becker",
    ),
    (
        "Halvorsen Pharma",
        "validation@halvorsen.example",
        "Lena Okafor",
    ),
    (
        "Pacific Rim Logistics",
        "integrations@pacrim.example",
        "Diego Alvarez",
    ),
    (
        "Bluefield Paper Mills",
        "maintenance@bluefield.example",
        "Diego Alvarez",
    ),
    (
        "Kestrel Aerospace Components",
        "mes@kestrel-aero.example",
        "Priya Raman",
    ),
    ("Sunvale Energy", "assets@sunvale.example", "Lena Okafor"),
    (
        "Granite Peak Cement",
        "it@granitepeak.example",
        "Tom Becker",
    ),
    (
        "Verdant Breweries",
        "brewops@verdant.example",
        "Diego Alvarez",
    ),
];

/// (customer index, system, deployment, connection name), in the order they were connected.
const CONNECTIONS: [(usize, &str, Deployment, &str); 27] = [
    (0, "maintainx", Deployment::Cloud, "Fleet maintenance"),
    (0, "netsuite", Deployment::Cloud, "Finance"),
    (1, "sap-ecc", Deployment::OnPremises, "Mill ERP"),
    (1, "ibm-maximo", Deployment::OnPremises, "Plant assets"),
    (2, "odoo", Deployment::Cloud, "Purchasing"),
    (2, "upkeep", Deployment::Cloud, "Line maintenance"),
    (2, "manhattan-wms", Deployment::Cloud, "Cold store"),
    (3, "infor-eam", Deployment::OnPremises, "Network assets"),
    (3, "fiix", Deployment::Cloud, "Pump stations"),
    (4, "sap-s4hana", Deployment::Cloud, "SAP Europe"),
    (4, "sap-s4hana", Deployment::Cloud, "SAP Americas"),
    (5, "dynamics-365-fo", Deployment::Cloud, "Operations"),
    (5, "emaint", Deployment::Cloud, "Lab equipment"),
    (11, "fracttal", Deployment::Cloud, "Brewhouse pilot"),
    (
        6,
        "blue-yonder-wms",
        Deployment::Cloud,
        "Distribution centers",
    ),
    (6, "netsuite", Deployment::Cloud, "Finance"),
    (7, "epicor-kinetic", Deployment::OnPremises, "Mill ERP"),
    (7, "limble", Deployment::Cloud, "Maintenance"),
    (8, "ifs-cloud", Deployment::Cloud, "Production ERP"),
    (8, "plex", Deployment::Cloud, "Shop floor"),
    (10, "sage-x3", Deployment::Cloud, "Finance"),
    (11, "hippo-cmms", Deployment::Cloud, "Brewery maintenance"),
    (9, "oracle-ebs", Deployment::OnPremises, "Generation ERP"),
    (11, "dynamics-365-bc", Deployment::Cloud, "Business Central"),
    (10, "fishbowl", Deployment::OnPremises, "Plant inventory"),
    (9, "maintainx", Deployment::Cloud, "Wind farms"),
    (3, "katana-mrp", Deployment::Cloud, "Workshop"),
];

fn slug(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .take(2)
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase()
}

/// Plausible values for a system's form; a demo never needs real secrets.
fn demo_credentials(system: &System, customer: &str, instance: usize) -> BTreeMap<String, String> {
    let slug = slug(customer);
    system
        .auth
        .fields
        .iter()
        .filter(|field| field.required)
        .map(|field| {
            let name = field.name.as_str();
            let value = if field.secret {
                format!("demo-{}-{name}-{instance}", system.id)
            } else if name.contains("url") || name.contains("host") {
                format!("https://{slug}-{instance}.{}.example", system.id)
            } else if name.contains("email") || name == "username" {
                format!("integration@{slug}.example")
            } else {
                format!("{slug}-{name}")
            };
            (field.name.clone(), value)
        })
        .collect()
}

/// Fills a just-created store. The caller checks the store was empty.
pub async fn apply(engine: &Engine, seed: Seed) -> Result<(), EngineError> {
    match seed {
        Seed::Demo => demo(engine).await,
        Seed::Scale => scale::apply(engine).await,
    }
}

async fn demo(engine: &Engine) -> Result<(), EngineError> {
    // Replay four months of history on a clock of its own, so the ledger has a past.
    let clock = ManualClock::new(Seed::Demo.history_starts(engine.clock.now()));
    let seeded = Engine {
        clock: Arc::new(clock.clone()),
        ..engine.clone()
    };
    lifecycle::set_plan(&seeded, Plan::Paid).await?;
    lifecycle::purchase_credits(&seeded, 63).await?;
    let mut customer_ids = Vec::new();
    for (name, email, manager) in CUSTOMERS {
        let customer = lifecycle::create_customer(
            &seeded,
            CreateCustomer {
                name: name.to_owned(),
                email: Some(email.to_owned()),
                account_manager: Some(manager.to_owned()),
                metadata: serde_json::Map::new(),
            },
        )
        .await?;
        customer_ids.push(customer.id);
        clock.advance(chrono::Duration::hours(7));
    }
    let mut created = Vec::new();
    for (index, (customer, system_id, deployment, name)) in CONNECTIONS.into_iter().enumerate() {
        clock.advance(chrono::Duration::days(4));
        let system = engine.catalog.require(system_id)?;
        let connection = lifecycle::create_connection(
            &seeded,
            CreateConnection {
                customer_id: customer_ids[customer].clone(),
                system_id: system_id.to_owned(),
                deployment,
                name: name.to_owned(),
                email: Some(CUSTOMERS[customer].1.to_owned()),
                credentials: demo_credentials(system, CUSTOMERS[customer].0, index),
                user_metadata: serde_json::Map::new(),
                sync: Some(SyncSettings::default()),
                webhook: None,
            },
            "demo-seed",
        )
        .await?;
        created.push(connection.connection);
    }
    // The initial syncs two days ago, so the demo has data before its systems start to
    // misbehave (a day ago); every seeded time is in the past.
    clock.set(engine.clock.now() - chrono::Duration::days(2));
    seeded.tick().await?;
    let id_of = |system: &str, customer: usize| {
        created
            .iter()
            .find(|c| {
                c.system_id.as_deref() == Some(system) && c.customer_id == customer_ids[customer]
            })
            .map(|c| c.id.clone())
            .ok_or_else(|| EngineError::Corrupt(format!("seed lost {system}")))
    };
    lifecycle::disconnect(&seeded, &id_of("fracttal", 11)?).await?;
    // The big on-premises ERP that did not fit the pool runs in overage.
    lifecycle::activate(
        &seeded,
        &id_of("oracle-ebs", 9)?,
        Activate { overage: true },
    )
    .await?;
    clock.advance(chrono::Duration::days(1));
    for (system, customer, reason) in [
        ("ibm-maximo", 1, "the API key was revoked in Maximo"),
        (
            "netsuite",
            0,
            "the token-based authentication token was revoked",
        ),
        ("blue-yonder-wms", 6, "the client secret expired"),
    ] {
        lifecycle::require_reauthorization(&seeded, &id_of(system, customer)?, reason).await?;
    }
    // Offline as its system is, not just flagged: the health monitor keeps it offline until
    // a `come_online` fault.
    crate::sandbox::system::inject(
        &seeded,
        &id_of("infor-eam", 3)?,
        crate::sandbox::system::Fault {
            kind: crate::sandbox::system::FaultKind::GoOffline,
            duration_seconds: None,
        },
    )
    .await?;
    lifecycle::create_magic_link(
        &seeded,
        CreateMagicLink {
            customer_id: customer_ids[2].clone(),
            system_id: Some("sap-s4hana".to_owned()),
            name: "Corporate SAP".to_owned(),
            user_metadata: serde_json::Map::new(),
            expires_in: Some(7 * 24 * 3600),
        },
        "http://127.0.0.1",
    )
    .await?;
    tracing::info!(connections = created.len(), "demo seed applied");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_and_lowercase() {
        assert_eq!(slug("Calder Steelworks"), "calder-steelworks");
        assert_eq!(slug("Ironbridge Mining Co."), "ironbridge-mining");
    }
}
