//! Cursor pagination envelope shared by every list route.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Default and maximum page sizes of every list route.
pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 500;

/// One page of a list: `next_cursor` is `null` on the last page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}
