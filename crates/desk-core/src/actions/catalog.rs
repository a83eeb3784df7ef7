//! The catalog of systems the platform connects to, read live (it is small, and the wizard
//! needs the platform anyway).

use crate::desk::Desk;
use crate::CoreError;
use desk_client::{ListOptions, SystemFilter};
use desk_platform::catalog::{Category, System};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct SystemsListRequest {
    /// Text in the name, vendor or id.
    pub search: Option<String>,
    pub category: Option<Category>,
    pub tier: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Catalog {
    pub systems: Vec<System>,
}

pub async fn systems_list(desk: &Desk, request: SystemsListRequest) -> Result<Catalog, CoreError> {
    let session = desk.session(None).await?;
    let systems = session
        .client
        .systems(
            SystemFilter {
                category: request.category,
                tier: request.tier,
                search: request.search.filter(|s| !s.trim().is_empty()),
            },
            ListOptions::page_size(500),
        )
        .try_collect()
        .await?;
    Ok(Catalog { systems })
}
