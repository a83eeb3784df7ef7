//! The catalog of industrial systems a connection can be made to.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Erp,
    Cmms,
    Eam,
    Wms,
    Other,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Deployment {
    Cloud,
    OnPremises,
}

impl Deployment {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cloud => "cloud",
            Self::OnPremises => "on_premises",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cloud" => Some(Self::Cloud),
            "on_premises" => Some(Self::OnPremises),
            _ => None,
        }
    }
}

/// Credits a connection costs, per deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct DeploymentCredits {
    pub cloud: i64,
    pub on_premises: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    Oauth2,
    ApiKey,
    Basic,
    Certificate,
}

/// One credential input of a system's connection form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct AuthField {
    pub name: String,
    pub label: String,
    /// Masked in forms, stored only encrypted, never logged.
    pub secret: bool,
    pub required: bool,
    pub help: String,
    /// Identifies the account or instance (a host, a tenant, a company id): a reauthorization that
    /// changes it is reported, because it would silently mix two accounts' data.
    #[serde(default)]
    pub identity: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct AuthSpec {
    pub kind: AuthKind,
    pub fields: Vec<AuthField>,
}

/// What a system allows on one entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct EntityCapability {
    pub create: bool,
    pub read: bool,
    pub update: bool,
    pub delete: bool,
    /// Record statuses in which the record can no longer be updated (an approved purchase order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frozen_when: Vec<String>,
}

/// A system of the catalog, as `GET /api/v1/systems` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct System {
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub category: Category,
    pub tier: u8,
    pub deployments: Vec<Deployment>,
    pub credits: DeploymentCredits,
    pub auth: AuthSpec,
    pub entities: BTreeMap<String, EntityCapability>,
    pub rate_limit_per_minute: u32,
}

impl System {
    pub fn supports(&self, deployment: Deployment) -> bool {
        self.deployments.contains(&deployment)
    }

    pub fn credits_for(&self, deployment: Deployment) -> i64 {
        match deployment {
            Deployment::Cloud => self.credits.cloud,
            Deployment::OnPremises => self.credits.on_premises,
        }
    }
}

/// The unified entities of the data API, by their path segment.
pub const ENTITIES: [&str; 5] = [
    "purchase-orders",
    "work-orders",
    "inventory-items",
    "vendors",
    "assets",
];
