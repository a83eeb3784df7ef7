//! The catalog of systems the engine can connect to, shipped as data in `catalog/systems.json`.

use crate::error::EngineError;
use desk_platform::catalog::Deployment;
use desk_platform::catalog::{System, ENTITIES};
use desk_platform::credits::credit_cost;
use std::collections::HashMap;

const SYSTEMS_JSON: &str = include_str!("../catalog/systems.json");

/// The catalog, validated once at start.
#[derive(Debug, Clone)]
pub struct Catalog {
    systems: Vec<System>,
    by_id: HashMap<String, usize>,
}

impl Catalog {
    /// The built-in catalog.
    pub fn builtin() -> Result<Self, EngineError> {
        Self::from_json(SYSTEMS_JSON)
    }

    pub fn from_json(json: &str) -> Result<Self, EngineError> {
        let systems: Vec<System> = serde_json::from_str(json)
            .map_err(|err| EngineError::Catalog(format!("systems.json: {err}")))?;
        let mut by_id = HashMap::new();
        for (index, system) in systems.iter().enumerate() {
            validate(system)?;
            if by_id.insert(system.id.clone(), index).is_some() {
                return Err(EngineError::Catalog(format!(
                    "duplicate system id {}",
                    system.id
                )));
            }
        }
        Ok(Self { systems, by_id })
    }

    pub fn systems(&self) -> &[System] {
        &self.systems
    }

    pub fn get(&self, id: &str) -> Option<&System> {
        self.by_id.get(id).map(|&index| &self.systems[index])
    }

    /// The system, or `INVALID_REQUEST` naming the unknown id.
    pub fn require(&self, id: &str) -> Result<&System, EngineError> {
        self.get(id).ok_or_else(|| {
            EngineError::api(
                desk_platform::ErrorCode::NotFound,
                format!("no system with id {id:?}; see GET /api/v1/systems"),
            )
        })
    }
}

fn validate(system: &System) -> Result<(), EngineError> {
    let fail = |what: String| Err(EngineError::Catalog(format!("{}: {what}", system.id)));
    for deployment in [Deployment::Cloud, Deployment::OnPremises] {
        if credit_cost(system.tier, deployment) != Some(system.credits_for(deployment)) {
            return fail(format!(
                "credits for {} break the credit rule",
                deployment.as_str()
            ));
        }
    }
    if system.deployments.is_empty() {
        return fail("no deployment".to_owned());
    }
    if let Some(entity) = system
        .entities
        .keys()
        .find(|e| !ENTITIES.contains(&e.as_str()))
    {
        return fail(format!("unknown entity {entity}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_is_valid_and_large_enough() {
        let catalog = Catalog::builtin().unwrap();
        assert!(
            catalog.systems().len() >= 40,
            "{} systems",
            catalog.systems().len()
        );
        let sap = catalog.get("sap-s4hana").unwrap();
        assert_eq!(sap.tier, 3);
        assert_eq!(sap.credits_for(Deployment::Cloud), 4);
        assert_eq!(catalog.get("upkeep").unwrap().tier, 1);
    }

    #[test]
    fn a_system_whose_credits_break_the_rule_is_refused() {
        let json = r#"[{"id":"x","name":"X","vendor":"V","category":"cmms","tier":1,
            "deployments":["cloud"],"credits":{"cloud":2,"on_premises":2},
            "auth":{"kind":"api_key","fields":[]},"entities":{},"rate_limit_per_minute":60}]"#;
        assert!(Catalog::from_json(json).is_err());
    }
}
