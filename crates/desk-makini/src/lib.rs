//! Makini's documented cloud API (makini-api.md, Makini's OpenAPI files), spoken through
//! desk-client's transport (timeouts, retries with `Retry-After`, breakers, lenient errors) and
//! mapped into our domain types, so desk-core drives a Makini profile like any other.
//!
//! - [`MakiniClient`]: the admin ("system") routes with a client-credentials token from
//!   `POST /link/token`, whose `expires_in` is an expiry timestamp.
//! - [`MakiniData`]: one connection's data routes (`/api/eam|erp|wms/...`), walked page by page
//!   with `filter[updatedAt:gt]` for incremental pulls, and `integrations/current`.
//! - What Makini does not document (customers, a credit pool, tiers, an event log) is derived
//!   where it honestly can be and named in [`DERIVED_KEY`] on what carries it.

mod admin;
mod data;
#[cfg(feature = "fake")]
pub mod fake;
mod filter;
mod map;
mod pages;
mod records;
mod status;
pub mod wire;

pub use admin::{not_supported, MakiniClient, MakiniSettings};
pub use data::{MakiniData, RecordsPage};
pub use filter::{Filter, FilterOp, Sort};
pub use map::{connection_status, derived_customer_id, DERIVED_KEY, MAKINI_KEY};
pub use records::{entity_for_path, to_record, Namespace, Route};
pub use status::{squash, SyncState};
