//! The append-only credit ledger: one entry per change of the pool.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum LedgerReason {
    Connect,
    Disconnect,
    Activate,
    Overage,
    Purchase,
}

impl LedgerReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Disconnect => "disconnect",
            Self::Activate => "activate",
            Self::Overage => "overage",
            Self::Purchase => "purchase",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Connect,
            Self::Disconnect,
            Self::Activate,
            Self::Overage,
            Self::Purchase,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == s)
    }
}

/// `delta` is the change to `available` (negative when credits are consumed); `overage_delta` the
/// change to `overage_in_use`; `balance_after` is `available` after the entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
pub struct LedgerEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub connection_id: Option<String>,
    pub delta: i64,
    pub overage_delta: i64,
    pub reason: LedgerReason,
    pub balance_after: i64,
}
