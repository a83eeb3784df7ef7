//! The account that owns the credit pool.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    Trial,
    Paid,
}

impl Plan {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trial => "trial",
            Self::Paid => "paid",
        }
    }
}

/// The pool: `available = purchased - in_use` always; overage is counted apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct CreditBalance {
    pub purchased: i64,
    pub in_use: i64,
    pub available: i64,
    pub overage_in_use: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub plan: Plan,
    pub region: String,
    pub credits: CreditBalance,
    /// The fields the app derived rather than read: a Makini profile's API documents no plan,
    /// region or credit pool (desk-makini). Empty for our own platform.
    #[serde(default)]
    pub derived: Vec<String>,
}
